// Delivery rules of the per-subscriber queue: coalescing, missed counts, bounds, overflow, completion.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SUBSCRIBER_OVERFLOW, SubscriberQueue } from './subscriber-queue';

interface Item {
  id: string;
  missed?: number;
}
const withMissed = (v: Item, missed: number): Item => ({ ...v, missed });
const limits = { structural: 3, telemetry: 2 };

async function drain(q: SubscriberQueue<Item>, n: number): Promise<Item[]> {
  const out: Item[] = [];
  for (let i = 0; i < n; i++) {
    const r = await q.next();
    assert.equal(r.done, false, `item ${i} expected, the queue completed`);
    out.push(r.value as Item);
  }
  return out;
}

describe('SubscriberQueue', () => {
  it('hands an item straight to a waiting consumer', async () => {
    const q = new SubscriberQueue(withMissed, limits);
    const pending = q.next();
    q.pushStructural({ id: 'a' });
    assert.deepEqual(await pending, { value: { id: 'a' }, done: false });
    assert.equal(q.size, 0);
  });

  it('keeps arrival order; states coalesce per node in place, latest wins', async () => {
    const q = new SubscriberQueue(withMissed, limits);
    q.pushState('n1', { id: 'n1:Initializing' });
    q.pushStructural({ id: 'added n2' });
    q.pushState('n2', { id: 'n2:Running' });
    q.pushState('n1', { id: 'n1:Running' });
    q.pushState('n1', { id: 'n1:Stopped' });
    assert.equal(q.size, 3);
    assert.deepEqual(await drain(q, 3), [{ id: 'n1:Stopped' }, { id: 'added n2' }, { id: 'n2:Running' }]);
  });

  it('a node removed and re-added gets its later states behind the structural events', async () => {
    const q = new SubscriberQueue(withMissed, limits);
    q.pushState('n', { id: 'old:Running' });
    q.pushStructural({ id: 'removed n' }, 'n');
    q.pushStructural({ id: 'added n' }, 'n');
    q.pushState('n', { id: 'new:Running' });
    assert.deepEqual(
      (await drain(q, 4)).map((i) => i.id),
      ['old:Running', 'removed n', 'added n', 'new:Running'],
    );
  });

  it('coalesces stats per node and counts what a subscriber missed', async () => {
    const q = new SubscriberQueue(withMissed, limits);
    q.pushStats('a', { id: 'a1' });
    q.pushStats('b', { id: 'b1' });
    q.pushStats('a', { id: 'a2' });
    q.pushStats('a', { id: 'a3' });
    assert.deepEqual(await drain(q, 2), [{ id: 'a3', missed: 2 }, { id: 'b1' }]);
    q.pushStats('a', { id: 'a4' });
    assert.deepEqual(await drain(q, 1), [{ id: 'a4' }], 'the count restarts once delivered');
  });

  it('drops telemetry beyond its bound and reports the drop on the next delivered one', async () => {
    const q = new SubscriberQueue(withMissed, limits);
    for (let i = 0; i < 5; i++) q.pushTelemetry({ id: `t${i}` });
    assert.equal(q.size, 2);
    assert.deepEqual(await drain(q, 2), [{ id: 't0' }, { id: 't1' }]);
    q.pushTelemetry({ id: 't5' });
    assert.deepEqual(await drain(q, 1), [{ id: 't5', missed: 3 }]);
  });

  it('never drops structural events: past the bound the subscription fails with a code', async () => {
    const q = new SubscriberQueue(withMissed, limits);
    let closed = 0;
    q.onClose(() => closed++);
    for (let i = 0; i < 3; i++) q.pushStructural({ id: `s${i}` });
    assert.equal(closed, 0);
    q.pushStructural({ id: 's3' });
    assert.equal(closed, 1, 'the source is detached at once');
    await assert.rejects(q.next(), (e: unknown) => {
      const err = e as { extensions?: { code?: string }; message: string };
      return err.extensions?.code === SUBSCRIBER_OVERFLOW && /resubscribe/.test(err.message);
    });
    assert.deepEqual(await q.next(), { value: undefined, done: true });
  });

  it('a waiting consumer sees the failure too', async () => {
    const q = new SubscriberQueue(withMissed, limits);
    const pending = q.next();
    q.fail(new Error('gone'));
    await assert.rejects(pending, /gone/);
  });

  it('end() delivers what is pending, then completes and runs close listeners once', async () => {
    const q = new SubscriberQueue(withMissed, limits);
    let closed = 0;
    q.onClose(() => closed++);
    q.pushStructural({ id: 'x' });
    q.pushState('n', { id: 'n' });
    q.end();
    q.pushStructural({ id: 'ignored after end' });
    assert.equal(closed, 0);
    assert.deepEqual(await drain(q, 2), [{ id: 'x' }, { id: 'n' }]);
    assert.equal(closed, 1);
    assert.deepEqual(await q.next(), { value: undefined, done: true });
    assert.equal(closed, 1);
  });

  it('return() (the client stopped) completes a waiting next and detaches', async () => {
    const q = new SubscriberQueue(withMissed, limits);
    let closed = 0;
    q.onClose(() => closed++);
    const pending = q.next();
    await q.return();
    assert.deepEqual(await pending, { value: undefined, done: true });
    assert.equal(closed, 1);
    q.pushState('n', { id: 'late' });
    assert.equal(q.size, 0);
  });

  it('stays bounded under a flood: states by node count, stats by node count, telemetry by its bound', () => {
    const q = new SubscriberQueue(withMissed, { structural: 10, telemetry: 8 });
    for (let i = 0; i < 10_000; i++) {
      q.pushState(`n${i % 4}`, { id: `s${i}` });
      q.pushStats(`n${i % 4}`, { id: `st${i}` });
      q.pushTelemetry({ id: `t${i}` });
    }
    assert.equal(q.size, 4 + 4 + 8);
  });
});

it('trackPending reports every change of the queue size, so a connection can bound its subscriptions', async () => {
  const queue = new SubscriberQueue<number>((v) => v, { structural: 10, telemetry: 2 });
  queue.pushStructural(1);
  let pending = 0;
  queue.trackPending((delta) => (pending += delta));
  assert.equal(pending, 1, 'what was pending before tracking counts');
  queue.pushStructural(2);
  queue.pushState('n', 3);
  queue.pushState('n', 4);
  assert.equal(pending, 3, 'a coalesced state is one slot');
  await queue.next();
  assert.equal(pending, 2);
  await queue.return();
  assert.equal(pending, 0, 'closing releases everything');
});
