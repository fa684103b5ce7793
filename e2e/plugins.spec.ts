// The Plugins view against the real server: upload the example WASM plugin (plugins/examples/wasm-gain), see the
// kind it provides, find it in the Design palette, unload it; a file the server cannot load shows its refusal;
// the viewer role (no load_plugins, no delete_plugins) sees the list but no upload or unload.
import { expect, MOCK, screenshot, test } from './helpers';
import { ROLE_HEADER } from './global-setup';
import { exampleWasmGain } from '../libs/pipeline/src/testing/plugin-examples';
import { readFileSync } from 'node:fs';

test.skip(MOCK, 'needs the real server (plugin uploads)');

const KIND = 'plugin::wasm::gain';
/** An admin API context, whatever role the test's page uses. */
const ADMIN = { [ROLE_HEADER]: 'admin' };

test.afterEach(async ({ playwright, baseURL }) => {
  // Leaves no plugin loaded for the other specs, whatever failed.
  const admin = await playwright.request.newContext({ baseURL, extraHTTPHeaders: ADMIN });
  const list = (await (await admin.get('/api/v1/plugins')).json()) as { kind: string }[];
  for (const p of list) await admin.delete(`/api/v1/plugins/${encodeURIComponent(p.kind)}`);
  await admin.dispose();
});

test('uploads the example WASM plugin, shows its kind, offers it in Design, and unloads it', async ({
  page,
  request,
}) => {
  await page.goto('/plugins');
  await expect(page.getByTestId('plugins-view')).toBeVisible();
  await expect(page.getByText('No plugin is loaded.')).toBeVisible();

  await page.getByTestId('plugin-upload-input').setInputFiles(exampleWasmGain());
  await expect(page.getByTestId('toast-success')).toContainText(`Loaded ${KIND} from “gain.wasm”`);
  const kind = page.locator(`[data-testid="plugin-kind"][data-kind="${KIND}"]`);
  await expect(kind).toBeVisible();
  await expect(kind).toContainText('(gain)');
  await expect(kind).toContainText('audio');
  await expect(page.getByTestId('plugin-file')).toContainText('gain.wasm');
  await expect(page.getByTestId('plugin-file')).toContainText('wasm');
  await screenshot(page, 'plugins');

  // The palette has the new kind without a reload.
  await page.getByTestId('nav-design').click();
  await page.getByTestId('nodes-tab').click();
  await page.getByTestId('palette-search').fill('plugin::wasm');
  await expect(page.getByTestId(`palette-node-${KIND}`)).toBeVisible();

  await page.getByTestId('nav-plugins').click();
  await kind.getByTestId('plugin-delete').click();
  await page.getByTestId('confirm-button').click();
  await expect(page.getByTestId('toast-success').last()).toContainText(`Unloaded ${KIND}`);
  await expect(kind).toHaveCount(0);
  await expect(page.getByText('No plugin is loaded.')).toBeVisible();
  expect(await (await request.get('/api/v1/plugins')).json()).toEqual([]);

  await page.getByTestId('nav-design').click();
  await page.getByTestId('nodes-tab').click();
  await page.getByTestId('palette-search').fill('plugin::wasm');
  await expect(page.getByTestId(`palette-node-${KIND}`)).toHaveCount(0);
});

test("a file the server cannot load shows the server's reason, and nothing is listed", async ({ page }) => {
  await page.goto('/plugins');
  await page.getByTestId('plugin-upload-input').setInputFiles({
    name: 'broken.wasm',
    mimeType: 'application/wasm',
    buffer: Buffer.from('not a wasm module at all'),
  });
  const error = page.getByTestId('plugins-error');
  await expect(error).toContainText('“broken.wasm” could not be loaded:');
  await expect(error).toContainText('broken.wasm');
  await expect(page.getByTestId('plugin-kind')).toHaveCount(0);

  // A name the server never loads is refused before anything is sent.
  await page.getByTestId('plugin-upload-input').setInputFiles({
    name: 'notes.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('hello'),
  });
  await expect(error).toContainText('“notes.txt” is not a plugin file');
});

test.describe('viewer role', () => {
  test.use({ extraHTTPHeaders: { [ROLE_HEADER]: 'viewer' } });

  test('sees the loaded plugins but no upload and no unload', async ({ page, playwright, baseURL }) => {
    const admin = await playwright.request.newContext({ baseURL, extraHTTPHeaders: ADMIN });
    const res = await admin.post('/api/v1/plugins', {
      multipart: {
        plugin: { name: 'gain.wasm', mimeType: 'application/wasm', buffer: readFileSync(exampleWasmGain()) },
      },
    });
    expect(res.status(), await res.text()).toBe(201);
    await admin.dispose();

    await page.goto('/plugins');
    await expect(page.getByTestId('role')).toHaveText('viewer');
    await expect(page.locator(`[data-testid="plugin-kind"][data-kind="${KIND}"]`)).toBeVisible();
    await expect(page.getByTestId('plugins-denied')).toContainText('load_plugins');
    await expect(page.getByTestId('plugin-upload')).toHaveCount(0);
    await expect(page.getByTestId('plugin-upload-input')).toHaveCount(0);
    await expect(page.getByTestId('plugin-delete')).toHaveCount(0);
  });
});
