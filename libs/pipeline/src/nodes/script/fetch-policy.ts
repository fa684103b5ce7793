// Host side of the script `fetch`: allow-list matching (StreamKit's `scheme://host[:port]/path-glob` rules),
// secret header injection scoped by `allowed_fetch_urls`, a process-wide in-flight cap, and the request itself
// (no redirects, one 5 s deadline covering connect, response and body).
import { compileGlob } from '../../security/glob';
import type { FetchAllowRule, ScriptSecret, ScriptServices, SecretHeaderMapping } from './services';

export const FETCH_TIMEOUT_MS = 5000;
export const FETCH_SLOT_WAIT_MS = 5000;
export const DEFAULT_FETCH_MAX_INFLIGHT = 16;
/** Response bodies are strings inside the sandbox; cap them so a script cannot pull gigabytes into the host. */
export const FETCH_MAX_BODY_BYTES = 4 * 1024 * 1024;

interface ParsedPattern {
  scheme: string;
  host: RegExp | null;
  withPort: boolean;
  path: RegExp | null;
}

function parsePattern(pattern: string): ParsedPattern | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/]+)(\/.*)?$/i.exec(pattern.trim());
  if (!m) return undefined;
  const hostPart = m[2];
  return {
    scheme: m[1].toLowerCase(),
    host: compileGlob(hostPart.toLowerCase()),
    withPort: /:[0-9*]+$/.test(hostPart),
    path: compileGlob(m[3] ?? '/*'),
  };
}

/** Does `url` match one allow-list pattern? A pattern without a path means `/*`; `*` matches any run of characters. */
export function urlMatchesPattern(pattern: string, url: URL): boolean {
  const p = parsePattern(pattern);
  if (!p) return false;
  if (url.protocol.slice(0, -1).toLowerCase() !== p.scheme) return false;
  const host = p.withPort ? `${url.hostname}:${url.port || defaultPort(url.protocol)}` : url.hostname;
  return p.host !== null && p.path !== null && p.host.test(host) && p.path.test(url.pathname);
}

function defaultPort(protocol: string): string {
  return protocol === 'https:' ? '443' : protocol === 'http:' ? '80' : '';
}

/** Why a request is refused, or undefined when the global allow-list permits it. */
export function fetchBlockReason(
  rules: FetchAllowRule[] | undefined,
  url: URL,
  method: string,
): string | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `Blocked: scheme '${url.protocol}' is not allowed`;
  // Matching is on the normalised path (what is requested); an encoded separator could still be decoded
  // by the server into another path.
  if (/%2f|%5c/i.test(url.pathname))
    return `Blocked: encoded '/' or '\\' (%2F, %5C) in the path ${url.pathname}`;
  if (!rules || rules.length === 0) return 'Blocked: Global allowlist is empty';
  const m = method.toUpperCase();
  for (const rule of rules) {
    if (urlMatchesPattern(rule.url, url) && rule.methods.some((x) => x.toUpperCase() === m)) return undefined;
  }
  return `Blocked: URL not in global allowlist (${m} ${url.origin}${url.pathname})`;
}

/** Problems with a node's `headers` param against the loaded secrets (checked when the node is created). */
export function checkHeaderMappings(
  mappings: SecretHeaderMapping[],
  secrets: Record<string, ScriptSecret> | undefined,
): { path: string; message: string }[] {
  const names = Object.keys(secrets ?? {});
  const problems: { path: string; message: string }[] = [];
  mappings.forEach((m, i) => {
    if (secrets && Object.hasOwn(secrets, m.secret)) return;
    const available = names.length ? `Available secrets: [${names.join(', ')}]` : 'no secrets available';
    problems.push({
      path: `/headers/${i}/secret`,
      message: `Header mapping references unknown secret '${m.secret}'. ${available}; add it to [script.secrets]`,
    });
  });
  return problems;
}

/** A counting semaphore whose waiters give up after a timeout. */
export class FetchLimiter {
  private active = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly capacity: number) {}

  get inflight(): number {
    return this.active;
  }

  async acquire(waitMs: number): Promise<() => void> {
    if (this.active >= this.capacity) {
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => {
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          const i = this.waiters.indexOf(wake);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(
            new Error(`Request failed: no fetch slot free within ${waitMs} ms (${this.capacity} in flight)`),
          );
        }, waitMs);
        this.waiters.push(wake);
      });
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.active--;
    };
  }
}

/** The body as text, refused as soon as more than `max` bytes arrived (never buffered whole first). */
async function readCapped(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel();
    throw new Error(`Request failed: response body over ${max} bytes`);
  }
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw new Error(`Request failed: response body over ${max} bytes`);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks, total));
}

const limiters = new WeakMap<ScriptServices, FetchLimiter>();

/** The process-wide limiter for one services object (the server passes a single one). */
export function limiterFor(services: ScriptServices): FetchLimiter {
  let l = limiters.get(services);
  if (!l) {
    l = new FetchLimiter(services.maxInflight ?? DEFAULT_FETCH_MAX_INFLIGHT);
    limiters.set(services, l);
  }
  return l;
}

export interface ScriptFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface ScriptFetchWarn {
  (msg: string, fields?: Record<string, unknown>): void;
}

/** Performs script fetches for one node: policy checks, secrets, limiter, timeouts. Resolves to the body text. */
export class ScriptFetchClient {
  private readonly limiter: FetchLimiter;

  constructor(
    private readonly services: ScriptServices,
    private readonly mappings: SecretHeaderMapping[],
    private readonly warn: ScriptFetchWarn,
  ) {
    this.limiter = limiterFor(services);
  }

  async fetch(rawUrl: string, init: ScriptFetchInit): Promise<string> {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      throw new Error(`Blocked: invalid URL '${rawUrl}'`);
    }
    const method = (init.method ?? 'GET').toUpperCase();
    const blocked = fetchBlockReason(this.services.fetchAllowlist, url, method);
    if (blocked) throw new Error(blocked);

    const headers = new Headers();
    for (const m of this.mappings) {
      const secret = this.services.secrets?.[m.secret];
      if (!secret) continue;
      const scope = secret.allowed_fetch_urls ?? [];
      if (scope.length > 0 && !scope.some((p) => urlMatchesPattern(p, url))) {
        this.warn(
          `secret '${m.secret}' not sent: ${url.origin}${url.pathname} is outside its allowed_fetch_urls`,
        );
        continue;
      }
      headers.set(m.header, (m.template ?? '{}').replace('{}', secret.value));
    }
    for (const [k, v] of Object.entries(init.headers ?? {})) headers.set(k, v);
    const hasBody = init.body !== undefined && (method === 'POST' || method === 'PUT' || method === 'PATCH');
    if (hasBody && !headers.has('content-type')) headers.set('content-type', 'application/json');

    const release = await this.limiter.acquire(FETCH_SLOT_WAIT_MS);
    try {
      const res = await fetch(url, {
        method,
        headers,
        body: hasBody ? init.body : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
      });
      return await readCapped(res, FETCH_MAX_BODY_BYTES);
    } catch (err) {
      let msg = err instanceof Error ? err.message : String(err);
      // undici reports "fetch failed" and keeps the reason (refused, timeout, DNS) in `cause`.
      const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
      if (cause) msg = `${msg} (${cause})`;
      throw new Error(msg.startsWith('Request failed') ? msg : `Request failed: ${msg}`, { cause: err });
    } finally {
      release();
    }
  }
}
