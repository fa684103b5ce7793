// TypeScript types for every named type of a GraphQL schema, as a client sees them over the wire: enums as
// unions of their names, object and interface types with every field (nullable ones `T | null`), input types
// with nullable fields optional, and an `<Type><Field>Args` interface for each field that takes arguments.
// Queries select subsets: clients `Pick` the fields they ask for.
import {
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  type GraphQLType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from 'graphql';

const SCALARS: Record<string, string> = {
  ID: 'string',
  String: 'string',
  Int: 'number',
  Float: 'number',
  Boolean: 'boolean',
  JSON: 'unknown',
};

function typeRef(type: GraphQLType, nullable = true): string {
  if (isNonNullType(type)) return typeRef(type.ofType, false);
  let inner: string;
  if (isListType(type)) {
    const item = typeRef(type.ofType);
    inner = item.includes(' ') ? `(${item})[]` : `${item}[]`;
  } else if (isScalarType(type)) inner = SCALARS[type.name] ?? 'unknown';
  else inner = type.name;
  return nullable ? `${inner} | null` : inner;
}

function doc(description: string | null | undefined, indent = ''): string {
  if (!description) return '';
  const lines = description.split('\n');
  if (lines.length === 1) return `${indent}/** ${description.replace(/\*\//g, '*\\/')} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} * ${l.replace(/\*\//g, '*\\/')}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

const key = (name: string) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name));

function outputField(field: GraphQLField<unknown, unknown>): string {
  return `${doc(field.description, '  ')}  ${key(field.name)}: ${typeRef(field.type)};\n`;
}

function inputField(field: GraphQLInputField): string {
  const optional = !isNonNullType(field.type) || field.defaultValue !== undefined;
  return `${doc(field.description, '  ')}  ${key(field.name)}${optional ? '?' : ''}: ${typeRef(field.type)};\n`;
}

function argsType(name: string, path: string, field: GraphQLField<unknown, unknown>): string {
  const fields = field.args
    .map((a) => {
      const optional = !isNonNullType(a.type) || a.defaultValue !== undefined;
      return `${doc(a.description, '  ')}  ${key(a.name)}${optional ? '?' : ''}: ${typeRef(a.type)};\n`;
    })
    .join('');
  return `/** Arguments of \`${path}\`. */\nexport interface ${name} {\n${fields}}\n`;
}

function namedType(type: GraphQLNamedType): string {
  const head = doc(type.description);
  if (isEnumType(type)) {
    return `${head}export type ${type.name} = ${type
      .getValues()
      .map((v) => JSON.stringify(v.name))
      .join(' | ')};\n`;
  }
  if (isUnionType(type)) {
    return `${head}export type ${type.name} = ${type
      .getTypes()
      .map((t) => t.name)
      .join(' | ')};\n`;
  }
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).map(inputField).join('');
    return `${head}export interface ${type.name} {\n${fields}}\n`;
  }
  if (isObjectType(type) || isInterfaceType(type)) {
    const fields = Object.values(type.getFields());
    let out = `${head}export interface ${type.name} {\n${fields.map(outputField).join('')}}\n`;
    for (const field of fields.filter((f) => f.args.length > 0)) {
      const name = `${type.name}${field.name[0].toUpperCase()}${field.name.slice(1)}Args`;
      out += `\n${argsType(name, `${type.name}.${field.name}`, field)}`;
    }
    return out;
  }
  return '';
}

/** The TypeScript source of every named type of `schema`, sorted by name. */
export function graphqlTypes(schema: GraphQLSchema): string {
  const types = Object.values(schema.getTypeMap())
    .filter((t) => !t.name.startsWith('__') && !isScalarType(t))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const custom = Object.values(schema.getTypeMap()).filter(
    (t) => isScalarType(t) && !t.name.startsWith('__') && !(t.name in SCALARS),
  );
  if (custom.length > 0) {
    throw new Error(`No TypeScript type for GraphQL scalar(s) ${custom.map((t) => t.name).join(', ')}`);
  }
  return types.map(namedType).join('\n');
}
