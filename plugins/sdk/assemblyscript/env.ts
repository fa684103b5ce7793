// Host imports of ABI v1. AssemblyScript names the import module after this file, so these are `env.sk_*`.

export declare function sk_emit(
  pin: i32,
  kind: i32,
  ptr: usize,
  len: i32,
  sampleRate: i32,
  channels: i32,
): i32;

export declare function sk_log(level: i32, ptr: usize, len: i32): void;

export declare function sk_telemetry(typePtr: usize, typeLen: i32, jsonPtr: usize, jsonLen: i32): i32;
