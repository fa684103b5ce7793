// `[engine.limits]` as the engine's `EngineLimits` (the one place config key names map to engine fields).
import type { EngineLimits } from '@streamkit/pipeline';
import type { Config } from '../config';

export function engineLimits(config: Config): EngineLimits {
  const l = config.engine.limits;
  return {
    maxNodes: l.max_nodes,
    maxConnections: l.max_connections,
    maxGraphDepth: l.max_graph_depth,
    maxYamlBytes: l.max_yaml_bytes,
    maxYamlDepth: l.max_yaml_depth,
    maxYamlNodes: l.max_yaml_nodes,
    maxYamlAliases: l.max_yaml_aliases,
    maxPacketBytes: l.max_packet_bytes,
    maxCallOutputBytes: l.max_call_output_bytes,
    nodeLogLinesPerSec: l.node_log_lines_per_sec,
    nodeLogBurst: l.node_log_burst,
  };
}
