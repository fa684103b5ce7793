// GraphQL over HTTP (queries, mutations) and over graphql-ws (subscriptions) against /api/v1/graphql.
// The socket reconnects with capped exponential backoff forever and reports its status to listeners.
import { Listeners } from '@streamkit/pipeline/core/listeners';
import { createClient, type Client, type ClientOptions } from 'graphql-ws';
import { apiUrl } from '../lib/base';

export class GraphQLError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'GraphQLError';
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { status?: number } }[];
}

export const GRAPHQL_PATH = 'api/v1/graphql';

/** Runs a query or mutation; errors carry every message the server gave, joined. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(apiUrl(GRAPHQL_PATH), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  let body: GraphQLResponse<T>;
  try {
    body = JSON.parse(text) as GraphQLResponse<T>;
  } catch {
    throw new GraphQLError(text.trim() || `${res.status} ${res.statusText}`, res.status);
  }
  if (body.errors?.length) {
    throw new GraphQLError(
      body.errors.map((e) => e.message).join('; '),
      body.errors[0].extensions?.status ?? res.status,
    );
  }
  if (!body.data) throw new GraphQLError(`empty GraphQL answer (${res.status})`, res.status);
  return body.data;
}

export type LinkStatus = 'connecting' | 'connected' | 'disconnected';

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 10_000;

/** Delay before reconnect attempt `retries` (0-based): doubling from 500 ms, capped at 10 s, ±20% jitter. */
export function backoffDelay(retries: number, random: () => number = Math.random): number {
  const raw = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(retries, 20));
  return Math.round(raw * (0.8 + 0.4 * random()));
}

/** The ws:// or wss:// URL of the GraphQL endpoint under the app's base. */
export function graphqlWsUrl(): string {
  return apiUrl(GRAPHQL_PATH).replace(/^http/, 'ws');
}

/**
 * graphql-ws options that never give up: every close is retried (StreamKit's UI stopped after 10
 * attempts and needed a reload), waits follow `backoffDelay`, and status changes go to `onStatus`.
 */
export function liveClientOptions(
  url: string,
  onStatus: (s: LinkStatus) => void,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): ClientOptions {
  return {
    url,
    lazy: false,
    keepAlive: 10_000,
    retryAttempts: Number.POSITIVE_INFINITY,
    shouldRetry: () => true,
    retryWait: (retries) => wait(backoffDelay(retries)),
    on: {
      connecting: () => onStatus('connecting'),
      connected: () => onStatus('connected'),
      closed: () => onStatus('disconnected'),
      error: () => onStatus('disconnected'),
    },
  };
}

export interface Sink<T> {
  next: (value: T) => void;
  error?: (message: string) => void;
}

/** One shared subscription socket with a status that views can watch. */
export class LiveClient {
  private readonly client: Client;
  private statusNow: LinkStatus = 'connecting';
  private readonly listeners = new Listeners<[LinkStatus]>('connection status');
  /** Bumped on every (re)connection so views can re-fetch what they may have missed. */
  private epochNow = 0;

  constructor(url: string, factory: (o: ClientOptions) => Client = createClient) {
    this.client = factory(
      liveClientOptions(url, (s) => {
        if (s === 'connected') this.epochNow++;
        if (s === this.statusNow && s !== 'connected') return;
        this.statusNow = s;
        this.listeners.emit(s);
      }),
    );
  }

  get status(): LinkStatus {
    return this.statusNow;
  }

  get epoch(): number {
    return this.epochNow;
  }

  onStatus(listener: (s: LinkStatus) => void): () => void {
    return this.listeners.add(listener);
  }

  /** Subscribes; graphql-ws re-subscribes by itself after a reconnect. Returns the unsubscribe. */
  subscribe<T>(query: string, variables: Record<string, unknown>, sink: Sink<T>): () => void {
    return this.client.subscribe<T>(
      { query, variables },
      {
        next: (r) => {
          if (r.errors?.length) sink.error?.(r.errors.map((e) => e.message).join('; '));
          else if (r.data) sink.next(r.data);
        },
        error: (e) => sink.error?.(e instanceof Error ? e.message : 'subscription failed'),
        complete: () => undefined,
      },
    );
  }

  dispose(): void {
    this.listeners.clear();
    void this.client.dispose();
  }
}
