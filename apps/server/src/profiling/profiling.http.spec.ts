// GET /api/v1/profile/{cpu,heap} on a real server: the CPU profile decodes as pprof (checked by a small
// protobuf reader below) and names the function that burned CPU, the flamegraph is SVG, and the gates
// (403 non-admin, 501 disabled, 400 out of range, 429 concurrent) hold.
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../testing/test-server';
import { DISABLED_MESSAGE } from './profiling.service';

/** Field number -> raw values (varints as bigint, length-delimited as bytes), in order. */
type Fields = Map<number, (bigint | Buffer)[]>;

function readVarint(buf: Buffer, pos: { i: number }): bigint {
  let result = 0n;
  let shift = 0n;
  for (;;) {
    assert.ok(pos.i < buf.length, 'truncated varint');
    const b = buf[pos.i++];
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return result;
    shift += 7n;
  }
}

function decode(buf: Buffer): Fields {
  const fields: Fields = new Map();
  const pos = { i: 0 };
  while (pos.i < buf.length) {
    const key = Number(readVarint(buf, pos));
    const field = key >> 3;
    const wire = key & 7;
    let value: bigint | Buffer;
    if (wire === 0) value = readVarint(buf, pos);
    else if (wire === 2) {
      const len = Number(readVarint(buf, pos));
      assert.ok(pos.i + len <= buf.length, `field ${field} overruns the message`);
      value = buf.subarray(pos.i, pos.i + len);
      pos.i += len;
    } else throw new Error(`unexpected wire type ${wire} for field ${field}`);
    fields.set(field, [...(fields.get(field) ?? []), value]);
  }
  return fields;
}

const one = (f: Fields, n: number): bigint => (f.get(n)?.[0] as bigint | undefined) ?? 0n;
const msgs = (f: Fields, n: number): Fields[] => (f.get(n) ?? []).map((b) => decode(b as Buffer));
/** A packed repeated varint field (or unpacked values, both are legal). */
function packed(f: Fields, n: number): bigint[] {
  const out: bigint[] = [];
  for (const v of f.get(n) ?? []) {
    if (typeof v === 'bigint') out.push(v);
    else for (const pos = { i: 0 }; pos.i < v.length;) out.push(readVarint(v, pos));
  }
  return out;
}

interface ParsedProfile {
  strings: string[];
  sampleTypes: string[];
  samples: { locations: bigint[]; values: bigint[] }[];
  functionNames: string[];
  period: bigint;
}

/** Decodes a gzipped pprof `Profile` and checks every cross-reference (string, location, function ids). */
function parsePprof(gz: Buffer): ParsedProfile {
  const p = decode(gunzipSync(gz));
  const strings = (p.get(6) ?? []).map((b) => (b as Buffer).toString('utf8'));
  assert.equal(strings[0], '', 'string_table[0] must be empty');
  const str = (i: bigint) => {
    assert.ok(i < BigInt(strings.length), `string index ${i} out of range`);
    return strings[Number(i)];
  };
  const sampleTypes = msgs(p, 1).map((vt) => `${str(one(vt, 1))}/${str(one(vt, 2))}`);
  const functions = new Map(msgs(p, 5).map((f) => [one(f, 1), str(one(f, 2))]));
  const locations = new Map(
    msgs(p, 4).map((l) => {
      const lines = msgs(l, 4);
      for (const line of lines) assert.ok(functions.has(one(line, 1)), 'line names an unknown function');
      return [one(l, 1), lines] as const;
    }),
  );
  assert.equal(msgs(p, 3).length, 1, 'one mapping');
  const samples = msgs(p, 2).map((s) => {
    const locs = packed(s, 1);
    for (const id of locs) assert.ok(locations.has(id), `sample names unknown location ${id}`);
    const values = packed(s, 2);
    assert.equal(values.length, sampleTypes.length, 'one value per sample type');
    return { locations: locs, values };
  });
  return { strings, sampleTypes, samples, functionNames: [...functions.values()], period: one(p, 12) };
}

/** The frames the profiles must show (V8 may inline `spinCpu` into its caller, so either counts). */
const BUSY = /^(spinCpu|burnCpuUntil)$/;

/** Pure arithmetic for about `ms`. */
function spinCpu(ms: number): number {
  const end = Date.now() + ms;
  let x = 0;
  while (Date.now() < end) for (let i = 0; i < 10_000; i++) x = (x * 31 + i) % 1000003;
  return x;
}

/** Keeps this thread busy in slices (so the server's timers still fire) until `done` settles. */
async function burnCpuUntil(done: Promise<unknown>): Promise<void> {
  let settled = false;
  void done.finally(() => (settled = true));
  while (!settled) {
    assert.ok(spinCpu(15) >= 0);
    await new Promise((r) => setImmediate(r));
  }
}

describe('REST /api/v1/profile (enabled)', () => {
  let server: TestServer;
  const get = (path: string, role = 'admin') =>
    fetch(`${server.url}${path}`, { headers: { 'x-role': role } });

  before(async () => {
    server = await startTestServer({
      config: {
        profiling: { enabled: true },
        permissions: { role_header: 'x-role', roles: { viewer: { list_sessions: true } } },
      },
    });
  });
  after(() => server.close());

  it('returns a gzipped pprof CPU profile that names the hot function', async () => {
    const res = get('/api/v1/profile/cpu?duration_secs=1&format=protobuf&frequency=1000');
    await burnCpuUntil(res);
    const r = await res;
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal(r.headers.get('content-type'), 'application/octet-stream');
    assert.equal(r.headers.get('content-disposition'), 'attachment; filename="profile.pb.gz"');
    const prof = parsePprof(Buffer.from(await r.arrayBuffer()));
    assert.deepEqual(prof.sampleTypes, ['samples/count', 'cpu/nanoseconds']);
    assert.equal(prof.period, 1_000_000n, '1000 Hz is a 1 ms period');
    const total = prof.samples.reduce((n, s) => n + s.values[0], 0n);
    assert.ok(total > 100n, `expected hundreds of 1 ms samples in 1 s, got ${total}`);
    assert.ok(
      prof.functionNames.some((n) => BUSY.test(n)),
      'the busy test function appears',
    );
  });

  it('renders a flamegraph SVG, and refuses a second concurrent profile with 429', async () => {
    const first = get('/api/v1/profile/cpu?duration_secs=1&frequency=500');
    const burning = burnCpuUntil(first);
    await new Promise((r) => setTimeout(r, 100));
    const second = await get('/api/v1/profile/cpu?duration_secs=1&format=protobuf');
    assert.equal(second.status, 429);
    assert.match(await second.text(), /already running/);
    await burning;
    const r = await first;
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/svg+xml');
    const svg = await r.text();
    assert.match(svg, /^<\?xml[^>]*\?>\s*<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.equal(svg.split('<g>').length, svg.split('</g>').length, 'balanced groups');
    assert.match(svg, /<title>(spinCpu|burnCpuUntil) [^<]*\(\d+ samples, [\d.]+%\)<\/title>/);
    assert.ok((svg.match(/<rect /g) ?? []).length > 3);
  });

  it('returns the sampled live heap as gzipped pprof', async () => {
    const r = await get('/api/v1/profile/heap');
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal(r.headers.get('content-disposition'), 'attachment; filename="heap.pb.gz"');
    const prof = parsePprof(Buffer.from(await r.arrayBuffer()));
    assert.deepEqual(prof.sampleTypes, ['inuse_objects/count', 'inuse_space/bytes']);
    const bytes = prof.samples.reduce((n, s) => n + s.values[1], 0n);
    assert.ok(bytes > 0n && prof.samples.length > 0, 'the server has allocated since startup');
  });

  it('is admin only and validates its parameters', async () => {
    for (const path of ['/api/v1/profile/cpu?duration_secs=1', '/api/v1/profile/heap']) {
      const denied = await get(path, 'viewer');
      assert.equal(denied.status, 403);
      assert.equal(await denied.text(), 'Permission denied: requires access to all sessions');
    }
    for (const q of [
      'duration_secs=0',
      'duration_secs=301',
      'duration_secs=1.5',
      'frequency=0',
      'frequency=10001',
      'format=svg',
    ]) {
      const bad = await get(`/api/v1/profile/cpu?${q}`);
      assert.equal(bad.status, 400, q);
    }
  });
});

describe('REST /api/v1/profile (disabled)', () => {
  it('answers 501 with what to set', async () => {
    const server = await startTestServer();
    try {
      for (const path of ['/api/v1/profile/cpu?duration_secs=1', '/api/v1/profile/heap']) {
        const r = await fetch(`${server.url}${path}`);
        assert.equal(r.status, 501);
        assert.equal(await r.text(), DISABLED_MESSAGE);
      }
    } finally {
      await server.close();
    }
  });
});
