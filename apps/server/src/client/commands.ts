// The `skit` client commands (StreamKit's `skit-cli`): each one a REST call or a control WebSocket request.
// Results go to stdout (pretty JSON for queries, short lines for actions, JSON for everything with --json);
// progress and diagnostics go to stderr. To add a command, add an entry to CLIENT_COMMANDS.
import { createWriteStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as pipe } from 'node:stream/promises';
import { parse as parseYaml } from 'yaml';
import type { ControlEvent } from '../control/control-protocol';
import { ClientError, ControlClient, EXIT, http, httpJson, withControl } from './connection';
import type { ClientCommand, ClientContext, ParsedArgs } from './args';
import { multipart, Progress, size, upload } from './transfer';

const enc = encodeURIComponent;

function need(args: ParsedArgs, count: number, usage: string): string[] {
  if (args.positional.length < count) throw new ClientError(`Usage: skit ${usage}`, EXIT.USAGE);
  if (args.positional.length > count) {
    throw new ClientError(
      `Unexpected argument '${args.positional[count]}'. Usage: skit ${usage}`,
      EXIT.USAGE,
    );
  }
  return args.positional;
}

function printJson(ctx: ClientContext, value: unknown): void {
  ctx.out(`${JSON.stringify(value, null, ctx.json ? undefined : 2)}\n`);
}

/** An action's result: a line for people, the object for scripts. */
function done(ctx: ClientContext, line: string, value: unknown): void {
  if (ctx.json) printJson(ctx, value);
  else ctx.out(`${line}\n`);
}

function readLocal(path: string, what: string): string {
  if (!existsSync(path)) throw new ClientError(`${what} not found: ${path}`);
  return readFileSync(path, 'utf8');
}

/** A tune value as YAML: `1.5` a number, `true` a boolean, `[1,2]` a list, anything else a string. */
export function parseValue(text: string): unknown {
  try {
    return parseYaml(text) as unknown;
  } catch {
    return text;
  }
}

function sessionTable(sessions: { id: string; name?: string; created_at: string }[]): string {
  if (sessions.length === 0) return 'No active sessions found.\n';
  const rows = sessions.map(
    (s) => `${(s.name ?? '<unnamed>').padEnd(24)} ${s.id.padEnd(36)} ${s.created_at}`,
  );
  return `${'NAME'.padEnd(24)} ${'SESSION ID'.padEnd(36)} CREATED\n${'-'.repeat(86)}\n${rows.join('\n')}\n`;
}

async function listSessions(ctx: ClientContext, control?: ControlClient): Promise<void> {
  const run = async (c: ControlClient) => {
    const r = await c.request({ action: 'listsessions' });
    return r.action === 'sessionslisted' ? r.sessions : [];
  };
  const sessions = control ? await run(control) : await withControl(ctx.opts, run);
  if (ctx.json) printJson(ctx, sessions);
  else ctx.out(sessionTable(sessions));
}

/** Prints events (of one session when given, by id or name) until the connection ends or `count` arrived. */
async function watch(ctx: ClientContext, args: ParsedArgs, stop?: AbortSignal): Promise<void> {
  if (args.positional.length > 1)
    throw new ClientError('Usage: skit watch [SESSION] [--pretty] [--count N]', EXIT.USAGE);
  const countFlag = args.flags.get('count');
  const count = typeof countFlag === 'string' ? Number(countFlag) : Infinity;
  if (!(count > 0)) throw new ClientError('--count needs a positive number', EXIT.USAGE);
  const pretty = args.flags.has('pretty') && !ctx.json;
  const client = await ControlClient.connect(ctx.opts);
  try {
    let sessionId: string | undefined;
    const wanted = args.positional[0];
    if (wanted !== undefined) {
      // A name works as well as an id: resolve it once (events carry ids).
      const r = await client.request({ action: 'listsessions' });
      const found =
        r.action === 'sessionslisted' && r.sessions.find((s) => s.id === wanted || s.name === wanted);
      if (!found) throw new ClientError(`Session '${wanted}' not found`);
      sessionId = found.id;
    }
    ctx.err(`Watching events${sessionId ? ` of ${sessionId}` : ''} (Ctrl-C to stop)...\n`);
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      const finish = () => resolve();
      stop?.addEventListener('abort', finish, { once: true });
      client.onClose((code, reason) =>
        code === 1000 || code === 1005
          ? resolve()
          : reject(new ClientError(`Control connection closed (${code}${reason ? `: ${reason}` : ''})`)),
      );
      client.onEvent((e: ControlEvent) => {
        if (sessionId !== undefined && e.session_id !== sessionId) return;
        ctx.out(`${JSON.stringify({ type: 'event', payload: e }, null, pretty ? 2 : undefined)}\n`);
        if (++seen >= count) resolve();
      });
    });
  } finally {
    client.close();
  }
}

const sampleCommands: Record<string, (ctx: ClientContext, a: ParsedArgs) => Promise<void>> = {
  'list-oneshot': async (ctx) => printJson(ctx, await httpJson(ctx.opts, 'GET', '/api/v1/samples/oneshot')),
  'list-dynamic': async (ctx) => printJson(ctx, await httpJson(ctx.opts, 'GET', '/api/v1/samples/dynamic')),
  get: async (ctx, a) => {
    const [id] = need(a, 1, 'samples get ID [--yaml]');
    const sample = await httpJson<{ yaml: string }>(ctx.opts, 'GET', `/api/v1/samples/oneshot/${enc(id)}`);
    if (a.flags.has('yaml') && !ctx.json) ctx.out(sample.yaml);
    else printJson(ctx, sample);
  },
  save: async (ctx, a) => {
    const [name, description, path] = need(
      a,
      3,
      'samples save NAME DESCRIPTION YAML_PATH [--overwrite] [--fragment]',
    );
    const yaml = readLocal(path, 'Pipeline file');
    printJson(
      ctx,
      await httpJson(ctx.opts, 'POST', '/api/v1/samples/oneshot', {
        name,
        description,
        yaml,
        overwrite: a.flags.has('overwrite'),
        is_fragment: a.flags.has('fragment'),
      }),
    );
  },
  delete: async (ctx, a) => {
    const [id] = need(a, 1, 'samples delete ID');
    await http(ctx.opts, 'DELETE', `/api/v1/samples/oneshot/${enc(id)}`);
    done(ctx, `✅ Deleted sample: ${id}`, { deleted: id });
  },
};

const assetCommands: Record<string, (ctx: ClientContext, a: ParsedArgs) => Promise<void>> = {
  list: async (ctx) => printJson(ctx, await httpJson(ctx.opts, 'GET', '/api/v1/assets/audio')),
  upload: async (ctx, a) => {
    const [path] = need(a, 1, 'assets upload PATH');
    printJson(ctx, await upload(ctx, path, 'file', '/api/v1/assets/audio', 'Audio file'));
  },
  delete: async (ctx, a) => {
    const [id] = need(a, 1, 'assets delete ID');
    await http(ctx.opts, 'DELETE', `/api/v1/assets/audio/${enc(id)}`);
    done(ctx, `✅ Deleted audio asset: ${id}`, { deleted: id });
  },
};

const pluginCommands: Record<string, (ctx: ClientContext, a: ParsedArgs) => Promise<void>> = {
  list: async (ctx) => printJson(ctx, await httpJson(ctx.opts, 'GET', '/api/v1/plugins')),
  upload: async (ctx, a) => {
    const [path] = need(a, 1, 'plugins upload PATH');
    printJson(ctx, await upload(ctx, path, 'plugin', '/api/v1/plugins', 'Plugin file'));
  },
  delete: async (ctx, a) => {
    const [kind] = need(a, 1, 'plugins delete KIND [--keep-file]');
    const q = a.flags.has('keep-file') ? '?keep_file=true' : '';
    printJson(ctx, await httpJson(ctx.opts, 'DELETE', `/api/v1/plugins/${enc(kind)}${q}`));
  },
};

function group(
  name: string,
  verbs: Record<string, (ctx: ClientContext, a: ParsedArgs) => Promise<void>>,
): (ctx: ClientContext, a: ParsedArgs) => Promise<void> {
  return async (ctx, a) => {
    const [verb, ...rest] = a.positional;
    const run = verb === undefined ? undefined : verbs[verb];
    if (!run) {
      throw new ClientError(
        `Usage: skit ${name} ${Object.keys(verbs).join('|')} ...${verb ? ` (unknown '${verb}')` : ''}`,
        EXIT.USAGE,
      );
    }
    await run(ctx, { ...a, positional: rest });
  };
}

/** Every client command, by name. Register a new subcommand here (one entry). */
export const CLIENT_COMMANDS: Record<string, ClientCommand> = {
  oneshot: {
    usage: 'oneshot PIPELINE.yml INPUT OUTPUT',
    summary: 'run a oneshot pipeline on a file; the result streams to OUTPUT (progress on stderr)',
    async run(ctx, a) {
      const [pipelinePath, input, output] = need(a, 3, this.usage);
      const yaml = readLocal(pipelinePath, 'Pipeline file');
      if (!existsSync(input)) throw new ClientError(`Input file not found: ${input}`);
      const up = new Progress(ctx, `Uploading ${basename(input)}`, statSync(input).size);
      const body = multipart([{ name: 'config', value: yaml }], { field: 'media', path: input }, (n) =>
        up.add(n),
      );
      const res = await http(ctx.opts, 'POST', '/api/v1/process', {
        body: body.body,
        headers: { 'content-type': body.contentType, 'content-length': String(body.length) },
        duplex: 'half',
      });
      up.finish();
      const length = Number(res.headers.get('content-length')) || undefined;
      const down = new Progress(ctx, `Downloading to ${output}`, length);
      let bytes = 0;
      const source = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
      source.on('data', (c: Buffer) => {
        bytes += c.length;
        down.add(c.length);
      });
      try {
        await pipe(source, createWriteStream(output));
      } catch (err) {
        throw new ClientError(`Oneshot failed while streaming the result: ${(err as Error).message}`);
      }
      down.finish();
      done(ctx, `✅ Oneshot completed: ${size(bytes)} written to ${output}`, {
        output,
        bytes,
        content_type: res.headers.get('content-type'),
      });
    },
  },
  create: {
    usage: 'create PIPELINE.yml [--name NAME]',
    summary: 'start a dynamic session from a pipeline file',
    options: { name: { value: true, short: 'n' } },
    async run(ctx, a) {
      const [path] = need(a, 1, this.usage);
      const yaml = readLocal(path, 'Pipeline file');
      const name = a.flags.get('name');
      const created = await httpJson<{ session_id: string; name: string }>(
        ctx.opts,
        'POST',
        '/api/v1/sessions',
        {
          name: typeof name === 'string' ? name : null,
          yaml,
        },
      );
      done(
        ctx,
        `✅ Session created: ${created.name} (${created.session_id})\n` +
          `   tune:    skit tune ${created.name} NODE PARAM VALUE\n` +
          `   destroy: skit destroy ${created.name}`,
        created,
      );
    },
  },
  destroy: {
    usage: 'destroy SESSION',
    summary: 'destroy a session (id or name)',
    async run(ctx, a) {
      const [session] = need(a, 1, this.usage);
      const r = await withControl(ctx.opts, (c) =>
        c.request({ action: 'destroysession', session_id: session }),
      );
      const id = r.action === 'sessiondestroyed' ? r.session_id : session;
      done(ctx, `✅ Session '${session}' destroyed`, { session_id: id });
    },
  },
  list: {
    usage: 'list',
    summary: 'list the sessions you may see',
    async run(ctx, a) {
      need(a, 0, this.usage);
      await listSessions(ctx);
    },
  },
  pipeline: {
    usage: 'pipeline SESSION',
    summary: "print a session's live pipeline (nodes, params, states, connections)",
    async run(ctx, a) {
      const [session] = need(a, 1, this.usage);
      printJson(ctx, await httpJson(ctx.opts, 'GET', `/api/v1/sessions/${enc(session)}/pipeline`));
    },
  },
  tune: {
    usage: 'tune SESSION NODE PARAM VALUE',
    summary: 'change one param of a running node (VALUE is YAML: 1.5, true, [1,2], text)',
    async run(ctx, a) {
      const [session, node, param, value] = need(a, 4, this.usage);
      const parsed = parseValue(value);
      await withControl(ctx.opts, (c) =>
        c.request({
          action: 'tunenode',
          session_id: session,
          node_id: node,
          message: { UpdateParams: { [param]: parsed } },
        }),
      );
      done(ctx, `✅ Tuned ${session}: ${node} -> ${param}: ${JSON.stringify(parsed)}`, {
        session,
        node_id: node,
        params: { [param]: parsed },
      });
    },
  },
  watch: {
    usage: 'watch [SESSION] [--pretty] [--count N]',
    summary: 'print live events (all sessions, or one by id or name) as JSON lines until Ctrl-C',
    options: { pretty: { value: false }, count: { value: true } },
    run: (ctx, a) => {
      const stop = new AbortController();
      const onSigint = () => stop.abort();
      process.once('SIGINT', onSigint);
      return watch(ctx, a, stop.signal).finally(() => process.removeListener('SIGINT', onSigint));
    },
  },
  schema: {
    usage: 'schema nodes|packets',
    summary: 'node kinds you may use (with param schemas and pins) or packet types',
    run: group('schema', {
      nodes: async (ctx) => printJson(ctx, await httpJson(ctx.opts, 'GET', '/api/v1/schema/nodes')),
      packets: async (ctx) => printJson(ctx, await httpJson(ctx.opts, 'GET', '/api/v1/schema/packets')),
    }),
  },
  samples: {
    usage:
      'samples list-oneshot|list-dynamic|get ID [--yaml]|save NAME DESC YAML [--overwrite] [--fragment]|delete ID',
    summary: 'sample pipelines',
    options: { yaml: { value: false }, overwrite: { value: false }, fragment: { value: false } },
    run: group('samples', sampleCommands),
  },
  assets: {
    usage: 'assets list|upload PATH|delete ID',
    summary: 'audio assets',
    run: group('assets', assetCommands),
  },
  plugins: {
    usage: 'plugins list|upload PATH|delete KIND [--keep-file]',
    summary: 'WASM and native plugins',
    options: { 'keep-file': { value: false } },
    run: group('plugins', pluginCommands),
  },
  permissions: {
    usage: 'permissions',
    summary: 'your role and what it may do',
    async run(ctx, a) {
      need(a, 0, this.usage);
      printJson(ctx, await httpJson(ctx.opts, 'GET', '/api/v1/permissions'));
    },
  },
};

export { listSessions, watch };
export type { ClientCommand, ClientContext, ParsedArgs } from './args';
