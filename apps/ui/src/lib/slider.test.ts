import { describe, expect, it } from 'vitest';
import { describeParams } from './schema-form';
import { showsSlider } from './slider';

const field = (schema: object) =>
  describeParams({ type: 'object', properties: { p: schema } } as Parameters<typeof describeParams>[0])[0];

describe('showsSlider', () => {
  it('keeps sliders for small bounded ranges', () => {
    expect(showsSlider(field({ type: 'number', minimum: 0, maximum: 4 }))).toBe(true);
    expect(showsSlider(field({ type: 'integer', minimum: 1, maximum: 2 }))).toBe(true);
    expect(showsSlider(field({ type: 'integer', minimum: 0, maximum: 1000 }))).toBe(true);
  });

  it('gives a 32-bit serial number, or any huge range, a number input instead', () => {
    expect(showsSlider(field({ type: 'integer', minimum: 0, maximum: 0xffffffff }))).toBe(false);
    expect(showsSlider(field({ type: 'integer', minimum: 0, maximum: 65535 }))).toBe(false);
    expect(showsSlider(field({ type: 'number', minimum: 0, maximum: 1e9 }))).toBe(false);
  });

  it('never gives a slider to an unbounded number', () => {
    expect(showsSlider(field({ type: 'number', minimum: 0 }))).toBe(false);
  });
});
