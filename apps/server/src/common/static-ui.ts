// Serves the built web UI (`[server].ui_dir`) for every GET that no route claimed: files with long-lived
// caching, `index.html` (no-cache, `<base href>` injected under a base path) for extension-less SPA routes.
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config';
import { realPathInside } from './atomic-file';

const TEXT = 'text/plain; charset=utf-8';
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.xml': 'application/xml',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.flac': 'audio/flac',
};

/** Extensions `scripts/compress-ui.mjs` writes `.br` and `.gz` copies of. */
const COMPRESSED_BESIDE = new Set([
  '.js',
  '.mjs',
  '.css',
  '.svg',
  '.json',
  '.map',
  '.txt',
  '.webmanifest',
  '.wasm',
  '.xml',
]);

/** The encodings a request accepts, from `Accept-Encoding` (a `q=0` refuses one). */
export function acceptedEncodings(header: string | string[] | undefined): Set<string> {
  const out = new Set<string>();
  for (const item of (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',')) {
    const [name, ...params] = item.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (name && !(q !== undefined && Number(q.slice(2)) === 0)) out.add(name);
  }
  return out;
}

/** The build's Brotli or gzip copy of `file` that the request accepts (Brotli first), if there is one. */
async function precompressed(
  root: string,
  file: string,
  acceptEncoding: string | string[] | undefined,
): Promise<{ path: string; encoding: string; size: number } | undefined> {
  if (!COMPRESSED_BESIDE.has(extname(file).toLowerCase())) return undefined;
  const accepted = acceptedEncodings(acceptEncoding);
  for (const [encoding, suffix] of [
    ['br', '.br'],
    ['gzip', '.gz'],
  ] as const) {
    if (!accepted.has(encoding)) continue;
    try {
      const real = await realPathInside(root, file + suffix);
      const info = real ? await stat(real) : undefined;
      if (real && info?.isFile()) return { path: real, encoding, size: info.size };
    } catch {
      // No such copy: try the next encoding, else the file itself.
    }
  }
  return undefined;
}

const escapeAttr = (s: string): string =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** Inserts `<base href="{base}/">` right after the first `<head>` tag. */
export function injectBaseHref(html: string, basePath: string): string {
  return html.replace(/<head(\s[^>]*)?>/i, (tag) => `${tag}<base href="${escapeAttr(basePath)}/">`);
}

export function registerStaticUi(app: FastifyInstance, config: Config, log: Logger): void {
  const root = resolve(config.server.ui_dir);
  const indexPath = resolve(root, 'index.html');
  const basePath = config.server.base_path;
  let cachedIndex: { mtimeMs: number; html: string } | undefined;

  async function sendIndex(reply: FastifyReply): Promise<FastifyReply> {
    let info;
    try {
      info = await stat(indexPath);
    } catch {
      return reply
        .code(404)
        .header('content-type', TEXT)
        .send(
          `The web UI is not built (no ${indexPath}). Run \`npm run build:ui\`; the API is under /api/v1.`,
        );
    }
    if (!cachedIndex || cachedIndex.mtimeMs !== info.mtimeMs) {
      const html = await readFile(indexPath, 'utf8');
      cachedIndex = { mtimeMs: info.mtimeMs, html: basePath ? injectBaseHref(html, basePath) : html };
    }
    return reply
      .header('content-type', MIME['.html'])
      .header('cache-control', 'no-cache')
      .send(cachedIndex.html);
  }

  async function handler(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const rawPath = request.url.split('?')[0];
    if (rawPath === '/api' || rawPath.startsWith('/api/')) {
      return reply.code(404).header('content-type', TEXT).send(`Not found: ${request.method} ${rawPath}`);
    }
    let path: string;
    try {
      path = decodeURIComponent(rawPath);
    } catch {
      return reply.code(400).header('content-type', TEXT).send('Malformed URL');
    }
    if (path === '/' || path === '' || path === '/index.html') return sendIndex(reply);
    const file = resolve(root, `.${path}`);
    if (!file.startsWith(root + sep) || path.includes('\0')) {
      return reply.code(404).header('content-type', TEXT).send('Not found');
    }
    try {
      // A symlink in the UI directory must not serve a file from outside it.
      const real = await realPathInside(root, file);
      const info = real ? await stat(real) : undefined;
      if (real && info?.isFile()) {
        const type = MIME[extname(file).toLowerCase()] ?? 'application/octet-stream';
        reply.header('content-type', type).header('cache-control', 'public, max-age=31536000, immutable');
        const packed = await precompressed(root, file, request.headers['accept-encoding']);
        if (packed) {
          return reply
            .header('content-encoding', packed.encoding)
            .header('vary', 'accept-encoding')
            .header('content-length', packed.size)
            .send(createReadStream(packed.path));
        }
        if (COMPRESSED_BESIDE.has(extname(file).toLowerCase())) reply.header('vary', 'accept-encoding');
        return reply.header('content-length', info.size).send(createReadStream(real));
      }
    } catch (err) {
      if (
        (err as NodeJS.ErrnoException).code !== 'ENOENT' &&
        (err as NodeJS.ErrnoException).code !== 'ENOTDIR'
      ) {
        log.warn({ err, file }, 'Static UI file could not be read');
      }
    }
    const last = path.slice(path.lastIndexOf('/') + 1);
    if (last.includes('.')) return reply.code(404).header('content-type', TEXT).send('Not found');
    return sendIndex(reply);
  }

  app.get('/*', handler);
}
