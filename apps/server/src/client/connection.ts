// How the `skit` client commands reach a server: HTTP for REST routes, one control WebSocket
// (/api/v1/control) for session commands and live events. Errors carry the exit code the CLI returns.
import WebSocket from 'ws';
import {
  CONTROL_PATH,
  type ControlEvent,
  type ControlRequest,
  type ControlResponse,
  type Envelope,
} from '../control/control-protocol';

export const DEFAULT_SERVER = 'http://127.0.0.1:4545';
export const DEFAULT_ROLE_HEADER = 'x-role';

/** Exit codes of the client commands (also documented in `skit --help`). */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, UNREACHABLE: 3 } as const;

export class ClientError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILED,
  ) {
    super(message);
  }
}

export interface ClientOptions {
  /** Base URL (http, https, ws or wss), a base path allowed: `http://host:4545/s/x`. */
  server: string;
  /** Sent in `roleHeader` (a proxy or a server with `[permissions].role_header` honours it). */
  role?: string;
  roleHeader: string;
  /** Sent as `Authorization: Bearer <token>` (for an authenticating proxy). */
  token?: string;
}

/** The server's HTTP base URL (no trailing slash), from any accepted scheme; throws a usage error. */
export function httpBase(server: string): string {
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ClientError(`Invalid server URL '${server}'`, EXIT.USAGE);
  }
  const scheme = { 'http:': 'http:', 'https:': 'https:', 'ws:': 'http:', 'wss:': 'https:' }[url.protocol];
  if (!scheme) throw new ClientError(`Server URL must be http(s) or ws(s), got '${server}'`, EXIT.USAGE);
  url.protocol = scheme;
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

export function headersFor(opts: ClientOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  if (opts.role !== undefined) headers[opts.roleHeader] = opts.role;
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  return headers;
}

function unreachable(base: string, err: unknown): ClientError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const why = cause?.code ?? cause?.message ?? (err as Error).message;
  return new ClientError(
    `Cannot reach the server at ${base}: ${why} (is \`skit serve\` running?)`,
    EXIT.UNREACHABLE,
  );
}

/** A REST call; non-2xx answers become `Server returned <status>: <body>`. */
export async function http(
  opts: ClientOptions,
  method: string,
  path: string,
  init: { body?: RequestInit['body']; headers?: Record<string, string>; duplex?: 'half' } = {},
): Promise<Response> {
  const base = httpBase(opts.server);
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      body: init.body,
      headers: { ...headersFor(opts), ...init.headers },
      ...(init.duplex ? { duplex: init.duplex } : {}),
    } as RequestInit);
  } catch (err) {
    throw unreachable(base, err);
  }
  if (!res.ok) {
    const body = (await res.text()).trim();
    throw new ClientError(`Server returned ${res.status} ${res.statusText}${body ? `: ${body}` : ''}`);
  }
  return res;
}

export async function httpJson<T>(
  opts: ClientOptions,
  method: string,
  path: string,
  json?: unknown,
): Promise<T> {
  const res = await http(
    opts,
    method,
    path,
    json === undefined ? {} : { body: JSON.stringify(json), headers: { 'content-type': 'application/json' } },
  );
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

/** One control WebSocket: requests matched by correlation id, events handed to a listener. */
export class ControlClient {
  private seq = 0;
  private readonly pending = new Map<string, (r: ControlResponse) => void>();
  private eventListener: ((e: ControlEvent) => void) | undefined;
  private closeListener: ((code: number, reason: string) => void) | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.onMessage(data.toString('utf8')));
    ws.on('close', (code: number, reason: Buffer) => {
      const why = `Control connection closed (${code}${reason.length ? `: ${reason.toString()}` : ''})`;
      for (const resolve of this.pending.values()) resolve({ action: 'error', message: why });
      this.pending.clear();
      this.closeListener?.(code, reason.toString());
    });
  }

  static connect(opts: ClientOptions): Promise<ControlClient> {
    const base = httpBase(opts.server);
    const url = `${base.replace(/^http/, 'ws')}${CONTROL_PATH}`;
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: headersFor(opts) });
      ws.once('open', () => resolve(new ControlClient(ws)));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () =>
          reject(
            new ClientError(`Server returned ${res.statusCode} ${res.statusMessage ?? ''}: ${body.trim()}`),
          ),
        );
      });
      ws.once('error', (err) => reject(unreachable(base, err)));
    });
  }

  /** Sends a request; resolves with its response (an `error` response is thrown as a ClientError). */
  async request(request: ControlRequest): Promise<ControlResponse> {
    const id = `skit-${process.pid}-${++this.seq}`;
    const envelope: Envelope<ControlRequest> = { type: 'request', correlation_id: id, payload: request };
    const response = await new Promise<ControlResponse>((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify(envelope));
    });
    if (response.action === 'error') throw new ClientError(response.message);
    return response;
  }

  /** Sends a request that has no response on success (`tunenodeasync`). */
  send(request: ControlRequest): void {
    this.ws.send(JSON.stringify({ type: 'request', payload: request } satisfies Envelope<ControlRequest>));
  }

  onEvent(listener: (e: ControlEvent) => void): void {
    this.eventListener = listener;
  }

  onClose(listener: (code: number, reason: string) => void): void {
    this.closeListener = listener;
  }

  close(): void {
    this.ws.close(1000);
  }

  private onMessage(text: string): void {
    let message: Envelope<ControlResponse | ControlEvent>;
    try {
      message = JSON.parse(text) as Envelope<ControlResponse | ControlEvent>;
    } catch {
      return;
    }
    if (message.type === 'event') {
      this.eventListener?.(message.payload as ControlEvent);
      return;
    }
    if (message.type !== 'response') return;
    const id = message.correlation_id;
    // A response without id answers a request the server could not read: it fails the oldest one.
    const key = id ?? this.pending.keys().next().value;
    if (key === undefined) return;
    const resolve = this.pending.get(key);
    if (!resolve) return;
    this.pending.delete(key);
    resolve(message.payload as ControlResponse);
  }
}

/** Runs `fn` with a control connection closed afterwards. */
export async function withControl<T>(opts: ClientOptions, fn: (c: ControlClient) => Promise<T>): Promise<T> {
  const client = await ControlClient.connect(opts);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}
