// The `JSON` scalar for free-form values: node params, param schemas, node state details, telemetry data.
import { Scalar, type CustomScalar } from '@nestjs/graphql';
import { Kind, type ValueNode } from 'graphql';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

function fromLiteral(node: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map((v) => fromLiteral(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, fromLiteral(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[node.name.value];
    default:
      return undefined;
  }
}

/** Marker class: resolvers and types refer to it as `() => JSONScalar`. */
export class JSONValue {}

@Scalar('JSON', () => JSONValue)
export class JSONScalar implements CustomScalar<unknown, unknown> {
  description = 'Any JSON value (objects, arrays, strings, numbers, booleans, null).';

  parseValue(value: unknown): unknown {
    return value;
  }

  serialize(value: unknown): unknown {
    return value;
  }

  parseLiteral(node: ValueNode, variables?: Record<string, unknown> | null): unknown {
    return fromLiteral(node, variables);
  }
}
