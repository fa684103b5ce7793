// transport::moq::publisher / subscriber: push to and pull from another MoQ relay with a `@moq/lite` client
// (WebSocket fallback in Node), reconnecting with backoff and reporting Recovering while disconnected.
import { Type, type Static } from '@streamkit/pipeline/core/typebox';
import type * as MoqModule from '@moq/lite';
// Deep imports: an engine worker loads these nodes, and the package index would also load the YAML parser.
import { inputPin, outputPin } from '@streamkit/pipeline/core/helpers';
import type { NodeContext, NodeDefinition, StopReason } from '@streamkit/pipeline/core/node';
import { EOS, type Packet } from '@streamkit/pipeline/core/packets';
import { ensureMoqClientRuntime } from '../client/runtime';
import {
  CATALOG_TRACK,
  DEFAULT_AUDIO_TRACK,
  decodeLegacyFrame,
  encodeLegacyFrame,
  findAudioRendition,
  opusCatalog,
  parseCatalog,
} from '../hang';
import { opusPacketDurationUs } from '@streamkit/pipeline/codecs/ogg/opus-toc';

let moqModule: typeof MoqModule | undefined;
/** @moq/lite, loaded when a client node first runs: an engine worker starts 40-80 ms sooner without it. */
function Moq(): typeof MoqModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use
  return (moqModule ??= require('@moq/lite') as typeof MoqModule);
}

const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 10_000;
const CATALOG_TIMEOUT_MS = 30_000;

function parseUrl(raw: string, ctx: NodeContext): URL {
  try {
    const url = new URL(raw);
    if (!['http:', 'https:', 'ws:', 'wss:'].includes(url.protocol))
      throw new Error(`unsupported scheme ${url.protocol}`);
    return url;
  } catch (err) {
    throw new Error(
      `${ctx.kind} '${ctx.nodeId}', param /url: '${raw}' is not a MoQ relay URL (${(err as Error).message}); use e.g. http://host:4545/moq`,
      { cause: err },
    );
  }
}

/** Resolves after `ms`, or early (false) when the node is cancelled. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const done = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function untilAbort(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

// ---------------------------------------------------------------- publisher

export const PublisherParams = Type.Object({
  url: Type.String({ description: 'Relay URL, e.g. http://relay:4545/moq (WebSocket fallback from Node).' }),
  broadcast: Type.String({ minLength: 1, description: 'Broadcast name to publish.' }),
  channels: Type.Integer({
    default: 2,
    minimum: 1,
    maximum: 2,
    description: 'Channel count in the catalog.',
  }),
  bitrate: Type.Integer({ default: 128000, minimum: 6000, description: 'Bitrate announced in the catalog.' }),
  group_duration_ms: Type.Integer({ default: 40, minimum: 1, description: 'Media time per MoQ group.' }),
  initial_delay_ms: Type.Integer({ default: 0, minimum: 0, description: 'Media clock start.' }),
});
export type PublisherParams = Static<typeof PublisherParams>;

/** One connection's worth of publishing state: the audio tracks the relay subscribed to. */
class PublishedBroadcast {
  readonly broadcast = new (Moq().Broadcast)();
  private audio: { track: MoqModule.Track; group: MoqModule.Group | undefined }[] = [];

  constructor(private readonly catalog: object) {
    void this.serve();
  }

  private async serve(): Promise<void> {
    for (;;) {
      const req = await this.broadcast.requested().catch(() => undefined);
      if (!req) return;
      if (req.track.name === CATALOG_TRACK) {
        const g = req.track.appendGroup();
        g.writeJson(this.catalog);
      } else if (req.track.name === DEFAULT_AUDIO_TRACK) {
        const entry = { track: req.track, group: undefined };
        this.audio = [...this.audio, entry];
        void req.track.closed.then(() => {
          this.audio = this.audio.filter((a) => a !== entry);
        });
      } else req.track.close(new Error(`no track '${req.track.name}'`));
    }
  }

  write(frame: Uint8Array, keyframe: boolean): void {
    for (const a of this.audio) {
      if (keyframe || !a.group) {
        a.group?.close();
        a.group = a.track.appendGroup();
      }
      a.group.writeFrame(frame);
    }
  }

  close(): void {
    for (const a of this.audio) a.group?.close();
    this.broadcast.close();
  }
}

class PublisherNode {
  private conn: MoqModule.Connection.Established | undefined;
  private published: PublishedBroadcast | undefined;
  private clockUs: number;
  private nextGroupUs = 0;
  private readonly groupUs: number;
  /** The input ended: stop reconnecting. */
  private finished = false;
  private finish!: () => void;
  private readonly finishedPromise = new Promise<void>((resolve) => (this.finish = resolve));

  constructor(
    private readonly params: PublisherParams,
    private readonly ctx: NodeContext,
    private readonly url: URL,
  ) {
    this.clockUs = params.initial_delay_ms * 1000;
    this.groupUs = params.group_duration_ms * 1000;
  }

  async run(): Promise<void> {
    ensureMoqClientRuntime();
    const connecting = this.maintainConnection();
    const reason = await this.pump();
    this.ctx.setState({ Stopped: { reason } });
    this.published?.close();
    this.conn?.close();
    await connecting;
  }

  private async maintainConnection(): Promise<void> {
    const signal = this.ctx.signal;
    let delay = RETRY_MIN_MS;
    let wasConnected = false;
    while (!signal.aborted && !this.finished) {
      try {
        const conn = await Moq().Connection.connect(this.url);
        if (signal.aborted || this.finished) {
          conn.close();
          return;
        }
        const published = new PublishedBroadcast(
          opusCatalog({ channels: this.params.channels, bitrate: this.params.bitrate }),
        );
        conn.publish(Moq().Path.from(this.params.broadcast), published.broadcast);
        this.conn = conn;
        this.published = published;
        this.nextGroupUs = 0;
        this.ctx.setState('Running');
        wasConnected = true;
        delay = RETRY_MIN_MS;
        await Promise.race([conn.closed, untilAbort(signal), this.finishedPromise]);
        this.published = undefined;
        this.conn = undefined;
        published.close();
        conn.close();
        if (signal.aborted || this.finished) return;
        this.ctx.setState({ Recovering: { reason: 'disconnected', details: { url: this.url.toString() } } });
      } catch (err) {
        this.ctx.setState({
          Recovering: {
            reason: wasConnected ? 'reconnecting' : 'connecting',
            details: { url: this.url.toString(), error: (err as Error).message },
          },
        });
      }
      if (!(await sleep(delay, signal))) return;
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
  }

  private async pump(): Promise<StopReason> {
    const input = this.ctx.input('in');
    try {
      for (;;) {
        let p: Packet | typeof EOS | undefined = input.tryRecv();
        if (p === undefined) p = await input.recv();
        if (p === EOS) return this.ctx.signal.aborted ? 'shutdown' : 'input_closed';
        if (p.kind !== 'opus' && p.kind !== 'binary') {
          this.ctx.stats.discarded++;
          continue;
        }
        const durationUs = p.meta?.durationUs ?? opusPacketDurationUs(p.data);
        const published = this.published;
        if (!published) {
          // Not connected: live audio is dropped, not queued.
          this.ctx.stats.discarded++;
        } else {
          const keyframe = this.clockUs >= this.nextGroupUs;
          if (keyframe) this.nextGroupUs = (Math.floor(this.clockUs / this.groupUs) + 1) * this.groupUs;
          published.write(encodeLegacyFrame(this.clockUs, p.data), keyframe);
        }
        this.clockUs += durationUs;
      }
    } finally {
      this.finished = true;
      this.finish();
    }
  }
}

export const moqPublisherNode: NodeDefinition<PublisherParams> = {
  kind: 'transport::moq::publisher',
  categories: ['transport', 'moq', 'dynamic'],
  description:
    'Publishes Opus audio to another MoQ relay as a hang broadcast (catalog.json + audio/data), reconnecting when the relay goes away.',
  params: PublisherParams,
  pins: () => ({ inputs: [inputPin('in', ['OpusAudio'])], outputs: [] }),
  create(params, ctx) {
    const url = parseUrl(params.url, ctx);
    const node = new PublisherNode(params, ctx, url);
    return { run: () => node.run() };
  },
};

// ---------------------------------------------------------------- subscriber

export const SubscriberParams = Type.Object({
  url: Type.String({ description: 'Relay URL, e.g. http://relay:4545/moq (WebSocket fallback from Node).' }),
  broadcast: Type.String({ minLength: 1, description: 'Broadcast to play.' }),
  batch_ms: Type.Integer({
    default: 0,
    minimum: 0,
    description: 'Accepted for StreamKit compatibility; frames are not batched.',
  }),
});
export type SubscriberParams = Static<typeof SubscriberParams>;

class SubscriberNode {
  constructor(
    private readonly params: SubscriberParams,
    private readonly ctx: NodeContext,
    private readonly url: URL,
  ) {}

  async run(): Promise<void> {
    if (!(await this.ctx.waitForStart())) return;
    ensureMoqClientRuntime();
    const signal = this.ctx.signal;
    let delay = RETRY_MIN_MS;
    for (let attempt = 0; !signal.aborted; attempt++) {
      let outcome: StopReason | 'retry';
      let error: string | undefined;
      try {
        outcome = await this.session(() => (delay = RETRY_MIN_MS));
      } catch (err) {
        outcome = 'retry';
        error = (err as Error).message;
      }
      if (outcome !== 'retry') {
        this.ctx.setState({ Stopped: { reason: outcome } });
        return;
      }
      if (signal.aborted) break;
      this.ctx.setState({
        Recovering: {
          reason: attempt === 0 && error ? 'connecting' : 'reconnecting',
          details: { url: this.url.toString(), broadcast: this.params.broadcast, error },
        },
      });
      if (!(await sleep(delay, signal))) break;
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
    this.ctx.setState({ Stopped: { reason: 'shutdown' } });
  }

  /** One connection: wait for the broadcast, read its catalog, forward its first Opus track until it ends. */
  private async session(onConnected: () => void): Promise<StopReason | 'retry'> {
    const signal = this.ctx.signal;
    const conn = await Moq().Connection.connect(this.url);
    const aborted = untilAbort(signal).then(() => undefined);
    try {
      const name = Moq().Path.from(this.params.broadcast);
      const announced = conn.announced(Moq().Path.from(''));
      // Connected, but the broadcast may not exist yet: that is recoverable, not a failure.
      this.ctx.setState({
        Recovering: {
          reason: 'waiting_for_broadcast',
          details: { url: this.url.toString(), broadcast: this.params.broadcast },
        },
      });
      for (;;) {
        const a = await Promise.race([announced.next(), aborted, conn.closed.then(() => undefined)]);
        if (signal.aborted) return 'shutdown';
        if (!a) throw new Error('connection closed before the broadcast was announced');
        if (a.path === name && a.active) break;
      }
      announced.close();
      const broadcast = conn.consume(name);
      const catalogTrack = broadcast.subscribe(CATALOG_TRACK, 100);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no catalog.json with Opus audio within ${CATALOG_TIMEOUT_MS} ms`)),
          CATALOG_TIMEOUT_MS,
        );
      });
      // The catalog is live: a publisher's first one may list no audio yet (a browser before its microphone
      // opens), so read catalogs until one has an Opus rendition.
      const audioRendition = async (): Promise<{ track: string } | undefined> => {
        for (;;) {
          const frame = await catalogTrack.readFrame();
          if (!frame) return undefined;
          const found = findAudioRendition(parseCatalog(frame));
          if (found) return found;
        }
      };
      const rendition = await Promise.race([audioRendition(), timeout, aborted]).finally(() =>
        clearTimeout(timer),
      );
      if (signal.aborted) return 'shutdown';
      if (!rendition) throw new Error('catalog track ended before it listed an Opus audio rendition');
      const track = broadcast.subscribe(rendition.track, 80);
      this.ctx.setState('Running');
      onConnected();
      const out = this.ctx.output('out');
      for (;;) {
        const frame = await Promise.race([track.readFrame(), aborted]);
        if (signal.aborted) return 'shutdown';
        if (!frame) return 'retry';
        const { timestampUs, payload } = decodeLegacyFrame(frame);
        const w = out.send({
          kind: 'opus',
          data: payload,
          meta: { timestampUs, durationUs: opusPacketDurationUs(payload) },
        });
        if (w !== undefined && !(await w)) return 'output_closed';
      }
    } finally {
      conn.close();
    }
  }
}

export const moqSubscriberNode: NodeDefinition<SubscriberParams> = {
  kind: 'transport::moq::subscriber',
  categories: ['transport', 'moq', 'dynamic'],
  description:
    'Plays the first Opus rendition of a hang broadcast from another MoQ relay, reconnecting (Recovering) when the relay or the broadcast goes away.',
  params: SubscriberParams,
  pins: () => ({ inputs: [], outputs: [outputPin('out', 'OpusAudio')] }),
  create(params, ctx) {
    const url = parseUrl(params.url, ctx);
    const node = new SubscriberNode(params, ctx, url);
    return { run: () => node.run() };
  },
};
