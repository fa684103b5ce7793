// StreamKit's load-test scenario format (TOML): `[server] [test] [oneshot] [dynamic] [populate] [output]`,
// validated as StreamKit does (only the selected scenario's section), plus our keys: `[test].ramp_secs`
// (start load gradually) and `[test].max_error_pct` (the exit-code threshold). Paths resolve against the
// working directory, as StreamKit's CLI does.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';

export type ScenarioKind = 'oneshot' | 'dynamic' | 'mixed';
export type OutputFormat = 'text' | 'json' | 'csv';

export interface Scenario {
  serverUrl: string;
  /** 0 = until interrupted (Ctrl-C). */
  durationSecs: number;
  scenario: ScenarioKind;
  /** Ours: oneshot workers start and sessions are created spread over this many seconds (0 = at once). */
  rampSecs: number;
  /** Ours: the run exits 1 when failed operations exceed this percentage of all operations. */
  maxErrorPct: number;
  oneshot: { enabled: boolean; concurrency: number; pipeline: string; inputFile: string };
  dynamic: {
    enabled: boolean;
    sessionCount: number;
    tuneIntervalMs: number;
    pipelines: string[];
    broadcaster?: { pipeline: string; count: number };
  };
  populate: { loadPlugins: boolean; pluginsNative: string[]; pluginsWasm: string[] };
  output: { format: OutputFormat; realTimeUpdates: boolean; updateIntervalMs: number };
}

export class ScenarioError extends Error {}

/** Bounds on what a scenario may ask for (a typo must not open 10^6 connections). */
const MAX_CONCURRENCY = 1000;
const MAX_SESSIONS = 10_000;

type Table = Record<string, unknown>;

function table(root: Table, key: string): Table {
  const v = root[key];
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new ScenarioError(`missing table [${key}]`);
  return v as Table;
}

function field<T>(t: Table, section: string, key: string, type: 'string' | 'number' | 'boolean', def?: T): T {
  const v = t[key];
  if (v === undefined) {
    if (def !== undefined) return def;
    throw new ScenarioError(`missing ${section}.${key}`);
  }
  const actual = typeof v === 'bigint' ? 'number' : typeof v;
  if (actual !== type)
    throw new ScenarioError(`${section}.${key} must be a ${type}, got ${JSON.stringify(v)}`);
  return (typeof v === 'bigint' ? Number(v) : v) as T;
}

function nonNegativeInt(t: Table, section: string, key: string, def?: number): number {
  const n = field<number>(t, section, key, 'number', def);
  if (!Number.isInteger(n) || n < 0) throw new ScenarioError(`${section}.${key} must be a whole number >= 0`);
  return n;
}

function paths(t: Table, section: string, key: string, def?: string[]): string[] {
  const v = t[key] ?? def;
  if (!Array.isArray(v) || v.some((p) => typeof p !== 'string')) {
    throw new ScenarioError(`${section}.${key} must be a list of paths`);
  }
  return v as string[];
}

function existingFile(path: string, what: string, cwd: string): string {
  if (path.trim() === '') throw new ScenarioError(`${what} must not be empty`);
  const full = resolve(cwd, path);
  if (!existsSync(full)) throw new ScenarioError(`${what} not found: ${path} (resolved against ${cwd})`);
  return full;
}

export function parseScenario(text: string, cwd = process.cwd()): Scenario {
  let root: Table;
  try {
    root = parseToml(text) as Table;
  } catch (err) {
    throw new ScenarioError(`invalid TOML: ${(err as Error).message}`);
  }
  const server = table(root, 'server');
  const test = table(root, 'test');
  const oneshot = table(root, 'oneshot');
  const dynamic = table(root, 'dynamic');
  const populate = table(root, 'populate');
  const output = table(root, 'output');
  const kind = field<string>(test, 'test', 'scenario', 'string');
  if (kind !== 'oneshot' && kind !== 'dynamic' && kind !== 'mixed') {
    throw new ScenarioError(`test.scenario must be "oneshot", "dynamic" or "mixed", got "${kind}"`);
  }
  const format = field<string>(output, 'output', 'format', 'string');
  if (format !== 'text' && format !== 'json' && format !== 'csv') {
    throw new ScenarioError(`output.format must be "text", "json" or "csv", got "${format}"`);
  }
  const maxErrorPct = field<number>(test, 'test', 'max_error_pct', 'number', 0);
  if (!(maxErrorPct >= 0 && maxErrorPct <= 100)) throw new ScenarioError('test.max_error_pct must be 0..100');
  const broadcasterTable = dynamic.broadcaster as Table | undefined;
  const s: Scenario = {
    serverUrl: field<string>(server, 'server', 'url', 'string'),
    durationSecs: nonNegativeInt(test, 'test', 'duration_secs'),
    scenario: kind,
    rampSecs: nonNegativeInt(test, 'test', 'ramp_secs', 0),
    maxErrorPct,
    oneshot: {
      enabled: field<boolean>(oneshot, 'oneshot', 'enabled', 'boolean'),
      concurrency: nonNegativeInt(oneshot, 'oneshot', 'concurrency'),
      pipeline: field<string>(oneshot, 'oneshot', 'pipeline', 'string'),
      inputFile: field<string>(oneshot, 'oneshot', 'input_file', 'string'),
    },
    dynamic: {
      enabled: field<boolean>(dynamic, 'dynamic', 'enabled', 'boolean'),
      sessionCount: nonNegativeInt(dynamic, 'dynamic', 'session_count'),
      tuneIntervalMs: nonNegativeInt(dynamic, 'dynamic', 'tune_interval_ms'),
      pipelines: paths(dynamic, 'dynamic', 'pipelines'),
      broadcaster:
        broadcasterTable && typeof broadcasterTable === 'object'
          ? {
              pipeline: field<string>(broadcasterTable, 'dynamic.broadcaster', 'pipeline', 'string'),
              count: nonNegativeInt(broadcasterTable, 'dynamic.broadcaster', 'count', 1),
            }
          : undefined,
    },
    populate: {
      loadPlugins: field<boolean>(populate, 'populate', 'load_plugins', 'boolean'),
      pluginsNative: paths(populate, 'populate', 'plugins_native', []),
      pluginsWasm: paths(populate, 'populate', 'plugins_wasm', []),
    },
    output: {
      format,
      realTimeUpdates: field<boolean>(output, 'output', 'real_time_updates', 'boolean'),
      updateIntervalMs: nonNegativeInt(output, 'output', 'update_interval_ms'),
    },
  };
  return validateScenario(s, cwd);
}

/** StreamKit's checks (only the selected scenario's section), plus our bounds; resolves file paths. */
export function validateScenario(s: Scenario, cwd = process.cwd()): Scenario {
  let url: URL;
  try {
    url = new URL(s.serverUrl);
  } catch {
    throw new ScenarioError(`server.url is not a URL: ${s.serverUrl}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ScenarioError(`server.url must be http(s), got: ${s.serverUrl}`);
  }
  if (s.output.realTimeUpdates && s.output.updateIntervalMs <= 0) {
    throw new ScenarioError('output.update_interval_ms must be > 0 when real_time_updates is on');
  }
  const out: Scenario = { ...s, serverUrl: s.serverUrl.replace(/\/+$/, '') };
  if (s.scenario !== 'dynamic') {
    if (!s.oneshot.enabled)
      throw new ScenarioError(`test.scenario=${s.scenario} requires oneshot.enabled=true`);
    if (s.oneshot.concurrency < 1 || s.oneshot.concurrency > MAX_CONCURRENCY) {
      throw new ScenarioError(`oneshot.concurrency must be 1..${MAX_CONCURRENCY}`);
    }
    out.oneshot = {
      ...s.oneshot,
      pipeline: existingFile(s.oneshot.pipeline, 'oneshot.pipeline', cwd),
      inputFile: existingFile(s.oneshot.inputFile, 'oneshot.input_file', cwd),
    };
  }
  if (s.scenario !== 'oneshot') {
    if (!s.dynamic.enabled)
      throw new ScenarioError(`test.scenario=${s.scenario} requires dynamic.enabled=true`);
    if (s.dynamic.sessionCount < 1 || s.dynamic.sessionCount > MAX_SESSIONS) {
      throw new ScenarioError(`dynamic.session_count must be 1..${MAX_SESSIONS}`);
    }
    if (s.dynamic.tuneIntervalMs <= 0) throw new ScenarioError('dynamic.tune_interval_ms must be > 0');
    if (s.dynamic.pipelines.length === 0) throw new ScenarioError('dynamic.pipelines must not be empty');
    const b = s.dynamic.broadcaster;
    if (b && (b.count < 1 || b.count > MAX_SESSIONS)) {
      throw new ScenarioError(`dynamic.broadcaster.count must be 1..${MAX_SESSIONS}`);
    }
    out.dynamic = {
      ...s.dynamic,
      pipelines: s.dynamic.pipelines.map((p, i) => existingFile(p, `dynamic.pipelines[${i}]`, cwd)),
      broadcaster: b && { ...b, pipeline: existingFile(b.pipeline, 'dynamic.broadcaster.pipeline', cwd) },
    };
  }
  return out;
}

export function loadScenario(path: string, cwd = process.cwd()): Scenario {
  let text: string;
  try {
    text = readFileSync(resolve(cwd, path), 'utf8');
  } catch (err) {
    throw new ScenarioError(`Failed to load config from ${path}: ${(err as Error).message}`);
  }
  try {
    return parseScenario(text, cwd);
  } catch (err) {
    throw new ScenarioError(`Failed to load config from ${path}: ${(err as Error).message}`);
  }
}
