// Cost bounds of a GraphQL operation, checked before graphql-js validates or executes it (its overlapping-
// fields rule is quadratic in the number of aliases): tokens and lexical nesting on the source (the parser
// recurses, so a deep document would overflow the stack), then aliases, field selections with fragments expanded, and depth
// on the parsed document. Every walk is iterative; a fragment is costed once however often it is spread.
import { Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { ErrorWithProps } from 'mercurius';

export interface QueryCostLimits {
  maxDepth: number;
  maxAliases: number;
  maxFields: number;
}

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

/** The error a client gets for an operation over a bound (HTTP 400, `extensions.code` QUERY_TOO_COMPLEX). */
export class QueryTooComplexError extends ErrorWithProps {
  constructor(message: string) {
    super(message, { code: QUERY_TOO_COMPLEX, status: 400 }, 400);
  }
}

export interface SourceLimits extends QueryCostLimits {
  maxTokens: number;
}

/**
 * One linear scan of the source, stopping at the first bound crossed: lexical tokens (names, numbers, strings,
 * punctuators; commas and comments are not tokens) and nesting of `{`, `[` and `(`. graphql-js' parser
 * recurses per level and would overflow the stack on a deep document, and counting tokens here means an
 * oversized document costs a scan of its first `maxTokens` tokens, not a parse.
 */
export function checkSourceShape(source: string, limits: SourceLimits): void {
  const maxNesting = lexicalNestingLimit(limits);
  let depth = 0;
  let tokens = 0;
  for (let i = 0; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x2c /* , */ || c === 0xfeff) continue;
    if (c === 0x23 /* # */) {
      while (i < source.length && source.charCodeAt(i) !== 0x0a) i++;
      continue;
    }
    if (++tokens > limits.maxTokens) {
      throw new QueryTooComplexError(
        `GraphQL document has more than ${limits.maxTokens} tokens (server.graphql.max_tokens)`,
      );
    }
    if (c === 0x22 /* " */) {
      i = skipString(source, i);
    } else if (isNameChar(c)) {
      while (i + 1 < source.length && isNameChar(source.charCodeAt(i + 1))) i++;
    } else if (c === 0x2e /* . */ && source.startsWith('...', i)) {
      i += 2;
    } else if (c === 0x7b || c === 0x5b || c === 0x28) {
      if (++depth > maxNesting) {
        throw new QueryTooComplexError(
          `GraphQL document nests deeper than ${maxNesting} levels (server.graphql.max_depth is ${limits.maxDepth})`,
        );
      }
    } else if (c === 0x7d || c === 0x5d || c === 0x29) {
      depth--;
    }
  }
}

/** Letters, digits, `_`, and the `-`/`.`/`+` of numbers: one run of them is one token at most. */
function isNameChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x30 && c <= 0x39) ||
    c === 0x5f ||
    c === 0x2d ||
    c === 0x2b
  );
}

/** Selections nest in `{`, arguments and list values add a little: four levels per selection level is ample. */
function lexicalNestingLimit(limits: QueryCostLimits): number {
  return Math.max(32, limits.maxDepth * 4);
}

/** Index of the last character of the string literal opening at `start` (block strings included). */
function skipString(source: string, start: number): number {
  if (source.startsWith('"""', start)) {
    const end = source.indexOf('"""', start + 3);
    return end < 0 ? source.length : end + 2;
  }
  for (let i = start + 1; i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22 || c === 0x0a) return i;
  }
  return source.length;
}

interface Cost {
  fields: number;
  depth: number;
}

/** Throws `QueryTooComplexError` when the document has too many aliases or an operation too many fields or levels. */
export function checkDocumentCost(document: DocumentNode, limits: QueryCostLimits): void {
  if (!document || !Array.isArray(document.definitions)) {
    throw new QueryTooComplexError('GraphQL document must be a parsed document with definitions');
  }
  const aliases = countAliases(document);
  if (aliases > limits.maxAliases) {
    throw new QueryTooComplexError(
      `GraphQL document has ${aliases} aliases; at most ${limits.maxAliases} are allowed (server.graphql.max_aliases)`,
    );
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  const costs = new FragmentCosts(fragments);
  for (const def of document.definitions) {
    if (def.kind !== Kind.OPERATION_DEFINITION) continue;
    const cost = costs.of(def.selectionSet);
    const name = def.name ? ` '${def.name.value}'` : '';
    if (cost.fields > limits.maxFields) {
      throw new QueryTooComplexError(
        `GraphQL operation${name} selects ${cost.fields} fields with fragments expanded; at most ` +
          `${limits.maxFields} are allowed (server.graphql.max_fields)`,
      );
    }
    if (cost.depth > limits.maxDepth) {
      throw new QueryTooComplexError(
        `GraphQL operation${name} is ${cost.depth} levels deep; at most ${limits.maxDepth} are allowed ` +
          '(server.graphql.max_depth)',
      );
    }
  }
}

function countAliases(document: DocumentNode): number {
  let count = 0;
  const stack: SelectionSetNode[] = [];
  for (const def of document.definitions) {
    if (def.kind === Kind.OPERATION_DEFINITION || def.kind === Kind.FRAGMENT_DEFINITION) {
      stack.push(def.selectionSet);
    }
  }
  while (stack.length > 0) {
    const set = stack.pop()!;
    for (const sel of set?.selections ?? []) {
      if (sel.kind === Kind.FIELD && sel.alias) count++;
      if (sel.kind !== Kind.FRAGMENT_SPREAD && sel.selectionSet) stack.push(sel.selectionSet);
    }
  }
  return count;
}

/** Fields and depth of selection sets, with each fragment's cost computed once (iteratively, post-order). */
class FragmentCosts {
  private readonly done = new Map<string, Cost>();

  constructor(private readonly fragments: Map<string, FragmentDefinitionNode>) {}

  of(root: SelectionSetNode): Cost {
    for (const name of this.spreadsBelow(root)) this.fragmentCost(name);
    return this.setCost(root);
  }

  /** Costs fragment `name` after the fragments it spreads (a cycle is refused: validation would anyway). */
  private fragmentCost(name: string): void {
    if (this.done.has(name)) return;
    const visiting = new Set<string>();
    const stack: { name: string; expanded: boolean }[] = [{ name, expanded: false }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (this.done.has(top.name)) {
        stack.pop();
        continue;
      }
      const fragment = this.fragments.get(top.name);
      if (!fragment) {
        // Unknown fragments are a validation error reported later; they cost nothing here.
        this.done.set(top.name, { fields: 0, depth: 0 });
        stack.pop();
        continue;
      }
      if (top.expanded) {
        visiting.delete(top.name);
        this.done.set(top.name, this.setCost(fragment.selectionSet));
        stack.pop();
        continue;
      }
      top.expanded = true;
      visiting.add(top.name);
      for (const dep of this.spreadsBelow(fragment.selectionSet)) {
        if (visiting.has(dep)) throw new QueryTooComplexError(`GraphQL fragment '${dep}' spreads itself`);
        if (!this.done.has(dep)) stack.push({ name: dep, expanded: false });
      }
    }
  }

  /** Names of the fragments spread directly in this set or its fields (not inside those fragments). */
  private spreadsBelow(root: SelectionSetNode): Set<string> {
    const names = new Set<string>();
    const stack = [root];
    while (stack.length > 0) {
      for (const sel of stack.pop()?.selections ?? []) {
        if (sel.kind === Kind.FRAGMENT_SPREAD) names.add(sel.name.value);
        else if (sel.selectionSet) stack.push(sel.selectionSet);
      }
    }
    return names;
  }

  /**
   * Cost of a set whose spread fragments are all costed already: one iterative post-order pass, linear in the
   * set's size (bounded by max_tokens); spread fragments add their known cost without being walked again.
   */
  private setCost(root: SelectionSetNode): Cost {
    interface Frame {
      set: SelectionSetNode;
      /** Levels this set adds below its parent field (1 under a field, 0 for an inline fragment). */
      level: number;
      fields: number;
      depth: number;
      children: Frame[];
      visited: boolean;
    }
    const frame = (set: SelectionSetNode, level: number): Frame => ({
      set,
      level,
      fields: 0,
      depth: 0,
      children: [],
      visited: false,
    });
    const top = frame(root, 0);
    const stack: Frame[] = [top];
    while (stack.length > 0) {
      const f = stack[stack.length - 1];
      if (!f.visited) {
        f.visited = true;
        for (const sel of f.set?.selections ?? []) {
          if (sel.kind === Kind.FIELD) {
            f.fields++;
            f.depth = Math.max(f.depth, 1);
            if (sel.selectionSet) f.children.push(frame(sel.selectionSet, 1));
          } else if (sel.kind === Kind.INLINE_FRAGMENT) {
            f.children.push(frame(sel.selectionSet, 0));
          } else {
            const cost = this.done.get(sel.name.value) ?? { fields: 0, depth: 0 };
            f.fields += cost.fields;
            f.depth = Math.max(f.depth, cost.depth);
          }
        }
        stack.push(...f.children);
        continue;
      }
      stack.pop();
      for (const child of f.children) {
        f.fields += child.fields;
        f.depth = Math.max(f.depth, child.level + child.depth);
      }
      f.children = [];
    }
    return { fields: top.fields, depth: top.depth };
  }
}
