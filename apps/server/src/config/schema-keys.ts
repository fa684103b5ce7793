// Constructors for `skit.toml` keys: each carries its default and documentation, from which the defaults,
// the printed TOML and the JSON Schema derive (config/schema.ts).
import { Type, type TSchema } from '@streamkit/pipeline/core/typebox';

export const str = (def: string, description: string) => Type.String({ default: def, description });
export const bool = (def: boolean, description: string) => Type.Boolean({ default: def, description });
export const int = (def: number, description: string, minimum = 0) =>
  Type.Integer({ default: def, description, minimum });
export const strList = (def: readonly string[], description: string) =>
  Type.Array(Type.String(), { default: [...def], description });
/** A key with no default: absent from the defaults, printed commented-out with `example`. */
export const optStr = (description: string, example: string) =>
  Type.Optional(Type.String({ description, example }));
export const optInt = (description: string, example: number) =>
  Type.Optional(Type.Integer({ description, example, minimum: 0 }));
export const oneOf = <T extends string>(values: readonly T[], def: T, description: string) =>
  Type.Union(
    values.map((v) => Type.Literal(v)),
    { default: def, description },
  );
export const section = <P extends Record<string, TSchema>>(props: P, description: string) =>
  Type.Object(props, { description, additionalProperties: false });
