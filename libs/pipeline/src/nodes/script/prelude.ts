// JavaScript evaluated inside each sandbox before the user's script: the script API (console, telemetry,
// fetch), packet objects, and the return-value rules. It reports results through `out` so the host reads
// a number per call and touches strings or buffers only when a packet is produced.

/** Result codes returned by the prelude's entry points (`out.code` for promises). */
export const enum CallCode {
  Error = -1,
  Drop = 0,
  Forward = 1,
  Text = 2,
  Audio = 3,
  Custom = 4,
  Pending = 5,
}

export const PRELUDE_SOURCE = String.raw`(function () {
  'use strict';
  const g = globalThis;
  const hostSamples = g.__sk_samples, hostLog = g.__sk_log, hostEmit = g.__sk_emit, hostFetch = g.__sk_fetch, hostDsp = g.__sk_dsp;
  delete g.__sk_samples; delete g.__sk_log; delete g.__sk_emit; delete g.__sk_fetch; delete g.__sk_dsp;
  const F32 = Float32Array, stringify = JSON.stringify, parse = JSON.parse, P = Promise, isArray = Array.isArray;
  const IErr = typeof InternalError === 'function' ? InternalError : undefined;

  function fmt(v) {
    if (typeof v === 'string') return v;
    if (v instanceof Error) return v.name + ': ' + v.message;
    try { const s = stringify(v); return s === undefined ? String(v) : s; } catch (e) { return String(v); }
  }
  // Captured now: the script may replace String.prototype.slice later.
  const sliceStr = Function.prototype.call.bind(String.prototype.slice);
  const MAX_LINE = 8192;
  function clip(s) { return s.length > MAX_LINE ? sliceStr(s, 0, MAX_LINE) + '… (' + (s.length - MAX_LINE) + ' more characters)' : s; }
  function join(args) { let s = ''; for (let i = 0; i < args.length; i++) { if (i) s += ' '; s += fmt(args[i]); if (s.length > MAX_LINE) break; } return clip(s); }
  g.console = {
    debug(...a) { hostLog(0, join(a)); },
    log(...a) { hostLog(1, join(a)); },
    info(...a) { hostLog(1, join(a)); },
    warn(...a) { hostLog(2, join(a)); },
    error(...a) { hostLog(3, join(a)); },
  };

  function asObject(d) {
    if (d === undefined || d === null) return {};
    return typeof d === 'object' && !isArray(d) ? Object.assign({}, d) : { value: d };
  }
  function hex(n) { let s = ''; for (let i = 0; i < n; i++) s += ((Math.random() * 16) | 0).toString(16); return s; }
  const spans = new Map();
  g.telemetry = {
    emit(type, data) { return hostEmit(String(type), data === undefined ? undefined : stringify(data)); },
    startSpan(type, data) {
      const id = hex(8) + '-' + hex(4) + '-4' + hex(3) + '-' + '89ab'[(Math.random() * 4) | 0] + hex(3) + '-' + hex(12);
      const base = asObject(data);
      base.span_id = id;
      if (base.correlation_id === undefined) base.correlation_id = base.turn_id !== undefined ? base.turn_id : id;
      spans.set(id, { type: String(type), data: base, start: Date.now() });
      hostEmit(String(type) + '.start', stringify(base));
      return id;
    },
    endSpan(id, data) {
      const s = spans.get(id);
      if (!s) return false;
      spans.delete(id);
      const merged = Object.assign({}, s.data, asObject(data));
      merged.latency_ms = Date.now() - s.start;
      merged.span_id = id;
      return hostEmit(s.type, stringify(merged));
    },
  };
  g.fetch = function fetch(url, options) {
    const o = options === undefined || options === null ? {} : options;
    let headers = '{}';
    if (o.headers) { const h = {}; for (const k of Object.keys(o.headers)) h[k] = String(o.headers[k]); headers = stringify(h); }
    const body = o.body === undefined || o.body === null ? undefined : typeof o.body === 'string' ? o.body : stringify(o.body);
    return hostFetch(String(url), o.method === undefined ? 'GET' : String(o.method), headers, body);
  };

  // Sample loops are slow in an interpreter (~0.1-0.5 us per sample); these run on the host over a copy.
  function bufferOf(s) {
    if (!(s instanceof F32)) throw new TypeError('expected a Float32Array');
    return s.byteOffset === 0 && s.byteLength === s.buffer.byteLength ? s.buffer : s.buffer.slice(s.byteOffset, s.byteOffset + s.byteLength);
  }
  g.dsp = {
    gain(samples, factor) { return new F32(hostDsp(0, bufferOf(samples), +factor)); },
    peak(samples) { return hostDsp(1, bufferOf(samples), 0); },
    rms(samples) { return hostDsp(2, bufferOf(samples), 0); },
  };

  const SAMPLES = Symbol('samples'), CALL = Symbol('call');
  let activeCall = 0;
  class AudioPacket {
    constructor(metadata, call) { this.type = 'Audio'; this.metadata = metadata; this[CALL] = call; }
    get samples() {
      let s = this[SAMPLES];
      if (s === undefined) {
        if (this[CALL] !== activeCall) throw new Error('packet.samples is only readable while process() handles that packet');
        s = new F32(hostSamples());
        this[SAMPLES] = s;
      }
      return s;
    }
    set samples(v) { this[SAMPLES] = v; }
  }

  const out = { code: 0, done: true, fatal: '', text: '', buffer: null, rate: 0, channels: 0, json: '', error: '' };
  function fail(msg) { out.error = clip(msg); return -1; }
  function positiveInt(n) { return typeof n === 'number' && n > 0 && n === Math.floor(n); }

  function classify(ret, input) {
    if (ret === null || ret === undefined) return 0;
    if (typeof ret !== 'object') return fail('process() must return a packet object, null or undefined (got ' + typeof ret + ')');
    const t = ret.type;
    if (t === 'Text') {
      if (typeof ret.data !== 'string') return fail("a returned Text packet needs a string 'data'");
      out.text = ret.data;
      return 2;
    }
    if (t === 'Audio') {
      if (ret === input && input[SAMPLES] === undefined) return 1;
      const s = ret.samples;
      if (!(s instanceof F32)) return fail("a returned Audio packet needs 'samples' as a Float32Array");
      const md = ret.metadata !== null && typeof ret.metadata === 'object' ? ret.metadata : {};
      const im = input instanceof AudioPacket ? input.metadata : {};
      const rate = md.sample_rate !== undefined ? md.sample_rate : im.sample_rate;
      const ch = md.channels !== undefined ? md.channels : im.channels;
      if (!positiveInt(rate) || !positiveInt(ch)) return fail('a returned Audio packet needs metadata.sample_rate and metadata.channels (positive integers)');
      if (s.length % ch !== 0) return fail('a returned Audio packet has ' + s.length + ' samples, not a multiple of ' + ch + ' channels');
      out.buffer = s.byteOffset === 0 && s.byteLength === s.buffer.byteLength ? s.buffer : s.buffer.slice(s.byteOffset, s.byteOffset + s.byteLength);
      out.rate = rate;
      out.channels = ch;
      return 3;
    }
    if (t === 'Custom' && ret !== input) {
      if (typeof ret.type_id !== 'string' || ret.type_id === '') return fail("a returned Custom packet needs a string 'type_id'");
      out.json = stringify({ type_id: ret.type_id, data: ret.data === undefined ? null : ret.data });
      return 4;
    }
    return 1;
  }
  function settle(ret, input) { try { return classify(ret, input); } catch (e) { rethrowFatal(e); return fail(fmt(e)); } }
  function rethrowFatal(e) {
    if (IErr !== undefined && e instanceof IErr && (e.message === 'out of memory' || e.message === 'interrupted')) { out.fatal = e.message; throw e; }
  }

  function run(input) {
    out.error = '';
    out.buffer = null;
    const fn = g.process;
    if (typeof fn !== 'function') return fail("the script no longer defines a global 'process' function");
    let ret;
    try { ret = fn(input); } catch (e) { rethrowFatal(e); return fail(fmt(e)); }
    if (ret !== null && typeof ret === 'object' && typeof ret.then === 'function') {
      const call = activeCall;
      out.done = false;
      P.resolve(ret).then(
        (v) => { if (call === activeCall) { out.code = settle(v, input); out.done = true; } },
        (e) => { if (call === activeCall) { rethrowFatal(e); out.code = fail(fmt(e)); out.done = true; } },
      );
      return 5;
    }
    return settle(ret, input);
  }
  function withTiming(m, ts, dur, seq) {
    if (ts >= 0) m.timestamp_us = ts;
    if (dur >= 0) m.duration_us = dur;
    if (seq >= 0) m.sequence = seq;
    return m;
  }

  return {
    out,
    check() {
      if (typeof g.process !== 'function') throw new Error("Script must define a 'process(packet)' function");
    },
    audio(rate, channels, frames, ts, dur, seq) {
      activeCall++;
      const md = withTiming({ sample_rate: rate, channels, frames, duration_ms: (frames * 1000) / rate }, ts, dur, seq);
      return run(new AudioPacket(md, activeCall));
    },
    text(data) { activeCall++; return run({ type: 'Text', data }); },
    json(s) { activeCall++; return run(parse(s)); },
  };
})()`;
