// Public surface of the MoQ relay and WebTransport glue (framework-free).
export * from './transport/types';
export {
  acceptWebSocketTransport,
  WebSocketTransport,
  MAX_STREAM_PAYLOAD,
  WEBTRANSPORT_SUBPROTOCOL,
  selectWebTransportSubprotocol,
  type WebSocketTransportOptions,
} from './transport/websocket';
export { WritableSendStream, openUniSend, openBidiSend } from './transport/send-stream';
export {
  generateSelfSignedCertificate,
  certificateFingerprint,
  CertificateRotator,
  type SelfSignedCertificate,
  type SelfSignedOptions,
  type ServedCertificate,
} from './transport/cert';
export {
  connectWebTransport,
  WebTransportRefusedError,
  type WebTransportClientOptions,
} from './transport/h3/client';
export {
  Http3WebTransportSession,
  type WebTransportRequest,
  type WebTransportDecision,
  type H3Limits,
} from './transport/h3/webtransport';
export { DEFAULT_QUIC_LIMITS, type QuicLimits } from './transport/quic/endpoint';
export { loadQuiche } from './transport/quic/quiche';
export {
  loadHttp3,
  startHttp3Server,
  adaptHttp3Session,
  selectHttp3Protocol,
  type Http3Availability,
  type Http3Session,
  type Http3ServerOptions,
  type Http3Stats,
  type RunningHttp3Server,
} from './transport/http3';
export * as MoqMessages from './protocol/messages';
export { Version, versionName, ALPN_LITE_03, ALPN_LITE_04 } from './protocol/messages';
export { MoqSession, silentLogger, type MoqLogger, type SessionOptions } from './protocol/session';
export {
  Relay,
  RelayBroadcast,
  RelayTrack,
  RelayLimitError,
  DEFAULT_RELAY_LIMITS,
  REPLACED,
  type RelayLimits,
  type TrackSink,
  type BroadcastSource,
} from './relay/relay';
export {
  MoqServer,
  attachMoqWebSocket,
  type MoqServerOptions,
  type PeerRoute,
  type ResolvedRoute,
  type AttachMoqWebSocketOptions,
  type MoqWebSocketAttachment,
  type MoqTransportKind,
  type SessionInfo,
  type MoqAccess,
  type MoqConnectRequest,
  type MoqPrincipal,
  OPEN_PRINCIPAL,
} from './server';
export * from './hang';
export * from './nodes';
export { ensureMoqClientRuntime } from './client/runtime';
export { MoqGateway, startMoqGateway, type MoqGatewayOptions, type Http3Status } from './gateway';
