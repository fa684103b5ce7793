// Fuzz: the HTTP/3 codecs the server runs on every peer byte, in-process (the network fuzz against the running
// server is apps/server/src/moq/http3.fuzz.spec.ts): frame/capsule TLV reading in any chunking, SETTINGS,
// QPACK field sections and Huffman strings, on random input and damaged valid encodings. Each returns or
// throws its typed error (H3ConnectionError, QpackError); a frame longer than the limit fails before it is
// buffered.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { chunked, damaged, fuzzParams, fuzzTimeoutMs } from '@streamkit/pipeline/testing/fuzz';
import { decodeSettings, encodeFrame, encodeSettings, H3ConnectionError, TlvReader } from './frames';
import { decodeFieldSection, encodeFieldSection, huffmanDecode, huffmanEncode, QpackError } from './qpack';

function only<T>(types: (new (...args: never[]) => Error)[], run: () => T): T | undefined {
  try {
    return run();
  } catch (err) {
    assert.ok(
      types.some((t) => err instanceof t),
      `unexpected ${(err as Error)?.stack ?? String(err)}`,
    );
    return undefined;
  }
}

const field = fc.record({ name: fc.string({ maxLength: 16 }), value: fc.string({ maxLength: 40 }) });
const section = fc
  .tuple(fc.array(field, { maxLength: 12 }), fc.boolean())
  .map(([fields, huffman]) => ({ fields, bytes: encodeFieldSection(fields, { huffman }) }));

describe('HTTP/3 codec fuzz', () => {
  it(
    'QPACK field sections round-trip; damaged ones decode or fail with QpackError',
    { timeout: fuzzTimeoutMs() },
    () => {
      fc.assert(
        fc.property(
          section.chain((s) => fc.tuple(fc.constant(s), damaged(s.bytes))),
          fc.uint8Array({ maxLength: 128 }),
          ([s, bad], noise) => {
            const back = decodeFieldSection(s.bytes, { maxFields: 64, maxString: 8192 });
            // Literals are latin1 on the wire: compare what a latin1 round trip keeps.
            const latin1 = (x: string) => Buffer.from(x, 'latin1').toString('latin1');
            assert.deepEqual(
              back,
              s.fields.map((f) => ({ name: latin1(f.name), value: latin1(f.value) })),
            );
            only([QpackError], () => decodeFieldSection(bad));
            only([QpackError], () => decodeFieldSection(noise));
            only([QpackError], () => huffmanDecode(noise, 64));
          },
        ),
        fuzzParams(3000),
      );
    },
  );

  it('Huffman strings round-trip', { timeout: fuzzTimeoutMs() }, () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 64 }), (s) => {
        const latin1 = Buffer.from(s, 'latin1').toString('latin1');
        assert.equal(huffmanDecode(huffmanEncode(latin1), 1000), latin1);
      }),
      fuzzParams(2000),
    );
  });

  it('SETTINGS decode or fail with H3ConnectionError', { timeout: fuzzTimeoutMs() }, () => {
    const settings = fc
      .array(fc.tuple(fc.nat({ max: 2 ** 40 }), fc.nat({ max: Number.MAX_SAFE_INTEGER })), { maxLength: 70 })
      .map((pairs) => encodeSettings(new Map(pairs)));
    fc.assert(
      fc.property(
        settings.chain((s) => fc.oneof(damaged(s), fc.uint8Array({ maxLength: 64 }))),
        (bytes) => void only([H3ConnectionError], () => decodeSettings(bytes)),
      ),
      fuzzParams(3000),
    );
  });

  it(
    'TlvReader yields whole frames in any chunking, refusing oversize ones before buffering them',
    { timeout: fuzzTimeoutMs() },
    () => {
      const frames = fc.array(
        fc.tuple(fc.nat({ max: 2 ** 30 }), fc.uint8Array({ maxLength: 300 })).map(([t, p]) => ({ t, p })),
        { maxLength: 8 },
      );
      const input = frames.chain((list) => {
        const whole = Uint8Array.from(Buffer.concat(list.map(({ t, p }) => encodeFrame(t, p))));
        return fc.tuple(
          fc.constant(list),
          fc.oneof(
            fc.constant({ bytes: whole, hurt: false }),
            damaged(whole).map((bytes) => ({ bytes, hurt: true })),
          ),
        );
      });
      fc.assert(
        fc.property(
          input,
          fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 4 }),
          ([list, { bytes, hurt }], sizes) => {
            const r = new TlvReader(256);
            const got: { type: number; payload: Uint8Array }[] = [];
            only([H3ConnectionError], () => {
              for (const c of chunked(bytes, sizes)) {
                r.push(c);
                for (let f = r.next(); f; f = r.next())
                  got.push({ type: f.type, payload: f.payload.slice() });
                // A frame header (at most 16 bytes) and its payload up to the limit, plus the chunk that just came.
                assert.ok(r.pending.length <= 256 + 16 + 64, `buffered ${r.pending.length} bytes`);
              }
            });
            if (!hurt && list.every(({ p }) => p.length <= 256)) {
              assert.deepEqual(
                got.map((f) => f.type),
                list.map((f) => f.t),
              );
            }
          },
        ),
        fuzzParams(2000),
      );
    },
  );
});
