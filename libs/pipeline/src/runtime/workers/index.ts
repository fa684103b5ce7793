// Worker threads for the engine: the pool, the SessionHost over it, and what a setup module implements.
// (`worker-entry` is the thread's main module and is never imported.)
export * from './protocol';
export * from './placement';
export * from './port-bytes';
export { toWire, fromWire } from './wire';
export {
  WorkerPool,
  WorkerSlot,
  WorkerLostError,
  type WorkerPoolOptions,
  type WorkerChannelFactory,
  type WorkerInfo,
  type PoolDelegate,
} from './pool';
export { RemoteSession, type RemoteSessionLink } from './remote-session';
export { RemoteOneshot } from './remote-oneshot';
export { WorkerSessionHost, type WorkerSessionHostOptions } from './worker-host';
export { callSync, createSyncChannel, serveSync, type SyncChannel } from './sync-call';
