// Example WebAssembly plugin: gain in dB on f32 audio (kind `gain`, registered as `plugin::wasm::gain`),
// tunable while running, with a peak level reported as telemetry once per second of audio.
import {
  KIND_AUDIO,
  emitAudioRaw,
  jsonNumber,
  readString,
  returnString,
  setError,
  telemetry,
} from '../../../sdk/assemblyscript/index';

export { sk_abi_version, sk_alloc, sk_free, sk_last_error } from '../../../sdk/assemblyscript/index';

const METADATA = `{
  "kind": "gain",
  "description": "Applies a gain in dB to f32 audio (AssemblyScript example plugin).",
  "categories": ["audio", "filters", "example"],
  "params": {
    "type": "object",
    "properties": {
      "gain_db": { "type": "number", "default": 0, "minimum": -60, "maximum": 20, "tunable": true,
                   "description": "Gain in decibels; linear gain = 10^(dB/20)." }
    }
  },
  "inputs": [{ "name": "in", "accepts_types": [{ "RawAudio": { "sample_rate": 0, "channels": 0, "sample_format": "F32" } }] }],
  "outputs": [{ "name": "out", "produces_type": { "RawAudio": { "sample_rate": 0, "channels": 0, "sample_format": "F32" } } }]
}`;

class GainState {
  gain: f32 = 1;
  peak: f32 = 0;
  frames: i32 = 0;
}

const instances = new Map<i32, GainState>();
let nextHandle: i32 = 1;

function linear(db: f64): f32 {
  return <f32>Math.pow(10, db / 20);
}

export function sk_metadata(): usize {
  return returnString(METADATA);
}

export function sk_create(paramsPtr: usize, paramsLen: i32): i32 {
  const s = new GainState();
  s.gain = linear(jsonNumber(readString(paramsPtr, paramsLen), 'gain_db', 0));
  const h = nextHandle++;
  instances.set(h, s);
  return h;
}

export function sk_update_params(handle: i32, paramsPtr: usize, paramsLen: i32): i32 {
  if (!instances.has(handle)) {
    setError('unknown instance ' + handle.toString());
    return 1;
  }
  instances.get(handle).gain = linear(jsonNumber(readString(paramsPtr, paramsLen), 'gain_db', 0));
  return 0;
}

export function sk_process(
  handle: i32,
  pin: i32,
  kind: i32,
  ptr: usize,
  len: i32,
  sampleRate: i32,
  channels: i32,
): i32 {
  if (!instances.has(handle)) {
    setError('unknown instance ' + handle.toString());
    return 1;
  }
  if (kind != KIND_AUDIO) {
    setError('gain accepts f32 audio only (got packet kind ' + kind.toString() + ')');
    return 1;
  }
  const s = instances.get(handle);
  const g = s.gain;
  const n = len >> 2;
  let peak = s.peak;
  // The host owns the input buffer for the duration of the call: scale it in place and emit it.
  for (let i = 0; i < n; i++) {
    const p = ptr + ((<usize>i) << 2);
    const v = load<f32>(p) * g;
    store<f32>(p, v);
    const a = Mathf.abs(v);
    if (a > peak) peak = a;
  }
  s.peak = peak;
  s.frames += n / max(channels, 1);
  if (s.frames >= sampleRate && sampleRate > 0) {
    telemetry('gain.peak', '{"peak":' + peak.toString() + '}');
    s.peak = 0;
    s.frames = 0;
  }
  return emitAudioRaw(0, ptr, len, sampleRate, channels);
}

export function sk_destroy(handle: i32): void {
  instances.delete(handle);
}
