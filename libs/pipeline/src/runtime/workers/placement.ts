// Where new work goes: the worker with the least measured load. Load is the worker's event-loop utilisation
// (sampled by the pool) plus, for work placed since the last sample, an estimate of what each graph costs
// there; the count of graphs breaks ties, so idle sessions still spread evenly.

export interface WorkerLoad {
  index: number;
  /** Smoothed event-loop utilisation, 0..1. */
  elu: number;
  /** Sessions and oneshot runs on the worker now. */
  graphs: number;
  /** Graphs placed since `elu` was last sampled (not yet visible in it). */
  placedSinceSample: number;
  /** False while the worker is being replaced. */
  available: boolean;
}

/** Weight of one graph in the score, so equal utilisations spread graphs evenly. */
const GRAPH_WEIGHT = 0.001;
const DEFAULT_COST = 0.01;

/** The measured utilisation one graph costs, averaged over the workers that run some. */
export function costPerGraph(loads: readonly WorkerLoad[]): number {
  let elu = 0;
  let graphs = 0;
  for (const l of loads) {
    if (l.graphs <= l.placedSinceSample) continue;
    elu += l.elu;
    graphs += l.graphs - l.placedSinceSample;
  }
  if (graphs === 0 || elu <= 0) return DEFAULT_COST;
  return Math.min(0.5, Math.max(0.001, elu / graphs));
}

export function loadScore(l: WorkerLoad, cost: number): number {
  return l.elu + l.placedSinceSample * cost + l.graphs * GRAPH_WEIGHT;
}

/** Index of the least loaded available worker (undefined when none is available). */
export function pickWorker(loads: readonly WorkerLoad[]): number | undefined {
  const cost = costPerGraph(loads);
  let best: WorkerLoad | undefined;
  let bestScore = Infinity;
  for (const l of loads) {
    if (!l.available) continue;
    const score = loadScore(l, cost);
    if (score < bestScore) {
      best = l;
      bestScore = score;
    }
  }
  return best?.index;
}
