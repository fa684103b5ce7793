// One instance of the Opus addon per engine thread. @evan/opus' native addon encodes and decodes into static
// output buffers, one set per loaded library: two threads coding at once overwrite each other's packets
// (measured: with two workers encoding, 85 % of the packets differ from a lone encoder's). A library loaded
// from another file is another instance with its own statics, so each worker loads its own copy of the
// addon file. The copies are leased from a process-wide set (so two pools in one process never share one)
// and pinned on the main thread: Node unloads an addon when the last thread that loaded it ends, and this
// addon crashes the process when unloaded (see workers/pool.ts). Where no copy can be made or loaded, the
// worker uses the package's WASM build instead (an instance per thread; about a third slower).
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The addon file @evan/opus loads on this platform, if the package ships one. */
function addonFile(): string | undefined {
  try {
    return require.resolve(`@evan/opus/node/${process.arch}-${process.platform}.node`);
  } catch {
    return undefined;
  }
}

interface Copy {
  path: string;
  leased: boolean;
}

const copies: Copy[] = [];
let dir: string | undefined;

export interface OpusAddonLease {
  /** The copy's file, for `useOpusAddonCopy` in the worker. */
  readonly path: string;
  /** The worker has ended: the copy may serve another one. */
  release(): void;
}

/**
 * Main thread: a copy of the addon no running worker uses, made and pinned on first need. Undefined when the
 * package has no native addon here, `OPUS_FORCE_WASM` is set, or the copy cannot be written or loaded (a
 * read-only or noexec temp dir): the worker then runs the WASM build.
 */
export function leaseOpusAddon(): OpusAddonLease | undefined {
  if (process.env.OPUS_FORCE_WASM) return undefined;
  let copy = copies.find((c) => !c.leased);
  if (copy === undefined) {
    const source = addonFile();
    if (source === undefined) return undefined;
    try {
      if (dir === undefined) {
        // mkdtemp makes a fresh directory only this user can write: nobody can plant a library in it.
        const made = mkdtempSync(join(tmpdir(), 'streamkit-opus-'));
        dir = made;
        process.once('exit', () => rmSync(made, { recursive: true, force: true }));
      }
      const path = join(dir, `${copies.length}.node`);
      copyFileSync(source, path);
      process.dlopen({ exports: {} } as NodeJS.Module, path);
      copy = { path, leased: false };
      copies.push(copy);
    } catch {
      return undefined;
    }
  }
  const leased = copy;
  leased.leased = true;
  return {
    path: leased.path,
    release: () => {
      leased.leased = false;
    },
  };
}

/**
 * Worker thread, before anything loads @evan/opus: make the package load this copy of the addon (its entry in
 * the module cache), or its WASM build when there is no copy.
 */
export function useOpusAddonCopy(path: string | undefined): void {
  const file = addonFile();
  if (path !== undefined && file !== undefined) {
    try {
      const mod = new Module(file);
      mod.filename = file;
      process.dlopen(mod, path);
      mod.loaded = true;
      require.cache[file] = mod;
      return;
    } catch {
      // Fall through to the WASM build.
    }
  }
  process.env.OPUS_FORCE_WASM = '1';
}
