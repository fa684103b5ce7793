// Convert view: run double_volume on an Ogg/Opus fixture; the player starts while the response streams
// and the download is an Ogg file.
import { readFileSync } from 'node:fs';
import { AUDIO_FIXTURE, DOUBLE_VOLUME_ID, expect, screenshot, test } from './helpers';

test('run double_volume on a fixture: playback advances and the download is Ogg', async ({ page }) => {
  await page.goto('/convert');
  await expect(page.getByTestId('convert-view')).toBeVisible();
  await page.locator(`[data-testid="convert-source"][data-source-id="${DOUBLE_VOLUME_ID}"]`).click();
  await page.getByTestId('convert-upload-input').setInputFiles(AUDIO_FIXTURE);
  await expect(page.getByTestId('convert-file')).toContainText('speech_en_48k_stereo.opus.ogg');
  await page.getByTestId('convert-run').click();
  const player = page.getByTestId('result-player');
  await expect(player).toBeVisible();
  await expect
    .poll(async () => Number(await player.getAttribute('data-current-time')), { timeout: 15_000 })
    .toBeGreaterThan(0.3);
  const first = Number(await player.getAttribute('data-current-time'));
  await expect
    .poll(async () => Number(await player.getAttribute('data-current-time')))
    .toBeGreaterThan(first);
  await expect(page.getByTestId('bytes-down')).not.toHaveText('0 B');
  const downloading = page.waitForEvent('download');
  await page.getByTestId('result-download').click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('speech_en_48k_stereo.opus_converted.ogg');
  const bytes = readFileSync(await download.path());
  expect(bytes.subarray(0, 4).toString('latin1')).toBe('OggS');
  await screenshot(page, 'convert-result');
});

test('server errors are shown with the server message', async ({ page }) => {
  await page.goto('/convert');
  await page.locator(`[data-testid="convert-source"][data-source-id="${DOUBLE_VOLUME_ID}"]`).click();
  await page.getByTestId('convert-upload-input').setInputFiles({
    name: 'not-audio.ogg',
    mimeType: 'audio/ogg',
    buffer: Buffer.from('this is not an ogg file'),
  });
  await page.route('**/api/v1/process', (route) =>
    route.fulfill({
      status: 400,
      contentType: 'text/plain',
      body: "Invalid pipeline: Node 'step_3' params.gain must be <= 4",
    }),
  );
  await page.getByTestId('convert-run').click();
  await expect(page.getByTestId('convert-error')).toContainText("Node 'step_3' params.gain must be <= 4");
  expect(readFileSync(AUDIO_FIXTURE).length).toBeGreaterThan(0);
});
