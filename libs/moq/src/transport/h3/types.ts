// The HTTP/3 layer's types: what the application sees of a WebTransport CONNECT (request, decision, hooks, a
// client's request), the limits, and the role each stream plays while an H3Connection reads it.
import type { TlvReader } from './frames';
import type { Http3WebTransportSession, WtReceiveStream } from './wt-session';

/** A WebTransport CONNECT request as the application sees it. */
export interface WebTransportRequest {
  /** Path and query of `:path`. */
  path: string;
  authority: string;
  origin: string | undefined;
  /** Header fields (lowercase names), pseudo-headers excluded. */
  headers: ReadonlyMap<string, string>;
  /** Application protocols offered in `wt-available-protocols`, in order. */
  protocols: string[];
  remote: { host: string; port: number };
}

/** The application's answer: 2xx accepts (with the protocol chosen), anything else refuses. */
export interface WebTransportDecision {
  status: number;
  protocol?: string;
  reason?: string;
}

export interface H3Limits {
  /** Time after the handshake for a WebTransport CONNECT to be accepted; then the connection is closed. */
  sessionTimeoutMs: number;
  /** Largest HEADERS frame (QPACK field section) accepted. */
  maxFieldSectionBytes: number;
  /** WebTransport streams buffered while their session is not established yet. */
  maxPendingStreams: number;
  /** Bytes a WebTransport stream may hold unread in JS before reading from QUIC pauses. */
  streamHighWaterMark: number;
  /** Bytes queued on the connection above which WHATWG writers wait. */
  writeHighWaterMark: number;
}

export const DEFAULT_H3_LIMITS: H3Limits = {
  sessionTimeoutMs: 10_000,
  maxFieldSectionBytes: 16 * 1024,
  maxPendingStreams: 32,
  streamHighWaterMark: 256 * 1024,
  writeHighWaterMark: 1 << 20,
};

export interface H3ServerHooks {
  authorize(request: WebTransportRequest): WebTransportDecision | Promise<WebTransportDecision>;
  onSession(session: Http3WebTransportSession, request: WebTransportRequest): void;
}

/** What a client asks for, and hears back (the session on a 2xx, else the status). */
export interface H3ClientRequest {
  authority: string;
  path: string;
  origin?: string;
  protocols?: string[];
  headers?: Record<string, string>;
  onResponse(status: number, session: Http3WebTransportSession | undefined): void;
}

/** @internal how an H3Connection reads a stream, by what its first bytes said it is */
export type StreamRole =
  | { kind: 'prefix'; buf: Uint8Array }
  | { kind: 'control'; frames: TlvReader; settingsSeen: boolean }
  | { kind: 'qpack-encoder' }
  | { kind: 'discard' }
  | { kind: 'request'; frames: TlvReader }
  | { kind: 'response'; frames: TlvReader }
  | { kind: 'connect'; frames: TlvReader; capsules: TlvReader; session?: Http3WebTransportSession }
  | { kind: 'held' }
  | { kind: 'wt'; recv: WtReceiveStream };
