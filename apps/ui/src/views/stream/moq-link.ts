// The Stream view's media link: `<moq-publish>` sends the microphone as the session's input broadcast and
// `<moq-watch>` plays its output broadcast, both the stock `@moq/*` elements (hang format, WebTransport or
// the WebSocket fallback). Analysers on the publisher's capture node and the player's decoder node give the
// input and output levels; their loudness envelopes give the round-trip latency.
import '@moq/publish/element';
import '@moq/watch/element';
import type MoqPublish from '@moq/publish/element';
import type MoqWatch from '@moq/watch/element';
import type { Audio } from '@moq/publish';
import { EnvelopeCorrelator, envelopeSince, FLOOR_DB, measureLevel, type Level } from '../../lib/audio-meter';
import { LatencyEstimator, type LatencyReading } from './latency';

export type RelayStatus = 'disconnected' | 'connecting' | 'connected';
/** How the page reaches the relay: HTTP/3 WebTransport when it answers, else the WebSocket fallback. */
export type MoqTransport = 'webtransport' | 'websocket';

export interface TransportChoice {
  transport: MoqTransport;
  /** Why the WebSocket fallback was chosen. */
  reason?: string;
  /** SHA-256 fingerprints of the relay's HTTP/3 certificate (hex). */
  fingerprints: string[];
}

const PROBE_TIMEOUT_MS = 3000;

function hexBytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/**
 * Tries HTTP/3 first: the relay's certificate hashes, then one WebTransport session to `url` within a few
 * seconds. Only when that fails (no HTTP/3, UDP blocked) does the page use the WebSocket path.
 */
export async function chooseTransport(url: string): Promise<TransportChoice> {
  if (typeof WebTransport === 'undefined') {
    return { transport: 'websocket', reason: 'this browser has no WebTransport', fingerprints: [] };
  }
  let fingerprints: string[];
  try {
    const res = await fetch(new URL('/api/v1/moq/fingerprints', url));
    const body = (await res.json()) as { fingerprints?: string[]; http3?: boolean };
    fingerprints = body.fingerprints ?? [];
    if (!body.http3 || fingerprints.length === 0)
      return { transport: 'websocket', reason: 'the server has HTTP/3 off', fingerprints };
  } catch {
    return {
      transport: 'websocket',
      reason: 'the relay did not say whether it serves HTTP/3',
      fingerprints: [],
    };
  }
  const target = new URL(url);
  target.protocol = 'https:';
  const wt = new WebTransport(target, {
    serverCertificateHashes: fingerprints.map((f) => ({ algorithm: 'sha-256', value: hexBytes(f) })),
  });
  wt.closed.catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reachable = await Promise.race([
    wt.ready.then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  if (reachable) {
    wt.close();
    return { transport: 'webtransport', fingerprints };
  }
  try {
    wt.close();
  } catch {
    // Never connected.
  }
  return { transport: 'websocket', reason: 'HTTP/3 (UDP) is unreachable from this browser', fingerprints };
}
export type WatchStatus = 'disabled' | 'offline' | 'loading' | 'live';
export type MicStatus = 'disabled' | 'requesting' | 'ready' | 'muted' | 'error';

export interface LinkOptions {
  /** Gateway URL, e.g. http://127.0.0.1:4545/moq. */
  url: string;
  /** The transport the elements must use (from chooseTransport). */
  choice: TransportChoice;
  /** Broadcast the browser publishes (the session's input); empty to not publish. */
  input: string;
  /** Broadcast the browser plays (the session's output); empty to not play. */
  output: string;
}

export interface LinkSnapshot {
  relay: RelayStatus;
  transport: MoqTransport;
  transportReason?: string;
  watch: WatchStatus;
  mic: MicStatus;
  micError?: string;
  input: Level;
  output: Level;
  /** The round trip: the median of recent correlations, or how many more it needs. */
  latency: LatencyReading;
  /** Encoded audio bytes received from the output broadcast. */
  bytesReceived: number;
  /** Milliseconds of received audio that were not silent (above -60 dBFS). */
  audibleMs: number;
}

const SILENT: Level = { rmsDb: FLOOR_DB, peakDb: FLOOR_DB };
const SAMPLE_MS = 10;
const AUDIBLE_DB = -60;
const CLOSE_GRACE_MS = 300;

interface Meter {
  analyser: AnalyserNode;
  block: Float32Array<ArrayBuffer>;
  detach: () => void;
}

/** Samples (per channel) the meters read: ~21 ms at 48 kHz. */
const LEVEL_SAMPLES = 1024;
/** Envelope steps pushed to the latency estimate. */
const ENVELOPE_STEP_MS = 10;

function attachMeter(node: AudioNode): Meter {
  const analyser = node.context.createAnalyser();
  // ~340 ms at 48 kHz: the envelope stays whole while the page's timer runs up to that late (a busy machine).
  analyser.fftSize = 16384;
  node.connect(analyser);
  return {
    analyser,
    block: new Float32Array(analyser.fftSize),
    detach: () => {
      try {
        node.disconnect(analyser);
      } catch {
        // Already disconnected with its context.
      }
    },
  };
}

/** The level of the newest audio; with `envelope`, also every envelope step since the previous reading. */
function read(
  meter: Meter | undefined,
  envelope?: { nowMs: number; sinceMs: number; push: (atMs: number, db: number) => void },
): Level {
  if (!meter) return SILENT;
  const { analyser, block } = meter;
  analyser.getFloatTimeDomainData(block);
  if (envelope) {
    const { nowMs, sinceMs, push } = envelope;
    envelopeSince(block, analyser.context.sampleRate, nowMs, sinceMs, ENVELOPE_STEP_MS, push);
  }
  return measureLevel(block.subarray(block.length - LEVEL_SAMPLES));
}

/** The microphone opened for one connection, or why it could not be. */
export interface Microphone {
  track?: MediaStreamTrack;
  error?: string;
}

/**
 * Opens the microphone once, for the whole connection. A refusal is reported in words rather than as a silent
 * publisher. The track is handed to `<moq-publish>` as its source: its own microphone source opens the default
 * device, then opens it again by id once the device list arrives, which restarts the capture (an aborted
 * worklet load on the console) and re-announces the broadcast mid-connect.
 */
export async function openMicrophone(): Promise<Microphone> {
  if (!navigator.mediaDevices?.getUserMedia) {
    return {
      error: 'microphone is not available: this page is not a secure context (use https or 127.0.0.1)',
    };
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    const track = stream.getAudioTracks()[0];
    return track ? { track } : { error: 'microphone is not available: no audio track' };
  } catch (err) {
    const e = err as DOMException;
    return {
      error: `microphone is not available: ${e.name === 'NotAllowedError' ? 'permission denied' : e.message || e.name}`,
    };
  }
}

/** The connection options both elements' `Reload` connections take (their @moq/net copies differ in type). */
interface ElementConnection {
  websocket: { enabled?: boolean; delay?: number } | undefined;
  webtransport?: { serverCertificateHashes?: { algorithm: string; value: Uint8Array }[] };
}

/**
 * HTTP/3 chosen: the elements get an https URL with the certificate hashes and no WebSocket race (a slow
 * handshake must not silently fall back). WebSocket chosen: no WebTransport head start to wait for.
 */
function configureConnection(connection: ElementConnection, options: LinkOptions): void {
  if (options.choice.transport === 'webtransport') {
    connection.websocket = { enabled: false };
    connection.webtransport = {
      serverCertificateHashes: options.choice.fingerprints.map((f) => ({
        algorithm: 'sha-256',
        value: hexBytes(f),
      })),
    };
  } else {
    connection.websocket = { enabled: true, delay: 0 };
  }
}

function elementUrl(options: LinkOptions): string {
  if (options.choice.transport !== 'webtransport') return options.url;
  const u = new URL(options.url);
  u.protocol = 'https:';
  return u.toString();
}

export class MoqLink {
  private readonly publisher: MoqPublish | undefined;
  private readonly player: MoqWatch | undefined;
  private readonly disposers: (() => void)[] = [];
  private readonly correlator = new EnvelopeCorrelator();
  private readonly latency = new LatencyEstimator();
  private readonly pushInput = (atMs: number, db: number) => this.correlator.push('in', atMs, db);
  private readonly pushOutput = (atMs: number, db: number) => this.correlator.push('out', atMs, db);
  private inputMeter: Meter | undefined;
  private outputMeter: Meter | undefined;
  private readonly timer: ReturnType<typeof setInterval>;
  private snap: LinkSnapshot;
  private ticks = 0;
  private lastSample = 0;
  private audibleMs = 0;
  private closed = false;

  constructor(
    host: HTMLElement,
    options: LinkOptions,
    private readonly onChange: (s: LinkSnapshot) => void,
    private readonly microphone: Microphone,
  ) {
    const micError = options.input ? microphone.error : undefined;
    const track = microphone.track;
    const publishing = Boolean(options.input) && track !== undefined;
    this.snap = {
      relay: 'connecting',
      transport: options.choice.transport,
      transportReason: options.choice.reason,
      watch: options.output ? 'offline' : 'disabled',
      mic: micError ? 'error' : options.input ? 'requesting' : 'disabled',
      micError,
      input: SILENT,
      output: SILENT,
      latency: this.latency.reading(),
      bytesReceived: 0,
      audibleMs: 0,
    };
    if (publishing) {
      const el = document.createElement('moq-publish');
      configureConnection(el.connection as unknown as ElementConnection, options);
      el.setAttribute('url', elementUrl(options));
      el.setAttribute('name', options.input);
      el.setAttribute('invisible', '');
      el.broadcast.audio.source.set({ track: track as Audio.StreamTrack, kind: 'voice' });
      host.append(el);
      this.publisher = el;
      this.disposers.push(el.connection.status.subscribe(() => this.relayChanged()));
      this.disposers.push(
        el.broadcast.audio.root.subscribe((node) => {
          this.inputMeter?.detach();
          this.inputMeter = node ? attachMeter(node) : undefined;
          this.update({ mic: node ? (el.broadcast.audio.muted.peek() ? 'muted' : 'ready') : 'requesting' });
        }),
      );
    }
    if (options.output) {
      const el = document.createElement('moq-watch');
      configureConnection(el.connection as unknown as ElementConnection, options);
      el.setAttribute('url', elementUrl(options));
      el.setAttribute('name', options.output);
      el.setAttribute('visible', 'never');
      el.setAttribute('volume', '1');
      host.append(el);
      this.player = el;
      this.disposers.push(el.connection.status.subscribe(() => this.relayChanged()));
      this.disposers.push(el.broadcast.out.status.subscribe((watch) => this.update({ watch })));
      this.disposers.push(
        el.audio.out.root.subscribe((node) => {
          this.outputMeter?.detach();
          this.outputMeter = node ? attachMeter(node) : undefined;
        }),
      );
      this.disposers.push(
        el.audio.out.stats.subscribe((s) => this.update({ bytesReceived: s?.bytesReceived ?? 0 })),
      );
    }
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  get snapshot(): LinkSnapshot {
    return this.snap;
  }

  setMicMuted(muted: boolean): void {
    if (!this.publisher) return;
    // The encoder's own mute sends silence and keeps the track, so the session's input stays connected.
    this.publisher.broadcast.audio.muted.set(muted);
    if (this.snap.mic === 'ready' || this.snap.mic === 'muted')
      this.update({ mic: muted ? 'muted' : 'ready' });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    for (const d of this.disposers) d();
    this.inputMeter?.detach();
    this.outputMeter?.detach();
    // Unsubscribe first and drop the connections a moment later: closing a connection while the server
    // still opens group streams on it makes @moq/qmux reject on a closed stream queue.
    if (this.player) this.player.paused = true;
    this.publisher?.broadcast.audio.muted.set(true);
    setTimeout(() => {
      this.publisher?.remove();
      this.player?.remove();
      this.microphone.track?.stop();
    }, CLOSE_GRACE_MS);
  }

  private relayChanged(): void {
    const all = [this.publisher, this.player]
      .filter((e) => e !== undefined)
      .map((e) => e.connection.status.peek());
    const relay: RelayStatus = all.every((s) => s === 'connected')
      ? 'connected'
      : all.some((s) => s === 'connecting' || s === 'connected')
        ? 'connecting'
        : 'disconnected';
    this.update({ relay });
  }

  private update(patch: Partial<LinkSnapshot>): void {
    if (this.closed) return;
    this.snap = { ...this.snap, ...patch };
    this.onChange(this.snap);
  }

  /** Every 10 ms: envelopes for the latency; every 100 ms: a snapshot for the meters. */
  private sample(): void {
    const now = performance.now();
    const elapsed = this.lastSample ? now - this.lastSample : 0;
    this.lastSample = now;
    const sinceMs = elapsed || SAMPLE_MS;
    const input = read(
      this.inputMeter,
      this.snap.mic === 'ready' ? { nowMs: now, sinceMs, push: this.pushInput } : undefined,
    );
    const output = read(this.outputMeter, { nowMs: now, sinceMs, push: this.pushOutput });
    if (output.rmsDb > AUDIBLE_DB) this.audibleMs += elapsed;
    if (++this.ticks % 10 !== 0) return;
    if (this.ticks % 50 === 0) {
      const measured = this.correlator.estimate();
      if (measured) this.latency.add(measured.lagMs);
    }
    this.update({ input, output, audibleMs: Math.round(this.audibleMs), latency: this.latency.reading() });
  }
}
