// The Stream view's media link: `<moq-publish>` sends the microphone as the session's input broadcast and
// `<moq-watch>` plays its output broadcast, both the stock `@moq/*` elements (hang format, WebTransport or
// the WebSocket fallback). Analysers on the publisher's capture node and the player's decoder node give the
// input and output levels; their loudness envelopes give the round-trip latency.
import '@moq/publish/element';
import '@moq/watch/element';
import type MoqPublish from '@moq/publish/element';
import type MoqWatch from '@moq/watch/element';
import {
  EnvelopeCorrelator,
  FLOOR_DB,
  measureLevel,
  type LatencyEstimate,
  type Level,
} from '../../lib/audio-meter';

export type RelayStatus = 'disconnected' | 'connecting' | 'connected';
export type WatchStatus = 'disabled' | 'offline' | 'loading' | 'live';
export type MicStatus = 'disabled' | 'requesting' | 'ready' | 'muted' | 'error';

export interface LinkOptions {
  /** Gateway URL, e.g. http://127.0.0.1:4545/moq. */
  url: string;
  /** Broadcast the browser publishes (the session's input); empty to not publish. */
  input: string;
  /** Broadcast the browser plays (the session's output); empty to not play. */
  output: string;
}

export interface LinkSnapshot {
  relay: RelayStatus;
  watch: WatchStatus;
  mic: MicStatus;
  micError?: string;
  input: Level;
  output: Level;
  latency?: LatencyEstimate;
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

function attachMeter(node: AudioNode): Meter {
  const analyser = node.context.createAnalyser();
  analyser.fftSize = 1024; // ~21 ms at 48 kHz: one reading covers an envelope bin even when the timer runs late
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

function read(meter: Meter | undefined): Level {
  if (!meter) return SILENT;
  meter.analyser.getFloatTimeDomainData(meter.block);
  return measureLevel(meter.block);
}

/** Asks for the microphone once so a refusal is reported in words rather than as a silent publisher. */
export async function checkMicrophone(): Promise<string | undefined> {
  if (!navigator.mediaDevices?.getUserMedia) {
    return 'microphone is not available: this page is not a secure context (use https or 127.0.0.1)';
  }
  try {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    for (const t of stream.getTracks()) t.stop();
    return undefined;
  } catch (err) {
    const e = err as DOMException;
    return `microphone is not available: ${e.name === 'NotAllowedError' ? 'permission denied' : e.message || e.name}`;
  }
}

export class MoqLink {
  private readonly publisher: MoqPublish | undefined;
  private readonly player: MoqWatch | undefined;
  private readonly disposers: (() => void)[] = [];
  private readonly correlator = new EnvelopeCorrelator();
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
    micError?: string,
  ) {
    const publishing = Boolean(options.input) && !micError;
    this.snap = {
      relay: 'connecting',
      watch: options.output ? 'offline' : 'disabled',
      mic: micError ? 'error' : options.input ? 'requesting' : 'disabled',
      micError,
      input: SILENT,
      output: SILENT,
      bytesReceived: 0,
      audibleMs: 0,
    };
    if (publishing) {
      const el = document.createElement('moq-publish');
      el.setAttribute('url', options.url);
      el.setAttribute('name', options.input);
      el.setAttribute('invisible', '');
      el.setAttribute('source', 'camera'); // the camera source with `invisible` captures the microphone only
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
      el.setAttribute('url', options.url);
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
    const input = read(this.inputMeter);
    const output = read(this.outputMeter);
    if (this.inputMeter && this.snap.mic === 'ready') this.correlator.push('in', now, input.rmsDb);
    if (this.outputMeter) this.correlator.push('out', now, output.rmsDb);
    if (output.rmsDb > AUDIBLE_DB) this.audibleMs += elapsed;
    if (++this.ticks % 10 !== 0) return;
    const latency = (this.ticks % 50 === 0 && this.correlator.estimate()) || this.snap.latency;
    this.update({ input, output, audibleMs: Math.round(this.audibleMs), latency });
  }
}
