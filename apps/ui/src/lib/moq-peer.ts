// What the Stream view needs from a pipeline: its `transport::moq::peer` node's gateway path and broadcast
// names (with the node's defaults), and the URL a browser connects to for that path.
import { parse } from 'yaml';

export const MOQ_PEER_KIND = 'transport::moq::peer';

export interface MoqPeer {
  nodeId: string;
  gatewayPath: string;
  inputBroadcast: string;
  outputBroadcast: string;
}

const str = (v: unknown, fallback: string) => (typeof v === 'string' && v.trim() ? v.trim() : fallback);

/** The first `transport::moq::peer` of a pipeline (either `nodes:` or `steps:` form), or undefined. */
export function findMoqPeer(yaml: string): MoqPeer | undefined {
  let doc: unknown;
  try {
    doc = parse(yaml);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== 'object') return undefined;
  const { nodes, steps } = doc as { nodes?: unknown; steps?: unknown };
  const entries: [string, unknown][] =
    nodes && typeof nodes === 'object' && !Array.isArray(nodes)
      ? Object.entries(nodes)
      : Array.isArray(steps)
        ? steps.map((s, i) => [`step_${i}`, s])
        : [];
  for (const [nodeId, node] of entries) {
    if (!node || typeof node !== 'object') continue;
    const { kind, params } = node as { kind?: unknown; params?: Record<string, unknown> | null };
    if (kind !== MOQ_PEER_KIND) continue;
    const p = params ?? {};
    return {
      nodeId,
      gatewayPath: str(p.gateway_path, '/moq'),
      inputBroadcast: str(p.input_broadcast, 'input'),
      outputBroadcast: str(p.output_broadcast, 'output'),
    };
  }
  return undefined;
}

/**
 * The gateway URL for a peer's path: the server's advertised gateway (`moq_gateway_url`) with its path
 * replaced by the node's `gateway_path`; falls back to this page's origin.
 */
export function gatewayUrlFor(advertised: string | undefined, gatewayPath: string, origin: string): string {
  let url: URL;
  try {
    url = new URL(advertised || '/moq', origin);
  } catch {
    url = new URL('/moq', origin);
  }
  url.pathname = `/${gatewayPath.replace(/^\/+/, '')}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}
