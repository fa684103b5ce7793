// The `skit` client's command contract and argument parsing: global flags anywhere on the line, a command's
// own flags, positionals; unknown flags are usage errors.
import { ClientError, EXIT, type ClientOptions } from './connection';

export interface ClientContext {
  opts: ClientOptions;
  json: boolean;
  out(text: string): void;
  err(text: string): void;
  /** True when stderr is a terminal (progress redraws one line). */
  tty: boolean;
}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export interface ClientCommand {
  /** Arguments after the command name, for usage lines. */
  usage: string;
  summary: string;
  /** Command flags: name (without dashes) -> takes a value; `short` maps a one-letter alias. */
  options?: Record<string, { value: boolean; short?: string }>;
  run(ctx: ClientContext, args: ParsedArgs): Promise<void>;
}

export const GLOBAL: Record<string, { value: boolean; short?: string }> = {
  server: { value: true, short: 's' },
  role: { value: true },
  'role-header': { value: true },
  token: { value: true },
  json: { value: false },
};

/** Splits argv into positionals and flags known to the command or globally; unknown flags are usage errors. */
export function parseClientArgs(command: ClientCommand, argv: string[]): ParsedArgs {
  const known = { ...GLOBAL, ...command.options };
  const byShort = new Map(
    Object.entries(known).flatMap(([n, o]) => (o.short ? [[o.short, n] as const] : [])),
  );
  const out: ParsedArgs = { positional: [], flags: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      out.positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const raw = arg.startsWith('--') ? arg.slice(2, eq === -1 ? undefined : eq) : arg.slice(1);
    const name = arg.startsWith('--') ? raw : byShort.get(raw);
    const spec = name === undefined ? undefined : known[name];
    if (!spec || name === undefined) throw new ClientError(`Unknown option ${arg}`, EXIT.USAGE);
    if (!spec.value) {
      out.flags.set(name, true);
      continue;
    }
    const value = eq !== -1 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || value === '') throw new ClientError(`${arg} needs a value`, EXIT.USAGE);
    out.flags.set(name, value);
  }
  return out;
}
