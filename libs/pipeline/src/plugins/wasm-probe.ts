// The first run of an unknown WASM plugin module (its start function, `sk_abi_version`, `sk_metadata`), in a
// worker thread of its own that `wasm-plugin.ts` terminates after a timeout: a module that loops at load cannot
// hang the server. Answers `{ version, metadata }` or `{ error }`.
import { parentPort, workerData } from 'node:worker_threads';
import { wasmApi } from './wasm-api';

export interface WasmProbeInput {
  bytes: Uint8Array;
  initial: number;
  maximum: number;
}

export type WasmProbeAnswer = { version: number; metadata: string } | { error: string };

function probe({ bytes, initial, maximum }: WasmProbeInput): WasmProbeAnswer {
  const memory = new wasmApi.Memory({ initial, maximum });
  const noop = () => 0;
  const env = {
    memory,
    sk_emit: noop,
    sk_log: noop,
    sk_telemetry: noop,
    abort: () => {
      throw new Error('abort called');
    },
  };
  try {
    const exports = new wasmApi.Instance(new wasmApi.Module(bytes), { env }).exports as {
      sk_abi_version(): number;
      sk_metadata(): number;
    };
    const version = exports.sk_abi_version();
    const ptr = exports.sk_metadata();
    const buf = new Uint8Array(memory.buffer);
    let metadata = '';
    if (ptr > 0 && ptr + 4 <= buf.length) {
      const len = new DataView(memory.buffer).getUint32(ptr, true);
      if (ptr + 4 + len <= buf.length) {
        metadata = Buffer.from(buf.subarray(ptr + 4, ptr + 4 + len)).toString('utf8');
      }
    }
    return { version, metadata };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

parentPort?.postMessage(probe(workerData as WasmProbeInput));
