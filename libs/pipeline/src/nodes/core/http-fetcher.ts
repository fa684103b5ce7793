// `transport::http::fetcher`: a source that GETs a URL (allow-listed by the host) and emits the body in
// fixed-size Binary chunks. Redirects are followed by hand (at most 5), each hop checked against the
// allow-list in the normalised form that is then requested.
import { Type, type Static } from '../../core/typebox';
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

/** Redirect hops followed before giving up. */
export const MAX_REDIRECTS = 5;

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
    check(parsed.href);
    return [];
  } catch (err) {
    return [{ path: '/url', message: `URL '${url}' is not allowed: ${(err as Error).message}` }];
  }
}

/**
 * GETs `url`, following redirects itself so that every hop's normalised URL passes `check` first. Resolves
 * with the final response (2xx) or throws naming the hop that failed.
 */
async function getFollowingRedirects(
  url: string,
  check: (url: string) => void,
  signal: AbortSignal,
): Promise<Response> {
  let current = new URL(url).href;
  for (let hop = 0; ; hop++) {
    const res = await fetch(current, { redirect: 'manual', signal });
    if (res.status < 300 || res.status >= 400 || res.status === 304) return res;
    await res.body?.cancel();
    const location = res.headers.get('location');
    if (location === null) throw new Error(`HTTP error: ${res.status} (a redirect without a Location)`);
    if (hop >= MAX_REDIRECTS)
      throw new Error(`too many redirects (more than ${MAX_REDIRECTS}) from '${url}'`);
    let next: URL;
    try {
      next = new URL(location, current);
    } catch {
      throw new Error(`redirect from '${current}' to an invalid URL '${location}'`);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new Error(
        `redirect from '${current}' to '${next.href}' refused: only http and https are followed`,
      );
    }
    try {
      check(next.href);
    } catch (err) {
      throw new Error(`redirect from '${current}' to '${next.href}' refused: ${(err as Error).message}`, {
        cause: err,
      });
    }
    current = next.href;
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
        const check = ctx.services.checkFetchUrl;
        const problems = urlProblems(params.url, check);
        if (problems.length > 0 || !check) throw new Error(problems[0].message);
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
            res = await getFollowingRedirects(params.url, check, abort.signal);
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
            throw new Error(`HTTP error: ${res.status}`);
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
