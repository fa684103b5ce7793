// The one bounded YAML parser for everything the server reads as YAML (pipelines, samples, oneshot configs):
// size, nesting depth, node count and alias use are checked on the token stream before the yaml library
// builds anything, so a hostile document costs time in proportion to the limits, not to its size, and
// never reaches the library's recursive composer or its quadratic duplicate-key check.
// Browser-safe (the web UI imports spec/**): no `node:` imports.
import { CST, Lexer, isAlias, isMap, isPair, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { DEFAULT_YAML_LIMITS, YAML_LIMIT_KEYS, type YamlLimits } from './yaml-limits';

export { DEFAULT_YAML_LIMITS, YAML_LIMIT_KEYS, type YamlLimits };

/** A YAML text that was refused: `syntax` (not valid YAML, or duplicate keys) or `limit` (which one). */
export class YamlError extends Error {
  constructor(
    message: string,
    readonly kind: 'syntax' | 'limit',
    readonly limit?: keyof YamlLimits,
  ) {
    super(message);
    this.name = 'YamlError';
  }
}

export interface BoundedYaml {
  /** The parsed document (comments and layout kept, for edits that write the text back). */
  document: Document.Parsed;
  /** The document as plain JavaScript values (maps are objects; `__proto__` stays an own key). */
  value: unknown;
}

function limitError(limits: YamlLimits, key: keyof YamlLimits, what: string): YamlError {
  return new YamlError(
    `${what}; the limit is ${limits[key]} ([engine.limits] ${YAML_LIMIT_KEYS[key]})`,
    'limit',
    key,
  );
}

/** UTF-8 size without allocating an encoded copy. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

function checkSize(text: string, limits: YamlLimits): void {
  const max = limits.maxYamlBytes;
  // UTF-16 length <= UTF-8 size <= 3x UTF-16 length: count exactly only in between.
  if (text.length > max || (text.length * 3 > max && utf8Length(text) > max)) {
    throw limitError(limits, 'maxYamlBytes', `YAML document is larger than ${max} bytes`);
  }
}

/** Above this many times `maxYamlNodes` separators, a text is refused without being lexed at all. */
const SEPARATOR_FACTOR = 4;

/**
 * An upper bound on the nodes of a YAML text from one pass over its characters (quotes and comments are
 * not recognised, so it can only overcount): every node starts a line or follows `[`, `{`, `,`, `:`, or a
 * `-`/`?` indicator, and a flow collection counts itself and its first entry.
 */
function separatorBound(text: string): number {
  let bound = 1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x2c || c === 0x3a) bound++;
    else if (c === 0x5b || c === 0x7b) bound += 2;
    else if (c === 0x2d || c === 0x3f) {
      const d = i + 1 < n ? text.charCodeAt(i + 1) : 0x0a;
      if (d === 0x20 || d === 0x09 || d === 0x0a || d === 0x0d) bound++;
    }
  }
  return bound;
}

/**
 * Walks the lexer's tokens once (stopping at the first exceeded limit) and bounds what the parser will build:
 * the node count, the alias uses, and the nesting depth, from block indentation columns and flow brackets.
 * The depth is an upper bound (a value on its key's line counts as one more level).
 */
function prescan(text: string, limits: YamlLimits): void {
  // The lexer costs about a microsecond per token: a text far over the node limit is refused unlexed.
  if (separatorBound(text) > SEPARATOR_FACTOR * limits.maxYamlNodes) {
    throw limitError(
      limits,
      'maxYamlNodes',
      `YAML document has more than ${limits.maxYamlNodes} nodes (over ${SEPARATOR_FACTOR * limits.maxYamlNodes} separators)`,
    );
  }
  let nodes = 0;
  let aliases = 0;
  let flow = 0;
  let line = 1;
  let col = 0;
  /** Columns of the block collections open at this point. */
  const block: number[] = [];
  let scalarSource = false;
  for (const token of new Lexer().lex(text)) {
    const startCol = col;
    const nl = token.lastIndexOf('\n');
    if (nl >= 0) {
      for (let i = token.indexOf('\n'); i >= 0 && i <= nl; i = token.indexOf('\n', i + 1)) line++;
      col = token.length - nl - 1;
    } else col += token.length;
    // The lexer announces every plain or block scalar with a marker token; the next token is its source.
    if (scalarSource) {
      scalarSource = false;
      continue;
    }
    const type = CST.tokenType(token);
    let starts = false;
    switch (type) {
      case 'scalar':
        scalarSource = true;
        starts = true;
        break;
      case 'single-quoted-scalar':
      case 'double-quoted-scalar':
      case 'seq-item-ind':
      case 'explicit-key-ind':
        starts = true;
        break;
      case 'alias':
        starts = true;
        if (++aliases > limits.maxYamlAliases) {
          throw limitError(
            limits,
            'maxYamlAliases',
            `YAML document uses more than ${limits.maxYamlAliases} aliases (line ${line})`,
          );
        }
        break;
      case 'flow-map-start':
      case 'flow-seq-start':
        starts = true;
        break;
      case 'flow-map-end':
      case 'flow-seq-end':
        if (flow > 0) flow--;
        break;
      case 'doc-start':
        block.length = 0;
        break;
    }
    if (!starts) continue;
    if (++nodes > limits.maxYamlNodes) {
      throw limitError(
        limits,
        'maxYamlNodes',
        `YAML document has more than ${limits.maxYamlNodes} nodes (line ${line})`,
      );
    }
    if (flow === 0) {
      while (block.length > 0 && block[block.length - 1] > startCol) block.pop();
      if (block.length === 0 || block[block.length - 1] < startCol) block.push(startCol);
    }
    if (type === 'flow-map-start' || type === 'flow-seq-start') flow++;
    if (block.length + flow > limits.maxYamlDepth) {
      throw limitError(
        limits,
        'maxYamlDepth',
        `YAML document nests deeper than ${limits.maxYamlDepth} levels (line ${line})`,
      );
    }
  }
}

/** Line (1-based) of a node, from its source range, for messages. */
function lineOf(text: string, offset: number | undefined): number {
  if (offset === undefined) return 0;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * One iterative pass over the parsed document: unique keys in every mapping (the library's own check is
 * quadratic), the exact depth, and the node count with every alias expanded (so a "billion laughs" document
 * is refused after `maxYamlNodes` steps instead of expanding).
 */
function checkDocument(doc: Document.Parsed, text: string, limits: YamlLimits): void {
  const anchors = new Map<string, unknown>();
  const stack: { node: unknown; depth: number; expanding: boolean }[] = [
    { node: doc.contents, depth: 0, expanding: false },
  ];
  let visited = 0;
  while (stack.length > 0) {
    const { node, depth, expanding } = stack.pop() as (typeof stack)[number];
    if (node === null || node === undefined) continue;
    if (++visited > limits.maxYamlNodes) {
      throw limitError(
        limits,
        'maxYamlNodes',
        `YAML document expands to more than ${limits.maxYamlNodes} nodes through its aliases`,
      );
    }
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) {
        throw new YamlError(
          `Unresolved alias *${node.source} (line ${lineOf(text, node.range?.[0])}): its anchor must come first`,
          'syntax',
        );
      }
      stack.push({ node: target, depth, expanding: true });
      continue;
    }
    if (depth > limits.maxYamlDepth) {
      throw limitError(
        limits,
        'maxYamlDepth',
        `YAML document nests deeper than ${limits.maxYamlDepth} levels (line ${lineOf(text, (node as { range?: number[] }).range?.[0])})`,
      );
    }
    if (!expanding && (isScalar(node) || isMap(node) || isSeq(node)) && node.anchor)
      anchors.set(node.anchor, node);
    if (isMap(node)) {
      if (!expanding) {
        const keys = new Set<string>();
        for (const pair of node.items) {
          if (!isScalar(pair.key)) continue;
          const key = String(pair.key.value);
          if (keys.has(key)) {
            throw new YamlError(
              `Map keys must be unique: '${key}' appears twice (line ${lineOf(text, pair.key.range?.[0])})`,
              'syntax',
            );
          }
          keys.add(key);
        }
      }
      for (let i = node.items.length - 1; i >= 0; i--) {
        const pair = node.items[i];
        stack.push({ node: pair.value, depth: depth + 1, expanding });
        stack.push({ node: pair.key, depth: depth + 1, expanding });
      }
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const item = node.items[i];
        // A flow sequence may hold `a: b` pairs (single-pair maps).
        if (isPair(item)) {
          stack.push({ node: item.value, depth: depth + 2, expanding });
          stack.push({ node: item.key, depth: depth + 2, expanding });
        } else stack.push({ node: item, depth: depth + 1, expanding });
      }
    }
  }
}

/**
 * Parses one YAML document within `limits` (defaults: `DEFAULT_YAML_LIMITS`). Throws `YamlError`: `limit`
 * naming the exceeded limit and its `[engine.limits]` key, or `syntax` with the parser's first message.
 */
export function parseBoundedYaml(text: string, limits: Partial<YamlLimits> = {}): BoundedYaml {
  const l: YamlLimits = { ...DEFAULT_YAML_LIMITS, ...limits };
  checkSize(text, l);
  prescan(text, l);
  // logLevel 'error': the library's warnings (e.g. a collection used as a key) would go to process
  // warnings, one stderr line per document a caller sends.
  const document = parseDocument(text, { uniqueKeys: false, prettyErrors: true, logLevel: 'error' });
  if (document.errors.length > 0) {
    throw new YamlError(document.errors[0].message, 'syntax');
  }
  checkDocument(document, text, l);
  // Aliases were bounded above; the library's own alias heuristic would refuse some legitimate documents.
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: -1 });
  } catch (err) {
    throw new YamlError((err as Error).message, 'syntax');
  }
  return { document, value };
}
