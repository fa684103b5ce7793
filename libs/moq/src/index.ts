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
  type SelfSignedCertificate,
  type SelfSignedOptions,
} from './transport/cert';
export {
  loadHttp3,
  startHttp3Server,
  adaptHttp3Session,
  selectHttp3Protocol,
  type Http3Availability,
  type Http3Session,
  type Http3ServerOptions,
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
} from './server';
export * from './hang';
export * from './nodes';
export { ensureMoqClientRuntime } from './client/runtime';
export { startMoqGateway, type MoqGateway, type MoqGatewayOptions } from './gateway';
