// The `skit` command: `skit [-c FILE] [serve [--config FILE] [--address HOST:PORT]]`,
// `skit config default|schema`, `--help`, `--version`, and the client commands (`skit list`, `skit oneshot`,
// ...: apps/server/src/client, registered in CLIENT_COMMANDS). Exit 1 on configuration or startup errors,
// 2 on usage.
import { join } from 'node:path';
import {
  ConfigError,
  ConfigSchema,
  defaultConfig,
  loadConfig,
  printConfigToml,
  type ConfigFlags,
} from './config';
import { VERSION } from './version';

const USAGE = `StreamKit server (TypeScript) ${VERSION}

Usage:
  skit [-c FILE] [serve] [--config FILE] [--address HOST:PORT]   run the server (default command)
  skit config default                                           print the default config as TOML
  skit config schema                                            print the config's JSON Schema
  skit models list | pull NAME                                  speech models: what is present, download one
  skit loadtest SCENARIO.toml [--server URL] [--duration S]      run a load-test scenario (skit loadtest --help)
  skit --help | --version
  skit COMMAND ...                                              a client command (below)

Options:
  -c, --config FILE        config file (default: skit.toml in the working directory)
      --address HOST:PORT  bind address, overrides [server].address and SK_SERVER__ADDRESS

Environment: SK_<SECTION>__<KEY>=value overrides the file (e.g. SK_SERVER__ADDRESS=127.0.0.1:5000);
SK_ROLE sets the role when no role header applies.
`;

class UsageError extends Error {}

interface Parsed {
  command: 'serve' | 'config-default' | 'config-schema' | 'help' | 'version';
  configPath?: string;
  flags: ConfigFlags;
}

function parseArgs(argv: string[]): Parsed {
  const out: Parsed = { command: 'serve', flags: {} };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [name, inline] =
      arg.startsWith('--') && arg.includes('=')
        ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
        : [arg, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === '') throw new UsageError(`${name} needs a value`);
      return v;
    };
    if (name === '-h' || name === '--help') return { ...out, command: 'help' };
    if (name === '-V' || name === '--version') return { ...out, command: 'version' };
    if (name === '-c' || name === '--config') out.configPath = value();
    else if (name === '--address') out.flags.address = value();
    else if (name.startsWith('-')) throw new UsageError(`Unknown option ${name}`);
    else positional.push(name);
  }
  const cmd = positional.join(' ');
  if (cmd === '' || cmd === 'serve') out.command = 'serve';
  else if (cmd === 'config default') out.command = 'config-default';
  else if (cmd === 'config schema') out.command = 'config-schema';
  else if (cmd === 'help') out.command = 'help';
  else throw new UsageError(`Unknown command '${cmd}'`);
  return out;
}

async function serve(args: Parsed): Promise<void> {
  let loaded;
  try {
    loaded = loadConfig({
      path: args.configPath,
      explicit: args.configPath !== undefined,
      env: process.env,
      flags: args.flags,
    });
  } catch (err) {
    process.stderr.write(
      `Failed to load configuration: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  }
  const { config, warnings } = loaded;
  // Nest and Fastify load only when serving, so `--help` and `config default` stay instant.
  const { createLogger } = await import('./common/logging.js');
  const { startServer } = await import('./main.js');
  const log = createLogger(config.log);
  for (const w of warnings) log.warn(w);
  log.info(
    {
      version: VERSION,
      config: loaded.file ?? null,
      address: config.server.address,
      base_path: config.server.base_path ?? null,
    },
    `StreamKit ${VERSION} starting`,
  );
  let server;
  try {
    server = await startServer(config, { logger: log });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    log.error({ err }, `Failed to start: ${message}`);
    process.stderr.write(`Failed to start: ${message}\n`);
    process.exit(1);
  }
  log.info(`Listening on ${server.url}${config.server.base_path ?? ''}/`);
  const running = server;
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received, shutting down`);
    const force = setTimeout(() => {
      log.warn('Shutdown took longer than 10 s; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    running.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'Error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

export async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'models') {
    const { runModelsCli } = await import('./models/models-cli.js');
    process.exitCode = await runModelsCli(argv.slice(1));
    return;
  }
  if (argv[0] === 'loadtest' || argv[0] === 'lt' || argv[0] === 'load-test') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only for this command
    const { runLoadtestCli } = require('./loadtest/cli') as typeof import('./loadtest/cli');
    process.exitCode = await runLoadtestCli(argv.slice(1));
    return;
  }
  // Client commands are dispatched by name (the first word); they load only the client modules.
  if (argv.length > 0 && !['serve', 'config', 'help'].includes(argv[0])) {
    const { findClientCommand, runClientCommand } = await import('./client/index.js');
    const found = findClientCommand(argv);
    if (found) {
      process.exitCode = await runClientCommand(found.name, found.rest);
      return;
    }
  }
  let args: Parsed;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  switch (args.command) {
    case 'help': {
      const { CLIENT_USAGE } = await import('./client/index.js');
      process.stdout.write(`${USAGE}\n${CLIENT_USAGE}`);
      return;
    }
    case 'version':
      process.stdout.write(`skit ${VERSION}\n`);
      return;
    case 'config-default':
      process.stdout.write(
        printConfigToml(defaultConfig(), {
          header:
            'Default skit configuration file\n\n' +
            'Every key with its default. Keys shown commented out have no default.\n' +
            'Environment variables override this file: SK_<SECTION>__<KEY>, e.g. SK_SERVER__ADDRESS=127.0.0.1:5000.\n' +
            'Generated by `skit config default`.',
        }),
      );
      return;
    case 'config-schema':
      process.stdout.write(`${JSON.stringify(ConfigSchema, null, 2)}\n`);
      return;
    case 'serve':
      await serve(args);
  }
}

if (require.main === module || require.main?.filename.endsWith(join('bin', 'skit.js'))) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(
      `${err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
