// What a moq-lite session is told (SessionOptions), the logger it writes to, and the version test both of its
// halves (serving the relay, taking the client's broadcasts) share.
import type { RelayBroadcast } from '../relay/relay';
import { silentLogger } from '@streamkit/pipeline/core/node';
import { Version } from './messages';

export interface MoqLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export { silentLogger };

export interface SessionOptions {
  /** Relay path the session lives under: the client's broadcast `x` is the relay's `<root>/x`. */
  root: string;
  /** May the client publish broadcasts into the relay? */
  canPublish: boolean;
  /** May the client subscribe to the relay's broadcasts? */
  canSubscribe: boolean;
  /** Bytes queued on the transport above which new groups are skipped for this client (default 4 MiB). */
  maxBacklogBytes?: number;
  log?: MoqLogger;
  /** Called with each broadcast path the client announced (after the relay accepted it). */
  onBroadcast?: (broadcast: RelayBroadcast) => void;
  /** Largest control message accepted (default 64 KiB). */
  maxMessageBytes?: number;
  /** The handshake (transport ready + SETUP) must complete within this; else the session is closed. */
  handshakeTimeoutMs?: number;
  /** May this session's caller subscribe to, list or publish at relay path `path`? (default: yes) */
  canAccessPath?: (path: string) => boolean;
  /**
   * Who the caller is (e.g. its role). A client's broadcast yields to a newer announce of the same path only
   * from the same publisher (a reloaded page), never from another caller. Default: every caller is the same.
   */
  publisher?: string;
  /** Called once the handshake completed. */
  onReady?: () => void;
}

/** lite-01 and lite-02 announce with ANNOUNCE_INIT and answer a subscription without a response type. */
export const isEarly = (v: number): boolean => v === Version.LITE_01 || v === Version.LITE_02;
