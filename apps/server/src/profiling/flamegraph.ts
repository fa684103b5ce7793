// Renders a V8 CPU profile as a self-contained flamegraph SVG: one rect per merged stack frame, its
// width proportional to the samples under it, root at the bottom, a <title> tooltip on each.
import type { Profiler, Runtime } from 'node:inspector';

interface FlameNode {
  name: string;
  total: number;
  children: Map<string, FlameNode>;
}

const WIDTH = 1200;
const ROW = 16;
const PAD_TOP = 40;
const PAD_SIDE = 10;
/** Frames narrower than this are dropped to keep the SVG small; their samples still count in the parent. */
const MIN_WIDTH_PX = 0.1;
const CHAR_PX = 7;

function label(cf: Runtime.CallFrame): string {
  const name = cf.functionName || '(anonymous)';
  if (!cf.url) return name;
  const file = cf.url.slice(cf.url.lastIndexOf('/') + 1);
  return `${name} ${file}:${cf.lineNumber + 1}`;
}

/** Builds the merged call tree with sample counts (children with the same label are merged). */
export function buildFlameTree(profile: Profiler.Profile): FlameNode {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  for (const id of profile.samples ?? []) hits.set(id, (hits.get(id) ?? 0) + 1);
  const root: FlameNode = { name: 'all', total: 0, children: new Map() };
  for (const [id, count] of hits) {
    const path: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const node = byId.get(cur);
      if (!node || parent.get(cur) === undefined) break;
      path.push(label(node.callFrame));
    }
    root.total += count;
    let at = root;
    for (let i = path.length - 1; i >= 0; i--) {
      let child = at.children.get(path[i]);
      if (!child) at.children.set(path[i], (child = { name: path[i], total: 0, children: new Map() }));
      child.total += count;
      at = child;
    }
  }
  return root;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A stable warm colour per frame name, like the classic flamegraph palette. */
function colour(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return `rgb(${205 + (h % 50)},${80 + ((h >>> 8) % 130)},${(h >>> 16) % 55})`;
}

function depthOf(node: FlameNode): number {
  let max = 0;
  for (const c of node.children.values()) max = Math.max(max, depthOf(c));
  return max + 1;
}

export function renderFlamegraph(profile: Profiler.Profile, title = 'CPU flamegraph'): string {
  const root = buildFlameTree(profile);
  const depth = depthOf(root);
  const height = PAD_TOP + depth * ROW + PAD_SIDE;
  const scale = root.total > 0 ? (WIDTH - 2 * PAD_SIDE) / root.total : 0;
  const parts: string[] = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="monospace" font-size="12">`,
    `<rect x="0" y="0" width="${WIDTH}" height="${height}" fill="#fafafa"/>`,
    `<text x="${WIDTH / 2}" y="24" text-anchor="middle" font-size="16">${escapeXml(title)} (${root.total} samples)</text>`,
  ];
  const draw = (node: FlameNode, x: number, level: number): void => {
    const w = node.total * scale;
    if (w < MIN_WIDTH_PX) return;
    const y = height - PAD_SIDE - (level + 1) * ROW;
    const pct = ((100 * node.total) / root.total).toFixed(2);
    const name = escapeXml(node.name);
    parts.push(
      `<g><title>${name} (${node.total} samples, ${pct}%)</title>` +
        `<rect x="${x.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${ROW - 1}" fill="${colour(node.name)}" rx="2"/>`,
    );
    const chars = Math.floor((w - 6) / CHAR_PX);
    if (chars >= 3) {
      const text = node.name.length > chars ? `${node.name.slice(0, chars - 2)}..` : node.name;
      parts.push(`<text x="${(x + 3).toFixed(2)}" y="${y + ROW - 4}">${escapeXml(text)}</text>`);
    }
    parts.push('</g>');
    let cx = x;
    const children = [...node.children.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const c of children) {
      draw(c, cx, level + 1);
      cx += c.total * scale;
    }
  };
  if (root.total > 0) draw(root, PAD_SIDE, 0);
  parts.push('</svg>');
  return parts.join('\n');
}
