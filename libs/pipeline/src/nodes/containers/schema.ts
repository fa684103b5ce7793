// A string enum as plain JSON Schema `enum` (one clear validation error and a dropdown in the UI's
// forms), typed as the union of its values.
import { Type, type TUnsafe } from '../../core/typebox';

export function stringEnum<const T extends readonly string[]>(
  values: T,
  options: { default: T[number]; description: string },
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });
}
