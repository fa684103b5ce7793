// What the worker pool checks on each tick: the heartbeat of every worker (the watchdog that finds a stuck
// event loop) and its event-loop utilisation, sampled and smoothed into the load placement weighs.
import type { Worker } from 'node:worker_threads';
import type { WorkerSlot } from './slot';

/** How often a worker beats (turns its event loop) into its heartbeat buffer. */
export const HEARTBEAT_MS = 100;
/** How often each worker's load is sampled. */
export const SAMPLE_MS = 500;

/** How often the watchdog looks at the heartbeats for a `watchdogMs` limit (0: off). */
export function watchdogCheckMs(watchdogMs: number): number {
  return watchdogMs > 0 ? Math.max(50, Math.min(250, watchdogMs / 4)) : SAMPLE_MS;
}

/**
 * Reads the heartbeat of `slot`'s worker at `now`: the reason to terminate it when it has been stuck longer
 * than `watchdogMs` (0: never), otherwise undefined.
 */
export function watchdogVerdict(slot: WorkerSlot, now: number, watchdogMs: number): string | undefined {
  // The loop turned, or packets moved: either way the worker is not stuck.
  const beat = Atomics.load(slot.heartbeat!, 0) + Atomics.load(slot.heartbeat!, 1);
  if (beat !== slot.lastBeat) {
    slot.lastBeat = beat;
    slot.lastBeatAt = now;
  } else if (watchdogMs > 0 && now - slot.lastBeatAt > watchdogMs) {
    return (
      `engine worker ${slot.index} was unresponsive for ${now - slot.lastBeatAt} ms (its event loop was ` +
      'blocked and no packet moved, e.g. an endless loop in a node) and was terminated by the watchdog ([engine].worker_watchdog_ms)'
    );
  }
  return undefined;
}

/** Takes a load sample of `slot`'s (ready) worker and folds it into the smoothed `elu`. */
export function sampleLoad(slot: WorkerSlot, worker: Worker): void {
  const current = worker.performance.eventLoopUtilization();
  // The first window after ready holds the tail of starting up (collecting what module loading left,
  // compiling), measured at 0.2-1.0 on a busy 2-core machine: it says nothing about the graphs to come,
  // and counted it would steer new sessions away from a fresh worker. Graphs placed meanwhile stay
  // counted as placed-since-sample until the first real sample.
  if (slot.samples > 0 && slot.prevElu) {
    const delta = worker.performance.eventLoopUtilization(current, slot.prevElu);
    slot.elu = slot.elu * 0.7 + delta.utilization * 0.3;
    slot.placedSinceSample = 0;
  }
  slot.prevElu = current;
  slot.samples++;
}
