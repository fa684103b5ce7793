// `core::text_chunker`: splits streamed text into sentences, clauses or fixed word counts (e.g. for TTS).
import { Type, type Static } from '../../core/typebox';
import type { NodeDefinition } from '../../core/node';
import { EOS } from '../../core/packets';
import { inputPin, outputPin } from '../../core/helpers';

const Params = Type.Object({
  split_mode: Type.Union([Type.Literal('sentences'), Type.Literal('clauses'), Type.Literal('words')], {
    default: 'sentences',
    description: 'Where to cut: sentence ends, clause punctuation too, or every `chunk_words` words.',
  }),
  min_length: Type.Integer({
    default: 10,
    minimum: 0,
    description: 'Bytes buffered before sentence/clause cuts are considered.',
  }),
  chunk_words: Type.Integer({ default: 5, minimum: 1, description: 'Words per chunk in `words` mode.' }),
});
type Params = Static<typeof Params>;

const SENTENCE_BOUNDARIES = ['. ', '.\n', '! ', '!\n', '? ', '?\n', '。', '！', '？'];
const CLAUSE_BOUNDARIES = [
  ...SENTENCE_BOUNDARIES,
  ', ',
  ',\n',
  '; ',
  ';\n',
  ' - ',
  ' – ',
  ' — ',
  ': ',
  ':\n',
];
const SENTENCE_END = /[.!?。！？]$/;
const CLAUSE_END = /[.!?。！？,;:]$/;

/** Cut every complete chunk off the front of `buffer`; returns the chunks and what remains. */
export function extractChunks(buffer: string, params: Params): { chunks: string[]; rest: string } {
  const chunks: string[] = [];
  let rest = buffer;
  if (params.split_mode === 'words') {
    for (;;) {
      const words = rest
        .trim()
        .split(/\s+/)
        .filter((w) => w !== '');
      // Keep the last word while it may still be growing (no whitespace after it yet).
      const complete = /\s$/.test(rest) ? words.length : words.length - 1;
      if (complete < params.chunk_words) break;
      chunks.push(words.slice(0, params.chunk_words).join(' '));
      const re = new RegExp(`^\\s*(?:\\S+\\s+){${params.chunk_words}}`);
      rest = rest.replace(re, '');
    }
    return { chunks, rest };
  }
  const boundaries = params.split_mode === 'clauses' ? CLAUSE_BOUNDARIES : SENTENCE_BOUNDARIES;
  const end = params.split_mode === 'clauses' ? CLAUSE_END : SENTENCE_END;
  while (new TextEncoder().encode(rest).length >= params.min_length && rest.trim() !== '') {
    // The earliest boundary wins (StreamKit takes the first boundary *type* found, wherever it is).
    let cut = -1;
    for (const b of boundaries) {
      const i = rest.indexOf(b);
      if (i >= 0 && (cut < 0 || i + b.length < cut)) cut = i + b.length;
    }
    if (cut > 0) {
      const chunk = rest.slice(0, cut).trim();
      rest = rest.slice(cut);
      if (chunk !== '') chunks.push(chunk);
      continue;
    }
    if (end.test(rest)) {
      chunks.push(rest);
      rest = '';
    }
    break;
  }
  return { chunks, rest };
}

export const textChunkerNode: NodeDefinition<Params> = {
  kind: 'core::text_chunker',
  categories: ['core', 'text'],
  description: 'Splits incoming text (Text or UTF-8 Binary) into sentence, clause or word chunks.',
  params: Params,
  pins: () => ({ inputs: [inputPin('in', ['Text', 'Binary'])], outputs: [outputPin('out', 'Text')] }),
  create(params, ctx) {
    const input = ctx.input('in');
    const out = ctx.output('out');
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let buffer = '';
    const emit = async (text: string): Promise<boolean> => {
      const w = out.send({ kind: 'text', text });
      return w === undefined ? true : w;
    };
    return {
      async run() {
        ctx.setState('Running');
        for (;;) {
          let p = input.tryRecv();
          if (p === undefined) p = await input.recv();
          if (p === EOS) break;
          let text: string;
          if (p.kind === 'text') text = p.text;
          else if (p.kind === 'binary') {
            try {
              text = decoder.decode(p.data, { stream: true });
            } catch {
              throw new Error('Invalid UTF-8 in a Binary packet (core::text_chunker expects UTF-8 text)');
            }
          } else {
            ctx.stats.discarded++;
            continue;
          }
          if (text === '') continue;
          buffer += text;
          const { chunks, rest } = extractChunks(buffer, params);
          buffer = rest;
          for (const c of chunks) {
            if (!(await emit(c))) {
              ctx.setState({ Stopped: { reason: 'output_closed' } });
              return;
            }
          }
        }
        const tail = buffer.trim();
        if (tail !== '' && !ctx.signal.aborted) await emit(tail);
      },
    };
  },
};
