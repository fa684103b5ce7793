// Origin allow-list matching shared by CORS, the browser (CSRF) guard on mutating API calls and WebSocket
// upgrades: `*`, `<prefix>:*` (any numeric port) or an exact, case-sensitive origin.

/** The default `[server.cors].allowed_origins`: localhost and 127.0.0.1, http and https, any port. */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = [
  'http://localhost',
  'https://localhost',
  'http://localhost:*',
  'https://localhost:*',
  'http://127.0.0.1',
  'https://127.0.0.1',
  'http://127.0.0.1:*',
  'https://127.0.0.1:*',
];

/** True when `origin` matches one pattern. */
export function originMatches(pattern: string, origin: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith(':*')) {
    const prefix = pattern.slice(0, -1);
    if (!origin.startsWith(prefix)) return false;
    const port = origin.slice(prefix.length);
    return port.length > 0 && /^[0-9]+$/.test(port);
  }
  return pattern === origin;
}

/** True when any pattern allows `origin`. */
export function isOriginAllowed(patterns: readonly string[], origin: string): boolean {
  for (const p of patterns) if (originMatches(p, origin)) return true;
  return false;
}
