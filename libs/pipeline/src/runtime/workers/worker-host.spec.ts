// The worker host on its own (no server): events, telemetry and logs with the session id cross from the worker,
// kinds come and go on every worker, and the byte streams and synchronous calls the runtime is built on.
import assert from 'node:assert/strict';
import { MessageChannel, Worker } from 'node:worker_threads';
import { after, describe, it } from 'node:test';
import type { Logger } from '../../core/node';
import { SessionCommandError, type SessionEvent } from '../session-types';
import { PortByteReceiver, PortByteSender } from './port-bytes';
import { createSyncChannel, serveSync } from './sync-call';
import { WORKER_TEST_KINDS } from '../../testing/worker-kinds';
import { WorkerSessionHost } from './worker-host';

const until = async (check: () => boolean, what: string, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('WorkerSessionHost', () => {
  const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  const capture = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    logs.push({ level, msg, fields });
  const log: Logger = {
    debug: capture('debug'),
    info: capture('info'),
    warn: capture('warn'),
    error: capture('error'),
  };
  const host = new WorkerSessionHost({ size: 2, kinds: [{ type: 'module', path: WORKER_TEST_KINDS }], log });
  host.start();
  after(() => host.close());

  it('forwards events, telemetry and logs that carry the session id and the worker', async () => {
    const session = await host.create({
      id: 'chatty-session',
      spec: {
        mode: 'dynamic',
        nodes: {
          src: { kind: 'test::source', params: { count: 0, interval_ms: 20 } },
          chatty: { kind: 'test::chatty' },
        },
        connections: [{ from_node: 'src', from_pin: 'out', to_node: 'chatty', to_pin: 'in' }],
      },
    });
    const events: SessionEvent[] = [];
    session.subscribe((e) => events.push(e));
    await until(() => events.filter((e) => e.type === 'node_telemetry').length >= 3, 'telemetry events');
    const seen = logs.filter((l) => l.msg === 'packet seen');
    assert.ok(seen.length >= 3);
    assert.deepEqual(
      { session_id: seen[0].fields?.session_id, worker: seen[0].fields?.worker },
      { session_id: 'chatty-session', worker: session.worker },
    );
    await until(() => events.some((e) => e.type === 'node_stats'), 'stats');
    await host.destroy(session.id);
    assert.equal(events.at(-1)?.type, 'session_destroyed');
  });

  it('adds a kind on every worker before it answers, and removes it everywhere', async () => {
    await host.pool.whenReady();
    // Placement follows measured load: let the previous test's load fade first.
    await until(() => host.workers().every((w) => w.measured && w.elu < 0.05), 'idle workers');
    const spec = {
      mode: 'dynamic' as const,
      nodes: { s: { kind: 'test::slow_sink' } },
      connections: [],
    };
    await host.removeKind('test::slow_sink');
    await assert.rejects(host.create({ spec }), (err: unknown) => err instanceof SessionCommandError);
    await host.addKindSource({ type: 'module', path: WORKER_TEST_KINDS });
    const a = await host.create({ spec });
    const b = await host.create({ spec });
    assert.deepEqual([a.worker, b.worker].sort(), [0, 1]);
    await host.destroy(a.id);
    await host.destroy(b.id);
  });
});

describe('port byte streams', () => {
  it('keep at most a window of chunks in flight, transfer owned buffers and copy shared views', async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = new PortByteSender(port1, 'x', { ownership: 'transfer', window: 2 });
    const receiver = new PortByteReceiver(port2, 'x');
    port1.on('message', (m) => sender.handle(m));
    port2.on('message', (m) => receiver.handle(m));
    const owned = new Uint8Array([1, 2, 3]);
    const pooled = Buffer.from('abcdefgh').subarray(2, 4);
    assert.equal(sender.send(owned), undefined);
    const full = sender.send(pooled);
    assert.ok(full instanceof Promise, 'the window is full');
    assert.equal(owned.byteLength, 0, 'an owned buffer is transferred (detached here)');
    assert.equal(pooled.toString(), 'cd', 'a view into a shared buffer is copied');
    assert.deepEqual([...(await receiver.next()).value], [1, 2, 3]);
    assert.equal(await full, true, 'room again once the reader took a chunk');
    assert.equal(Buffer.from((await receiver.next()).value).toString(), 'cd');
    sender.end();
    assert.equal((await receiver.next()).done, true);
    assert.deepEqual(
      { transferred: sender.transferred, copied: sender.copied },
      { transferred: 1, copied: 1 },
    );
    port1.close();
  });

  it('a reader that stops cancels the sender', async () => {
    const { port1, port2 } = new MessageChannel();
    const sender = new PortByteSender(port1, 'x', { ownership: 'copy', window: 1 });
    const receiver = new PortByteReceiver(port2, 'x');
    port1.on('message', (m) => sender.handle(m));
    port2.on('message', (m) => receiver.handle(m));
    const waiting = sender.send(new Uint8Array([1]));
    await receiver.return();
    assert.equal(await waiting, false);
    assert.equal(await sender.send(new Uint8Array([2])), false);
    port1.close();
  });
});

it('a worker calls the main thread synchronously, and gets its errors', async () => {
  const { caller, server } = createSyncChannel();
  const stop = serveSync(server, (req) => {
    const { n } = req as { n: number };
    if (n < 0) throw new Error('negative');
    return n * 2;
  });
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     const { callSync } = require(${JSON.stringify(require.resolve('./sync-call'))});
     const out = [callSync(workerData, { n: 21 })];
     try { callSync(workerData, { n: -1 }); } catch (err) { out.push(err.message); }
     parentPort.postMessage(out);`,
    { eval: true, workerData: caller, transferList: [caller.port] },
  );
  const [answer] = (await new Promise((resolve) => worker.once('message', (m) => resolve([m])))) as [unknown];
  assert.deepEqual(answer, [42, 'negative']);
  await worker.terminate();
  stop();
});
