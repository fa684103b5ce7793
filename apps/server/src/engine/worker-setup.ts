// Runs inside each engine worker thread (the pool's setup module): the same registry and node services the
// main thread builds (built-ins, `transport::moq::*`, file and fetch allow-lists, script settings), with the
// MoQ peer nodes reaching the main thread's relay through the worker's relay port. Nest is never loaded here.
import type { Config, RuntimeEnv } from '../config';
import { MOQ_SERVICE_KEY, moqNodeDefinitions } from '@streamkit/moq/nodes';
import { BridgedMoqServer } from '@streamkit/moq/relay/port-bridge';
import { createDefaultRegistry } from '@streamkit/pipeline/registry/default';
import type { WorkerEngine, WorkerSetupContext } from '@streamkit/pipeline/runtime/workers/protocol';
import { buildNodeServices } from '../common/node-services';

/** What the main thread hands every worker (structured-clone data). */
export interface ServerWorkerData {
  config: Config;
  env: RuntimeEnv;
  /** Where relative paths in node params resolve (the server's working directory). */
  baseDir: string;
}

/** Name of the per-worker port linking the worker's relay to the main thread's. */
export const MOQ_RELAY_CHANNEL = 'moq';

export function setupWorker(ctx: WorkerSetupContext): WorkerEngine {
  const { config, env, baseDir } = ctx.data as ServerWorkerData;
  const registry = createDefaultRegistry();
  registry.strictParams = config.engine.strict_params;
  for (const def of moqNodeDefinitions) registry.register(def);
  const services = buildNodeServices(config, { env, baseDir });
  const relayPort = ctx.ports[MOQ_RELAY_CHANNEL];
  const moq = relayPort ? new BridgedMoqServer(relayPort, ctx.log) : undefined;
  if (moq) services[MOQ_SERVICE_KEY] = moq;
  return { registry, services, close: () => moq?.close() };
}
