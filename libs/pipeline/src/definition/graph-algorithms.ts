// Graph algorithms over pipeline specs, iterative (an explicit stack instead of recursion, so a chain of any
// length cannot overflow the call stack) and linear in nodes plus connections. Browser-safe.
import type { ConnectionSpec } from './types';

export interface Components {
  /** Strongly connected components, each in discovery order; every component after those it reaches. */
  components: string[][];
  /** Which components have a cycle (more than one node, or a node connected to itself). */
  cyclic: boolean[];
}

/** Tarjan's strongly connected components over the nodes `ids` and the connections between them. */
export function stronglyConnected(
  ids: readonly string[],
  connections: readonly ConnectionSpec[],
): Components {
  const n = ids.length;
  const indexOf = new Map<string, number>();
  ids.forEach((id, i) => indexOf.set(id, i));
  // Adjacency in compressed form: the targets of node v are targets[start[v] .. start[v + 1]).
  const start = new Int32Array(n + 1);
  const selfLoop = new Uint8Array(n);
  const edges: [number, number][] = [];
  for (const c of connections) {
    const from = indexOf.get(c.from_node);
    const to = indexOf.get(c.to_node);
    if (from === undefined || to === undefined) continue;
    edges.push([from, to]);
    start[from + 1]++;
    if (from === to) selfLoop[from] = 1;
  }
  for (let v = 0; v < n; v++) start[v + 1] += start[v];
  const targets = new Int32Array(edges.length);
  const fill = start.slice(0, n);
  for (const [from, to] of edges) targets[fill[from]++] = to;

  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  /** The DFS call stack: a node and the position of its next edge to explore. */
  const frames: number[] = [];
  const nextEdge = new Int32Array(n);
  let counter = 0;
  const components: string[][] = [];
  const cyclic: boolean[] = [];

  const enter = (v: number): void => {
    index[v] = low[v] = counter++;
    nextEdge[v] = start[v];
    stack.push(v);
    onStack[v] = 1;
    frames.push(v);
  };
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    enter(root);
    while (frames.length > 0) {
      const v = frames[frames.length - 1];
      if (nextEdge[v] < start[v + 1]) {
        const w = targets[nextEdge[v]++];
        if (index[w] === -1) enter(w);
        else if (onStack[w]) low[v] = Math.min(low[v], index[w]);
        continue;
      }
      frames.pop();
      if (frames.length > 0) {
        const parent = frames[frames.length - 1];
        low[parent] = Math.min(low[parent], low[v]);
      }
      if (low[v] !== index[v]) continue;
      const group: string[] = [];
      let w: number;
      do {
        w = stack.pop() as number;
        onStack[w] = 0;
        group.push(ids[w]);
      } while (w !== v);
      group.reverse();
      components.push(group);
      cyclic.push(group.length > 1 || selfLoop[v] === 1);
    }
  }
  return { components, cyclic };
}

/**
 * The longest chain of nodes (a cycle counts each of its nodes once) and where it starts, from the
 * components in the order `stronglyConnected` returns them (each after every component it reaches).
 */
export function longestChain(
  { components }: Components,
  connections: readonly ConnectionSpec[],
): { depth: number; from?: string } {
  const componentOf = new Map<string, number>();
  components.forEach((group, i) => {
    for (const id of group) componentOf.set(id, i);
  });
  const successors: number[][] = components.map(() => []);
  for (const c of connections) {
    const a = componentOf.get(c.from_node);
    const b = componentOf.get(c.to_node);
    if (a !== undefined && b !== undefined && a !== b) successors[a].push(b);
  }
  const chain = new Int32Array(components.length);
  let depth = 0;
  let from: string | undefined;
  for (let i = 0; i < components.length; i++) {
    let below = 0;
    for (const s of successors[i]) below = Math.max(below, chain[s]);
    chain[i] = components[i].length + below;
    if (chain[i] > depth) {
      depth = chain[i];
      from = components[i][0];
    }
  }
  return { depth, from };
}
