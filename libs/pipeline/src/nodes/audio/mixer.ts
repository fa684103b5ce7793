// `audio::mixer`: sums any number of audio inputs. Unclocked mode mixes 20 ms frames as soon as every live
// input has one (each input queues a few frames, so nothing is silently replaced); clocked mode emits one
// frame per tick from per-input jitter buffers, with silence for inputs that have nothing.
import { type Static, Type } from '../../core/typebox';
import { mixIntoAt } from '../../codecs/dsp/mix';
import { inputPin, outputPin } from '../../core/helpers';
import type { NodeContext, NodeDefinition, Receiver, Sender } from '../../core/node';
import { EOS, type AudioPacket, type Packet } from '../../core/packets';
import type { InputPinSpec } from '../../core/pin-types';
import { rawAudio } from '../../core/pin-types';
import { sendAll } from './send-all';

const ClockedParams = Type.Object(
  {
    sample_rate: Type.Optional(
      Type.Integer({
        minimum: 1000,
        maximum: 384000,
        default: 48000,
        description: 'Rate every input must have.',
      }),
    ),
    frame_samples_per_channel: Type.Optional(
      Type.Integer({
        minimum: 16,
        maximum: 48000,
        default: 960,
        description: 'Samples per channel per tick (960 at 48 kHz = 20 ms).',
      }),
    ),
    jitter_buffer_frames: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 100,
        default: 3,
        description: 'Frames each input may queue; beyond that the oldest is dropped.',
      }),
    ),
    generate_silence: Type.Optional(
      Type.Boolean({ default: true, description: 'Emit silent frames when no input has audio.' }),
    ),
  },
  { additionalProperties: false },
);

export const MixerParams = Type.Object(
  {
    num_inputs: Type.Union([Type.Integer({ minimum: 1, maximum: 64 }), Type.Null()], {
      default: null,
      description:
        'Pre-declared inputs in_0..in_{N-1} (required in oneshot); more can be added as in_<k> in dynamic sessions.',
    }),
    sync_timeout_ms: Type.Union([Type.Integer({ minimum: 0, maximum: 600000 }), Type.Null()], {
      default: 100,
      description:
        'Dynamic sessions: how long to wait for a late input (also one that has not sent anything yet) before mixing without it; it is then marked slow until it delivers again. null waits forever. Oneshot runs always wait.',
    }),
    queue_frames: Type.Integer({
      minimum: 1,
      maximum: 1000,
      default: 8,
      description: 'Unclocked mode: frames each input may queue before its upstream is held back.',
    }),
    clocked: Type.Union([ClockedParams, Type.Null()], {
      default: null,
      description: 'Set to mix on a fixed clock (live sessions) instead of as inputs arrive.',
    }),
  },
  { additionalProperties: false },
);
export type MixerParams = Static<typeof MixerParams>;
type Clocked = Required<Static<typeof ClockedParams>>;

/** An input's queued audio as a sample FIFO over the packets themselves (no copying until mixed). */
class MixInput {
  readonly packets: AudioPacket[] = [];
  /** Frames already consumed from packets[0]. */
  private headOffset = 0;
  available = 0;
  ended = false;
  slow = false;
  /** Time (ms) the input last ran dry, for clocked slowness. */
  dryFrom = -1;
  spaceWaiter: (() => void) | undefined;

  constructor(readonly pin: string) {}

  push(p: AudioPacket): void {
    this.packets.push(p);
    this.available += p.samples.length / p.channels;
  }

  /** Mix up to `frames` frames into `dst` (with `dstCh` channels); returns the frames taken. */
  take(dst: Float32Array, dstCh: number, frames: number): number {
    let done = 0;
    while (done < frames && this.packets.length > 0) {
      const p = this.packets[0];
      const len = p.samples.length / p.channels;
      const n = Math.min(frames - done, len - this.headOffset);
      mixIntoAt(dst, dstCh, done, p.samples, p.channels, this.headOffset, n);
      done += n;
      this.headOffset += n;
      if (this.headOffset === len) {
        this.packets.shift();
        this.headOffset = 0;
      }
    }
    this.available -= done;
    return done;
  }

  /** Drop whole packets from the front until at most `max` frames remain; returns frames dropped. */
  trimTo(max: number): number {
    let dropped = 0;
    while (this.available > max && this.packets.length > 1) {
      const p = this.packets.shift() as AudioPacket;
      const n = p.samples.length / p.channels - this.headOffset;
      this.headOffset = 0;
      this.available -= n;
      dropped += n;
    }
    return dropped;
  }

  wakeReader(): void {
    const w = this.spaceWaiter;
    this.spaceWaiter = undefined;
    w?.();
  }
}

class MixerRun {
  private readonly inputs = new Map<string, MixInput>();
  private readonly clocked: Clocked | undefined;
  private rate = 0;
  private frameSize = 0;
  private outChannels = 0;
  private framesOut = 0;
  private seq = 0;
  private failure: Error | undefined;
  private changeWaiter: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timedOut = false;
  /** Resolves the clocked mode's tick sleep early (on cancellation). */
  private tickWake: (() => void) | undefined;
  private degraded = false;
  private readonly pending: Packet[] = [];
  private readonly out: Sender;

  constructor(
    private readonly params: MixerParams,
    private readonly ctx: NodeContext,
  ) {
    this.out = ctx.output('out');
    if (params.clocked) {
      this.clocked = {
        sample_rate: 48000,
        frame_samples_per_channel: 960,
        jitter_buffer_frames: 3,
        generate_silence: true,
        ...params.clocked,
      };
      this.rate = this.clocked.sample_rate;
      this.frameSize = this.clocked.frame_samples_per_channel;
    }
    ctx.signal.addEventListener(
      'abort',
      () => {
        clearTimeout(this.timer);
        this.tickWake?.();
        this.signalChange();
      },
      { once: true },
    );
  }

  async run(): Promise<void> {
    for (const pin of this.ctx.inputPins()) this.addInput(pin);
    this.ctx.onInputAdded((pin) => this.addInput(pin));
    try {
      if (this.clocked) await this.runClocked(this.clocked);
      else await this.runUnclocked();
    } finally {
      clearTimeout(this.timer);
      for (const i of this.inputs.values()) i.wakeReader();
    }
    if (this.failure) throw this.failure;
    if (!this.ctx.signal.aborted) this.ctx.setState({ Stopped: { reason: 'all_inputs_closed' } });
  }

  private addInput(pin: string): void {
    if (this.inputs.has(pin)) return;
    const input = new MixInput(pin);
    this.inputs.set(pin, input);
    void this.read(input, this.ctx.input(pin));
  }

  private async read(input: MixInput, rx: Receiver): Promise<void> {
    const limit = this.params.queue_frames;
    for (;;) {
      if (!this.clocked) {
        while (input.packets.length >= limit && !this.ctx.signal.aborted && !this.failure) {
          await new Promise<void>((resolve) => (input.spaceWaiter = resolve));
        }
      }
      let p = rx.tryRecv();
      if (p === undefined) p = await rx.recv();
      if (p === EOS || this.failure) break;
      if (p.kind !== 'audio') {
        this.ctx.stats.discarded++;
        continue;
      }
      this.accept(input, p);
      this.signalChange();
    }
    input.ended = true;
    this.signalChange();
  }

  private accept(input: MixInput, p: AudioPacket): void {
    if (this.rate === 0) {
      this.rate = p.sampleRate;
      this.frameSize = Math.max(1, Math.round(p.sampleRate / 50));
    }
    if (p.sampleRate !== this.rate) {
      this.failure ??= new Error(
        `audio::mixer '${this.ctx.nodeId}': sample rate mismatch on pin '${input.pin}': expected ${this.rate} Hz, got ${p.sampleRate} Hz. Put an audio::resampler before this input.`,
      );
      return;
    }
    if (p.channels > this.outChannels) this.outChannels = p.channels;
    input.push(p);
    if (input.slow) {
      input.slow = false;
      this.updateSlowState([]);
    }
    if (this.clocked) {
      const dropped = input.trimTo(this.clocked.jitter_buffer_frames * this.frameSize);
      if (dropped > 0) this.ctx.stats.discarded++;
    }
  }

  private signalChange(): void {
    const w = this.changeWaiter;
    this.changeWaiter = undefined;
    w?.();
  }

  private waitForChange(): Promise<void> {
    return new Promise((resolve) => (this.changeWaiter = resolve));
  }

  private allEnded(): boolean {
    if (this.inputs.size === 0) return this.ctx.mode === 'oneshot';
    for (const i of this.inputs.values()) if (!i.ended || i.available > 0) return false;
    return true;
  }

  private async runUnclocked(): Promise<void> {
    while (!this.ctx.signal.aborted && !this.failure) {
      this.mixReady();
      const w = sendAll(this.out, this.pending);
      if (w !== undefined && !(await w)) {
        this.ctx.setState({ Stopped: { reason: 'output_closed' } });
        return;
      }
      if (this.allEnded()) return;
      await this.waitForChange();
    }
  }

  /** Mix every frame that can be mixed now (unclocked mode). */
  private mixReady(): void {
    for (;;) {
      let live = 0;
      let ready = 0;
      let any = 0;
      let most = 0;
      for (const i of this.inputs.values()) {
        if (i.available > most) most = i.available;
        if (i.available > 0) any++;
        if (i.ended || i.slow) continue;
        live++;
        if (i.available >= this.frameSize) ready++;
      }
      if (any === 0) return;
      let frames: number;
      if (live > 0 && ready === live) {
        // Everyone made it: a timeout armed for this round no longer applies.
        clearTimeout(this.timer);
        this.timer = undefined;
        this.timedOut = false;
        frames = this.frameSize;
      } else if (live === 0) frames = Math.min(this.frameSize, most);
      else if (this.timedOut && most >= this.frameSize) frames = this.frameSize;
      else {
        if (most >= this.frameSize) this.armTimeout();
        return;
      }
      if (this.timedOut) this.markSlow();
      this.emitMix(frames);
    }
  }

  private armTimeout(): void {
    const ms = this.params.sync_timeout_ms;
    if (ms === null || this.ctx.mode === 'oneshot' || this.timer !== undefined || this.timedOut) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timedOut = true;
      this.signalChange();
    }, ms);
  }

  /** After a timeout: inputs without a full frame are slow until they deliver again. */
  private markSlow(): void {
    this.timedOut = false;
    const newly: string[] = [];
    for (const i of this.inputs.values()) {
      if (!i.ended && !i.slow && i.available < this.frameSize) {
        i.slow = true;
        newly.push(i.pin);
        this.ctx.stats.discarded++;
      }
    }
    this.updateSlowState(newly);
  }

  private updateSlowState(newly: string[]): void {
    const slow = [...this.inputs.values()].filter((i) => i.slow && !i.ended).map((i) => i.pin);
    if (slow.length > 0) {
      this.degraded = true;
      this.ctx.setState({
        Degraded: {
          reason: 'slow_input_timeout',
          details: { slow_pins: slow, newly_slow_pins: newly, sync_timeout_ms: this.params.sync_timeout_ms },
        },
      });
    } else if (this.degraded) {
      this.degraded = false;
      this.ctx.setState('Running');
    }
  }

  private emitMix(frames: number): void {
    const ch = this.outChannels;
    const out = new Float32Array(frames * ch);
    for (const i of this.inputs.values()) {
      if (i.available === 0) continue;
      i.take(out, ch, frames);
      i.wakeReader();
    }
    const ts = Math.round((this.framesOut * 1e6) / this.rate);
    this.framesOut += frames;
    this.pending.push({
      kind: 'audio',
      sampleRate: this.rate,
      channels: ch,
      samples: out,
      meta: {
        timestampUs: ts,
        durationUs: Math.round((this.framesOut * 1e6) / this.rate) - ts,
        sequence: this.seq++,
      },
    });
  }

  private async runClocked(c: Clocked): Promise<void> {
    const period = (c.frame_samples_per_channel * 1000) / c.sample_rate;
    let next = performance.now();
    while (!this.ctx.signal.aborted && !this.failure) {
      next += period;
      const wait = next - performance.now();
      if (wait > 0) {
        await new Promise<void>((resolve) => {
          this.tickWake = resolve;
          this.timer = setTimeout(resolve, wait);
        });
        this.timer = undefined;
        this.tickWake = undefined;
        if (this.ctx.signal.aborted) return;
      }
      if (this.inputs.size > 0 && this.allEnded()) return;
      if (this.outChannels === 0) continue;
      this.trackSlowness(c, performance.now());
      let had = false;
      for (const i of this.inputs.values()) if (i.available > 0) had = true;
      if (!had && !c.generate_silence) continue;
      this.emitMix(c.frame_samples_per_channel);
      // Latest-only: a full downstream queue drops this mix rather than delaying the clock.
      const p = this.pending.pop() as Packet;
      if (!this.out.trySend(p)) this.ctx.stats.discarded++;
    }
  }

  private trackSlowness(c: Clocked, now: number): void {
    const limit = this.params.sync_timeout_ms;
    const newly: string[] = [];
    for (const i of this.inputs.values()) {
      if (i.available >= c.frame_samples_per_channel || i.ended) {
        i.dryFrom = -1;
        continue;
      }
      if (i.dryFrom < 0) i.dryFrom = now;
      else if (limit !== null && !i.slow && now - i.dryFrom >= limit) {
        i.slow = true;
        newly.push(i.pin);
      }
    }
    if (newly.length > 0) this.updateSlowState(newly);
  }
}

export const mixerNode: NodeDefinition<MixerParams> = {
  kind: 'audio::mixer',
  categories: ['audio', 'filters'],
  description:
    'Sums audio inputs sample by sample (no normalisation); the output takes the largest channel count seen. Unclocked or clocked (fixed-rate ticks with jitter buffers).',
  params: MixerParams,
  pins: (p) => {
    const inputs: InputPinSpec[] = [];
    for (let i = 0; i < (p.num_inputs ?? 0); i++) inputs.push(inputPin(`in_${i}`, [rawAudio(0, 0, 'F32')]));
    inputs.push(inputPin('in', [rawAudio(0, 0, 'F32')], { Dynamic: { prefix: 'in' } }));
    return { inputs, outputs: [outputPin('out', rawAudio(0, 0, 'F32'))] };
  },
  create(params, ctx) {
    const run = new MixerRun(params, ctx);
    return {
      run: () => {
        ctx.setState('Running');
        return run.run();
      },
    };
  },
};
