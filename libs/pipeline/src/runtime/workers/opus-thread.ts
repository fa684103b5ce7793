// Imported first by the worker entry: points @evan/opus at this worker's own copy of its addon (or the WASM
// build) before any module loads it. See codecs/opus/addon-copies.
import { workerData } from 'node:worker_threads';
import { useOpusAddonCopy } from '../../codecs/opus/addon-copies';
import type { WorkerInit } from './protocol';

useOpusAddonCopy((workerData as WorkerInit).opusAddon);
