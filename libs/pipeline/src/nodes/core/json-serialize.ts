// `core::json_serialize`: each packet as StreamKit's externally tagged JSON (`{"Text": ...}`), as Binary.
import { Type, type Static } from '../../core/typebox';
import type { NodeDefinition } from '../../core/node';
import type { Packet, PacketMetadata } from '../../core/packets';
import { forEachPacket, inputPin, outputPin } from '../../core/helpers';

const Params = Type.Object({
  pretty: Type.Boolean({ default: false, description: 'Indent the JSON.' }),
  newline_delimited: Type.Boolean({
    default: false,
    description: 'Append a newline after each packet (NDJSON).',
  }),
});

function meta(m: PacketMetadata | undefined): Record<string, number | null> | null {
  if (!m) return null;
  return {
    timestamp_us: m.timestampUs ?? null,
    duration_us: m.durationUs ?? null,
    sequence: m.sequence ?? null,
  };
}

/** The tagged JSON value of a packet (Opus frames travel as Binary in StreamKit's model). */
export function packetToTaggedJson(p: Packet): Record<string, unknown> {
  switch (p.kind) {
    case 'text':
      return { Text: p.text };
    case 'transcription':
      return {
        Transcription: {
          text: p.text,
          segments: p.segments.map((s) => ({
            text: s.text,
            start_time_ms: s.startTimeMs,
            end_time_ms: s.endTimeMs,
            confidence: s.confidence ?? null,
          })),
          language: p.language ?? null,
          metadata: meta(p.meta),
        },
      };
    case 'custom':
      return { Custom: { type_id: p.typeId, encoding: p.encoding, data: p.data, metadata: meta(p.meta) } };
    case 'audio':
      return {
        Audio: {
          sample_rate: p.sampleRate,
          channels: p.channels,
          samples: Array.from(p.samples),
          metadata: meta(p.meta),
        },
      };
    case 'binary':
      return {
        Binary: {
          data: Buffer.from(p.data).toString('base64'),
          content_type: p.contentType ?? null,
          metadata: meta(p.meta),
        },
      };
    case 'opus':
      return {
        Binary: { data: Buffer.from(p.data).toString('base64'), content_type: null, metadata: meta(p.meta) },
      };
  }
}

export const jsonSerializeNode: NodeDefinition<Static<typeof Params>> = {
  kind: 'core::json_serialize',
  categories: ['core', 'serialization'],
  description:
    'Serializes each packet to JSON (StreamKit tagged form) and emits it as Binary application/json.',
  params: Params,
  pins: () => ({ inputs: [inputPin('in', ['Any'])], outputs: [outputPin('out', 'Binary')] }),
  contentType: (params) => (params.newline_delimited ? 'application/x-ndjson' : 'application/json'),
  create(params, ctx) {
    const input = ctx.input('in');
    const out = ctx.output('out');
    const encoder = new TextEncoder();
    const serialize = (p: Packet) => {
      let text = JSON.stringify(packetToTaggedJson(p), null, params.pretty ? 2 : undefined);
      if (params.newline_delimited) text += '\n';
      return out.send({
        kind: 'binary',
        data: encoder.encode(text),
        contentType: 'application/json',
        meta: p.meta,
      });
    };
    return {
      async run() {
        ctx.setState('Running');
        if ((await forEachPacket(input, serialize)) === 'stopped')
          ctx.setState({ Stopped: { reason: 'output_closed' } });
      },
    };
  },
};
