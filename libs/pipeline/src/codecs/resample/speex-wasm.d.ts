// Types for the Emscripten build of the Speex resampler (the package ships none).
declare module '@echogarden/speex-resampler-wasm/simd' {
  export interface SpeexWasmModule {
    HEAPF32: Float32Array;
    HEAPU32: Uint32Array;
    HEAP32: Int32Array;
    _malloc(bytes: number): number;
    _free(ptr: number): void;
    _speex_resampler_init(
      channels: number,
      inRate: number,
      outRate: number,
      quality: number,
      errPtr: number,
    ): number;
    _speex_resampler_destroy(state: number): void;
    _speex_resampler_skip_zeros(state: number): number;
    _speex_resampler_get_input_latency(state: number): number;
    _speex_resampler_process_interleaved_float(
      state: number,
      input: number,
      inLenPtr: number,
      output: number,
      outLenPtr: number,
    ): number;
  }
  const createModule: (options?: object) => Promise<SpeexWasmModule>;
  export default createModule;
}
