// URL checks for nodes that fetch over HTTP (`transport::http::fetcher`): http(s) only, and the URL that is
// actually requested (the WHATWG-normalised form: `..` and `%2e` segments resolved, host canonical) must
// match `[security].allowed_fetch_urls` (ours; StreamKit leaves the fetcher unrestricted beyond role lists).
import { matchesAny } from './glob';

/**
 * A `/` or `\` encoded in the path survives normalisation, and many servers decode it into a separator:
 * `/redir%2F..%2Fsecret` would then reach `/secret` through a `/redir*` pattern. Refused unless the
 * allow-list allows everything.
 */
const ENCODED_SEPARATOR = /%2f|%5c/i;

/** The normalised URL to request, or throws with an actionable reason unless it matches one of `patterns`. */
export function checkFetchUrl(patterns: readonly string[], url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Invalid URL '${url}'`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`URL '${url}' must use http or https (got '${parsed.protocol.slice(0, -1)}')`);
  }
  const href = parsed.href;
  if (!patterns.includes('*') && ENCODED_SEPARATOR.test(parsed.pathname)) {
    throw new Error(
      `URL '${url}' has an encoded '/' or '\\' in its path (%2F, %5C), which the server may decode into a ` +
        'different path; it is not allowed.',
    );
  }
  if (!matchesAny(patterns, href)) {
    const shown = href === url ? `URL '${url}'` : `URL '${url}' (requested as '${href}')`;
    throw new Error(
      `${shown} is not allowed. Configure security.allowed_fetch_urls to allow additional URLs.`,
    );
  }
  return href;
}
