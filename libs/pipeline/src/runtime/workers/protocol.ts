// The messages between the main thread and an engine worker. Only structured-clone data crosses: the session
// commands, results and events of `session-types`, pipeline specs, and media as ArrayBuffers that are
// transferred, never copied per chunk on the main thread.
import type { MessagePort } from 'node:worker_threads';
import type { Logger, NodeServices, NodeState, NodeStats } from '../../core/node';
import type { NodeRegistry } from '../../registry/registry';
import type { PipelineSpec, ValidationProblem } from '../../definition/types';
import type { OneshotErrorCode } from '../oneshot';
import type { EngineLimits } from '../../definition/limits';
import type { SessionCommand } from '../commands';
import type { SessionErrorBody, SessionEvent } from '../session-types';

/** Where a worker finds node kinds beyond the built-ins its setup registers. */
export type KindSource =
  | {
      type: 'plugin';
      /** The registered kind (`plugin::wasm::gain`). */
      kind: string;
      pluginType: 'wasm' | 'native';
      /** Absolute path of the plugin file (the main thread already loaded and checked it). */
      path: string;
      fileName: string;
      wasmMemoryLimitMb?: number;
    }
  /** A CommonJS module exporting `nodeDefinitions: AnyNodeDefinition[]` (tests, benchmarks, embedding). */
  | { type: 'module'; path: string };

/** Session settings every worker applies (the same the in-process host takes). */
export interface SessionDefaults {
  channelCapacity?: number;
  batchSize?: number;
  statsIntervalMs?: number;
  telemetryRate?: number;
  stopTimeoutMs?: number;
  limits?: Partial<EngineLimits>;
}

/** `workerData` of an engine worker. */
export interface WorkerInit {
  /** Slot in the pool (0..N-1); a replacement takes the slot of the worker it replaces. */
  index: number;
  /** Module exporting `setupWorker(ctx): WorkerEngine` (absent: the default registry, no services). */
  setupModule?: string;
  setupData?: unknown;
  kinds: KindSource[];
  session: SessionDefaults;
  /**
   * Two Int32s: [0] the worker bumps every `heartbeatMs` (its event loop turns), [1] every packet a node takes
   * (work moves). The watchdog ends a worker when neither changes for `watchdogMs`.
   */
  heartbeat: SharedArrayBuffer;
  heartbeatMs: number;
  /** Niceness of the worker thread (0: as the main thread). */
  nice: number;
  /** Extra ports by name (e.g. the MoQ relay link), transferred with the init. */
  ports: Record<string, MessagePort>;
  /** This worker's copy of the Opus addon (`leaseOpusAddon`); absent: the WASM build. */
  opusAddon?: string;
}

export type LogLevel = keyof Logger;

/** An error as it crosses the boundary, rebuilt as the same class on the main thread. */
export type WireError =
  | { kind: 'session'; body: SessionErrorBody }
  | {
      kind: 'oneshot';
      code: OneshotErrorCode;
      message: string;
      problems: ValidationProblem[];
      nodeId?: string;
    }
  | { kind: 'error'; message: string };

export type ToWorker =
  | { t: 'create'; rid: number; id: string; name?: string; spec?: PipelineSpec }
  | { t: 'exec'; rid: number; session: string; command: SessionCommand }
  | { t: 'destroy'; rid: number; session: string }
  | { t: 'kind_add'; rid: number; source: KindSource }
  | { t: 'kind_remove'; rid: number; kind: string }
  | {
      t: 'oneshot';
      spec: PipelineSpec;
      /** The run's own port: media both ways, cancellation, the outcome. */
      port: MessagePort;
      input: boolean;
      inputContentType?: string;
      tuning: OneshotTuning;
    }
  /** Destroy every session (shutdown); answered once they are gone. */
  | { t: 'close'; rid: number };

export interface OneshotTuning {
  channelCapacity?: number;
  batchSize?: number;
  outputCapacity?: number;
  limits?: Partial<EngineLimits>;
}

export type FromWorker =
  | { t: 'ready' }
  | { t: 'res'; rid: number; ok: true; value?: unknown }
  | { t: 'res'; rid: number; ok: false; error: WireError }
  /** Session events, batched per turn of the worker's event loop, in emission order. */
  | { t: 'events'; events: SessionEvent[] }
  | { t: 'log'; level: LogLevel; msg: string; fields?: Record<string, unknown> }
  /** Something called `process.exit` in the worker (a node or plugin): the cause of the coming exit. */
  | { t: 'exiting'; code: number; where: string };

/** On a oneshot run's port, worker -> main (besides the output byte stream). */
export type OneshotFromWorker =
  | { t: 'started'; contentType: string; warnings: ValidationProblem[] }
  | { t: 'failed'; error: WireError }
  | {
      t: 'done';
      ok: boolean;
      error?: WireError;
      states: Record<string, NodeState>;
      stats: Record<string, NodeStats>;
    };

/** On a oneshot run's port, main -> worker (besides the input byte stream). */
export type OneshotToWorker = { t: 'cancel' };

/** What `setupWorker` receives in the worker thread. */
export interface WorkerSetupContext {
  index: number;
  /** `WorkerPoolOptions.setupData`, as cloned into the worker. */
  data: unknown;
  /** The per-worker ports registered with `WorkerPool.addChannel`, by name. */
  ports: Record<string, MessagePort>;
  /** Logs through the main thread's logger (records carry the worker index). */
  log: Logger;
}

/** What a worker runs graphs with. */
export interface WorkerEngine {
  registry: NodeRegistry;
  services?: NodeServices;
  close?(): void | Promise<void>;
}

/** The export `setupWorker` of a pool's setup module. */
export type WorkerSetup = (ctx: WorkerSetupContext) => WorkerEngine | Promise<WorkerEngine>;
