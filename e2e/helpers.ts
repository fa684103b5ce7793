// Shared e2e helpers: the `test` fixture (which, in E2E_MOCK_API mode, answers /api from recorded
// fixtures), screenshots into e2e/artifacts/, palette drag-and-drop and pin wiring on the canvas.
import { test as base, expect, type Page, type Route } from '@playwright/test';
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '..');
export const ARTIFACTS = join(__dirname, 'artifacts');
export const AUDIO_FIXTURE = join(root, 'samples/audio/system/speech_en_48k_stereo.opus.ogg');
export const MOCK = Boolean(process.env.E2E_MOCK_API);
/** The shipped sample `samples/pipelines/oneshot/double_volume.yml`. */
export const DOUBLE_VOLUME_ID = 'oneshot/double_volume';

const fixture = (name: string) => readFileSync(join(root, 'apps/ui/src/test/fixtures', name), 'utf8');

export const DOUBLE_VOLUME_YAML = `name: Volume Boost
description: Doubles the volume of an Ogg/Opus file
mode: oneshot
steps:
  - kind: streamkit::http_input
  - kind: containers::ogg::demuxer
  - kind: audio::opus::decoder
  - kind: audio::gain
    params:
      gain: 2.0
  - kind: audio::opus::encoder
  - kind: containers::ogg::muxer
    params:
      channels: 2
  - kind: streamkit::http_output
`;

/** Answers the REST API the way the server does, from recorded fixtures (mock mode only). */
async function mockApi(page: Page): Promise<void> {
  const json = (route: Route, body: unknown, status = 200) =>
    route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
  const userSamples: Record<string, unknown>[] = [];
  await page.route('**/api/v1/**', async (route) => {
    const req = route.request();
    const url = new URL(req.url());
    const path = url.pathname.replace(/^.*\/api\/v1\//, '');
    const role = (await req.headerValue('x-skit-role')) ?? 'admin';
    if (path === 'permissions')
      return json(
        route,
        JSON.parse(fixture(role === 'viewer' ? 'permissions-viewer.json' : 'permissions-admin.json')),
      );
    if (path === 'schema/nodes') return json(route, JSON.parse(fixture('schema-nodes.json')));
    if (path === 'schema/packets') return json(route, JSON.parse(fixture('schema-packets.json')));
    if (path.startsWith('samples/') && req.method() === 'GET') {
      const system = {
        id: 'oneshot/double_volume',
        name: 'Volume Boost',
        description: 'Doubles the volume of an Ogg/Opus file',
        yaml: DOUBLE_VOLUME_YAML,
        is_system: true,
        mode: 'oneshot',
        is_fragment: false,
      };
      return json(route, path === 'samples/oneshot' ? [system, ...userSamples] : []);
    }
    if (path === 'samples/oneshot' && req.method() === 'POST') {
      const body = req.postDataJSON() as {
        name: string;
        description: string;
        yaml: string;
        overwrite?: boolean;
        is_fragment: boolean;
      };
      const id = `user/${body.name.toLowerCase().replace(/[^a-z0-9_-]/g, '_')}`;
      const existing = userSamples.findIndex((s) => s.id === id);
      if (existing >= 0 && !body.overwrite)
        return route.fulfill({ status: 409, contentType: 'text/plain', body: 'Sample already exists' });
      const sample = {
        id,
        name: body.name,
        description: body.description,
        yaml: body.yaml,
        is_system: false,
        mode: 'oneshot',
        is_fragment: body.is_fragment,
      };
      if (existing >= 0) userSamples[existing] = sample;
      else userSamples.push(sample);
      return json(route, sample, 201);
    }
    if (path === 'assets/audio' && req.method() === 'GET') {
      const dir = join(root, 'samples/audio/system');
      return json(
        route,
        readdirSync(dir).map((f) => ({
          id: f,
          name: f.replace(/\.[^.]+$/, ''),
          path: `samples/audio/system/${f}`,
          format: f.split('.').pop(),
          size_bytes: statSync(join(dir, f)).size,
          is_system: true,
        })),
      );
    }
    if (path.startsWith('assets/audio/') && req.method() === 'GET') {
      return route.fulfill({ status: 200, contentType: 'audio/ogg', body: readFileSync(AUDIO_FIXTURE) });
    }
    if (path === 'sessions' && req.method() === 'POST') {
      if (role === 'viewer')
        return route.fulfill({
          status: 403,
          contentType: 'text/plain',
          body: 'Permission denied: cannot create sessions',
        });
      return json(route, {
        session_id: '00000000-0000-4000-8000-000000000000',
        name: 'mock-session',
        created_at: new Date().toISOString(),
      });
    }
    if (path === 'process') {
      // Stands in for double_volume: the fixture itself is a valid Ogg/Opus answer.
      return route.fulfill({ status: 200, contentType: 'audio/ogg', body: readFileSync(AUDIO_FIXTURE) });
    }
    return route.fulfill({
      status: 404,
      contentType: 'text/plain',
      body: `not mocked: ${req.method()} ${path}`,
    });
  });
}

export const test = base.extend({
  page: async ({ page }, use) => {
    if (MOCK) await mockApi(page);
    await use(page);
  },
});

export { expect };

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

export async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  await page.getByTestId('theme-select').selectOption(theme);
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

/** Starts each test on an empty Design canvas (the draft lives in localStorage). */
export async function freshDesign(page: Page, mode: 'oneshot' | 'dynamic' = 'oneshot'): Promise<void> {
  await page.goto('/design');
  await page.evaluate(() => localStorage.clear());
  await page.reload();
  await expect(page.getByTestId('design-view')).toBeVisible();
  await page.getByTestId(`mode-${mode}`).click();
}

/** Drags a palette entry onto the canvas at a point relative to the canvas' top-left corner. */
export async function dragNode(page: Page, kind: string, x: number, y: number): Promise<void> {
  await page.getByTestId('nodes-tab').click();
  const item = page.getByTestId(`palette-node-${kind}`);
  await item.scrollIntoViewIfNeeded();
  await item.dragTo(page.getByTestId('flow-canvas'), { targetPosition: { x, y } });
}

/** Drags from one pin to another with the mouse, as a user wires nodes. */
export async function dragWire(
  page: Page,
  fromTestId: string,
  toTestId: string,
  release = true,
): Promise<void> {
  const from = await page.getByTestId(fromTestId).boundingBox();
  const to = await page.getByTestId(toTestId).boundingBox();
  if (!from || !to) throw new Error(`pin not visible: ${from ? toTestId : fromTestId}`);
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 12 });
  if (release) await page.mouse.up();
}

export async function yamlText(page: Page): Promise<string> {
  return (await page.getByTestId('yaml-pane').locator('.cm-content').innerText()).replace(/\u00a0/g, ' ');
}
