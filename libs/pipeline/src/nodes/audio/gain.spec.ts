import assert from 'node:assert/strict';
import { NodeRegistry } from '../../registry/registry';
import { test } from 'node:test';
import type { AudioPacket } from '../../core/packets';
import { collectNodeOutputs } from '../../testing';
import { gainNode, gainPacket } from './gain';
import { constFrame } from '../../testing/audio';

test('gain scales samples, keeps format and metadata, passes other packets through', async () => {
  const a = { ...constFrame(0.5, 960, 2), meta: { timestampUs: 20000, sequence: 1 } };
  const r = await collectNodeOutputs(gainNode, { gain: 2 }, [a, { kind: 'text', text: 'hi' }]);
  const out = r.packets[0] as AudioPacket;
  assert.equal(out.channels, 2);
  assert.ok(out.samples.every((v) => v === 1));
  assert.deepEqual(out.meta, a.meta);
  assert.ok(
    a.samples.every((v) => v === 0.5),
    'the input packet is not mutated',
  );
  assert.deepEqual(r.packets[1], { kind: 'text', text: 'hi' });
  assert.deepEqual(r.states.at(-1), { Stopped: { reason: 'input_closed' } });
});

test('an owned packet is scaled in place; a shared one is copied into an owned one; unity forwards as is', () => {
  const owned: AudioPacket = { ...constFrame(0.5, 960, 2), owned: true };
  const samples = owned.samples;
  const a = gainPacket(owned, 2, 2);
  assert.equal(a, owned, 'no new packet');
  assert.equal(a.samples, samples);
  assert.ok(samples.every((v) => v === 1));

  const shared = constFrame(0.5, 960, 2);
  const b = gainPacket(shared, 2, 2);
  assert.notEqual(b.samples, shared.samples);
  assert.equal(b.owned, true, 'the copy belongs to whoever gets it');
  assert.ok(
    shared.samples.every((v) => v === 0.5),
    'the shared packet is untouched',
  );

  assert.equal(gainPacket(shared, 1, 1), shared);
});

test('gain 4 is not clipped; gain 0 mutes; default is 1', async () => {
  const four = await collectNodeOutputs(gainNode, { gain: 4 }, [constFrame(0.5)]);
  assert.ok((four.packets[0] as AudioPacket).samples.every((v) => v === 2));
  const zero = await collectNodeOutputs(gainNode, { gain: 0 }, [constFrame(0.5)]);
  assert.ok((zero.packets[0] as AudioPacket).samples.every((v) => v === 0));
  const def = await collectNodeOutputs(gainNode, {}, [constFrame(0.25)]);
  assert.equal(def.params.gain, 1);
  assert.ok((def.packets[0] as AudioPacket).samples.every((v) => v === 0.25));
});

test('invalid gains are errors naming the param, not silent defaults', async () => {
  for (const gain of [4.1, -0.1, 100, 'loud']) {
    await assert.rejects(collectNodeOutputs(gainNode, { gain }, []), /gain/);
  }
  // A misspelt key is ignored with a warning (StreamKit), refused under strictParams.
  const strict = new NodeRegistry([gainNode], { strictParams: true });
  assert.match(strict.checkParams('audio::gain', { gian: 2 }).problems[0].message, /unknown param 'gian'/);
  assert.match(
    new NodeRegistry([gainNode]).checkParams('audio::gain', { gian: 2 }).warnings[0].message,
    /gian/,
  );
  assert.equal((gainNode.params.properties.gain as { tunable?: boolean }).tunable, true);
});

test('a tune ramps across the next frame, then holds the new gain', async () => {
  const r = await collectNodeOutputs(gainNode, { gain: 1 }, [constFrame(1, 100), constFrame(1, 100)], {
    onStart: ({ instance }) => instance.tune?.({ gain: 3 }, { gain: 3 }),
  });
  const first = (r.packets[0] as AudioPacket).samples;
  const second = (r.packets[1] as AudioPacket).samples;
  assert.ok(Math.abs(first[0] - 1.02) < 1e-6 && first[99] === 3, 'linear ramp from 1 to 3');
  for (let i = 1; i < 100; i++) assert.ok(first[i] > first[i - 1]);
  assert.ok(second.every((v) => v === 3));
});
