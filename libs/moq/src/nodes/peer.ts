// transport::moq::peer: a browser publishes into the session at `<gateway_path>` (or `/input`) and plays the
// session's output from `<gateway_path>` (or `/output`), through the server's own relay without a socket hop.
import { Type, type Static } from '@streamkit/pipeline/core/typebox';
// Deep imports: an engine worker loads these nodes, and the package index would also load the YAML parser.
import { inputPin, outputPin } from '@streamkit/pipeline/core/helpers';
import type { NodeContext, NodeDefinition, StopReason } from '@streamkit/pipeline/core/node';
import { EOS, type Packet } from '@streamkit/pipeline/core/packets';
import { CatalogWatch, HangAudioPublisher, TrackReader, decodeLegacyFrame } from '../hang';
import { REPLACED, UNANNOUNCED, type RelayBroadcast } from '../relay/relay';
import { normalizePath } from '../protocol/messages';
import { MoqServer, type PeerRoute } from '../server';
import { opusPacketDurationUs } from '@streamkit/pipeline/codecs/ogg/opus-toc';

/** Key under which the server provides its MoqServer in `NodeServices`. */
export const MOQ_SERVICE_KEY = 'moq';

export const PeerParams = Type.Object({
  gateway_path: Type.String({
    default: '/moq',
    description:
      'URL path browsers connect to; `<path>/input` publishes only, `<path>/output` subscribes only.',
  }),
  input_broadcast: Type.String({
    default: 'input',
    description: 'Broadcast the browser publishes (its Opus audio).',
  }),
  output_broadcast: Type.String({
    default: 'output',
    description: "Broadcast browsers play (this node's `in`).",
  }),
  allow_reconnect: Type.Boolean({
    default: false,
    description: 'Keep running (Recovering) when the publishing browser leaves, and resume when it returns.',
  }),
  output_group_duration_ms: Type.Integer({
    default: 40,
    minimum: 1,
    description: 'Media time per MoQ group.',
  }),
  output_initial_delay_ms: Type.Integer({
    default: 0,
    minimum: 0,
    description: 'Media clock start of the output.',
  }),
  output_channels: Type.Integer({
    default: 1,
    minimum: 1,
    maximum: 2,
    description: 'Channel count in the output catalog.',
  }),
  output_bitrate: Type.Integer({
    default: 64000,
    minimum: 6000,
    description: 'Bitrate announced in the output catalog.',
  }),
});
export type PeerParams = Static<typeof PeerParams>;

/** The MoqServer from `ctx.services`, or an error saying what the host must provide. */
export function moqServerFrom(ctx: NodeContext): MoqServer {
  const server = ctx.services[MOQ_SERVICE_KEY];
  if (!(server instanceof MoqServer)) {
    throw new Error(
      `${ctx.kind} '${ctx.nodeId}': no MoQ gateway available (the server provides it as services.${MOQ_SERVICE_KEY}); ` +
        'run this node inside the server, or pass a MoqServer in the services',
    );
  }
  return server;
}

/** How long a publisher that unannounced (but stayed connected) has to announce its broadcast again. */
const REANNOUNCE_GRACE_MS = 5000;

class PeerNode {
  private route: PeerRoute | undefined;
  private output: HangAudioPublisher | undefined;
  private reader: TrackReader | undefined;
  private readonly abort = new AbortController();

  constructor(
    private readonly params: PeerParams,
    private readonly ctx: NodeContext,
  ) {}

  private where(pin?: string): string {
    return `transport::moq::peer '${this.ctx.nodeId}'${pin ? `, pin '${pin}'` : ''}`;
  }

  async run(): Promise<void> {
    const server = moqServerFrom(this.ctx);
    try {
      this.route = server.registerPeerRoute(this.params.gateway_path, this.ctx.sessionId);
    } catch (err) {
      throw new Error(`${this.where()}, param /gateway_path: ${(err as Error).message}`, { cause: err });
    }
    const onAbort = (): void => this.abort.abort();
    this.ctx.signal.addEventListener('abort', onAbort, { once: true });
    try {
      this.output = new HangAudioPublisher(
        server.publish(this.route.broadcastPath(this.params.output_broadcast)),
        {
          channels: this.params.output_channels,
          bitrate: this.params.output_bitrate,
          groupDurationMs: this.params.output_group_duration_ms,
          initialDelayMs: this.params.output_initial_delay_ms,
        },
      );
      this.ctx.setState('Running');
      const reason = await Promise.race([this.pumpInput(), this.pumpPublisher(server)]);
      this.ctx.setState({ Stopped: { reason: this.ctx.signal.aborted ? 'shutdown' : reason } });
    } finally {
      this.ctx.signal.removeEventListener('abort', onAbort);
      this.abort.abort();
      this.reader?.close();
      this.output?.close();
      this.route.unregister();
    }
  }

  /** Node input → the output broadcast every browser at `<path>` / `<path>/output` plays. */
  private async pumpInput(): Promise<StopReason> {
    const input = this.ctx.input('in');
    const output = this.output as HangAudioPublisher;
    const stats = this.ctx.stats;
    for (;;) {
      let p: Packet | typeof EOS | undefined = input.tryRecv();
      if (p === undefined) p = await input.recv();
      if (p === EOS) return this.abort.signal.aborted ? 'shutdown' : 'input_closed';
      if (p.kind !== 'opus' && p.kind !== 'binary') {
        stats.discarded++;
        continue;
      }
      output.writePacket(p.data, p.meta?.durationUs ?? opusPacketDurationUs(p.data));
    }
  }

  /** The browser's `input_broadcast` → node output `out`, waiting (Recovering) for a publisher as allowed. */
  private async pumpPublisher(server: MoqServer): Promise<StopReason> {
    const path = (this.route as PeerRoute).broadcastPath(this.params.input_broadcast);
    let recovering = false;
    for (;;) {
      let broadcast: RelayBroadcast;
      try {
        broadcast = await server.relay.waitFor(path, this.abort.signal);
      } catch {
        return 'shutdown';
      }
      const catalogs = new CatalogWatch(broadcast);
      const stopWatching = (): void => catalogs.close();
      this.abort.signal.addEventListener('abort', stopWatching, { once: true });
      let served = false;
      try {
        // A browser's first catalog lists no audio until its microphone opens: wait for one that does.
        let rendition: { track: string } | undefined = await catalogs.audioRendition();
        if (catalogs.invalid > 0) {
          this.ctx.stats.errored += catalogs.invalid;
          this.ctx.log.warn(
            `${this.where()}: publisher at '${path}' sent an invalid catalog: ${catalogs.lastError}`,
          );
        }
        while (rendition) {
          served = true;
          if (recovering) this.ctx.setState('Running');
          recovering = false;
          const result = await this.forwardTrack(broadcast, rendition.track, catalogs);
          if (result.stop) return result.stop;
          rendition = result.next;
        }
      } finally {
        this.abort.signal.removeEventListener('abort', stopWatching);
        catalogs.close();
      }
      if (this.abort.signal.aborted) return 'shutdown';
      if (!served) continue;
      // A browser re-announces its broadcast when its microphone settings change, on the same connection,
      // and a reloaded page takes the path over from its old connection: neither is leaving, so the publisher
      // gets a moment to come back before it counts as gone.
      if (
        (broadcast.closeReason === UNANNOUNCED || broadcast.closeReason === REPLACED) &&
        (await this.returnsWithin(server, path, REANNOUNCE_GRACE_MS))
      )
        continue;
      if (!this.params.allow_reconnect) return 'completed';
      recovering = true;
      this.ctx.setState({ Recovering: { reason: 'waiting_for_publisher', details: { path } } });
    }
  }

  /** True when a broadcast is published at `path` again within `ms` (the abort signal ends the wait). */
  private async returnsWithin(server: MoqServer, path: string, ms: number): Promise<boolean> {
    const wait = AbortSignal.any([this.abort.signal, AbortSignal.timeout(ms)]);
    try {
      await server.relay.waitFor(path, wait);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Forwards one audio track to `out` until the broadcast ends (`{}`), the output closes (`stop`), or the
   * catalog names another Opus track (`next`, which the caller switches to).
   */
  private async forwardTrack(
    broadcast: RelayBroadcast,
    track: string,
    catalogs: CatalogWatch,
  ): Promise<{ stop?: StopReason; next?: { track: string } }> {
    const out = this.ctx.output('out');
    // Browsers start a group's stream before the previous one's last frame is written: keep group order.
    const reader = new TrackReader(broadcast, track, { ordered: true });
    this.reader = reader;
    let next: { track: string } | undefined;
    let trackEnded = false;
    // The only reader of the catalogs while the track plays; ends with the broadcast (or the watch).
    const following = (async () => {
      for (;;) {
        const r = await catalogs.audioRendition();
        if (!r) return;
        if (r.track !== track || trackEnded) {
          next = { track: r.track };
          reader.close();
          return;
        }
      }
    })();
    let dropped = 0;
    try {
      for (;;) {
        let frame = reader.tryNext();
        if (!frame) frame = await reader.next();
        if (reader.dropped !== dropped) {
          // Frames of a group given up, or arriving after it was: shown live as the node's discarded count.
          this.ctx.stats.discarded += reader.dropped - dropped;
          dropped = reader.dropped;
        }
        if (!frame) break;
        const { timestampUs, payload } = decodeLegacyFrame(frame.payload);
        const w = out.send({
          kind: 'opus',
          data: payload,
          meta: { timestampUs, durationUs: opusPacketDurationUs(payload) },
        });
        if (w !== undefined && !(await w)) return { stop: 'output_closed' };
      }
    } finally {
      reader.close();
      this.reader = undefined;
    }
    // The track ended: with the broadcast (the follower ends too), or alone, when the next catalog says what
    // to play.
    trackEnded = true;
    await following;
    return next ? { next } : {};
  }
}

export const moqPeerNode: NodeDefinition<PeerParams> = {
  kind: 'transport::moq::peer',
  categories: ['transport', 'moq', 'bidirectional', 'dynamic'],
  description:
    'Browser peer over MoQ (WebTransport or its WebSocket fallback): the browser publishes `input_broadcast` at `gateway_path` (or `/input`) and plays `output_broadcast` at `gateway_path` (or `/output`), in the hang format (catalog.json + Opus).',
  params: PeerParams,
  bidirectional: true,
  pins: () => ({
    inputs: [inputPin('in', ['OpusAudio'])],
    outputs: [outputPin('out', 'OpusAudio')],
  }),
  validate: (p) => {
    const problems: { path: string; message: string }[] = [];
    if (p.gateway_path.replace(/\/+/g, '') === '')
      problems.push({ path: '/gateway_path', message: 'must name a path, e.g. /moq' });
    if (p.input_broadcast === p.output_broadcast) {
      problems.push({ path: '/output_broadcast', message: 'must differ from input_broadcast' });
    }
    return problems;
  },
  exclusiveClaims: (p) => [
    { resource: `MoQ gateway path '/${normalizePath(p.gateway_path)}'`, param: '/gateway_path' },
  ],
  create(params, ctx) {
    const node = new PeerNode(params, ctx);
    return { run: () => node.run() };
  },
};
