// The main thread's side of a oneshot run in a worker: the upload goes in and the output comes back over
// the run's own MessagePort as transferred ArrayBuffers, both with credits (backpressure); cancellation
// (client gone) and the outcome travel on the same port. Implements the in-process `OneshotRun` contract.
import type { MessagePort } from 'node:worker_threads';
import type { NodeState, NodeStats } from '../../core/node';
import { OneshotError, type OneshotRun } from '../oneshot';
import type { HostedOneshotOptions } from '../session-host';
import type { ValidationProblem } from '../../definition/types';
import { PortByteReceiver, PortByteSender, type PortMessage } from './port-bytes';
import type { OneshotFromWorker } from './protocol';
import { fromWire } from './wire';

/** Upload chunks in flight to the worker before the upload is paused. */
const INPUT_WINDOW = 8;

export class RemoteOneshot implements OneshotRun {
  contentType = 'application/octet-stream';
  warnings: ValidationProblem[] = [];
  readonly output: PortByteReceiver;
  readonly done: Promise<void>;
  private readonly started: Promise<OneshotRun>;
  private startResolve!: (run: OneshotRun) => void;
  private startReject!: (err: Error) => void;
  private doneResolve!: () => void;
  private doneReject!: (err: Error) => void;
  private readonly input: PortByteSender | undefined;
  private finalStates: Record<string, NodeState> = {};
  private finalStats: Record<string, NodeStats> = {};
  private settled = false;
  private readonly onAbort = (): void => this.cancel();

  constructor(
    private readonly port: MessagePort,
    private readonly options: HostedOneshotOptions,
  ) {
    this.output = new PortByteReceiver(port, 'out', (message) => new OneshotError(message, 'failed'));
    this.started = new Promise<OneshotRun>((resolve, reject) => {
      this.startResolve = resolve;
      this.startReject = reject;
    });
    this.started.catch(() => {});
    this.done = new Promise<void>((resolve, reject) => {
      this.doneResolve = resolve;
      this.doneReject = reject;
    });
    // Observed by the caller too; an unobserved rejection must not crash the process.
    this.done.catch(() => {});
    port.on('message', (m: OneshotFromWorker | PortMessage) => this.onMessage(m));
    if (options.input !== undefined) {
      this.input = new PortByteSender(port, 'in', { ownership: 'transfer', window: INPUT_WINDOW });
      void this.pump(options.input, this.input);
    }
    if (options.signal?.aborted) this.cancel();
    else options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Resolves once the first output byte is ready or the run ended; rejects as `runOneshot` does. */
  whenStarted(): Promise<OneshotRun> {
    return this.started;
  }

  /** Upload bytes that were handed over without a copy and those copied first (a chunk sharing its buffer). */
  get inputChunks(): { transferred: number; copied: number } {
    return { transferred: this.input?.transferred ?? 0, copied: this.input?.copied ?? 0 };
  }

  cancel(): void {
    if (!this.settled) this.port.postMessage({ t: 'cancel' });
  }

  states(): Record<string, NodeState> {
    return this.finalStates;
  }

  stats(): Record<string, NodeStats> {
    return this.finalStats;
  }

  /** The worker is gone: the run fails with the cause, wherever it was. */
  lost(reason: string): void {
    if (this.settled) return;
    const error = new OneshotError(reason, 'failed');
    this.startReject(error);
    this.output.fail(error);
    this.input?.abandon();
    this.settle(error);
  }

  private onMessage(m: OneshotFromWorker | PortMessage): void {
    if (this.output.handle(m) || this.input?.handle(m)) return;
    const msg = m as OneshotFromWorker;
    switch (msg.t) {
      case 'started':
        this.contentType = msg.contentType;
        this.warnings = msg.warnings;
        this.startResolve(this);
        return;
      case 'failed': {
        const error = fromWire(msg.error);
        this.startReject(error);
        this.input?.abandon();
        this.settle(error);
        return;
      }
      case 'done':
        this.finalStates = msg.states;
        this.finalStats = msg.stats;
        this.input?.abandon();
        this.settle(msg.ok || !msg.error ? undefined : fromWire(msg.error));
        return;
    }
  }

  private settle(error: Error | undefined): void {
    if (this.settled) return;
    this.settled = true;
    this.options.signal?.removeEventListener('abort', this.onAbort);
    this.port.close();
    if (error) this.doneReject(error);
    else this.doneResolve();
  }

  /** Feeds the upload to the worker, pausing while its window is full; stops when the worker reads no more. */
  private async pump(
    input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    sender: PortByteSender,
  ): Promise<void> {
    try {
      for await (const chunk of input) {
        const w = sender.send(chunk);
        if (w !== undefined && !(await w)) break;
        if (sender.isCancelled) break;
      }
      sender.end();
    } catch (err) {
      sender.fail((err as Error).message);
    }
  }
}
