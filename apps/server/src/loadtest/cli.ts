// `skit loadtest [CONFIG] [-c FILE] [--server URL] [--sessions N] [-d SECS] [--cleanup]` (aliases `lt`,
// `load-test`): StreamKit's load tester. Live line on stderr (rewritten in place on a TTY, one line every
// few seconds otherwise), final report on stdout. Exit 0, 1 when failed operations exceed
// `[test].max_error_pct` (or the run could not start), 2 on usage errors.
import { Metrics, formatReport } from './metrics';
import { LoadTestRunner } from './runner';
import { loadScenario, ScenarioError, validateScenario, type Scenario } from './scenario';

const USAGE = `Usage: skit loadtest [CONFIG] [-c, --config FILE] [--server URL] [--sessions N] [-d, --duration SECS] [--cleanup]
  CONFIG / --config   scenario TOML (StreamKit's format; default loadtest.toml)
  --server URL        overrides [server].url
  --sessions N        overrides [dynamic].session_count (dynamic and mixed scenarios)
  -d, --duration S    overrides [test].duration_secs (0 = until Ctrl-C)
  --cleanup           destroy the sessions this run created when it ends
`;
/** Without a TTY the live line is printed at most this often (logs stay readable). */
const NON_TTY_MIN_INTERVAL_MS = 5000;

class UsageError extends Error {}

interface Args {
  config: string;
  server?: string;
  sessions?: number;
  duration?: number;
  cleanup: boolean;
}

function parseArgs(argv: string[]): Args {
  let positional: string | undefined;
  let flag: string | undefined;
  const out: Args = { config: 'loadtest.toml', cleanup: false };
  const number = (name: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 0)
      throw new UsageError(`${name} needs a whole number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [name, inline] = argv[i].startsWith('--') ? argv[i].split(/=(.*)/s, 2) : [argv[i], undefined];
    const value = () => inline ?? argv[++i];
    if (name === '-c' || name === '--config') flag = value();
    else if (name === '--server') out.server = value();
    else if (name === '--sessions') {
      out.sessions = number('--sessions', value());
      if (out.sessions === 0) throw new UsageError('--sessions must be > 0');
    } else if (name === '-d' || name === '--duration') out.duration = number('--duration', value());
    else if (name === '--cleanup') out.cleanup = true;
    else if (name === '-h' || name === '--help') throw new UsageError('');
    else if (name.startsWith('-')) throw new UsageError(`Unknown option ${name}`);
    else if (positional === undefined) positional = name;
    else throw new UsageError(`Unexpected argument ${name}`);
  }
  if (positional !== undefined && flag !== undefined && flag !== 'loadtest.toml') {
    throw new UsageError('Give the scenario either as CONFIG or with --config, not both');
  }
  out.config = positional ?? flag ?? out.config;
  return out;
}

function applyOverrides(s: Scenario, args: Args): Scenario {
  const out: Scenario = { ...s, dynamic: { ...s.dynamic } };
  if (args.server !== undefined) out.serverUrl = args.server;
  if (args.duration !== undefined) out.durationSecs = args.duration;
  if (args.sessions !== undefined) {
    if (s.scenario === 'oneshot')
      process.stderr.write('warning: --sessions is ignored by a oneshot scenario\n');
    else out.dynamic.sessionCount = args.sessions;
  }
  return validateScenario(out);
}

/** Runs the command; resolves to the exit code. */
export async function runLoadtestCli(argv: string[]): Promise<number> {
  let args: Args;
  let scenario: Scenario;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`${(err as Error).message ? `${(err as Error).message}\n\n` : ''}${USAGE}`);
    return 2;
  }
  try {
    scenario = applyOverrides(loadScenario(args.config), args);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return 1;
  }
  const tty = process.stderr.isTTY === true;
  let lastPrinted = 0;
  const onProgress = (line: string, final = false): void => {
    if (tty) {
      process.stderr.write(`\r\x1b[2K${line}`);
      return;
    }
    const now = performance.now();
    if (!final && now - lastPrinted < NON_TTY_MIN_INTERVAL_MS && lastPrinted !== 0) return;
    lastPrinted = now;
    process.stderr.write(`${line}\n`);
  };
  const interrupt = new AbortController();
  const onSigint = () => interrupt.abort();
  process.once('SIGINT', onSigint);
  let metrics: Metrics;
  try {
    metrics = await new LoadTestRunner(scenario, {
      cleanup: args.cleanup,
      signal: interrupt.signal,
      onProgress,
    }).run();
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  if (tty && scenario.output.realTimeUpdates) process.stderr.write('\n');
  process.stdout.write(formatReport(metrics.report(), scenario.output.format));
  const pct = metrics.errorPct();
  if (pct > scenario.maxErrorPct) {
    process.stderr.write(
      `FAILED: ${pct.toFixed(2)}% of operations failed, above the scenario's max_error_pct (${scenario.maxErrorPct}%)\n`,
    );
    return 1;
  }
  if (metrics.totals().count === 0) {
    process.stderr.write('FAILED: no operation completed\n');
    return 1;
  }
  return 0;
}
