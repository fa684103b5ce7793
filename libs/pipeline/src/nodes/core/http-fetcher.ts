// `transport::http::fetcher`: a source that GETs a URL (allow-listed by the host) and emits the body in
// fixed-size Binary chunks. Redirects are not followed (each hop would need its own allow-list check).
import { Type, type Static } from '@sinclair/typebox';
import type { NodeDefinition } from '../../core/node';
import { outputPin } from '../../core/helpers';

const Params = Type.Object({
  url: Type.String({ minLength: 1, description: 'http(s) URL to GET (must be allowed by the server).' }),
  chunk_size: Type.Integer({
    default: 8192,
    minimum: 1,
    maximum: 16 * 1024 * 1024,
    description: 'Bytes per emitted packet.',
  }),
  connect_timeout_ms: Type.Integer({
    default: 5000,
    minimum: 1,
    description: 'Time allowed until the response headers arrive.',
  }),
  timeout_ms: Type.Integer({
    default: 0,
    minimum: 0,
    description: 'Time allowed for the whole download (0 = no limit).',
  }),
});
type Params = Static<typeof Params>;

function urlProblems(
  url: string,
  check: ((url: string) => void) | undefined,
): { path: string; message: string }[] {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [{ path: '/url', message: `'${url}' is not a valid URL` }];
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return [{ path: '/url', message: `only http and https URLs can be fetched (got ${parsed.protocol})` }];
  }
  if (!check) return [{ path: '/url', message: 'fetching URLs is not enabled on this server' }];
  try {
    check(url);
    return [];
  } catch (err) {
    return [{ path: '/url', message: `URL '${url}' is not allowed: ${(err as Error).message}` }];
  }
}

export const httpFetcherNode: NodeDefinition<Params> = {
  kind: 'transport::http::fetcher',
  categories: ['transport', 'http'],
  description: 'Downloads a URL with a GET and emits the body as Binary chunks of `chunk_size` bytes.',
  params: Params,
  pins: () => ({ inputs: [], outputs: [outputPin('out', 'Binary')] }),
  validate: (params, services) => urlProblems(params.url, services.checkFetchUrl),
  create(params, ctx) {
    const out = ctx.output('out');
    return {
      async run() {
        const problems = urlProblems(params.url, ctx.services.checkFetchUrl);
        if (problems.length > 0) throw new Error(problems[0].message);
        if (!(await ctx.waitForStart())) return;
        ctx.setState('Running');
        const abort = new AbortController();
        const onCancel = (): void => abort.abort(new Error('cancelled'));
        ctx.signal.addEventListener('abort', onCancel, { once: true });
        const headerTimer = setTimeout(
          () => abort.abort(new Error(`no response within ${params.connect_timeout_ms} ms`)),
          params.connect_timeout_ms,
        );
        const totalTimer =
          params.timeout_ms > 0
            ? setTimeout(
                () => abort.abort(new Error(`download exceeded ${params.timeout_ms} ms`)),
                params.timeout_ms,
              )
            : undefined;
        try {
          let res: Response;
          try {
            res = await fetch(params.url, { redirect: 'manual', signal: abort.signal });
          } catch (err) {
            throw new Error(
              `HTTP request to '${params.url}' failed: ${((abort.signal.reason as Error | undefined) ?? (err as Error)).message}`,
              { cause: err },
            );
          } finally {
            clearTimeout(headerTimer);
          }
          if (res.status < 200 || res.status >= 300) {
            await res.body?.cancel();
            throw new Error(
              `HTTP error: ${res.status}${res.status >= 300 && res.status < 400 ? ' (redirects are not followed)' : ''}`,
            );
          }
          if (!res.body) return;
          let chunk = new Uint8Array(params.chunk_size);
          let filled = 0;
          const reader = res.body.getReader();
          try {
            for (;;) {
              let next: Awaited<ReturnType<typeof reader.read>>;
              try {
                next = await reader.read();
              } catch (err) {
                if (ctx.signal.aborted) return;
                throw new Error(
                  `HTTP download from '${params.url}' failed: ${((abort.signal.reason as Error | undefined) ?? (err as Error)).message}`,
                  { cause: err },
                );
              }
              if (next.done) break;
              let data = next.value;
              while (data.byteLength > 0) {
                const n = Math.min(data.byteLength, params.chunk_size - filled);
                chunk.set(data.subarray(0, n), filled);
                filled += n;
                data = data.subarray(n);
                if (filled === params.chunk_size) {
                  const w = out.send({ kind: 'binary', data: chunk });
                  if (w !== undefined && !(await w)) {
                    ctx.setState({ Stopped: { reason: 'output_closed' } });
                    return;
                  }
                  chunk = new Uint8Array(params.chunk_size);
                  filled = 0;
                }
              }
            }
            if (filled > 0) {
              const w = out.send({ kind: 'binary', data: chunk.subarray(0, filled) });
              if (w !== undefined) await w;
            }
          } finally {
            reader.releaseLock();
          }
        } finally {
          clearTimeout(totalTimer);
          ctx.signal.removeEventListener('abort', onCancel);
        }
      },
    };
  },
};
