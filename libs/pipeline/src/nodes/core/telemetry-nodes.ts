// `core::telemetry_tap` (passthrough that reports what flows by) and `core::telemetry_out` (the sink
// version): selected packets become telemetry events on the session bus.
import { Type, type Static } from '../../core/typebox';
import type { NodeContext, NodeDefinition } from '../../core/node';
import type { Packet } from '../../core/packets';
import { forEachPacket, inputPin, outputPin } from '../../core/helpers';
import { TELEMETRY_TYPE_ID, TelemetryRateLimiter } from '../../runtime/telemetry';

const PACKET_TYPE_NAMES = ['Audio', 'Transcription', 'Custom', 'Binary', 'Text'];
const VAD_TYPE_ID = 'plugin::native::vad/vad-event@1';

const common = {
  packet_types: Type.Array(Type.String(), {
    default: ['Transcription', 'Custom'],
    description: `Packet types that produce events (case-insensitive): ${PACKET_TYPE_NAMES.join(', ')}.`,
  }),
  event_type_filter: Type.Array(Type.String(), {
    default: [],
    description: 'Custom event types to keep (`vad.*` or `vad*` match a prefix); empty keeps all.',
  }),
  max_events_per_sec: Type.Integer({
    default: 100,
    minimum: 1,
    description: 'Events per event type per second.',
  }),
};
const TapParams = Type.Object({
  ...common,
  audio_sample_interval_ms: Type.Integer({
    default: 1000,
    minimum: 0,
    description: 'Period of `audio.level` events (0 disables).',
  }),
});
const OutParams = Type.Object(common);
type TapParams = Static<typeof TapParams>;

function preview(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}

function matchesFilter(eventType: string, filter: string[]): boolean {
  if (filter.length === 0) return true;
  return filter.some((f) =>
    f.endsWith('.*')
      ? eventType.startsWith(f.slice(0, -1))
      : f.endsWith('*')
        ? eventType.startsWith(f.slice(0, -1))
        : eventType === f,
  );
}

/** Turns packets into events; shared by the tap and the sink. */
class TelemetryReporter {
  private readonly types: Set<string>;
  private readonly limiter: TelemetryRateLimiter;
  private reportedDrops = 0;
  private sumSquares = 0;
  private peak = 0;
  private samples = 0;
  private lastLevel = performance.now();

  constructor(
    private readonly ctx: NodeContext,
    private readonly params: Partial<TapParams> & Static<typeof OutParams>,
    private readonly sink: boolean,
  ) {
    this.types = new Set(params.packet_types.map((t) => t.toLowerCase()));
    this.limiter = new TelemetryRateLimiter(params.max_events_per_sec);
  }

  private emit(eventType: string, data: Record<string, unknown>): void {
    if (!this.limiter.allow(eventType, Date.now())) return;
    this.ctx.telemetry(eventType, data);
  }

  observe(p: Packet): void {
    const type = p.kind === 'opus' ? 'binary' : p.kind;
    if (!this.types.has(type)) return;
    switch (p.kind) {
      case 'transcription':
        this.emit(
          'stt.result',
          this.sink
            ? {
                text_preview: preview(p.text),
                text_length: p.text.length,
                segment_count: p.segments.length,
                language: p.language ?? null,
              }
            : {
                text_preview: preview(p.text),
                segment_count: p.segments.length,
                segments: p.segments.map((s) => ({
                  text: s.text,
                  start_time_ms: s.startTimeMs,
                  end_time_ms: s.endTimeMs,
                  confidence: s.confidence ?? null,
                })),
              },
        );
        break;
      case 'custom': {
        const data =
          typeof p.data === 'object' && p.data !== null && !Array.isArray(p.data)
            ? (p.data as Record<string, unknown>)
            : { value: p.data };
        let eventType = typeof data.event_type === 'string' ? data.event_type : 'custom.unknown';
        const extra: Record<string, unknown> = { source_type_id: p.typeId };
        if (p.typeId === VAD_TYPE_ID && !eventType.startsWith('vad.')) {
          if (!this.sink) extra.source_event_type = eventType;
          eventType = `vad.${eventType}`;
        }
        if (!matchesFilter(eventType, this.params.event_type_filter)) return;
        this.emit(
          eventType,
          p.typeId === TELEMETRY_TYPE_ID && this.sink ? { ...data } : { ...data, ...extra },
        );
        break;
      }
      case 'audio':
        if (this.sink || !this.params.audio_sample_interval_ms) return;
        for (let i = 0; i < p.samples.length; i++) {
          const s = p.samples[i];
          this.sumSquares += s * s;
          const a = Math.abs(s);
          if (a > this.peak) this.peak = a;
        }
        this.samples += p.samples.length;
        if (performance.now() - this.lastLevel >= this.params.audio_sample_interval_ms) {
          this.emit('audio.level', {
            rms: Math.sqrt(this.sumSquares / Math.max(1, this.samples)),
            peak: this.peak,
            sample_count: this.samples,
            sample_rate: p.sampleRate,
            channels: p.channels,
          });
          this.sumSquares = 0;
          this.peak = 0;
          this.samples = 0;
          this.lastLevel = performance.now();
        }
        break;
      case 'text':
        this.emit('text.received', { text_preview: preview(p.text), length: p.text.length });
        break;
      case 'binary':
      case 'opus':
        this.emit('binary.received', { size_bytes: p.data.byteLength, has_metadata: p.meta !== undefined });
        break;
    }
    const drops = this.limiter.droppedDueToRateLimit;
    if (drops > this.reportedDrops) {
      this.ctx.telemetry('telemetry.health', {
        dropped_due_to_full: 0,
        dropped_due_to_rate_limit: drops - this.reportedDrops,
      });
      this.reportedDrops = drops;
    }
  }
}

export const telemetryTapNode: NodeDefinition<TapParams> = {
  kind: 'core::telemetry_tap',
  categories: ['core', 'observability'],
  description: 'Passes packets through and emits telemetry events for selected packet types.',
  params: TapParams,
  pins: () => ({ inputs: [inputPin('in', ['Any'])], outputs: [outputPin('out', 'Passthrough')] }),
  create(params, ctx) {
    const input = ctx.input('in');
    const out = ctx.output('out');
    const reporter = new TelemetryReporter(ctx, params, false);
    const onPacket = (p: Packet): undefined | Promise<boolean> => {
      reporter.observe(p);
      return out.send(p);
    };
    return {
      async run() {
        ctx.setState('Running');
        if ((await forEachPacket(input, onPacket)) === 'stopped') {
          ctx.setState({ Stopped: { reason: 'output_closed' } });
        }
      },
    };
  },
};

export const telemetryOutNode: NodeDefinition<Static<typeof OutParams>> = {
  kind: 'core::telemetry_out',
  categories: ['core', 'observability'],
  description: 'Consumes packets and emits telemetry events for selected packet types (a terminal tap).',
  params: OutParams,
  pins: () => ({ inputs: [inputPin('in', ['Any'])], outputs: [] }),
  create(params, ctx) {
    const input = ctx.input('in');
    const reporter = new TelemetryReporter(ctx, params, true);
    const observe = (p: Packet): void => {
      reporter.observe(p);
    };
    return {
      async run() {
        ctx.setState('Running');
        await forEachPacket(input, observe);
      },
    };
  },
};
