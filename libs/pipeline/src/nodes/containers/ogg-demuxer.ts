// `containers::ogg::demuxer`: Ogg Opus bytes in, Opus packets out, timed from granules and TOCs, with the
// end trim carried as the final packet's shorter `durationUs`.
import { Type } from '../../core/typebox';
import { inputPin, outputPin } from '../../core/helpers';
import type { NodeDefinition } from '../../core/node';
import type { Packet } from '../../core/packets';
import { OggOpusDemuxer } from '../../codecs/ogg/opus-demuxer';
import { createDrain, runContainer } from './drain';

/** libopus's lookahead at 48 kHz, which nearly every Opus encoder writes as pre-skip. */
const OPUS_DEFAULT_PRE_SKIP = 312;

export const OggDemuxerParams = Type.Object(
  {},
  { description: 'No params: the Opus stream is found by its OpusHead.' },
);

export const oggDemuxerNode: NodeDefinition = {
  kind: 'containers::ogg::demuxer',
  categories: ['containers', 'ogg'],
  description:
    'Demuxes Ogg Opus: emits each Opus packet with timestampUs/durationUs/sequence from granule positions and ' +
    'packet TOCs (the final packet carries the end-trimmed duration). Verifies page CRCs and skips corrupt ' +
    'pages; picks the first Opus logical stream and ignores others.',
  params: OggDemuxerParams,
  pins: () => ({ inputs: [inputPin('in', ['Binary'])], outputs: [outputPin('out', 'OpusAudio')] }),
  create(_params, ctx) {
    const input = ctx.input('in');
    const out = ctx.output('out');
    let warnings = 0;
    const demuxer = new OggOpusDemuxer({
      onWarning: (msg) => {
        // A damaged file can warn per page; the first few say enough.
        if (warnings++ < 10) ctx.log.warn(msg, { node: ctx.nodeId });
      },
    });
    const drain = createDrain(out, () => demuxer.read());
    let headChecked = false;
    const onPacket = (p: Packet): undefined | Promise<boolean> => {
      if (p.kind !== 'binary') {
        ctx.stats.discarded++;
        return undefined;
      }
      demuxer.push(p.data);
      if (!headChecked && demuxer.head) {
        headChecked = true;
        if (demuxer.head.preSkip !== OPUS_DEFAULT_PRE_SKIP) {
          // Packet timing carries no pre-skip: downstream assumes 312 unless told.
          ctx.log.warn(
            `the stream's pre-skip is ${demuxer.head.preSkip}, not ${OPUS_DEFAULT_PRE_SKIP}: set pre_skip: ` +
              `${demuxer.head.preSkip} on the Opus decoder or muxer downstream for exact trimming`,
            { node: ctx.nodeId },
          );
        }
      }
      return drain();
    };
    return {
      async run() {
        try {
          await runContainer(ctx, input, onPacket, () => {
            demuxer.end();
            return drain();
          });
        } finally {
          const s = demuxer.stats;
          ctx.stats.errored += s.corruptPages + s.droppedPackets;
          if (s.corruptPages > 0 || s.droppedPackets > 0) {
            ctx.log.warn('Ogg input was damaged', { node: ctx.nodeId, ...s });
          }
        }
      },
    };
  },
};
