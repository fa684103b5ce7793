// A layered (Sugiyama-style) left-to-right layout: cycles broken by a greedy feedback-arc ordering,
// longest-path layers pulled towards their consumers, dummy nodes on long edges, crossings reduced by
// barycenter sweeps, and vertical positions found by order-preserving least squares (pool adjacent
// violators) around the neighbours' centres. Pure: ids, edges and sizes in, top-left corners out.
import type { XY } from './graph';

export interface Size {
  width: number;
  height: number;
}

export interface LayeredInput {
  /** Node ids in their preferred order (ties everywhere are broken by it). */
  ids: string[];
  edges: { source: string; target: string }[];
  sizes: Map<string, Size>;
}

export const LAYER_GAP = 96;
export const NODE_GAP = 36;
export const MARGIN = 20;

/** Orders nodes so that as few edges as possible point backwards (Eades, Lin and Smyth's heuristic). */
export function feedbackOrder(ids: string[], edges: [string, string][]): string[] {
  const rank = new Map(ids.map((id, i) => [id, i]));
  const outs = new Map(ids.map((id) => [id, new Set<string>()]));
  const ins = new Map(ids.map((id) => [id, new Set<string>()]));
  for (const [s, t] of edges) {
    outs.get(s)?.add(t);
    ins.get(t)?.add(s);
  }
  const delta0 = new Map(ids.map((id) => [id, (outs.get(id)?.size ?? 0) - (ins.get(id)?.size ?? 0)]));
  const left: string[] = [];
  const right: string[] = [];
  const remaining = new Set(ids);
  const remove = (id: string) => {
    remaining.delete(id);
    for (const t of outs.get(id) ?? []) ins.get(t)?.delete(id);
    for (const s of ins.get(id) ?? []) outs.get(s)?.delete(id);
  };
  const byRank = (a: string, b: string) => (rank.get(a) ?? 0) - (rank.get(b) ?? 0);
  while (remaining.size > 0) {
    let progress = true;
    while (progress) {
      progress = false;
      for (const id of [...remaining].sort(byRank)) {
        if ((outs.get(id)?.size ?? 0) === 0) {
          right.unshift(id);
          remove(id);
          progress = true;
        } else if ((ins.get(id)?.size ?? 0) === 0) {
          left.push(id);
          remove(id);
          progress = true;
        }
      }
    }
    if (remaining.size === 0) break;
    const score = (id: string) => (outs.get(id)?.size ?? 0) - (ins.get(id)?.size ?? 0);
    const pick = [...remaining].sort(
      (a, b) => score(b) - score(a) || (delta0.get(b) ?? 0) - (delta0.get(a) ?? 0) || byRank(a, b),
    )[0];
    left.push(pick);
    remove(pick);
  }
  return [...left, ...right];
}

/** Longest-path layers over forward edges, then every node moved as far right as its consumers allow. */
function assignLayers(order: string[], forward: [string, string][]): Map<string, number> {
  const layer = new Map(order.map((id) => [id, 0]));
  const preds = new Map(order.map((id) => [id, [] as string[]]));
  const succs = new Map(order.map((id) => [id, [] as string[]]));
  for (const [s, t] of forward) {
    preds.get(t)?.push(s);
    succs.get(s)?.push(t);
  }
  // `order` is topological for forward edges.
  for (const id of order)
    for (const p of preds.get(id) ?? []) layer.set(id, Math.max(layer.get(id) ?? 0, (layer.get(p) ?? 0) + 1));
  for (const id of [...order].reverse()) {
    const next = succs.get(id) ?? [];
    if (next.length === 0) continue;
    layer.set(id, Math.min(...next.map((t) => layer.get(t) ?? 0)) - 1);
  }
  return layer;
}

function countCrossings(upper: string[], lower: string[], links: Map<string, string[]>): number {
  const pos = new Map(lower.map((id, i) => [id, i]));
  const pairs: [number, number][] = [];
  upper.forEach((u, i) => {
    for (const v of links.get(u) ?? []) if (pos.has(v)) pairs.push([i, pos.get(v) as number]);
  });
  let n = 0;
  for (let a = 0; a < pairs.length; a++)
    for (let b = a + 1; b < pairs.length; b++) {
      const [i1, j1] = pairs[a];
      const [i2, j2] = pairs[b];
      if ((i1 - i2) * (j1 - j2) < 0) n++;
    }
  return n;
}

/** Barycenter sweeps (left to right with predecessors, right to left with successors); keeps the best. */
function reduceCrossings(layers: string[][], succ: Map<string, string[]>, pred: Map<string, string[]>) {
  const total = (ls: string[][]) => ls.slice(1).reduce((n, l, i) => n + countCrossings(ls[i], l, succ), 0);
  let best = layers.map((l) => [...l]);
  let bestCount = total(best);
  const cur = layers.map((l) => [...l]);
  for (let iter = 0; iter < 8 && bestCount > 0; iter++) {
    const down = iter % 2 === 0;
    const range = down
      ? cur.map((_, i) => i).slice(1)
      : cur
          .map((_, i) => i)
          .reverse()
          .slice(1);
    for (const i of range) {
      const ref = cur[down ? i - 1 : i + 1];
      const refPos = new Map(ref.map((id, k) => [id, k]));
      const links = down ? pred : succ;
      const bary = new Map<string, number>();
      cur[i].forEach((id, k) => {
        const ps = (links.get(id) ?? []).filter((x) => refPos.has(x)).map((x) => refPos.get(x) as number);
        bary.set(id, ps.length ? ps.reduce((a, b) => a + b, 0) / ps.length : k);
      });
      cur[i] = [...cur[i]].sort((a, b) => (bary.get(a) as number) - (bary.get(b) as number));
    }
    const count = total(cur);
    if (count < bestCount) {
      best = cur.map((l) => [...l]);
      bestCount = count;
    }
  }
  return best;
}

/** Tops closest (least squares) to `desired` that keep the order and the gaps: pool adjacent violators. */
export function packColumn(desired: number[], heights: number[], gap: number): number[] {
  const offset: number[] = [];
  let acc = 0;
  for (let i = 0; i < heights.length; i++) {
    offset.push(acc);
    acc += heights[i] + gap;
  }
  const blocks: { sum: number; n: number }[] = [];
  desired.forEach((d, i) => {
    blocks.push({ sum: d - offset[i], n: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1];
      const a = blocks[blocks.length - 2];
      if (a.sum / a.n <= b.sum / b.n) break;
      blocks.splice(-2, 2, { sum: a.sum + b.sum, n: a.n + b.n });
    }
  });
  const out: number[] = [];
  for (const b of blocks) for (let k = 0; k < b.n; k++) out.push(b.sum / b.n + offset[out.length]);
  return out;
}

export function layeredLayout({ ids, edges, sizes }: LayeredInput): Map<string, XY> {
  const known = new Set(ids);
  const pairs = [
    ...new Set(
      edges
        .filter((e) => known.has(e.source) && known.has(e.target) && e.source !== e.target)
        .map((e) => `${e.source}\u0000${e.target}`),
    ),
  ].map((k) => k.split('\u0000') as [string, string]);
  const order = feedbackOrder(ids, pairs);
  const at = new Map(order.map((id, i) => [id, i]));
  const forward = pairs.filter(([s, t]) => (at.get(s) as number) < (at.get(t) as number));
  const layer = assignLayers(order, forward);

  // Long forward edges get one dummy per layer they cross, so crossings and spacing account for them.
  const size = new Map(sizes);
  const succ = new Map<string, string[]>(order.map((id) => [id, []]));
  const pred = new Map<string, string[]>(order.map((id) => [id, []]));
  const link = (s: string, t: string) => {
    succ.get(s)?.push(t);
    pred.get(t)?.push(s);
  };
  let dummies = 0;
  for (const [s, t] of forward) {
    let prev = s;
    for (let l = (layer.get(s) as number) + 1; l < (layer.get(t) as number); l++) {
      const d = `\u0000dummy${dummies++}`;
      succ.set(d, []);
      pred.set(d, []);
      layer.set(d, l);
      size.set(d, { width: 0, height: 0 });
      link(prev, d);
      prev = d;
    }
    link(prev, t);
  }
  const depth = Math.max(0, ...layer.values()) + 1;
  const layers: string[][] = Array.from({ length: depth }, () => []);
  const dfsOrder = [...layer.keys()].sort((a, b) => (at.get(a) ?? ids.length) - (at.get(b) ?? ids.length));
  for (const id of dfsOrder) layers[layer.get(id) as number].push(id);
  const ordered = reduceCrossings(layers, succ, pred);

  const h = (id: string) => size.get(id)?.height ?? 0;
  const centre = new Map<string, number>();
  const place = (col: string[], desired: number[]) => {
    const tops = packColumn(
      desired.map((c, i) => c - h(col[i]) / 2),
      col.map(h),
      NODE_GAP,
    );
    col.forEach((id, i) => centre.set(id, tops[i] + h(id) / 2));
  };
  for (const col of ordered)
    place(
      col,
      col.map((_, i) => i * 100),
    );
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (let pass = 0; pass < 6; pass++) {
    const down = pass % 2 === 0;
    const cols = down ? ordered : [...ordered].reverse();
    for (const col of cols) {
      const desired = col.map((id) => {
        const ns = (down ? pred : succ).get(id) ?? [];
        const both = pass === 5 ? [...(pred.get(id) ?? []), ...(succ.get(id) ?? [])] : ns;
        return both.length ? mean(both.map((n) => centre.get(n) as number)) : (centre.get(id) as number);
      });
      place(col, desired);
    }
  }

  const positions = new Map<string, XY>();
  const top = Math.min(...[...centre.entries()].map(([id, c]) => c - h(id) / 2));
  let x = MARGIN;
  for (const col of ordered) {
    for (const id of col)
      if (known.has(id))
        positions.set(id, { x, y: Math.round((centre.get(id) as number) - h(id) / 2 - top + MARGIN) });
    const width = Math.max(0, ...col.map((id) => size.get(id)?.width ?? 0));
    x += width + LAYER_GAP;
  }
  return positions;
}
