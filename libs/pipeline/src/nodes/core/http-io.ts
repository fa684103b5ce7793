// The synthetic oneshot-only kinds: `streamkit::http_input` emits the caller's uploaded bytes,
// `streamkit::http_output` hands what it receives to the oneshot output stream.
import { Type, type Static } from '../../core/typebox';
import type { NodeDefinition } from '../../core/node';
import type { Packet } from '../../core/packets';
import { forEachPacket, inputPin, outputPin } from '../../core/helpers';
import {
  ONESHOT_INPUT_SERVICE,
  ONESHOT_OUTPUT_SERVICE,
  type OneshotInputSource,
  type OneshotOutputSink,
} from '../../runtime/byte-stream';
import { HTTP_INPUT_KIND, HTTP_OUTPUT_KIND } from '../../definition/oneshot-rules';

export { HTTP_INPUT_KIND, HTTP_OUTPUT_KIND };

export const httpInputNode: NodeDefinition = {
  kind: HTTP_INPUT_KIND,
  categories: ['transport', 'oneshot'],
  description: 'The uploaded media of a oneshot request, as Binary chunks (oneshot pipelines only).',
  params: Type.Object({}),
  oneshotOnly: true,
  pins: () => ({ inputs: [], outputs: [outputPin('out', 'Binary')] }),
  create(_params, ctx) {
    const out = ctx.output('out');
    return {
      async run() {
        const source = ctx.services[ONESHOT_INPUT_SERVICE] as OneshotInputSource | undefined;
        if (!source)
          throw new Error(`${HTTP_INPUT_KIND} needs an input byte source (oneshot runs with an upload only)`);
        if (!(await ctx.waitForStart())) return;
        ctx.setState('Running');
        const chunks = source.chunks;
        const it: Iterator<Uint8Array> | AsyncIterator<Uint8Array> =
          Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
        // A stalled upload must not keep a cancelled run alive: race each read against cancellation.
        const cancelled = new Promise<'cancelled'>((resolve) => {
          if (ctx.signal.aborted) resolve('cancelled');
          ctx.signal.addEventListener('abort', () => resolve('cancelled'), { once: true });
        });
        try {
          for (;;) {
            const next = await Promise.race([it.next(), cancelled]);
            if (next === 'cancelled' || next.done) return;
            if (next.value.byteLength === 0) continue;
            const w = out.send({ kind: 'binary', data: next.value, contentType: source.contentType });
            if (w !== undefined && !(await w)) {
              ctx.setState({ Stopped: { reason: 'output_closed' } });
              return;
            }
          }
        } finally {
          void Promise.resolve(it.return?.()).catch(() => {});
        }
      },
    };
  },
};

const HttpOutputParams = Type.Object({
  content_type: Type.Optional(
    Type.String({ description: 'Content-Type of the response (overrides what the pipeline produces).' }),
  ),
});

const textEncoder = new TextEncoder();

export const httpOutputNode: NodeDefinition<Static<typeof HttpOutputParams>> = {
  kind: HTTP_OUTPUT_KIND,
  categories: ['transport', 'oneshot'],
  description:
    'The response body of a oneshot request: streams the Binary packets it receives, or raw Opus frames back to back as StreamKit does (oneshot pipelines only).',
  params: HttpOutputParams,
  oneshotOnly: true,
  // OpusAudio too: StreamKit carries Opus frames as Binary, so its samples wire an encoder straight here.
  pins: () => ({ inputs: [inputPin('in', ['Binary', 'OpusAudio'])], outputs: [] }),
  contentType: (params) => params.content_type,
  create(_params, ctx) {
    const input = ctx.input('in');
    const sink = ctx.services[ONESHOT_OUTPUT_SERVICE] as OneshotOutputSink | undefined;
    const write = (p: Packet): undefined | Promise<boolean> => {
      if (p.kind === 'binary' || p.kind === 'opus') return (sink as OneshotOutputSink).write(p.data);
      if (p.kind === 'text') return (sink as OneshotOutputSink).write(textEncoder.encode(p.text));
      ctx.stats.discarded++;
      return undefined;
    };
    return {
      async run() {
        if (!sink) throw new Error(`${HTTP_OUTPUT_KIND} needs an output byte stream (oneshot runs only)`);
        ctx.setState('Running');
        if ((await forEachPacket(input, write)) === 'stopped')
          ctx.setState({ Stopped: { reason: 'output_closed' } });
      },
    };
  },
};
