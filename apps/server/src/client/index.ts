// Entry of the `skit` client commands: global flags (anywhere on the line), the command's own flags, dispatch
// to CLIENT_COMMANDS, and the exit code (0 ok, 1 failed or refused, 2 usage, 3 server unreachable).
import { ClientError, DEFAULT_ROLE_HEADER, DEFAULT_SERVER, EXIT, type ClientOptions } from './connection';
import { GLOBAL, parseClientArgs, type ClientCommand, type ClientContext, type ParsedArgs } from './args';
import { CLIENT_COMMANDS as BASE_COMMANDS } from './commands';
import { shellCommand } from './shell';

/** Every client command; `shell` runs the others interactively. */
export const CLIENT_COMMANDS: Record<string, ClientCommand> = { ...BASE_COMMANDS, shell: shellCommand };

export { parseClientArgs };

export const CLIENT_USAGE = `Client commands (talk to a running server):
${Object.entries(CLIENT_COMMANDS)
  .map(([, c]) => `  skit ${c.usage}\n      ${c.summary}`)
  .join('\n')}

Client options (anywhere on the line):
  -s, --server URL       server (http, https, ws or wss; a base path is kept), default $SKIT_SERVER or ${DEFAULT_SERVER}
      --role NAME        role sent in the role header (default $SKIT_ROLE; the server must set [permissions].role_header)
      --role-header H    header carrying the role (default $SKIT_ROLE_HEADER or ${DEFAULT_ROLE_HEADER})
      --token TOKEN      sent as Authorization: Bearer TOKEN, for an authenticating proxy (default $SKIT_TOKEN)
      --json             machine-readable output: one JSON document on stdout

Exit codes: 0 success, 1 the command failed or the server refused it (message on stderr),
2 usage error, 3 server unreachable.
`;

export function contextFor(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): ClientContext {
  const flag = (n: string) => {
    const v = args.flags.get(n);
    return typeof v === 'string' ? v : undefined;
  };
  const opts: ClientOptions = {
    server: flag('server') ?? env.SKIT_SERVER ?? DEFAULT_SERVER,
    role: flag('role') ?? env.SKIT_ROLE,
    roleHeader: (flag('role-header') ?? env.SKIT_ROLE_HEADER ?? DEFAULT_ROLE_HEADER).toLowerCase(),
    token: flag('token') ?? env.SKIT_TOKEN,
  };
  return {
    opts,
    json: args.flags.has('json'),
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    tty: process.stderr.isTTY === true,
  };
}

/**
 * The client command named on a `skit` command line (global client flags may come first), and the rest of the
 * line; undefined when the line is for the server (`serve`, `config`, its flags).
 */
export function findClientCommand(argv: string[]): { name: string; rest: string[] } | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-')) {
      return Object.hasOwn(CLIENT_COMMANDS, arg)
        ? { name: arg, rest: [...argv.slice(0, i), ...argv.slice(i + 1)] }
        : undefined;
    }
    const name = arg.startsWith('--') ? arg.slice(2).split('=')[0] : undefined;
    const spec = arg === '-s' ? GLOBAL.server : name !== undefined ? GLOBAL[name] : undefined;
    if (!spec) return undefined;
    if (spec.value && !arg.includes('=')) i++;
  }
  return undefined;
}

/** Runs one client command line; returns the exit code (never exits the process itself). */
export async function runClientCommand(name: string, argv: string[]): Promise<number> {
  const command = CLIENT_COMMANDS[name];
  if (!command) {
    process.stderr.write(`Unknown command '${name}'\n\n${CLIENT_USAGE}`);
    return EXIT.USAGE;
  }
  try {
    const args = parseClientArgs(command, argv);
    await command.run(contextFor(args), args);
    return EXIT.OK;
  } catch (err) {
    if (err instanceof ClientError) {
      process.stderr.write(`Error: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`Error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return EXIT.FAILED;
  }
}
