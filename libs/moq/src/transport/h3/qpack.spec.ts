// QPACK with the static table only: Huffman strings (RFC 7541 examples), the field-line forms browsers send,
// and the refusals a malformed or dynamic-table block must get.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeFieldSection, encodeFieldSection, huffmanDecode, huffmanEncode, QpackError } from './qpack';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));

describe('QPACK (static table only)', () => {
  it('decodes and encodes Huffman strings as in RFC 7541 Appendix C.4', () => {
    assert.equal(huffmanDecode(hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff'), 100), 'www.example.com');
    assert.equal(huffmanDecode(hex('a8eb 1064 9cbf'), 100), 'no-cache');
    assert.equal(huffmanDecode(hex('25a8 49e9 5ba9 7d7f'), 100), 'custom-key');
    assert.deepEqual(huffmanEncode('www.example.com'), hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff'));
    for (const s of ['', 'a', '/moq/e2e-direct?x=1', '"moq-lite-04", "moq-lite-03"', '\u00ff\u0000~']) {
      assert.equal(huffmanDecode(huffmanEncode(s), 1000), s);
    }
  });

  it('refuses bad Huffman padding, EOS and overlong strings', () => {
    assert.throws(() => huffmanDecode(hex('f1e3 c2e5 f23a 6ba0 ab90 f4fe'), 100), QpackError); // padding not all ones
    assert.throws(() => huffmanDecode(hex('ffff ffff'), 100), QpackError); // EOS
    assert.throws(() => huffmanDecode(hex('f1e3 c2e5 f23a 6ba0 ab90 f4ff'), 5), /longer than 5/);
  });

  it('round-trips a CONNECT request with static pairs, name references and literal names', () => {
    const fields = [
      { name: ':method', value: 'CONNECT' },
      { name: ':protocol', value: 'webtransport' },
      { name: ':scheme', value: 'https' },
      { name: ':authority', value: '127.0.0.1:4545' },
      { name: ':path', value: '/moq/room' },
      { name: 'origin', value: 'http://127.0.0.1:4545' },
      { name: 'wt-available-protocols', value: '"moq-lite-04"' },
    ];
    for (const huffman of [false, true]) {
      assert.deepEqual(decodeFieldSection(encodeFieldSection(fields, { huffman })), fields);
    }
    // :status 200 is one byte: indexed static entry 25.
    assert.deepEqual(encodeFieldSection([{ name: ':status', value: '200' }]), Uint8Array.of(0, 0, 0xd9));
  });

  it('refuses dynamic-table references, bad indexes, truncation and oversize blocks', () => {
    assert.throws(() => decodeFieldSection(Uint8Array.of(1, 0, 0xd9)), /dynamic table/); // RIC 1
    assert.throws(() => decodeFieldSection(Uint8Array.of(0, 0, 0x80)), /dynamic table/); // indexed, T=0
    assert.throws(() => decodeFieldSection(Uint8Array.of(0, 0, 0x10)), /post-base/);
    assert.throws(() => decodeFieldSection(Uint8Array.of(0, 0, 0xff, 0x30)), /out of range/); // index 99
    assert.throws(() => decodeFieldSection(Uint8Array.of(0, 0, 0x51, 0x05, 0x61)), /truncated/);
    assert.throws(() => decodeFieldSection(Uint8Array.of(0)), QpackError);
    assert.throws(
      () => decodeFieldSection(Uint8Array.of(0, 0, 0x5f, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)),
      QpackError,
    );
    const many = encodeFieldSection(Array.from({ length: 65 }, () => ({ name: 'x', value: '' })));
    assert.throws(() => decodeFieldSection(many), /more than 64/);
    const long = encodeFieldSection([{ name: 'x', value: 'y'.repeat(9000) }]);
    assert.throws(() => decodeFieldSection(long), /exceeds 8192/);
  });
});
