// Example native plugin (Node-API addon, StreamKit-TS native ABI v1, see plugins/ABI.md): gain in dB on
// f32 audio, kind `gain`, registered as `plugin::native::gain`. Built with `npx node-gyp rebuild`.
#include <napi.h>

#include <cmath>
#include <string>

namespace {

constexpr int kAbiVersion = 1;
constexpr int kKindAudio = 0;

const char* kMetadata = R"({
  "kind": "gain",
  "description": "Applies a gain in dB to f32 audio (Node-API example plugin).",
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
})";

struct GainState {
  float gain = 1.0f;
};

// Params arrive as JSON text already validated by the host against the schema; read `gain_db` from it.
float GainFromParams(Napi::Env env, const Napi::Value& json) {
  if (!json.IsString()) return 1.0f;
  Napi::Object JSON = env.Global().Get("JSON").As<Napi::Object>();
  Napi::Value parsed = JSON.Get("parse").As<Napi::Function>().Call(JSON, {json});
  if (!parsed.IsObject()) return 1.0f;
  Napi::Value db = parsed.As<Napi::Object>().Get("gain_db");
  double dB = db.IsNumber() ? db.As<Napi::Number>().DoubleValue() : 0.0;
  return static_cast<float>(std::pow(10.0, dB / 20.0));
}

GainState* Unwrap(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsExternal()) {
    Napi::TypeError::New(info.Env(), "expected an instance handle").ThrowAsJavaScriptException();
    return nullptr;
  }
  return info[0].As<Napi::External<GainState>>().Data();
}

Napi::Value Metadata(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), kMetadata); }

Napi::Value Create(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* state = new GainState();
  state->gain = GainFromParams(env, info.Length() > 0 ? info[0] : env.Undefined());
  if (env.IsExceptionPending()) {
    delete state;
    return env.Undefined();
  }
  // The handle owns the state until destroy(); a finalizer frees it if the host drops it without destroy().
  return Napi::External<GainState>::New(env, state, [](Napi::Env, GainState* s) { delete s; });
}

Napi::Value UpdateParams(const Napi::CallbackInfo& info) {
  GainState* state = Unwrap(info);
  if (state == nullptr) return info.Env().Undefined();
  state->gain = GainFromParams(info.Env(), info.Length() > 1 ? info[1] : info.Env().Undefined());
  return info.Env().Undefined();
}

// process(handle, pin, kind, data, sampleRate, channels, emit)
Napi::Value Process(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  GainState* state = Unwrap(info);
  if (state == nullptr) return env.Undefined();
  if (info.Length() < 7 || !info[6].IsFunction()) {
    Napi::TypeError::New(env, "process(handle, pin, kind, data, sampleRate, channels, emit)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  int kind = info[2].As<Napi::Number>().Int32Value();
  if (kind != kKindAudio || !info[3].IsTypedArray() ||
      info[3].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    Napi::Error::New(env, "gain accepts f32 audio only").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Float32Array in = info[3].As<Napi::Float32Array>();
  size_t n = in.ElementLength();
  // The input belongs to the host and may be shared with other consumers: write into a new array.
  Napi::Float32Array out = Napi::Float32Array::New(env, n);
  const float* src = in.Data();
  float* dst = out.Data();
  const float g = state->gain;
  for (size_t i = 0; i < n; i++) dst[i] = src[i] * g;
  info[6].As<Napi::Function>().Call({Napi::Number::New(env, 0), Napi::Number::New(env, kKindAudio), out, info[4], info[5]});
  return env.Undefined();
}

Napi::Value Destroy(const Napi::CallbackInfo& info) {
  // The External's finalizer frees the state; destroy only marks the end of the instance's life.
  Unwrap(info);
  return info.Env().Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("abiVersion", Napi::Number::New(env, kAbiVersion));
  exports.Set("metadata", Napi::Function::New(env, Metadata, "metadata"));
  exports.Set("create", Napi::Function::New(env, Create, "create"));
  exports.Set("updateParams", Napi::Function::New(env, UpdateParams, "updateParams"));
  exports.Set("process", Napi::Function::New(env, Process, "process"));
  exports.Set("destroy", Napi::Function::New(env, Destroy, "destroy"));
  return exports;
}

}  // namespace

NODE_API_MODULE(gain, Init)
