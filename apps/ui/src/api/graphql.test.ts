import type { Client, ClientOptions } from 'graphql-ws';
import { describe, expect, it, vi } from 'vitest';
import { BACKOFF_MAX_MS, backoffDelay, LiveClient, liveClientOptions, type LinkStatus } from './graphql';

describe('backoffDelay', () => {
  it('doubles from 500 ms and caps at 10 s, forever', () => {
    const mid = () => 0.5;
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffDelay(n, mid))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000,
    ]);
    expect(backoffDelay(1_000, mid)).toBe(BACKOFF_MAX_MS);
    expect(Number.isFinite(backoffDelay(Number.MAX_SAFE_INTEGER, mid))).toBe(true);
  });

  it('jitters within ±20%', () => {
    expect(backoffDelay(2, () => 0)).toBe(1600);
    expect(backoffDelay(2, () => 1)).toBe(2400);
  });
});

describe('liveClientOptions', () => {
  it('never gives up: infinite attempts and every close is retried', () => {
    const o = liveClientOptions('ws://x/api/v1/graphql', () => undefined);
    expect(o.retryAttempts).toBe(Number.POSITIVE_INFINITY);
    expect(o.shouldRetry?.(new CloseEvent('close', { code: 1006 }))).toBe(true);
    expect(o.shouldRetry?.(new CloseEvent('close', { code: 4500 }))).toBe(true);
    expect(o.lazy).toBe(false);
  });

  it('waits the backoff delay before each retry', async () => {
    const waits: number[] = [];
    const o = liveClientOptions(
      'ws://x',
      () => undefined,
      async (ms) => {
        waits.push(ms);
      },
    );
    for (let i = 0; i < 12; i++) await o.retryWait?.(i);
    expect(waits).toHaveLength(12);
    expect(waits[0]).toBeGreaterThanOrEqual(400);
    expect(waits[0]).toBeLessThanOrEqual(600);
    expect(Math.max(...waits)).toBeLessThanOrEqual(BACKOFF_MAX_MS * 1.2);
    expect(waits[11]).toBeGreaterThanOrEqual(BACKOFF_MAX_MS * 0.8);
  });
});

describe('LiveClient', () => {
  function fake() {
    let opts: ClientOptions | null = null;
    const subscribe = vi.fn(() => () => undefined);
    const client = new LiveClient('ws://x', (o) => {
      opts = o;
      return {
        subscribe,
        dispose: vi.fn(),
        on: vi.fn(),
        terminate: vi.fn(),
        iterate: vi.fn(),
      } as unknown as Client;
    });
    const on = () => (opts as unknown as ClientOptions).on as Required<NonNullable<ClientOptions['on']>>;
    return { client, on, subscribe };
  }

  it('reports status changes and counts reconnections', () => {
    const { client, on } = fake();
    const seen: LinkStatus[] = [];
    client.onStatus((s) => seen.push(s));
    const socket = {} as WebSocket;
    on().connected(socket, undefined, false);
    on().closed(new CloseEvent('close', { code: 1006 }));
    on().connecting(true);
    on().closed(new CloseEvent('close', { code: 1006 }));
    on().connecting(true);
    on().connected(socket, undefined, true);
    expect(seen).toEqual([
      'connected',
      'disconnected',
      'connecting',
      'disconnected',
      'connecting',
      'connected',
    ]);
    expect(client.status).toBe('connected');
    expect(client.epoch).toBe(2);
  });

  it('passes data to the sink and GraphQL errors to its error handler', () => {
    const { client, subscribe } = fake();
    const next = vi.fn();
    const error = vi.fn();
    client.subscribe('subscription { x }', { a: 1 }, { next, error });
    const calls = subscribe.mock.calls as unknown as [
      unknown,
      { next: (r: { data?: unknown; errors?: { message: string }[] }) => void },
    ][];
    const sink = calls[0][1];
    sink.next({ data: { x: 1 } });
    sink.next({ errors: [{ message: 'no such session' }] });
    expect(next).toHaveBeenCalledWith({ x: 1 });
    expect(error).toHaveBeenCalledWith('no such session');
  });
});
