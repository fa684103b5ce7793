// The contract between the engine and node kinds: a kind is a `NodeDefinition` (schema, pins, factory);
// the engine hands each instance a `NodeContext` with its pins, state reporting, stats and cancellation.
import type { TObject } from './typebox';
import type { Eos, Packet } from './packets';
import type { PinSet } from './pin-types';
import type { NodeLimits } from '../definition/limits';

/** Stop reasons keep StreamKit's snake_case names. */
export type StopReason =
  'completed' | 'input_closed' | 'output_closed' | 'shutdown' | 'no_inputs' | 'unknown';

/** Node state, serialized exactly as StreamKit does (unit states are strings, data states single-key objects). */
export type NodeState =
  | 'Initializing'
  | 'Ready'
  | 'Running'
  | { Recovering: { reason: string; details: unknown } }
  | { Degraded: { reason: string; details: unknown } }
  | { Failed: { reason: string } }
  | { Stopped: { reason: StopReason | string } };

export interface NodeStats {
  received: number;
  sent: number;
  discarded: number;
  errored: number;
  /** Seconds since the node's stats started (for rates). */
  duration_secs: number;
  /** Total time spent processing packets, in seconds (ours; StreamKit has no such field). */
  processing_secs: number;
}

/**
 * Live counters, snapshotted by the engine at least once a second. The engine itself counts `received`
 * (each packet taken from an input) and `sent` (each packet accepted by an output), and measures
 * `processingNs` (time between waking up and waiting on an input or output again). Nodes bump
 * `discarded` (packets ignored or dropped) and `errored` (packets or updates that failed).
 */
export interface NodeStatsCounters {
  received: number;
  sent: number;
  discarded: number;
  errored: number;
  /** Accumulated processing time in nanoseconds. */
  processingNs: number;
}

export interface Receiver {
  /** A packet if one is queued, EOS once every upstream closed and the queue drained, else undefined. */
  tryRecv(): Packet | Eos | undefined;
  /**
   * Packets waiting. `tryRecv()` can answer undefined while some wait: the session's turn of the event loop
   * spent its budget and the node should let other work run first. Only `queued === 0` means starved.
   */
  readonly queued: number;
  /** Resolves with the next packet or EOS; rejects never (cancellation yields EOS). One pending call at a time. */
  recv(): Promise<Packet | Eos>;
  /**
   * Resolves once `tryRecv()` would return something (a packet or EOS), without taking it. Multi-input
   * nodes race this over their inputs (`Promise.race`) instead of racing `recv()`, which would lose packets.
   * `whenReadable(inputs)` in core/helpers does exactly that.
   */
  waitReadable(): Promise<void>;
}

export interface Sender {
  /** Enqueue without waiting; false when the (reliable) queue is full. Best-effort links drop and count. */
  trySend(packet: Packet): boolean;
  /**
   * Enqueue; returns undefined when it went through at once, or a promise that resolves once there is room
   * (backpressure). Resolves to false when nobody will ever read (downstream gone): stop producing then.
   */
  send(packet: Packet): undefined | Promise<boolean>;
  /** True once every downstream connection is closed for good (oneshot) — sending is pointless. */
  readonly closed: boolean;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** A logger that drops everything: the default wherever a caller passes none. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * Host facilities a node may need. The server fills these from its config; tests and the CLI can pass
 * partial sets. A node that needs a missing facility fails with a clear Configuration error.
 */
export interface NodeServices {
  /** Resolve and check a path for reading against `[security].allowed_file_paths`; throws with the reason. */
  resolveReadPath?(path: string): string;
  /** Resolve and check a path for writing against `[security].allowed_write_paths`; throws with the reason. */
  resolveWritePath?(path: string): string;
  /** Check a URL for `transport::http::fetcher`; throws with the reason when not allowed. */
  checkFetchUrl?(url: string): void;
  /** Anything else a subsystem registers (script config, MoQ gateway, plugin host...), by well-known key. */
  [key: string]: unknown;
}

export type ExecutionMode = 'oneshot' | 'dynamic';

export interface NodeContext {
  readonly nodeId: string;
  readonly kind: string;
  readonly mode: ExecutionMode;
  readonly sessionId?: string;
  /** The receiver of a connected (or, in dynamic mode, declared) input pin. Throws for an unknown pin. */
  input(pin: string): Receiver;
  /** Names of the input pins that currently exist for this node (connected ones in oneshot). */
  inputPins(): string[];
  /** Called when the engine adds an input pin at runtime (dynamic pin families such as the mixer's `in_N`). */
  onInputAdded(listener: (pin: string) => void): void;
  /** The sender of an output pin (fans out to every connection; a pin with no connection discards). */
  output(pin: string): Sender;
  setState(state: NodeState): void;
  readonly stats: NodeStatsCounters;
  /** Emit a telemetry event (best effort, rate limited per event type, never blocks). */
  telemetry(eventType: string, data?: Record<string, unknown>): void;
  /** Source nodes await this before producing; resolves false if the node is stopped before starting. */
  waitForStart(): Promise<boolean>;
  /** Fires on remove/destroy/cancel. */
  readonly signal: AbortSignal;
  /** Rate limited per node (`limits.nodeLogLinesPerSec`); long lines are cut. */
  readonly log: Logger;
  readonly services: NodeServices;
  /** Engine hint: how many queued packets a node may drain greedily before yielding. */
  readonly batchSize: number;
  /** Bounds on what untrusted code in the node may emit (the engine always sets them; absent = defaults). */
  readonly limits?: Readonly<NodeLimits>;
}

export interface NodeInstance<P = Record<string, unknown>> {
  /** Runs until done. Throwing reports `Failed{reason: error.message}`; returning reports `Stopped`. */
  run(): Promise<void>;
  /** Apply an already validated, merged set of params (only tunable keys changed). */
  tune?(params: P, changed: Partial<P>): void;
}

/** One resource a node holds exclusively (see `NodeDefinition.exclusiveClaims`). */
export interface ExclusiveClaim {
  /** What is held, in words that identify it uniquely, e.g. `MoQ gateway path '/moq'`. */
  resource: string;
  /** The param that names it, as a JSON pointer (e.g. `/gateway_path`). */
  param: string;
}

export interface NodeDefinition<P = Record<string, unknown>> {
  kind: string;
  categories: string[];
  description: string;
  /** JSON Schema of the params (TypeBox object). Defaults, ranges; `tunable: true` marks live-tunable keys. */
  params: TObject;
  /** Pins, possibly derived from params (e.g. mixer inputs from `num_inputs`). */
  pins(params: P): PinSet;
  /** May close a cycle (e.g. `transport::moq::peer`). */
  bidirectional?: boolean;
  /** Only valid in oneshot pipelines (`streamkit::http_input` / `http_output`). */
  oneshotOnly?: boolean;
  /** MIME type of the bytes this node produces, when it produces a final format (oneshot Content-Type). */
  contentType?(params: P): string | undefined;
  /**
   * Checks beyond the JSON Schema (cross-field rules, file paths via services). Returns problems, each with
   * the param path it concerns (e.g. `/output_frame_size`). Empty = valid.
   */
  validate?(params: P, services: NodeServices): { path: string; message: string }[];
  /**
   * Resources a node holds alone in the whole process while it exists (a MoQ gateway path): two nodes that
   * claim the same resource cannot both run. The server refuses a session or an edit whose node claims one
   * another node holds (409) instead of letting the second node fail at run time. Params have defaults applied.
   */
  exclusiveClaims?(params: P): ExclusiveClaim[];
  create(params: P, ctx: NodeContext): NodeInstance<P>;
}

/** A definition of any params type, as stored by the registry (params are validated before `create`). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the registry is heterogeneous by design
export type AnyNodeDefinition = NodeDefinition<any>;
