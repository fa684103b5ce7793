import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EOS, type Packet } from '../core/packets';
import type { NodeStatsCounters } from '../core/node';
import { InputChannel, Link, NodeMeter, OutputPort } from './channel';

const counters = (): NodeStatsCounters => ({
  received: 0,
  sent: 0,
  discarded: 0,
  errored: 0,
  processingNs: 0,
});
const text = (i: number): Packet => ({ kind: 'text', text: String(i) });

describe('channels', () => {
  it('takes the synchronous path while there is room or data', () => {
    const rx = new NodeMeter(counters());
    const tx = new NodeMeter(counters());
    const ch = new InputChannel(4, rx, true);
    const port = new OutputPort(tx, true);
    port.links.push(new Link('a', 'out', 'b', 'in', 'reliable', ch));
    for (let i = 0; i < 4; i++) assert.equal(port.send(text(i)), undefined);
    assert.equal(port.trySend(text(4)), false);
    const pending = port.send(text(4));
    assert.ok(pending instanceof Promise);
    assert.deepEqual(ch.tryRecv(), text(0));
    assert.equal(tx.stats.sent, 4);
    assert.equal(rx.stats.received, 1);
    return (async () => {
      // The blocked send completes once the reader drains below the low watermark.
      ch.tryRecv();
      ch.tryRecv();
      assert.equal(await pending, true);
      assert.equal(ch.size, 2);
      assert.equal(tx.stats.sent, 5);
    })();
  });

  it('delivers to a waiting reader directly and signals EOS once the last link ended', async () => {
    const ch = new InputChannel(2, new NodeMeter(counters()), false);
    const a = new Link('a', 'out', 'c', 'in', 'reliable', ch);
    const b = new Link('b', 'out', 'c', 'in', 'reliable', ch);
    const waiting = ch.recv();
    ch.push(text(1));
    assert.deepEqual(await waiting, text(1));
    a.detach(true);
    assert.equal(ch.tryRecv(), undefined, 'one upstream still open');
    const end = ch.recv();
    b.detach(true);
    assert.equal(await end, EOS);
  });

  it('does not end a session input on a plain disconnect', () => {
    const ch = new InputChannel(2, new NodeMeter(counters()), false);
    new Link('a', 'out', 'c', 'in', 'reliable', ch).detach(false);
    assert.equal(ch.tryRecv(), undefined);
  });

  it('drops and counts on a full best-effort link without blocking', () => {
    const tx = new NodeMeter(counters());
    const slow = new InputChannel(2, new NodeMeter(counters()), true);
    const fast = new InputChannel(16, new NodeMeter(counters()), true);
    const port = new OutputPort(tx, true);
    const lossy = new Link('a', 'out', 'slow', 'in', 'best_effort', slow);
    port.links.push(lossy, new Link('a', 'out', 'fast', 'in', 'reliable', fast));
    for (let i = 0; i < 10; i++) assert.equal(port.send(text(i)), undefined);
    assert.equal(slow.size, 2);
    assert.equal(fast.size, 10);
    assert.equal(lossy.dropped, 8);
    assert.equal(tx.stats.discarded, 8);
    assert.equal(tx.stats.sent, 10);
  });

  it('keeps an owned audio packet owned on one link and shares it when it fans out', () => {
    const audio = (): Packet => ({
      kind: 'audio',
      sampleRate: 48000,
      channels: 1,
      samples: new Float32Array(4),
      owned: true,
    });
    const one = new OutputPort(new NodeMeter(counters()), true);
    const solo = new InputChannel(4, new NodeMeter(counters()), true);
    one.links.push(new Link('a', 'out', 'b', 'in', 'reliable', solo));
    one.send(audio());
    assert.equal((solo.tryRecv() as Packet & { owned?: boolean }).owned, true);

    const two = new OutputPort(new NodeMeter(counters()), true);
    const x = new InputChannel(4, new NodeMeter(counters()), true);
    const y = new InputChannel(4, new NodeMeter(counters()), true);
    two.links.push(
      new Link('a', 'out', 'x', 'in', 'reliable', x),
      new Link('a', 'out', 'y', 'in', 'reliable', y),
    );
    two.send(audio());
    const got = x.tryRecv();
    assert.equal(got, y.tryRecv(), 'both readers get the same object');
    assert.equal((got as Packet & { owned?: boolean }).owned, false, 'so neither may write into it');
  });

  it('wakes a blocked reader with EOS and a blocked writer with false when cancelled', async () => {
    const ch = new InputChannel(1, new NodeMeter(counters()), false);
    const r = ch.recv();
    ch.closeReader();
    assert.equal(await r, EOS);
    const ch2 = new InputChannel(1, new NodeMeter(counters()), false);
    const port = new OutputPort(new NodeMeter(counters()), false);
    port.links.push(new Link('a', 'out', 'b', 'in', 'reliable', ch2));
    port.send(text(0));
    const blocked = port.send(text(1));
    port.closeOwner();
    assert.equal(await blocked, false);
  });

  it('resolves waitReadable without consuming', async () => {
    const ch = new InputChannel(2, new NodeMeter(counters()), false);
    const ready = ch.waitReadable();
    ch.push(text(7));
    await ready;
    assert.deepEqual(ch.tryRecv(), text(7));
  });
});
