import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { NodeContext, Receiver, Sender } from '../../core/node';
import { EOS, type Packet } from '../../core/packets';
import { NodeRegistry } from '../../registry/registry';
import { createDefaultRegistry } from '../../registry/default';
import { collectNodeOutputs, permissiveServices, runOneshotGraph } from '../../testing';
import { fileReaderNode, fileWriterNode } from './file-io';
import { httpFetcherNode } from './http-fetcher';
import { checkFetchUrl } from '../../security/fetch-policy';
import { jsonSerializeNode } from './json-serialize';
import { pacerNode } from './pacer';
import { passthroughNode, sinkNode } from './passthrough';
import { telemetryOutNode, telemetryTapNode } from './telemetry-nodes';
import { extractChunks, textChunkerNode } from './text-chunker';

const FIXTURE = resolve(__dirname, '../../../../../../samples/audio/system/speech_en_48k_stereo.opus.ogg');
const text = (t: string): Packet => ({ kind: 'text', text: t });
const bin = (s: string, durationUs?: number): Packet => ({
  kind: 'binary',
  data: new TextEncoder().encode(s),
  meta: durationUs === undefined ? undefined : { durationUs },
});
const concat = (ps: Packet[]) =>
  Buffer.concat(ps.map((p) => (p.kind === 'binary' ? p.data : new Uint8Array())));

describe('core::passthrough and core::sink', () => {
  it('forwards every packet in order and ends Stopped', async () => {
    const audio: Packet = {
      kind: 'audio',
      sampleRate: 48000,
      channels: 2,
      samples: new Float32Array([0.75, 0.75]),
    };
    const r = await collectNodeOutputs(passthroughNode, {}, [audio, text('a'), bin('b')]);
    assert.deepEqual(r.packets, [audio, text('a'), bin('b')]);
    assert.deepEqual(r.states, ['Initializing', 'Running', { Stopped: { reason: 'input_closed' } }]);
    assert.equal(r.stats.received, 3);
    const s = await collectNodeOutputs(sinkNode, {}, [text('a'), text('b')]);
    assert.equal(s.stats.discarded, 2);
  });
});

describe('core::file_reader / core::file_writer', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skit-core-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file in chunk_size pieces after Ready', async () => {
    const r = await collectNodeOutputs(fileReaderNode, { path: FIXTURE, chunk_size: 1000 }, [], {
      services: permissiveServices(),
    });
    assert.deepEqual(concat(r.packets), await readFile(FIXTURE));
    assert.ok(r.packets.slice(0, -1).every((p) => p.kind === 'binary' && p.data.byteLength === 1000));
    assert.deepEqual(r.states, ['Initializing', 'Ready', 'Running', { Stopped: { reason: 'completed' } }]);
  });

  it('refuses paths outside the allow-list and missing files', async () => {
    const reg = new NodeRegistry([fileReaderNode, fileWriterNode]);
    const deny = {
      resolveReadPath: () => {
        throw new Error('outside samples/**');
      },
    };
    assert.deepEqual(reg.checkParams('core::file_reader', { path: '/etc/passwd' }, deny).problems, [
      { path: '/path', message: "path '/etc/passwd' is not allowed for reading: outside samples/**" },
    ]);
    assert.match(
      reg.checkParams('core::file_writer', { path: 'x' }, {}).problems[0].message,
      /file writing is not enabled/,
    );
    const missing = await collectNodeOutputs(fileReaderNode, { path: join(dir, 'nope') }, [], {
      services: permissiveServices(),
    });
    const last = missing.states.at(-1);
    assert.ok(typeof last === 'object' && 'Failed' in last && /Failed to open file/.test(last.Failed.reason));
  });

  it('writes received Binary packets to a file', async () => {
    const target = join(dir, 'out.bin');
    const packets = Array.from({ length: 9 }, (_, i) => bin(`chunk${i};`));
    const r = await collectNodeOutputs(
      fileWriterNode,
      { path: target, chunk_size: 20 },
      [...packets, text('ignored')],
      { services: permissiveServices() },
    );
    assert.equal(await readFile(target, 'utf8'), packets.map((_, i) => `chunk${i};`).join(''));
    assert.equal(r.stats.discarded, 1);
  });

  it('serves a oneshot pipeline from a file without an upload', async () => {
    const yaml = `mode: oneshot\nsteps:\n  - kind: core::file_reader\n    params: { path: ${FIXTURE} }\n  - kind: core::passthrough\n  - kind: streamkit::http_output\n`;
    const r = await runOneshotGraph(createDefaultRegistry(), yaml, { services: permissiveServices() });
    assert.deepEqual(Buffer.from(r.output), await readFile(FIXTURE));
  });
});

describe('core::json_serialize', () => {
  it('emits StreamKit tagged JSON', async () => {
    const r = await collectNodeOutputs(jsonSerializeNode, { newline_delimited: true }, [
      text('hi'),
      { kind: 'binary', data: new Uint8Array([1, 2, 3]), meta: { sequence: 4 } },
      { kind: 'audio', sampleRate: 16000, channels: 1, samples: new Float32Array([0.5, -0.5]) },
      { kind: 'custom', typeId: 'x@1', encoding: 'json', data: { a: 1 } },
    ]);
    const lines = Buffer.concat(r.packets.map((p) => (p.kind === 'binary' ? p.data : new Uint8Array())))
      .toString()
      .split('\n');
    assert.deepEqual(JSON.parse(lines[0]), { Text: 'hi' });
    assert.deepEqual(JSON.parse(lines[1]), {
      Binary: {
        data: 'AQID',
        content_type: null,
        metadata: { timestamp_us: null, duration_us: null, sequence: 4 },
      },
    });
    assert.deepEqual(JSON.parse(lines[2]), {
      Audio: { sample_rate: 16000, channels: 1, samples: [0.5, -0.5], metadata: null },
    });
    assert.deepEqual(JSON.parse(lines[3]), {
      Custom: { type_id: 'x@1', encoding: 'json', data: { a: 1 }, metadata: null },
    });
    assert.equal(r.packets[0].kind === 'binary' && r.packets[0].contentType, 'application/json');
  });
});

describe('core::text_chunker', () => {
  const p = { split_mode: 'sentences' as const, min_length: 10, chunk_words: 5 };
  it('cuts at the earliest sentence boundary once min_length is reached', () => {
    assert.deepEqual(extractChunks('Hi. ', p), { chunks: [], rest: 'Hi. ' });
    assert.deepEqual(extractChunks('Is it? Yes. Then more', p), {
      chunks: ['Is it?', 'Yes.'],
      rest: 'Then more',
    });
    assert.deepEqual(
      extractChunks('One, two; three. ', { ...p, split_mode: 'clauses', min_length: 3 }).chunks,
      ['One,', 'two;', 'three.'],
    );
    assert.deepEqual(extractChunks('a b c d e f g', { ...p, split_mode: 'words', chunk_words: 3 }), {
      chunks: ['a b c', 'd e f'],
      rest: 'g',
    });
  });

  it('streams chunks and flushes the remainder at end of input', async () => {
    const r = await collectNodeOutputs(textChunkerNode, {}, [
      text('Hello there, world. This is a te'),
      bin('st of chunks! And the tail'),
    ]);
    assert.deepEqual(
      r.packets.map((x) => (x.kind === 'text' ? x.text : '')),
      ['Hello there, world.', 'This is a test of chunks!', 'And the tail'],
    );
  });

  it('fails on invalid UTF-8', async () => {
    const r = await collectNodeOutputs(textChunkerNode, {}, [
      { kind: 'binary', data: new Uint8Array([0xff, 0xfe]) },
    ]);
    const last = r.states.at(-1);
    assert.ok(typeof last === 'object' && 'Failed' in last && /Invalid UTF-8/.test(last.Failed.reason));
  });
});

describe('core::pacer', () => {
  it('releases packets one duration apart, divided by speed', async () => {
    const start = performance.now();
    const r = await collectNodeOutputs(
      pacerNode,
      { speed: 2 },
      Array.from({ length: 5 }, (_, i) => bin(`${i}`, 40_000)),
    );
    const elapsed = performance.now() - start;
    assert.equal(r.packets.length, 5);
    assert.ok(elapsed >= 90, `5 x 40 ms at speed 2 took ${elapsed.toFixed(0)} ms`);
    const fast = await collectNodeOutputs(pacerNode, { speed: 100 }, [
      bin('a', 1000),
      bin('b', 1000),
      text('c'),
    ]);
    assert.equal(fast.packets.length, 3);
  });

  // A worker's event loop runs many sessions: when a turn spends its budget an input answers tryRecv()
  // with nothing while packets wait. That is not starvation: the pacer keeps its clock and catches up the
  // time the long turn took. Only a really empty queue restarts the clock (no burst after a source gap).
  for (const [gap, expectMs] of [
    ['yield', [380, 470]],
    ['starve', [510, 700]],
  ] as const) {
    it(`${gap === 'yield' ? 'catches up after a turn-budget yield' : 'restarts its clock after a real gap'} (20 x 20 ms, a 150 ms stall at packet 5)`, async () => {
      const packets = Array.from({ length: 20 }, (_, i) => bin(`${i}`, 20_000));
      let next = 0;
      let stalled = false;
      const input: Receiver = {
        get queued() {
          return gap === 'starve' && next === 5 && !stalled ? 0 : packets.length - next;
        },
        tryRecv() {
          if (next === 5 && !stalled) return undefined;
          return next < packets.length ? packets[next++] : EOS;
        },
        async recv() {
          if (next === 5 && !stalled) {
            await new Promise((r) => setTimeout(r, 150));
            stalled = true;
          }
          return next < packets.length ? packets[next++] : EOS;
        },
        waitReadable: () => Promise.resolve(),
      };
      const sent: number[] = [];
      const output: Sender = {
        closed: false,
        trySend: () => true,
        send: () => void sent.push(performance.now()),
      };
      const abort = new AbortController();
      const ctx = {
        input: () => input,
        output: () => output,
        setState: () => undefined,
        signal: abort.signal,
      } as unknown as NodeContext;
      const params = { speed: 1, buffer_size: 16, initial_burst_packets: 0 };
      const start = performance.now();
      await pacerNode.create(params, ctx).run();
      const elapsed = sent[sent.length - 1] - start;
      assert.equal(sent.length, 20);
      assert.ok(
        elapsed >= expectMs[0] && elapsed <= expectMs[1],
        `${gap}: the last packet left after ${elapsed.toFixed(0)} ms, expected ${expectMs[0]}-${expectMs[1]} ms`,
      );
    });
  }

  it('takes speed live and rejects bad values', async () => {
    const reg = new NodeRegistry([pacerNode]);
    assert.match(
      reg.checkParams('core::pacer', { speed: 0 }).problems[0].message,
      /param 'speed' must be > 0/,
    );
    assert.match(
      reg.checkParams('core::pacer', { buffer_size: 0 }).problems[0].message,
      /param 'buffer_size' must be >= 1/,
    );
    const start = performance.now();
    const r = await collectNodeOutputs(
      pacerNode,
      { speed: 0.01 },
      Array.from({ length: 4 }, () => bin('x', 50_000)),
      {
        onStart: ({ instance }) =>
          instance.tune?.({ speed: 1000, buffer_size: 16, initial_burst_packets: 0 }, { speed: 1000 }),
      },
    );
    assert.equal(r.packets.length, 4);
    assert.ok(performance.now() - start < 2000);
  });
});

describe('core::telemetry_tap / core::telemetry_out', () => {
  it('passes packets through and reports selected types', async () => {
    const r = await collectNodeOutputs(
      telemetryTapNode,
      { packet_types: ['Text', 'Custom'], event_type_filter: ['vad.*'] },
      [
        text('hello'),
        {
          kind: 'custom',
          typeId: 'plugin::native::vad/vad-event@1',
          encoding: 'json',
          data: { event_type: 'start' },
        },
        { kind: 'custom', typeId: 'other@1', encoding: 'json', data: { event_type: 'other.x' } },
      ],
    );
    assert.equal(r.packets.length, 3);
    assert.deepEqual(
      r.telemetry.map((e) => e.data.event_type),
      ['text.received', 'vad.start'],
    );
    assert.equal(r.telemetry[1].data.source_event_type, 'start');
    assert.equal(r.telemetry[1].type_id, 'core::telemetry/event@1');
  });

  it('emits stt.result from the sink version and enforces max_events_per_sec', async () => {
    const packets: Packet[] = Array.from({ length: 8 }, () => ({
      kind: 'transcription',
      text: 'words',
      segments: [],
      language: 'en',
    }));
    const r = await collectNodeOutputs(telemetryOutNode, { max_events_per_sec: 5 }, packets);
    const stt = r.telemetry.filter((e) => e.data.event_type === 'stt.result');
    assert.equal(stt.length, 5);
    assert.deepEqual(stt[0].data, {
      text_preview: 'words',
      text_length: 5,
      segment_count: 0,
      language: 'en',
      event_type: 'stt.result',
    });
    assert.ok(r.telemetry.some((e) => e.data.event_type === 'telemetry.health'));
  });
});

describe('transport::http::fetcher', () => {
  let server: Server;
  let base: string;
  const body = Buffer.from('0123456789'.repeat(2000));
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/data' || req.url === '/redir/data') res.end(body);
      else if (req.url === '/secret') res.end('SECRET');
      else if (req.url === '/moved') res.writeHead(302, { location: '/data' }).end();
      else if (req.url === '/redir/hop') res.writeHead(302, { location: '/secret' }).end();
      else if (req.url === '/redir/ok') res.writeHead(307, { location: 'data' }).end();
      else if (req.url === '/redir/loop') res.writeHead(301, { location: '/redir/loop' }).end();
      else if (req.url === '/redir/scheme') res.writeHead(302, { location: 'file:///etc/passwd' }).end();
      else if (req.url === '/slow') setTimeout(() => res.end('late'), 2000);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('delivers the body exactly, re-chunked to chunk_size', async () => {
    const r = await collectNodeOutputs(httpFetcherNode, { url: `${base}/data`, chunk_size: 3000 }, [], {
      services: permissiveServices(),
    });
    assert.deepEqual(concat(r.packets), body);
    assert.deepEqual(
      r.packets.map((p) => (p.kind === 'binary' ? p.data.byteLength : 0)),
      [3000, 3000, 3000, 3000, 3000, 3000, 2000],
    );
    assert.deepEqual(r.states, ['Initializing', 'Ready', 'Running', { Stopped: { reason: 'completed' } }]);
  });

  it('fails on HTTP errors, redirects and timeouts', async () => {
    const services = permissiveServices();
    const fail = async (path: string, extra = {}) => {
      const r = await collectNodeOutputs(httpFetcherNode, { url: `${base}${path}`, ...extra }, [], {
        services,
      });
      const last = r.states.at(-1);
      return typeof last === 'object' && 'Failed' in last ? last.Failed.reason : '';
    };
    assert.equal(await fail('/missing'), 'HTTP error: 404');
    assert.equal(
      await fail('/redir/loop'),
      `HTTP request to '${base}/redir/loop' failed: too many redirects (more than 5) from '${base}/redir/loop'`,
    );
    assert.match(await fail('/slow', { connect_timeout_ms: 100 }), /no response within 100 ms/);
  });

  // Issue #23 finding 6: the allow-list is matched against the URL that is requested, at every hop.
  it('matches the allow-list on the normalised URL and checks every redirect hop', async () => {
    const services = { checkFetchUrl: (url: string) => void checkFetchUrl([`${base}/redir*`], url) };
    const reason = async (path: string) => {
      const r = await collectNodeOutputs(httpFetcherNode, { url: `${base}${path}` }, [], { services });
      const last = r.states.at(-1);
      return {
        packets: r.packets,
        reason: typeof last === 'object' && 'Failed' in last ? last.Failed.reason : '',
      };
    };
    const reg = new NodeRegistry([httpFetcherNode]);
    for (const path of ['/redir/../secret', '/redir/%2e%2E/secret', '/redir\\..\\secret']) {
      const problems = reg.checkParams(
        'transport::http::fetcher',
        { url: `${base}${path}` },
        services,
      ).problems;
      assert.match(
        problems[0]?.message ?? '',
        /is not allowed: URL 'http:\/\/127\.0\.0\.1:\d+\/secret' is not allowed/,
        path,
      );
      // Refused again when the node starts (the run checks what it requests, not only validation).
      await assert.rejects(
        collectNodeOutputs(httpFetcherNode, { url: `${base}${path}` }, [], { services }),
        /is not allowed/,
      );
    }
    assert.match(
      reg.checkParams('transport::http::fetcher', { url: `${base}/redir%2F..%2Fsecret` }, services)
        .problems[0].message,
      /encoded '\/' or '\\' in its path \(%2F, %5C\)/,
    );
    const hop = await reason('/redir/hop');
    assert.equal(hop.packets.length, 0);
    assert.match(
      hop.reason,
      new RegExp(`redirect from '${base}/redir/hop' to '${base}/secret' refused: URL .* is not allowed`),
    );
    assert.match((await reason('/redir/scheme')).reason, /only http and https are followed/);
    const ok = await reason('/redir/ok');
    assert.equal(ok.reason, '');
    assert.deepEqual(concat(ok.packets), body);
  });

  it('checks the URL allow-list and scheme', () => {
    const reg = new NodeRegistry([httpFetcherNode]);
    assert.match(
      reg.checkParams('transport::http::fetcher', { url: 'http://x.test/' }, {}).problems[0].message,
      /fetching URLs is not enabled/,
    );
    assert.match(
      reg.checkParams('transport::http::fetcher', { url: 'file:///etc/passwd' }, permissiveServices())
        .problems[0].message,
      /only http and https/,
    );
    const deny = {
      checkFetchUrl: () => {
        throw new Error('host not in allow-list');
      },
    };
    assert.match(
      reg.checkParams('transport::http::fetcher', { url: 'http://x.test/' }, deny).problems[0].message,
      /not allowed: host not in allow-list/,
    );
  });

  it('starts inside a oneshot pipeline', async () => {
    const yaml = `mode: oneshot\nsteps:\n  - kind: transport::http::fetcher\n    params: { url: "${base}/data" }\n  - kind: streamkit::http_output\n`;
    const r = await runOneshotGraph(createDefaultRegistry(), yaml, { services: permissiveServices() });
    assert.deepEqual(Buffer.from(r.output), body);
  });
});
