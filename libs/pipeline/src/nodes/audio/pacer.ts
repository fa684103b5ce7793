// `audio::pacer`: releases audio frames at real-time pace (times `speed`), filling gaps with 20 ms of
// silence when asked. Unlike StreamKit's, it stops once the input ended and its queue drained.
import { type Static, Type } from '../../core/typebox';
import { inputPin, outputPin } from '../../core/helpers';
import type { NodeContext, NodeDefinition, Receiver, Sender } from '../../core/node';
import { EOS, type AudioPacket, type Packet } from '../../core/packets';
import { rawAudio } from '../../core/pin-types';

export const AudioPacerParams = Type.Object(
  {
    speed: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1000,
      default: 1,
      tunable: true,
      description: 'Playback speed: 1 is real time, 2 twice as fast.',
    }),
    buffer_size: Type.Integer({
      minimum: 1,
      maximum: 10000,
      default: 32,
      description: 'Frames queued ahead.',
    }),
    generate_silence: Type.Boolean({
      default: true,
      description:
        'Send 20 ms of silence whenever a frame is due and none is queued (keeps live outputs continuous).',
    }),
    initial_sample_rate: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'With initial_channels: start ticking (silence) before any audio.',
      }),
    ),
    initial_channels: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 8, description: 'See initial_sample_rate.' }),
    ),
  },
  { additionalProperties: false },
);
export type AudioPacerParams = Static<typeof AudioPacerParams>;

class PacerRun {
  private readonly queue: AudioPacket[] = [];
  private ended = false;
  private speed: number;
  /** Wall-clock time (ms) the next frame is due. */
  private due = 0;
  private rate = 0;
  private channels = 0;
  private silence: Float32Array | undefined;
  /** The reader waits here for queue space, the ticker for data; each side wakes the other. */
  private spaceWaiter: (() => void) | undefined;
  private dataWaiter: (() => void) | undefined;
  private sleepTimer: ReturnType<typeof setTimeout> | undefined;
  private sleepDone: (() => void) | undefined;

  constructor(
    private readonly params: AudioPacerParams,
    private readonly ctx: NodeContext,
    private readonly input: Receiver,
    private readonly out: Sender,
  ) {
    this.speed = params.speed;
    if (params.initial_sample_rate !== undefined && params.initial_channels !== undefined) {
      this.setFormat(params.initial_sample_rate, params.initial_channels);
    }
    ctx.signal.addEventListener('abort', () => this.wakeAll(), { once: true });
  }

  setSpeed(speed: number): void {
    this.speed = speed;
  }

  async run(): Promise<void> {
    const reading = this.read();
    const ticking = this.tick();
    await Promise.all([reading, ticking]);
  }

  /** Fill the queue from the input, holding back while it is full. */
  private async read(): Promise<void> {
    for (;;) {
      while (this.queue.length >= this.params.buffer_size && !this.ctx.signal.aborted) {
        await new Promise<void>((resolve) => (this.spaceWaiter = resolve));
      }
      let p: Packet | typeof EOS | undefined = this.input.tryRecv();
      if (p === undefined) p = await this.input.recv();
      if (p === EOS) break;
      if (p.kind !== 'audio') {
        this.ctx.stats.discarded++;
        continue;
      }
      this.queue.push(p);
      this.wakeTicker();
    }
    this.ended = true;
    this.wakeTicker();
  }

  private wakeTicker(): void {
    const w = this.dataWaiter;
    this.dataWaiter = undefined;
    w?.();
  }

  private wakeReader(): void {
    const w = this.spaceWaiter;
    this.spaceWaiter = undefined;
    w?.();
  }

  private wakeAll(): void {
    clearTimeout(this.sleepTimer);
    const s = this.sleepDone;
    this.sleepDone = undefined;
    s?.();
    this.wakeTicker();
    this.wakeReader();
  }

  private waitForData(): Promise<void> {
    return new Promise((resolve) => (this.dataWaiter = resolve));
  }

  private sleepUntil(t: number): Promise<void> | undefined {
    const ms = t - performance.now();
    if (ms <= 0) return undefined;
    return new Promise((resolve) => {
      this.sleepDone = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }

  private async tick(): Promise<void> {
    if (this.rate === 0) {
      while (this.queue.length === 0 && !this.ended && !this.ctx.signal.aborted) await this.waitForData();
    }
    this.due = performance.now();
    while (!this.ctx.signal.aborted) {
      let frame = this.queue.shift();
      if (frame !== undefined) {
        this.wakeReader();
        if (frame.sampleRate !== this.rate || frame.channels !== this.channels)
          this.setFormat(frame.sampleRate, frame.channels);
      } else if (this.ended) {
        return;
      } else if (this.params.generate_silence && this.silence !== undefined) {
        frame = { kind: 'audio', sampleRate: this.rate, channels: this.channels, samples: this.silence };
      } else {
        await this.waitForData();
        this.due = Math.max(this.due, performance.now());
        continue;
      }
      const w = this.out.send(frame);
      if (w !== undefined && !(await w)) {
        this.ctx.setState({ Stopped: { reason: 'output_closed' } });
        return;
      }
      const durUs =
        frame.meta?.durationUs ?? (frame.samples.length / frame.channels / frame.sampleRate) * 1e6;
      this.due += durUs / 1000 / this.speed;
      const sleep = this.sleepUntil(this.due);
      if (sleep !== undefined) await sleep;
    }
  }

  private setFormat(rate: number, channels: number): void {
    this.rate = rate;
    this.channels = channels;
    this.silence = new Float32Array(Math.floor(rate * 0.02) * channels);
  }
}

export const audioPacerNode: NodeDefinition<AudioPacerParams> = {
  kind: 'audio::pacer',
  categories: ['audio', 'timing'],
  description:
    'Releases audio at real-time pace (times speed), optionally filling gaps with silence; stops after the input ends and the queue drains.',
  params: AudioPacerParams,
  pins: () => ({
    inputs: [inputPin('in', [rawAudio(0, 0, 'F32')])],
    outputs: [outputPin('out', 'Passthrough')],
  }),
  validate(p) {
    if ((p.initial_sample_rate === undefined) !== (p.initial_channels === undefined)) {
      return [
        {
          path: p.initial_sample_rate === undefined ? '/initial_sample_rate' : '/initial_channels',
          message: 'initial_sample_rate and initial_channels must be set together',
        },
      ];
    }
    return [];
  },
  create(params, ctx) {
    const run = new PacerRun(params, ctx, ctx.input('in'), ctx.output('out'));
    return {
      run: () => {
        ctx.setState('Running');
        return run.run();
      },
      tune(next) {
        run.setSpeed(next.speed);
      },
    };
  },
};
