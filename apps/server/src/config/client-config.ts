// What the UI needs to boot (version, base path, the MoQ gateway URL, profiling): one definition for
// `GET /api/v1/config` and the GraphQL `config` query.
import { VERSION } from '../version';
import type { ClientConfig } from './client-config.dto';
import type { Config } from './schema';

/** The client config as a caller that reached the server at `host` (its Host header) sees it. */
export function clientConfig(config: Config, host: string | undefined): ClientConfig {
  const { base_path, moq_gateway_url, tls } = config.server;
  return {
    version: VERSION,
    ...(base_path ? { base_path } : {}),
    moq_gateway_url: moq_gateway_url || `${tls ? 'https' : 'http'}://${host ?? config.server.address}/moq`,
    profiling: config.profiling.enabled,
  };
}
