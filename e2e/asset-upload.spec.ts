// Asset uploads in the asset library (Design's Assets tab) against the real server: a 20 MB WAV shows a progress
// bar that climbs to 100 %, and Cancel aborts an upload mid-way, leaving no asset and no partial file on the
// server. Chromium's own network throttling (DevTools protocol) slows the upload so progress is observable.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, MOCK, test } from './helpers';

test.skip(MOCK, 'needs the real server (uploads)');

const USER_AUDIO = resolve(__dirname, '..', 'samples/audio/user');

/** A valid WAV header (48 kHz stereo s16) followed by `bytes` of silence. */
function wav(bytes: number): Buffer {
  const b = Buffer.alloc(44 + bytes);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(36 + bytes, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(2, 22);
  b.writeUInt32LE(48000, 24);
  b.writeUInt32LE(48000 * 4, 28);
  b.writeUInt16LE(4, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36, 'latin1');
  b.writeUInt32LE(bytes, 40);
  return b;
}

/** Limits the page's upload bandwidth (bytes per second) in the browser's network stack. */
async function throttleUploads(page: Page, bytesPerSecond: number): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: bytesPerSecond,
  });
}

/** Every aria-valuenow any progress bar of the page takes, from now on. */
async function recordProgress(page: Page): Promise<void> {
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { progressSeen: number[] }).progressSeen = seen;
    const note = () =>
      document
        .querySelectorAll('[role="progressbar"]')
        .forEach((el) => seen.push(Number(el.getAttribute('aria-valuenow'))));
    new MutationObserver(note).observe(document.body, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['aria-valuenow'],
    });
  });
}

const progressSeen = (page: Page) =>
  page.evaluate(() => (window as unknown as { progressSeen: number[] }).progressSeen);

async function openAssets(page: Page): Promise<void> {
  await page.goto('/design');
  await page.getByTestId('assets-tab').click();
  await expect(page.getByTestId('assets-pane')).toBeVisible();
}

const names: string[] = [];

test.afterEach(async ({ request }) => {
  for (const name of names.splice(0)) await request.delete(`/api/v1/assets/audio/${name}`);
});

test('a 20 MB upload shows its progress up to 100 % and then the asset', async ({ page, request }) => {
  test.setTimeout(120_000);
  const name = `e2e-progress-${Date.now()}.wav`;
  names.push(name);
  await openAssets(page);
  await throttleUploads(page, 8 * 1024 * 1024);
  await recordProgress(page);

  await page.getByTestId('asset-upload-input').setInputFiles({
    name,
    mimeType: 'audio/wav',
    buffer: wav(20 * 1024 * 1024),
  });
  const bar = page.getByTestId('asset-upload-progress-bar');
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute('aria-valuemin', '0');
  await expect(bar).toHaveAttribute('aria-valuemax', '100');
  await expect(page.getByTestId('toast-success')).toContainText('Uploaded', { timeout: 60_000 });
  await expect(bar).toHaveCount(0);
  await expect(page.locator(`[data-testid="asset-item"][data-asset-id="${name}"]`)).toBeVisible();

  const seen = await progressSeen(page);
  expect(Math.max(...seen)).toBe(100);
  // It climbed: some reading strictly between the start and the end.
  expect(seen.some((v) => v > 0 && v < 100)).toBe(true);
  const listed = (await (await request.get('/api/v1/assets/audio')).json()) as {
    id: string;
    size_bytes: number;
  }[];
  expect(listed.find((a) => a.id === name)?.size_bytes).toBe(44 + 20 * 1024 * 1024);
});

test('Cancel aborts the upload: no asset, no partial file on the server', async ({ page, request }) => {
  test.setTimeout(120_000);
  const name = `e2e-cancel-${Date.now()}.wav`;
  names.push(name);
  await openAssets(page);
  await throttleUploads(page, 1024 * 1024);

  await page.getByTestId('asset-upload-input').setInputFiles({
    name,
    mimeType: 'audio/wav',
    buffer: wav(20 * 1024 * 1024),
  });
  const bar = page.getByTestId('asset-upload-progress-bar');
  // Mid-way: the server has part of the file.
  await expect
    .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 15_000 })
    .toBeGreaterThan(5);
  expect(Number(await bar.getAttribute('aria-valuenow'))).toBeLessThan(100);
  const stem = name.replace(/\.wav$/, '');
  const onDisk = () =>
    existsSync(USER_AUDIO) ? readdirSync(USER_AUDIO).filter((f) => f.includes(stem)) : [];
  // The server is writing it (a temporary file beside the final name).
  await expect.poll(() => onDisk().length, { timeout: 10_000 }).toBe(1);
  await page.getByTestId('asset-upload-progress-cancel').click();

  await expect(page.getByTestId('toast-info')).toContainText(`Upload of “${name}” cancelled`);
  await expect(bar).toHaveCount(0);
  await expect(page.locator(`[data-testid="asset-item"][data-asset-id="${name}"]`)).toHaveCount(0);
  // The server noticed the cut and removed its temporary file; nothing under the final name either.
  await expect.poll(onDisk, { timeout: 10_000 }).toEqual([]);
  const listed = (await (await request.get('/api/v1/assets/audio')).json()) as { id: string }[];
  expect(listed.map((a) => a.id)).not.toContain(name);
  expect(existsSync(join(USER_AUDIO, name))).toBe(false);
});
