// Where new work goes: the worker with the least measured load. Load is the worker's event-loop utilisation
// (sampled by the pool) plus, for work placed since the last sample, an estimate of what each graph costs
// there. Between workers whose loads are within measurement noise of each other the one running fewer graphs
// wins, so light sessions spread evenly and a heavy one steers new work to the other workers.

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

/**
 * Utilisation differences smaller than this are measurement noise (GC, a descheduled thread on a busy machine
 * reads as active time): between workers that close, the one running fewer graphs wins.
 */
export const ELU_NOISE = 0.15;
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

/** Measured utilisation plus the estimated cost of what was placed since it was measured. */
export function loadScore(l: WorkerLoad, cost: number): number {
  return l.elu + l.placedSinceSample * cost;
}

/**
 * Index of the worker for new work (undefined when none is available): among the workers whose load is
 * within ELU_NOISE of the least loaded, the one with the fewest graphs (then the lower load, then index).
 */
export function pickWorker(loads: readonly WorkerLoad[]): number | undefined {
  const cost = costPerGraph(loads);
  const available = loads.filter((l) => l.available);
  if (available.length === 0) return undefined;
  const scored = available.map((l) => ({ l, score: loadScore(l, cost) }));
  const least = Math.min(...scored.map((x) => x.score));
  let best: { l: WorkerLoad; score: number } | undefined;
  for (const x of scored) {
    if (x.score > least + ELU_NOISE) continue;
    if (!best || x.l.graphs < best.l.graphs || (x.l.graphs === best.l.graphs && x.score < best.score)) {
      best = x;
    }
  }
  return best?.l.index;
}
