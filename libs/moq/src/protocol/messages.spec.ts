// Codec round trips for QUIC varints and every moq-lite message, per version.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as M from './messages';
import { ByteReader, ByteWriter, ProtocolError, ShortBufferError, encodeVarint, varintSize } from './varint';

const versions = [M.Version.LITE_01, M.Version.LITE_02, M.Version.LITE_03, M.Version.LITE_04];

/** Splits varint(size) + body and returns the body (checks the size matches). */
function body(msg: Uint8Array): Uint8Array {
  const r = new ByteReader(msg);
  const size = r.varint();
  assert.equal(r.remaining, size);
  return r.rest();
}

describe('QUIC varints', () => {
  it('round-trips the boundary values of every length class', () => {
    const values = [0, 63, 64, 16383, 16384, 1073741823, 1073741824, 2 ** 40 + 5, Number.MAX_SAFE_INTEGER];
    const sizes = [1, 1, 2, 2, 4, 4, 8, 8, 8];
    values.forEach((v, i) => {
      const enc = encodeVarint(v);
      assert.equal(enc.length, sizes[i], `size of ${v}`);
      assert.equal(varintSize(v), sizes[i]);
      assert.equal(new ByteReader(enc).varint(), v);
    });
  });

  it('matches RFC 9000 examples', () => {
    // The 8-byte example is above 2^53: refused (a protocol error) rather than rounded.
    assert.throws(
      () => new ByteReader(Uint8Array.from([0xc2, 0x19, 0x7c, 0x5e, 0xff, 0x14, 0xe8, 0x8c])).varint(),
      ProtocolError,
    );
    assert.equal(new ByteReader(Uint8Array.from([0x9d, 0x7f, 0x3e, 0x7d])).varint(), 494878333);
    assert.equal(new ByteReader(Uint8Array.from([0x7b, 0xbd])).varint(), 15293);
    assert.equal(new ByteReader(Uint8Array.from([0x25])).varint(), 37);
  });

  it('reports truncated input as ShortBufferError and refuses negative values', () => {
    assert.throws(() => new ByteReader(Uint8Array.from([0x80, 0x01])).varint(), ShortBufferError);
    assert.throws(() => new ByteWriter().varint(-1), RangeError);
  });
});

describe('moq-lite messages', () => {
  it('round-trips CLIENT_SETUP / SERVER_SETUP in the draft-14 compat encoding', () => {
    const params = new Map<number, number | Uint8Array>([
      [2, 42069],
      [7, new TextEncoder().encode('moq-lite-js')],
    ]);
    const client = M.encodeClientSetup({
      versions: [M.Version.LITE_02, M.Version.LITE_01, M.Version.IETF_14],
      parameters: params,
    });
    const r = new ByteReader(client);
    assert.equal(r.varint(), M.StreamType.ClientCompat);
    const decoded = M.decodeClientSetup(r.bytes(r.u16()));
    assert.deepEqual(decoded.versions, [M.Version.LITE_02, M.Version.LITE_01, M.Version.IETF_14]);
    assert.equal(decoded.parameters.get(2), 42069);
    assert.deepEqual([...(decoded.parameters.get(7) as Uint8Array)], [...(params.get(7) as Uint8Array)]);
    assert.equal(M.negotiateVersion(decoded.versions), M.Version.LITE_02);
    assert.equal(M.negotiateVersion([M.Version.IETF_14]), undefined);

    const server = M.encodeServerSetup({ version: M.Version.LITE_02, parameters: new Map() });
    const rs = new ByteReader(server);
    assert.equal(rs.varint(), M.StreamType.ServerCompat);
    assert.equal(M.decodeServerSetup(rs.bytes(rs.u16())).version, M.Version.LITE_02);
  });

  for (const v of versions) {
    const name = M.versionName(v);
    it(`round-trips announce messages (${name})`, () => {
      const interest = M.decodeAnnounceInterest(
        body(M.encodeAnnounceInterest({ prefix: 'room/a', excludeHop: 3 }, v)),
        v,
      );
      assert.equal(interest.prefix, 'room/a');
      assert.equal(interest.excludeHop, v === M.Version.LITE_04 ? 3 : 0);
      const hops = v === M.Version.LITE_04 ? [7, 9] : [];
      const a = M.decodeAnnounce(body(M.encodeAnnounce({ active: true, suffix: 'cam', hops }, v)), v);
      assert.deepEqual(a, { active: true, suffix: 'cam', hops });
      const off = M.decodeAnnounce(body(M.encodeAnnounce({ active: false, suffix: 'x/y', hops: [] }, v)), v);
      assert.equal(off.active, false);
      assert.equal(off.suffix, 'x/y');
    });

    it(`round-trips SUBSCRIBE and SUBSCRIBE_OK (${name})`, () => {
      const sub: M.Subscribe = {
        id: 300,
        broadcast: 'demo/bbb',
        track: 'audio/data',
        priority: 80,
        ordered: true,
        maxLatency: 250,
        startGroup: 0,
        endGroup: 17,
      };
      const decoded = M.decodeSubscribe(body(M.encodeSubscribe(sub, v)), v);
      if (v === M.Version.LITE_01 || v === M.Version.LITE_02) {
        assert.deepEqual(decoded, {
          id: 300,
          broadcast: 'demo/bbb',
          track: 'audio/data',
          priority: 80,
          ordered: false,
          maxLatency: 0,
        });
      } else {
        assert.deepEqual(decoded, sub);
      }
      const ok = M.encodeSubscribeOk({ priority: 80, ordered: true, maxLatency: 0, startGroup: 4 }, v);
      const r = new ByteReader(ok);
      if (v === M.Version.LITE_03 || v === M.Version.LITE_04) assert.equal(r.varint(), 0, 'response type OK');
      const okBody = r.bytes(r.varint());
      assert.equal(r.remaining, 0);
      const okDecoded = M.decodeSubscribeOk(okBody, v);
      if (v === M.Version.LITE_02) assert.equal(okBody.length, 0);
      if (v === M.Version.LITE_03 || v === M.Version.LITE_04) assert.equal(okDecoded.startGroup, 4);
    });
  }

  it('round-trips ANNOUNCE_INIT and GROUP headers', () => {
    assert.deepEqual(M.decodeAnnounceInit(body(M.encodeAnnounceInit(['a', 'b/c']))), ['a', 'b/c']);
    const g = M.encodeGroupHeader({ subscribe: 5, sequence: 70000 });
    assert.equal(g[0], M.UNI_GROUP);
    assert.deepEqual(M.decodeGroupHeader(body(g.subarray(1))), { subscribe: 5, sequence: 70000 });
  });

  it('rejects trailing bytes and bad booleans', () => {
    const sub = M.encodeSubscribe(
      { id: 1, broadcast: 'b', track: 't', priority: 0, ordered: false, maxLatency: 0 },
      M.Version.LITE_02,
    );
    const padded = new Uint8Array([...body(sub), 0]);
    assert.throws(() => M.decodeSubscribe(padded, M.Version.LITE_02), /trailing/);
    const badBool = body(M.encodeAnnounce({ active: true, suffix: 'x', hops: [] }, M.Version.LITE_02));
    badBool[0] = 2;
    assert.throws(() => M.decodeAnnounce(badBool, M.Version.LITE_02), /invalid bool/);
  });

  it('handles moq paths segment-wise', () => {
    assert.equal(M.normalizePath('/moq//room/', 'x/'), 'moq/room/x');
    assert.equal(M.stripPathPrefix('moq', 'moq/a/b'), 'a/b');
    assert.equal(M.stripPathPrefix('moq', 'moqx/a'), undefined);
    assert.equal(M.stripPathPrefix('', 'a'), 'a');
    assert.equal(M.joinPath('moq', ''), 'moq');
  });
});
