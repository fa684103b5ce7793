import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Listeners } from './listeners';

describe('Listeners', () => {
  it('delivers to every listener in order; the returned function removes one', () => {
    const heard: string[] = [];
    const l = new Listeners<[string, number]>('test');
    l.add((a, n) => heard.push(`first ${a} ${n}`));
    const off = l.add((a) => heard.push(`second ${a}`));
    l.emit('x', 1);
    off();
    off();
    l.emit('y', 2);
    assert.deepEqual(heard, ['first x 1', 'second x', 'first y 2']);
    assert.equal(l.size, 1);
    l.clear();
    l.emit('z', 3);
    assert.equal(heard.length, 3);
  });

  it('isolates a listener that throws: the others still hear the event and the error goes to onError', () => {
    const errors: unknown[] = [];
    const heard: number[] = [];
    const l = new Listeners<[number]>('test', (err) => errors.push(err));
    l.add(() => {
      throw new Error('boom');
    });
    l.add((n) => heard.push(n));
    assert.doesNotThrow(() => l.emit(7));
    assert.deepEqual(heard, [7]);
    assert.equal((errors[0] as Error).message, 'boom');
  });
});
