// URL checks for nodes that fetch over HTTP (`transport::http::fetcher`): http(s) only, and the URL must
// match `[security].allowed_fetch_urls` (ours; StreamKit leaves the fetcher unrestricted beyond role lists).
import { matchesAny } from './glob';

/** Throws with an actionable reason unless `url` is an http(s) URL matching one of `patterns`. */
export function checkFetchUrl(patterns: readonly string[], url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`Invalid URL '${url}'`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`URL '${url}' must use http or https (got '${parsed.protocol.slice(0, -1)}')`);
  }
  if (!matchesAny(patterns, parsed.href) && !matchesAny(patterns, url)) {
    throw new Error(
      `URL '${url}' is not allowed. Configure security.allowed_fetch_urls to allow additional URLs.`,
    );
  }
}
