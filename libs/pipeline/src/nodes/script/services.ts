// Server-wide script configuration handed to `core::script` nodes through `ctx.services[SCRIPT_SERVICES_KEY]`
// (the server fills it from skit.toml's `[script]` section; tests pass their own).

/** Key under which the server registers `ScriptServices` in `NodeServices`. */
export const SCRIPT_SERVICES_KEY = 'script';

/** One entry of `[script].global_fetch_allowlist`: `scheme://host[:port]/path-glob` and the methods allowed. */
export interface FetchAllowRule {
  url: string;
  methods: string[];
}

export type ScriptSecretType = 'url' | 'token' | 'apikey' | 'string';

/** A secret loaded by the server (value already read from its environment variable). */
export interface ScriptSecret {
  value: string;
  type?: ScriptSecretType;
  /** URL patterns this secret may be sent to; empty or absent = any allow-listed URL. */
  allowed_fetch_urls?: string[];
  description?: string;
}

export interface ScriptServices {
  /** Empty (or absent) blocks every `fetch` call. */
  fetchAllowlist?: FetchAllowRule[];
  secrets?: Record<string, ScriptSecret>;
  /** Process-wide cap on concurrent script fetches (StreamKit default 16). */
  maxInflight?: number;
  /** Server defaults used when a node leaves `timeout_ms` / `memory_limit_mb` unset. */
  defaultTimeoutMs?: number;
  defaultMemoryLimitMb?: number;
}

/** A `headers` param entry: inject secret `secret` into header `header` as `template` with `{}` replaced. */
export interface SecretHeaderMapping {
  secret: string;
  header: string;
  template?: string;
}
