// `core::file_reader` (a source: a file as Binary chunks) and `core::file_writer` (Binary packets to a
// file). Paths go through the host's allow-lists (`services.resolveReadPath` / `resolveWritePath`).
import type { FileHandle } from 'node:fs/promises';
import { Type, type Static } from '../../core/typebox';
import type { NodeDefinition, NodeServices } from '../../core/node';
import { EOS } from '../../core/packets';
import { inputPin, outputPin } from '../../core/helpers';
import { openCheckedForRead, openCheckedForWrite } from '../../security/safe-open';

const ReaderParams = Type.Object({
  path: Type.String({
    minLength: 1,
    description: 'File to read (must be inside [security].allowed_file_paths).',
  }),
  chunk_size: Type.Integer({
    default: 8192,
    minimum: 1,
    maximum: 16 * 1024 * 1024,
    description: 'Bytes per emitted packet.',
  }),
});
type ReaderParams = Static<typeof ReaderParams>;

function checkPath(
  path: string,
  resolve: ((p: string) => string) | undefined,
  what: 'reading' | 'writing',
): { path: string; message: string }[] {
  if (!resolve) {
    return [
      {
        path: '/path',
        message: `file ${what} is not enabled on this server (no allowed ${what === 'reading' ? 'file' : 'write'} paths configured)`,
      },
    ];
  }
  try {
    resolve(path);
    return [];
  } catch (err) {
    return [
      { path: '/path', message: `path '${path}' is not allowed for ${what}: ${(err as Error).message}` },
    ];
  }
}

function resolved(services: NodeServices, path: string, mode: 'read' | 'write'): string {
  const fn = mode === 'read' ? services.resolveReadPath : services.resolveWritePath;
  if (!fn)
    throw new Error(
      `Configuration error: file ${mode === 'read' ? 'reading' : 'writing'} is not enabled on this server`,
    );
  return fn(path);
}

export const fileReaderNode: NodeDefinition<ReaderParams> = {
  kind: 'core::file_reader',
  categories: ['core', 'io'],
  description: 'Reads a file and emits its bytes as Binary packets of `chunk_size` bytes.',
  params: ReaderParams,
  pins: () => ({ inputs: [], outputs: [outputPin('out', 'Binary')] }),
  validate: (params, services) => checkPath(params.path, services.resolveReadPath, 'reading'),
  create(params, ctx) {
    const out = ctx.output('out');
    return {
      async run() {
        const file = resolved(ctx.services, params.path, 'read');
        let handle: FileHandle;
        try {
          handle = await openCheckedForRead(file);
        } catch (err) {
          throw new Error(`Failed to open file '${params.path}': ${(err as Error).message}`, { cause: err });
        }
        try {
          if (!(await ctx.waitForStart())) return;
          ctx.setState('Running');
          for (;;) {
            if (ctx.signal.aborted) return;
            const buf = new Uint8Array(params.chunk_size);
            const { bytesRead } = await handle.read(buf, 0, buf.length, null);
            if (bytesRead === 0) return;
            const w = out.send({
              kind: 'binary',
              data: bytesRead === buf.length ? buf : buf.subarray(0, bytesRead),
            });
            if (w !== undefined && !(await w)) {
              ctx.setState({ Stopped: { reason: 'output_closed' } });
              return;
            }
          }
        } finally {
          await handle.close();
        }
      },
    };
  },
};

const WriterParams = Type.Object({
  path: Type.String({
    minLength: 1,
    description: 'File to create or truncate (must match [security].allowed_write_paths).',
  }),
  chunk_size: Type.Integer({ default: 8192, minimum: 1, description: 'Bytes buffered before each write.' }),
});
type WriterParams = Static<typeof WriterParams>;

export const fileWriterNode: NodeDefinition<WriterParams> = {
  kind: 'core::file_writer',
  categories: ['core', 'io'],
  description: 'Writes the Binary packets it receives to a file (writes are disabled unless allowed).',
  params: WriterParams,
  pins: () => ({ inputs: [inputPin('in', ['Binary'])], outputs: [] }),
  validate: (params, services) => checkPath(params.path, services.resolveWritePath, 'writing'),
  create(params, ctx) {
    const input = ctx.input('in');
    return {
      async run() {
        const file = resolved(ctx.services, params.path, 'write');
        let handle: FileHandle;
        try {
          handle = await openCheckedForWrite(file);
        } catch (err) {
          throw new Error(`Failed to open '${params.path}' for writing: ${(err as Error).message}`, {
            cause: err,
          });
        }
        const pending: Uint8Array[] = [];
        let pendingBytes = 0;
        const flush = async (): Promise<void> => {
          if (pendingBytes === 0) return;
          const all = Buffer.concat(pending, pendingBytes);
          pending.length = 0;
          pendingBytes = 0;
          await handle.write(all);
        };
        try {
          ctx.setState('Running');
          for (;;) {
            let p = input.tryRecv();
            if (p === undefined) p = await input.recv();
            if (p === EOS) break;
            if (p.kind !== 'binary') {
              ctx.stats.discarded++;
              continue;
            }
            pending.push(p.data);
            pendingBytes += p.data.byteLength;
            if (pendingBytes >= params.chunk_size) await flush();
          }
          if (!ctx.signal.aborted) {
            await flush();
            await handle.sync();
          }
        } finally {
          await handle.close();
        }
      },
    };
  },
};
