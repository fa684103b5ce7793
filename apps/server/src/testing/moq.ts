// Test support for the MoQ server specs: a Node moq-lite client publishing Ogg Opus in the hang format (as
// `@moq/publish` does) and one reading a hang broadcast back, plus level and polling helpers.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as Moq from '@moq/lite';
import {
  CATALOG_TRACK,
  DEFAULT_AUDIO_TRACK,
  decodeLegacyFrame,
  encodeLegacyFrame,
  opusCatalog,
} from '@streamkit/moq';
import { OggOpusDemuxer } from '@streamkit/pipeline/codecs/ogg';
import type { OpusPacket } from '@streamkit/pipeline';

export const REPO = join(__dirname, '../../../../..');
export const SPEECH = join(REPO, 'samples/audio/system/speech_en_48k_stereo.opus.ogg');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value other than undefined; rejects naming `what` after `timeoutMs`. */
export async function until<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 8000,
): Promise<T> {
  const start = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** Every Opus packet of an Ogg Opus file, with the demuxer's timestamps and durations. */
export function demuxOggOpus(path: string): { packets: OpusPacket[]; channels: number } {
  const demuxer = new OggOpusDemuxer();
  demuxer.push(readFileSync(path));
  demuxer.end();
  const packets: OpusPacket[] = [];
  let p: OpusPacket | undefined;
  while ((p = demuxer.read()) !== undefined) packets.push(p);
  return { packets, channels: demuxer.head?.channels ?? 2 };
}

/** A browser stand-in: publishes `name` on `conn` as hang (catalog.json + audio/data) and sends on demand. */
export class HangPublisher {
  readonly broadcast = new Moq.Broadcast();
  private readonly audio: Moq.Track[] = [];
  private group: { track: Moq.Track; group: Moq.Group }[] = [];
  private framesInGroup = 0;

  constructor(conn: Moq.Connection.Established, name: string, channels: number) {
    conn.publish(Moq.Path.from(name), this.broadcast);
    void (async () => {
      for (;;) {
        const req = await this.broadcast.requested();
        if (!req) return;
        if (req.track.name === CATALOG_TRACK) req.track.writeJson(opusCatalog({ channels, bitrate: 96000 }));
        else if (req.track.name === DEFAULT_AUDIO_TRACK) this.audio.push(req.track);
        else req.track.close(new Error(`no track '${req.track.name}'`));
      }
    })();
  }

  /** How many subscriptions to the audio track the relay opened. */
  get subscribers(): number {
    return this.audio.length;
  }

  /** One frame; a new group every two frames (40 ms at 20 ms packets), like @moq/publish's default. */
  send(timestampUs: number, payload: Uint8Array): void {
    if (this.framesInGroup === 0 || this.framesInGroup >= 2) {
      for (const g of this.group) g.group.close();
      this.group = this.audio.map((track) => ({ track, group: track.appendGroup() }));
      this.framesInGroup = 0;
    }
    const frame = encodeLegacyFrame(timestampUs, payload);
    for (const g of this.group) g.group.writeFrame(frame);
    this.framesInGroup++;
  }

  close(): void {
    for (const g of this.group) g.group.close();
    this.broadcast.close();
  }
}

/**
 * Feeds `packets` to `publisher` at real-time pace (catching up after timer jitter) until `signal` aborts or
 * the packets run out; resolves with the count sent.
 */
export async function publishPaced(
  publisher: HangPublisher,
  packets: readonly OpusPacket[],
  signal: AbortSignal,
): Promise<number> {
  const start = performance.now();
  let i = 0;
  while (i < packets.length && !signal.aborted) {
    const due = (packets[i].meta?.timestampUs ?? i * 20_000) / 1000;
    const wait = due - (performance.now() - start);
    if (wait > 0) await sleep(Math.min(wait, 20));
    else publisher.send(packets[i].meta?.timestampUs ?? i * 20_000, packets[i++].data);
  }
  return i;
}

export interface ReceivedOpus {
  timestampUs: number;
  payload: Uint8Array;
  /** performance.now() at arrival. */
  at: number;
}

/**
 * Reads a hang broadcast's catalog and then its audio track until it ends; frames land in `frames`. `done`
 * resolves with the end: undefined when the track finished, else the error it was closed with.
 */
export async function readHangAudio(
  conn: Moq.Connection.Established,
  name: string,
  frames: ReceivedOpus[],
): Promise<{ catalog: unknown; done: Promise<Error | undefined> }> {
  const broadcast = conn.consume(Moq.Path.from(name));
  const catalog = await broadcast.subscribe(CATALOG_TRACK, 100).readJson();
  const track = broadcast.subscribe(DEFAULT_AUDIO_TRACK, 80);
  const done = (async () => {
    for (;;) {
      const frame = await track.readFrame();
      if (!frame) return undefined;
      const { timestampUs, payload } = decodeLegacyFrame(frame);
      frames.push({ timestampUs, payload: payload.slice(), at: performance.now() });
    }
  })().catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
  return { catalog, done };
}

export function rms(samples: Float32Array, from = 0, to = samples.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += samples[i] * samples[i];
  return Math.sqrt(sum / Math.max(1, to - from));
}

export const db = (ratio: number) => 20 * Math.log10(ratio);
