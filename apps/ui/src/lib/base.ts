// Where the app lives: the server injects `<base href="{base_path}/">` into index.html, so the REST base
// and the router basename both come from the document's base URL (the page origin when there is none).

function baseElementHref(): string | null {
  const el = document.querySelector('base[href]');
  return el ? (el as HTMLBaseElement).href : null;
}

/** Absolute URL of the app root, always ending with `/`. */
export function appBaseUrl(): string {
  const href = baseElementHref() ?? `${window.location.origin}/`;
  return href.endsWith('/') ? href : `${href}/`;
}

/** Router basename: the base path without its trailing slash (`''` at the root). */
export function routerBasename(): string {
  const path = new URL(appBaseUrl()).pathname.replace(/\/+$/, '');
  return path === '/' ? '' : path;
}

/** Absolute URL for an API path such as `api/v1/permissions` (leading slash optional). */
export function apiUrl(path: string): string {
  return new URL(path.replace(/^\/+/, ''), appBaseUrl()).toString();
}
