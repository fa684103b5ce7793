// StreamKit-compatible glob matching for permission allow-lists and path policies: `*` crosses `/` and `:`,
// `?` is one character, `[...]` a class, `**` must be a whole path component; invalid patterns never match.

const cache = new Map<string, RegExp | null>();
const CACHE_LIMIT = 1024;

function escapeRegex(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? `\\${ch}` : ch;
}

/** Parses `[...]` starting at `start` (the `[`); returns the regex class and the index after `]`, or null. */
function parseClass(pattern: string, start: number): { source: string; next: number } | null {
  let i = start + 1;
  let negate = false;
  if (pattern[i] === '!') {
    negate = true;
    i++;
  }
  const items: string[] = [];
  let first = true;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === ']' && !first) {
      if (items.length === 0) return null;
      return { source: `[${negate ? '^' : ''}${items.join('')}]`, next: i + 1 };
    }
    first = false;
    if (pattern[i + 1] === '-' && i + 2 < pattern.length && pattern[i + 2] !== ']') {
      const lo = ch;
      const hi = pattern[i + 2];
      if (lo > hi) return null;
      items.push(`${escapeRegex(lo)}-${escapeRegex(hi)}`);
      i += 3;
    } else {
      items.push(escapeRegex(ch));
      i++;
    }
  }
  return null;
}

/** Compiles a glob to an anchored RegExp, or null when the pattern is invalid. */
export function compileGlob(pattern: string): RegExp | null {
  if (cache.has(pattern)) return cache.get(pattern) ?? null;
  const compiled = compileUncached(pattern);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

function compileUncached(pattern: string): RegExp | null {
  let source = '';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        // `**` is only valid as a whole component: at the start or after `/`, and followed by `/` or the end.
        const atStart = i === 0 || pattern[i - 1] === '/';
        const after = pattern[i + 2];
        if (!atStart || (after !== undefined && after !== '/')) return null;
        if (after === '/') {
          source += '(?:.*/)?';
          i += 3;
        } else {
          source += '.*';
          i += 2;
        }
        continue;
      }
      source += '.*';
      i++;
    } else if (ch === '?') {
      source += '.';
      i++;
    } else if (ch === '[') {
      const cls = parseClass(pattern, i);
      if (!cls) return null;
      source += cls.source;
      i = cls.next;
    } else if (ch === ']') {
      return null;
    } else {
      source += escapeRegex(ch);
      i++;
    }
  }
  return new RegExp(`^${source}$`, 's');
}

/** True when `value` matches the glob `pattern` (case-sensitive). An invalid pattern matches nothing. */
export function globMatch(pattern: string, value: string): boolean {
  const re = compileGlob(pattern);
  return re !== null && re.test(value);
}

/** True when any pattern of the allow-list matches. An empty list allows nothing. */
export function matchesAny(patterns: readonly string[], value: string): boolean {
  for (const p of patterns) if (globMatch(p, value)) return true;
  return false;
}
