// Prints a Config as commented TOML, walking the schema so every key appears with its documentation;
// keys without a value are printed commented-out with an example. `skit config default` uses it.
import type { TSchema } from '@streamkit/pipeline/core/typebox';
import { ConfigSchema, type Config } from './schema';
import { isOptional, isTable, kindOf, properties, recordValue, type Table } from './schema-walk';

const BARE_KEY = /^[A-Za-z0-9_-]+$/;
const tomlKey = (k: string): string => (BARE_KEY.test(k) ? k : JSON.stringify(k));

/** A TOML inline value: JSON string escapes are valid TOML basic-string escapes. */
export function tomlValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : v > 0 ? 'inf' : v < 0 ? '-inf' : 'nan';
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.map(tomlValue).join(', ')}]`;
  if (isTable(v)) {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined && x !== null);
    return entries.length === 0
      ? '{}'
      : `{ ${entries.map(([k, x]) => `${tomlKey(k)} = ${tomlValue(x)}`).join(', ')} }`;
  }
  throw new Error(`Cannot print ${String(v)} as TOML`);
}

/** Arrays of strings longer than a line are printed one item per line. */
function printArray(key: string, v: unknown[]): string {
  const inline = `${tomlKey(key)} = ${tomlValue(v)}`;
  if (inline.length <= 100) return inline;
  return `${tomlKey(key)} = [\n${v.map((x) => `  ${tomlValue(x)},`).join('\n')}\n]`;
}

function comment(text: string | undefined): string[] {
  if (!text) return [];
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '#';
  for (const w of words) {
    if (line.length + w.length + 1 > 100 && line !== '#') {
      lines.push(line);
      line = '#';
    }
    line += ` ${w}`;
  }
  lines.push(line);
  return lines;
}

/** Tables (sections, records of tables, arrays of tables) are printed as headers after the plain keys. */
const isSection = (s: TSchema): boolean => kindOf(s) === 'Object';
const isTableRecord = (s: TSchema): boolean => kindOf(s) === 'Record' && kindOf(recordValue(s)) === 'Object';
const isTableArray = (s: TSchema): boolean =>
  kindOf(s) === 'Array' && kindOf(s.items as TSchema) === 'Object';

const header = (path: string[], array = false): string =>
  array ? `[[${path.map(tomlKey).join('.')}]]` : `[${path.map(tomlKey).join('.')}]`;

/** Entries of a record of tables or an array of tables, each under its own header. */
function printEntries(prop: TSchema, value: unknown, path: string[], out: string[]): void {
  if (isTableArray(prop)) {
    for (const item of Array.isArray(value) ? value : []) {
      out.push('', header(path, true));
      printTable(prop.items as TSchema, isTable(item) ? item : {}, path, out, false);
    }
    return;
  }
  for (const [name, entry] of Object.entries(isTable(value) ? value : {})) {
    out.push('', header([...path, name]));
    printTable(recordValue(prop), isTable(entry) ? entry : {}, [...path, name], out, false);
  }
}

function printTable(
  schema: TSchema,
  value: Table,
  path: string[],
  out: string[],
  withComments: boolean,
): void {
  const deferred: [string, TSchema][] = [];
  for (const [key, prop] of properties(schema)) {
    if (isSection(prop) || isTableRecord(prop) || isTableArray(prop)) {
      deferred.push([key, prop]);
      continue;
    }
    const v = value[key];
    if (withComments) out.push(...comment(prop.description));
    if (v === undefined) {
      if (withComments && isOptional(prop) && prop.example !== undefined) {
        out.push(`# ${tomlKey(key)} = ${tomlValue(prop.example)}`);
      }
      continue;
    }
    out.push(Array.isArray(v) ? printArray(key, v) : `${tomlKey(key)} = ${tomlValue(v)}`);
  }
  for (const [key, prop] of deferred) {
    const v = value[key];
    const childPath = [...path, key];
    if (isSection(prop)) {
      out.push('');
      if (withComments) out.push(...comment(prop.description));
      out.push(header(childPath));
      printTable(prop, isTable(v) ? v : {}, childPath, out, withComments);
      continue;
    }
    const empty = Array.isArray(v) ? v.length === 0 : !isTable(v) || Object.keys(v).length === 0;
    if (withComments) out.push('', ...comment(prop.description));
    if (!empty) {
      printEntries(prop, v, childPath, out);
    } else if (withComments && prop.example !== undefined) {
      // Empty by default: show an example, commented out, in the form a user would write it.
      const example: string[] = [];
      printEntries(prop, prop.example, childPath, example);
      out.push(...example.filter((line) => line !== '').map((line) => `# ${line}`));
    }
  }
}

/** The config as TOML; with comments, every key is documented (the committed skit.toml is this output). */
export function printConfigToml(
  config: Config,
  options: { comments?: boolean; header?: string } = {},
): string {
  const withComments = options.comments ?? true;
  const out: string[] = [];
  if (options.header) out.push(...options.header.split('\n').map((l) => (l ? `# ${l}` : '#')));
  const root = config as unknown as Table;
  for (const [key, prop] of properties(ConfigSchema)) {
    if (out.length > 0) out.push('');
    if (withComments) out.push(...comment(prop.description));
    out.push(`[${tomlKey(key)}]`);
    printTable(prop, isTable(root[key]) ? root[key] : {}, [key], out, withComments);
  }
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n')}\n`;
}
