// When a ranged number gets a slider: only for small bounded ranges a hand can pick from. A 32-bit
// serial number or a byte count is bounded too, but no slider position means anything there.
import type { FieldSpec } from './schema-form';

/** Most distinct positions a slider may have (integers step by 1). */
export const MAX_SLIDER_STEPS = 1000;
/** Widest span a slider may cover, whatever its step. */
export const MAX_SLIDER_SPAN = 100_000;

export function showsSlider(f: Pick<FieldSpec, 'kind' | 'min' | 'max' | 'step' | 'integer'>): boolean {
  if (f.kind !== 'range' || f.min === undefined || f.max === undefined) return false;
  const span = f.max - f.min;
  if (!(span > 0) || span > MAX_SLIDER_SPAN) return false;
  const step = f.step && f.step > 0 ? f.step : f.integer ? 1 : span / 100;
  return span / step <= MAX_SLIDER_STEPS;
}
