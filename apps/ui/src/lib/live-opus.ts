// Plays an Ogg/Opus byte stream while it arrives: Ogg pages are parsed in JS, packets decoded with
// WebCodecs' AudioDecoder and scheduled back to back on an AudioContext. Browsers' <audio> cannot
// start on a stream that is still growing in memory, and MSE does not take Ogg.
import { OggOpusReader } from './ogg-opus';

const START_DELAY_S = 0.08;

export class LiveOpusPlayer {
  private readonly ctx: AudioContext;
  private readonly reader = new OggOpusReader();
  private decoder: AudioDecoder | null = null;
  private nextTime = 0;
  private startedAt: number | null = null;
  private timestampUs = 0;
  private closed = false;
  error: string | null = null;

  static supported(): boolean {
    return typeof window.AudioDecoder === 'function' && typeof window.AudioContext === 'function';
  }

  constructor() {
    this.ctx = new AudioContext({ sampleRate: 48000 });
  }

  push(bytes: Uint8Array): void {
    if (this.closed || this.error) return;
    try {
      const packets = this.reader.push(bytes);
      if (!this.decoder && this.reader.head) this.configure();
      for (const data of packets) {
        this.decoder?.decode(new EncodedAudioChunk({ type: 'key', timestamp: this.timestampUs, data }));
        this.timestampUs += 20_000;
      }
    } catch (e) {
      this.error = e instanceof Error ? e.message : String(e);
    }
  }

  private configure(): void {
    const head = this.reader.head;
    if (!head) return;
    this.decoder = new AudioDecoder({
      output: (frame) => this.schedule(frame),
      error: (e) => {
        this.error = e.message;
      },
    });
    this.decoder.configure({
      codec: 'opus',
      sampleRate: 48000,
      numberOfChannels: head.channels,
      description: head.raw,
    });
  }

  private schedule(frame: AudioData): void {
    if (this.closed) {
      frame.close();
      return;
    }
    const buffer = this.ctx.createBuffer(frame.numberOfChannels, frame.numberOfFrames, frame.sampleRate);
    for (let c = 0; c < frame.numberOfChannels; c++) {
      frame.copyTo(buffer.getChannelData(c), { planeIndex: c, format: 'f32-planar' });
    }
    frame.close();
    const src = this.ctx.createBufferSource();
    src.buffer = buffer;
    src.connect(this.ctx.destination);
    if (this.startedAt === null) {
      this.startedAt = this.ctx.currentTime + START_DELAY_S;
      this.nextTime = this.startedAt;
    } else this.nextTime = Math.max(this.nextTime, this.ctx.currentTime + 0.01);
    src.start(this.nextTime);
    this.nextTime += buffer.duration;
  }

  /** Seconds of audio played so far. */
  get currentTime(): number {
    if (this.startedAt === null) return 0;
    return Math.max(0, Math.min(this.ctx.currentTime, this.nextTime) - this.startedAt);
  }

  /** Seconds of audio decoded so far. */
  get decodedTime(): number {
    return this.startedAt === null ? 0 : this.nextTime - this.startedAt;
  }

  get paused(): boolean {
    return this.ctx.state === 'suspended';
  }

  pause(): Promise<void> {
    return this.ctx.suspend();
  }

  resume(): Promise<void> {
    return this.ctx.resume();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.decoder && this.decoder.state !== 'closed') this.decoder.close();
    void this.ctx.close();
  }
}
