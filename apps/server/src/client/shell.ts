// `skit shell`: an interactive prompt running the client commands (without the `skit` prefix), with history,
// quoting ('a b' or "a b" is one argument), Tab completion of commands and session names, and Ctrl-C
// stopping a running `watch` instead of the shell.
import { createInterface } from 'node:readline';
import { ClientError, EXIT, withControl } from './connection';
import { parseClientArgs, type ClientCommand, type ClientContext } from './args';
import { CLIENT_COMMANDS } from './commands';

/** Splits a line into words; single or double quotes group words, backslash escapes in double quotes. */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quote) {
      if (ch === quote) quote = undefined;
      else if (ch === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += ch;
      inWord = true;
    }
  }
  if (quote) throw new ClientError('Unclosed quote');
  if (inWord) words.push(current);
  return words;
}

const SHELL_WORDS = ['help', 'exit', 'quit'];

export async function runShell(ctx: ClientContext): Promise<void> {
  let sessions: string[] = [];
  let count = 0;
  const refresh = async () => {
    try {
      const r = await withControl(ctx.opts, (c) => c.request({ action: 'listsessions' }));
      if (r.action === 'sessionslisted') {
        count = r.sessions.length;
        sessions = r.sessions.flatMap((s) => [s.id, ...(s.name ? [s.name] : [])]);
      }
    } catch (err) {
      ctx.err(`Warning: could not list sessions: ${(err as Error).message}\n`);
    }
  };
  const names = [...Object.keys(CLIENT_COMMANDS).filter((n) => n !== 'shell'), ...SHELL_WORDS];
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY === true,
    historySize: 500,
    completer: (line: string): [string[], string] => {
      const words = line.split(/\s+/);
      const last = words[words.length - 1];
      const pool = words.length <= 1 ? names : sessions;
      const hits = pool.filter((w) => w.startsWith(last));
      return [hits, last];
    },
  });
  // Taken before the first await: lines piped on stdin may arrive at once and would be lost otherwise.
  const lines = rl[Symbol.asyncIterator]();
  ctx.out(`StreamKit shell — server ${ctx.opts.server}. Type 'help' for commands, 'exit' to leave.\n`);
  await refresh();
  let running: AbortController | undefined;
  rl.on('SIGINT', () => {
    if (running) running.abort();
    else ctx.out('^C\n');
  });
  const prompt = () => {
    rl.setPrompt(count ? `skit (${count} sessions)> ` : 'skit> ');
    rl.prompt();
  };
  prompt();
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    const line = next.value;
    let words: string[];
    try {
      words = splitWords(line);
    } catch (err) {
      ctx.err(`Error: ${(err as Error).message}\n`);
      prompt();
      continue;
    }
    const [name, ...rest] = words;
    if (name === undefined) {
      prompt();
      continue;
    }
    if (name === 'exit' || name === 'quit') break;
    if (name === 'help') {
      for (const n of names.filter((x) => !SHELL_WORDS.includes(x))) {
        ctx.out(`  ${CLIENT_COMMANDS[n].usage}\n      ${CLIENT_COMMANDS[n].summary}\n`);
      }
      ctx.out('  help | exit | quit\n');
      prompt();
      continue;
    }
    const command = CLIENT_COMMANDS[name];
    if (!command || name === 'shell') {
      ctx.err(`Unknown command: ${name}. Type 'help' for available commands.\n`);
      prompt();
      continue;
    }
    running = new AbortController();
    try {
      const args = parseClientArgs(command, rest);
      if (name === 'watch') {
        const { watch } = await import('./commands.js');
        await watch({ ...ctx, json: ctx.json || args.flags.has('json') }, args, running.signal);
      } else {
        await command.run({ ...ctx, json: ctx.json || args.flags.has('json') }, args);
      }
      if (name === 'create' || name === 'destroy' || name === 'list') await refresh();
    } catch (err) {
      ctx.err(`Error: ${(err as Error).message}\n`);
    } finally {
      running = undefined;
    }
    prompt();
  }
  rl.close();
}

/** `skit shell`. */
export const shellCommand: ClientCommand = {
  usage: 'shell',
  summary: 'interactive shell (help lists its commands)',
  async run(ctx, a) {
    if (a.positional.length > 0) {
      throw new ClientError(`Unexpected argument '${a.positional[0]}'. Usage: skit shell`, EXIT.USAGE);
    }
    await runShell(ctx);
  },
};
