// `[server].base_path` mounts the whole app under a prefix as well as at `/`: the prefix is stripped from
// the URL before routing (Fastify `rewriteUrl`), so every route and hook sees the unprefixed path.

/** A `rewriteUrl` function for Fastify, or undefined when no base path is configured. */
export function basePathRewriter(
  basePath: string | undefined,
): ((req: { url?: string }) => string) | undefined {
  if (!basePath) return undefined;
  return (req) => {
    const url = req.url ?? '/';
    if (url === basePath) return '/';
    if (url.startsWith(basePath)) {
      const next = url.charAt(basePath.length);
      if (next === '/') return url.slice(basePath.length);
      if (next === '?') return `/${url.slice(basePath.length)}`;
    }
    return url;
  };
}
