// Convert with the speech samples that need no model download: typed text spoken by flite (the view offers
// a text box because the pipeline's first node reads Text), and an upload transcribed into a timed list.
import { expect, screenshot, test, AUDIO_FIXTURE } from './helpers';

test('text to speech: typed text is spoken and played', async ({ page }) => {
  await page.goto('/convert');
  await page.locator('[data-testid="convert-source"][data-source-id="oneshot/text_to_speech"]').click();
  await expect(page.getByTestId('input-text')).toHaveClass(/active/);
  await page.getByTestId('convert-text').fill('Hello from StreamKit. This sentence is spoken by flite.');
  await page.getByTestId('convert-run').click();
  const player = page.getByTestId('result-player');
  await expect(player).toBeVisible({ timeout: 20_000 });
  await expect
    .poll(async () => Number(await player.getAttribute('data-current-time')), { timeout: 15_000 })
    .toBeGreaterThan(0.3);
  await screenshot(page, 'convert-tts');
});

test('an audio pipeline offers no text box; transcribe lists utterances with their times', async ({
  page,
}) => {
  await page.goto('/convert');
  await page.locator('[data-testid="convert-source"][data-source-id="oneshot/transcribe"]').click();
  await expect(page.getByTestId('input-text')).toHaveCount(0);
  await page.getByTestId('convert-upload-input').setInputFiles(AUDIO_FIXTURE);
  await page.getByTestId('convert-run').click();
  const transcript = page.getByTestId('transcription');
  await expect(transcript).toBeVisible({ timeout: 40_000 });
  await expect(transcript.locator('li').first()).toContainText(/\d+:\d\d/);
  await screenshot(page, 'convert-transcribe');
});
