// ScriptSandbox: the script API, packet rules, and the limits (CPU deadline, memory cap, no escapes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AudioPacket, Packet } from '../../core/packets';
import {
  ScriptFatalError,
  ScriptLoadError,
  ScriptSandbox,
  type ScriptOutcome,
  type ScriptSandboxOptions,
} from './sandbox';

function sine(frames = 960, channels = 2, amplitude = 0.8): AudioPacket {
  const samples = new Float32Array(frames * channels);
  for (let i = 0; i < frames; i++) {
    const v = amplitude * Math.sin((2 * Math.PI * 440 * i) / 48000);
    for (let c = 0; c < channels; c++) samples[i * channels + c] = v;
  }
  return { kind: 'audio', sampleRate: 48000, channels, samples, meta: { timestampUs: 20_000, sequence: 1 } };
}

function rms(s: Float32Array): number {
  let acc = 0;
  for (const v of s) acc += v * v;
  return Math.sqrt(acc / s.length);
}

async function sandbox(source: string, opts: Partial<ScriptSandboxOptions> = {}): Promise<ScriptSandbox> {
  return ScriptSandbox.create({ source, timeoutMs: 100, memoryLimitMb: 32, ...opts });
}

async function outcome(sb: ScriptSandbox, p: Packet): Promise<ScriptOutcome> {
  return await sb.process(p);
}

function producedText(o: ScriptOutcome): string {
  assert.equal(o.kind, 'packet');
  assert.equal(o.packet.kind, 'text');
  return o.packet.text;
}

test('a gain script changes the level of the samples (-6 dB)', async () => {
  const sb = await sandbox(`
    const gain = Math.pow(10, -6 / 20);
    function process(packet) {
      const s = packet.samples;
      for (let i = 0; i < s.length; i++) s[i] *= gain;
      return packet;
    }`);
  const input = sine();
  const before = rms(input.samples);
  const o = await outcome(sb, input);
  assert.equal(o.kind, 'packet');
  assert.equal(o.packet.kind, 'audio');
  assert.equal(o.packet.sampleRate, 48000);
  assert.equal(o.packet.channels, 2);
  assert.equal(o.packet.samples.length, input.samples.length);
  assert.deepEqual(o.packet.meta, input.meta);
  const db = 20 * Math.log10(rms(o.packet.samples) / before);
  assert.ok(Math.abs(db + 6) < 0.01, `level changed by ${db} dB`);
  assert.equal(rms(input.samples), before, 'the input packet is not modified in place');
  sb.dispose();
});

test('dsp helpers: gain, peak and rms computed on the host', async () => {
  const sb = await sandbox(
    `
    function process(packet) {
      const before = dsp.peak(packet.samples);
      packet.samples = dsp.gain(packet.samples, 0.5);
      telemetry.emit('levels', { before, after: dsp.peak(packet.samples), rms: dsp.rms(packet.samples) });
      return packet;
    }`,
    { telemetry: (_t, d) => (levels.push(d ?? {}), true) },
  );
  const levels: Record<string, unknown>[] = [];
  const input = sine();
  const o = await outcome(sb, input);
  assert.equal(o.kind, 'packet');
  assert.equal(o.packet.kind, 'audio');
  assert.ok(Math.abs(rms(o.packet.samples) - rms(input.samples) / 2) < 1e-6);
  assert.ok(Math.abs((levels[0].before as number) - 0.8) < 1e-3);
  assert.ok(Math.abs((levels[0].after as number) - 0.4) < 1e-3);
  assert.ok(Math.abs((levels[0].rms as number) - rms(input.samples) / 2) < 1e-6);
  const bad = await outcome(await sandbox('function process(p) { return dsp.gain([1, 2], 2); }'), input);
  assert.deepEqual(bad, { kind: 'error', message: 'TypeError: expected a Float32Array' });
  sb.dispose();
});

test('a packet returned without reading its samples is forwarded as is; metadata is exposed', async () => {
  const sb = await sandbox(`
    let seen;
    function process(p) { seen = p.metadata; return p; }
    globalThis.last = () => seen;`);
  assert.deepEqual(await outcome(sb, sine(960, 2)), { kind: 'forward' });
  const meta = await sandbox(
    `function process(p) { return { type: 'Text', data: JSON.stringify(p.metadata) }; }`,
  );
  assert.deepEqual(JSON.parse(producedText(await outcome(meta, sine(480, 1)))), {
    sample_rate: 48000,
    channels: 1,
    frames: 480,
    duration_ms: 10,
    timestamp_us: 20000,
    sequence: 1,
  });
  sb.dispose();
  meta.dispose();
});

test('a script can create audio of another shape and validates it', async () => {
  const sb = await sandbox(`
    function process(p) {
      if (p.data === 'ok') return { type: 'Audio', metadata: { sample_rate: 16000, channels: 1 }, samples: new Float32Array([0.5, -0.5]) };
      if (p.data === 'odd') return { type: 'Audio', metadata: { sample_rate: 16000, channels: 2 }, samples: new Float32Array(3) };
      return { type: 'Audio', samples: [1, 2] };
    }`);
  const ok = await outcome(sb, { kind: 'text', text: 'ok' });
  assert.equal(ok.kind, 'packet');
  assert.deepEqual(ok.packet, {
    kind: 'audio',
    sampleRate: 16000,
    channels: 1,
    samples: new Float32Array([0.5, -0.5]),
    meta: undefined,
  });
  const odd = await outcome(sb, { kind: 'text', text: 'odd' });
  assert.equal(odd.kind, 'error');
  assert.match(odd.message, /not a multiple of 2 channels/);
  const bad = await outcome(sb, { kind: 'text', text: 'array' });
  assert.equal(bad.kind, 'error');
  assert.match(bad.message, /Float32Array/);
  sb.dispose();
});

test("StreamKit's Text rules: Text creates a packet, null drops, other returns forward, bad values are errors", async () => {
  const sb = await sandbox(`
    let n = 0;
    function process(p) {
      n++;
      if (p.type === 'Text' && p.data === 'drop') return null;
      if (p.type === 'Text' && p.data === 'number') return 42;
      if (p.type === 'Text' && p.data === 'throw') throw new TypeError('boom');
      if (p.type === 'Text') return { type: 'Text', data: p.data.toUpperCase() + ' #' + n };
      if (p.type === 'Transcription') { p.data.text = 'edited'; return p; }
      if (p.type === 'Custom') return { type: 'Custom', type_id: 'out@1', data: { doubled: p.data.v * 2 } };
      return p;
    }`);
  assert.equal(producedText(await outcome(sb, { kind: 'text', text: 'hello' })), 'HELLO #1');
  assert.equal(
    producedText(await outcome(sb, { kind: 'text', text: 'again' })),
    'AGAIN #2',
    'state persists',
  );
  assert.deepEqual(await outcome(sb, { kind: 'text', text: 'drop' }), { kind: 'drop' });
  const num = await outcome(sb, { kind: 'text', text: 'number' });
  assert.equal(num.kind, 'error');
  assert.match(num.message, /must return a packet object/);
  const thrown = await outcome(sb, { kind: 'text', text: 'throw' });
  assert.deepEqual(thrown, { kind: 'error', message: 'TypeError: boom' });
  const tr: Packet = {
    kind: 'transcription',
    text: 'hi',
    segments: [{ text: 'hi', startTimeMs: 0, endTimeMs: 500 }],
  };
  assert.deepEqual(await outcome(sb, tr), { kind: 'forward' });
  const custom = await outcome(sb, { kind: 'custom', typeId: 'in@1', encoding: 'json', data: { v: 21 } });
  assert.equal(custom.kind, 'packet');
  assert.deepEqual(custom.packet, {
    kind: 'custom',
    typeId: 'out@1',
    encoding: 'json',
    data: { doubled: 42 },
    meta: undefined,
  });
  assert.deepEqual(await outcome(sb, { kind: 'binary', data: new Uint8Array(3) }), { kind: 'forward' });
  sb.dispose();
});

test('console.* joins its arguments into the logger; telemetry emit and spans reach the sink', async () => {
  const logs: string[] = [];
  const events: { type: string; data: Record<string, unknown> | undefined }[] = [];
  const sb = await sandbox(
    `function process(p) {
       console.log('level', 3, { a: 1 });
       console.warn('careful');
       console.error(new RangeError('bad'));
       telemetry.emit('custom.event', { n: 1 });
       const id = telemetry.startSpan('llm.call', { turn_id: 't1' });
       const ended = telemetry.endSpan(id, { tokens: 5 });
       return { type: 'Text', data: String(ended) + ':' + telemetry.endSpan('nope') };
     }`,
    {
      log: (level, msg) => logs.push(`${level} ${msg}`),
      telemetry: (type, data) => {
        events.push({ type, data });
        return true;
      },
    },
  );
  assert.equal(producedText(await outcome(sb, { kind: 'text', text: 'x' })), 'true:false');
  assert.deepEqual(logs, ['info level 3 {"a":1}', 'warn careful', 'error RangeError: bad']);
  assert.deepEqual(
    events.map((e) => e.type),
    ['custom.event', 'llm.call.start', 'llm.call'],
  );
  assert.deepEqual(events[0].data, { n: 1 });
  const start = events[1].data as Record<string, unknown>;
  const end = events[2].data as Record<string, unknown>;
  assert.match(
    String(start.span_id),
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  assert.equal(start.correlation_id, 't1');
  assert.equal(end.span_id, start.span_id);
  assert.equal(end.tokens, 5);
  assert.equal(typeof end.latency_ms, 'number');
  sb.dispose();
});

test('while(true){} is stopped within its timeout, even inside try/catch, and the sandbox is dropped', async () => {
  for (const body of [
    'while (true) {}',
    'try { while (true) {} } catch (e) { return { type: "Text", data: "caught" }; }',
  ]) {
    const sb = await sandbox(`function process(p) { ${body} }`, { timeoutMs: 50 });
    const started = performance.now();
    assert.throws(
      () => sb.process({ kind: 'text', text: 'x' }),
      (err: unknown) =>
        err instanceof ScriptFatalError &&
        err.fatal === 'timeout' &&
        /timed out after 50 ms/.test(err.message),
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 50 && elapsed < 50 + 250, `stopped after ${elapsed} ms`);
    assert.equal(sb.disposed, true);
    assert.throws(() => sb.process({ kind: 'text', text: 'x' }), /disposed/);
  }
});

test('a runaway top-level statement fails the load within the load budget', async () => {
  const started = performance.now();
  await assert.rejects(
    sandbox('for (;;) {} function process(p) { return p; }', { timeoutMs: 2500 }),
    (err: unknown) => {
      return err instanceof ScriptLoadError && /timed out after 2500 ms/.test(err.message);
    },
  );
  assert.ok(performance.now() - started < 2500 + 1000);
});

test('a memory hog is stopped at its limit and the host heap does not grow', async () => {
  for (const hog of [
    'const keep = []; for (;;) keep.push(new Float64Array(1 << 16));',
    'const keep = []; for (;;) keep.push({ a: [1, 2, 3], s: "x".repeat(1000) + keep.length });',
    'let s = "x"; for (;;) s = s + s;',
  ]) {
    const sb = await sandbox(`function process(p) { ${hog} }`, { timeoutMs: 5000, memoryLimitMb: 24 });
    const rssBefore = process.memoryUsage().rss;
    let err: unknown;
    try {
      sb.process({ kind: 'text', text: 'x' });
    } catch (e) {
      err = e;
    }
    if (hog.includes('s + s')) {
      // QuickJS refuses strings over 2^30 characters before the heap fills: an ordinary, catchable error.
      assert.equal(err, undefined);
    } else {
      assert.ok(err instanceof ScriptFatalError, String(err));
      assert.equal(err.fatal, 'memory');
      assert.match(err.message, /exceeded its memory limit of 24 MB/);
    }
    assert.ok(process.memoryUsage().rss - rssBefore < 64 * 1048576, 'host memory stayed bounded');
    sb.dispose();
  }
});

test('strings and buffers a script hands the host are bounded: dsp, telemetry, logs, thrown messages', async () => {
  const logs: string[] = [];
  const sb = await sandbox(
    `function process(p) {
      const r = [];
      try { dsp.gain(new Float32Array(1 << 19), 2); } catch (e) { r.push(e.message); }
      try { telemetry.emit('t', { x: 'q'.repeat(100000) }); } catch (e) { r.push(e.message); }
      console.log('z'.repeat(20000));
      if (p.data === 'throw') throw new Error('w'.repeat(50000));
      return { type: 'Text', data: r.join(' | ') };
    }`,
    { memoryLimitMb: 64, maxPacketBytes: 1 << 20, log: (_l, m) => logs.push(m), telemetry: () => true },
  );
  assert.equal(
    producedText(await outcome(sb, { kind: 'text', text: 'x' })),
    'dsp: 2097152 bytes of samples; the limit is 1048576 ([engine.limits] max_packet_bytes) | ' +
      'telemetry data is longer than 65536 characters',
  );
  assert.equal(logs[0], `${'z'.repeat(8192)}… (11808 more characters)`);
  const thrown = await outcome(sb, { kind: 'text', text: 'throw' });
  assert.equal(thrown.kind, 'error');
  assert.ok(
    thrown.message.length < 8300 && thrown.message.endsWith('(41815 more characters)'),
    thrown.message.slice(-40),
  );
  sb.dispose();
});

test('a script that fakes ArrayBuffer and typed array getters still cannot pass more than the limit', async () => {
  const sb = await sandbox(
    `const big = new Float32Array(1 << 20);
    Object.defineProperty(ArrayBuffer.prototype, 'byteLength', { get() { return 16; } });
    Object.defineProperty(Object.getPrototypeOf(Float32Array.prototype), 'length', { get() { return 4; } });
    function process(p) { return { type: 'Audio', samples: big, metadata: { sample_rate: 48000, channels: 2 } }; }`,
    { memoryLimitMb: 64, maxPacketBytes: 1 << 20 },
  );
  const o = await outcome(sb, { kind: 'text', text: 'x' });
  assert.equal(o.kind, 'error');
  assert.match(o.message, /returned an Audio packet \(4194304 bytes\) larger than 1048576 bytes/);
  sb.dispose();
});

test('escapes fail: no host process, require, modules or host functions', async () => {
  const sb = await sandbox(`
    function probe(f) { try { return f(); } catch (e) { return 'threw ' + e.name; } }
    async function process(p) {
      const r = {};
      const viaCtor = probe(() => this.constructor.constructor('return process')());
      r.ctor = typeof viaCtor === 'function' ? (viaCtor === globalThis.process ? 'own process fn' : 'other fn') : String(viaCtor);
      r.env = probe(() => typeof this.constructor.constructor('return process')().env);
      r.fnThis = probe(() => typeof Function('return this')().require);
      r.globalProcess = probe(() => typeof globalThis.process.versions);
      r.require = typeof require;
      r.module = typeof module;
      r.hostFns = typeof __sk_samples + typeof __sk_fetch + typeof __sk_log + typeof __sk_emit + typeof __sk_dsp;
      r.std = typeof std + typeof os;
      try { await import('node:fs'); r.dynImport = 'loaded'; } catch (e) { r.dynImport = 'threw ' + e.name; }
      r.eval = probe(() => typeof eval('process.mainModule'));
      return { type: 'Text', data: JSON.stringify(r) };
    }`);
  const r = JSON.parse(producedText(await outcome(sb, { kind: 'text', text: 'x' }))) as Record<
    string,
    string
  >;
  assert.deepEqual(r, {
    ctor: 'own process fn',
    env: 'undefined',
    fnThis: 'undefined',
    globalProcess: 'undefined',
    require: 'undefined',
    module: 'undefined',
    hostFns: 'undefined'.repeat(5),
    std: 'undefinedundefined',
    dynImport: 'threw ReferenceError',
    eval: 'undefined',
  });
  sb.dispose();
});

test('fetch: resolves through the host fetcher; refusals surface as script errors', async () => {
  const calls: string[] = [];
  const sb = await sandbox(
    `async function process(p) {
       try {
         const body = await fetch(p.data, { method: 'post', headers: { 'x-a': 1 }, body: { q: 1 } });
         return { type: 'Text', data: 'ok:' + body };
       } catch (e) { return { type: 'Text', data: 'refused:' + e.message }; }
     }`,
    {
      fetch: async (url, init) => {
        calls.push(`${init.method} ${url} ${JSON.stringify(init.headers)} ${init.body}`);
        if (url.includes('denied')) throw new Error('Blocked: URL not in global allowlist');
        return 'pong';
      },
    },
  );
  assert.equal(producedText(await outcome(sb, { kind: 'text', text: 'http://h/ok' })), 'ok:pong');
  assert.equal(
    producedText(await outcome(sb, { kind: 'text', text: 'http://h/denied' })),
    'refused:Blocked: URL not in global allowlist',
  );
  assert.deepEqual(calls, [
    'post http://h/ok {"x-a":"1"} {"q":1}',
    'post http://h/denied {"x-a":"1"} {"q":1}',
  ]);
  const none = await sandbox(
    `async function process(p) { return { type: 'Text', data: await fetch('http://h/') }; }`,
  );
  const blocked = await outcome(none, { kind: 'text', text: 'x' });
  assert.deepEqual(blocked, {
    kind: 'error',
    message: 'Error: Blocked: fetch is not available to this script',
  });
  sb.dispose();
  none.dispose();
});

test('an async process that can never settle is reported, not awaited forever', async () => {
  const sb = await sandbox(`function process(p) { return new Promise(() => {}); }`);
  const o = await outcome(sb, { kind: 'text', text: 'x' });
  assert.equal(o.kind, 'error');
  assert.match(o.message, /can never settle/);
  sb.dispose();
});

test('load errors name the problem', async () => {
  await assert.rejects(sandbox('function process(p) {'), /Script validation failed: SyntaxError/);
  await assert.rejects(sandbox('const x = 1;'), /Script must define a 'process\(packet\)' function/);
  await assert.rejects(sandbox('throw new Error("nope")'), /Script validation failed: Error: nope/);
  await assert.rejects(sandbox('function process(p) { return p; }', { memoryLimitMb: 8 }), /at least 16/);
});
