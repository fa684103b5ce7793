// The Design view checks a pipeline with the engine's own code: what the server refuses shows as a problem
// before any request (in the server's words), and an unknown param is a warning on its node.
import type { Page } from '@playwright/test';
import { expect, freshDesign, MOCK, test } from './helpers';

/** Replaces the YAML pane's text, as a user typing it. */
async function typeYaml(page: Page, text: string): Promise<void> {
  const editor = page.getByTestId('yaml-pane').locator('.cm-content');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(text);
}

/** The pipeline's problem list (the inspector with nothing selected). */
async function problems(page: Page) {
  const list = page.getByTestId('problems');
  await expect(list).toBeVisible();
  return list;
}

const NO_OUTPUT = `mode: oneshot
nodes:
  upload:
    kind: streamkit::http_input
  demux:
    kind: containers::ogg::demuxer
    needs: upload
`;

test.beforeEach(async ({ page }) => {
  await freshDesign(page, 'oneshot');
});

test('a oneshot pipeline without http_output shows the problem the server reports', async ({
  page,
  request,
}) => {
  await typeYaml(page, NO_OUTPUT);
  await expect(page.getByTestId('node-demux')).toBeVisible();
  const list = await problems(page);
  const expected = 'A oneshot pipeline needs a streamkit::http_output node to produce the response';
  await expect(list).toContainText(expected);
  await expect(list).not.toContainText('No problems found');
  if (MOCK) return;
  // The server refuses the same pipeline with the same words.
  const res = await request.post('/api/v1/process', {
    multipart: {
      config: NO_OUTPUT,
      media: { name: 'a.ogg', mimeType: 'audio/ogg', buffer: Buffer.from('OggS') },
    },
  });
  expect(res.status()).toBe(400);
  expect(await res.text()).toContain(expected);
});

test('an unknown param is a warning badge on its node, with the message in its tooltip and the problem list', async ({
  page,
}) => {
  await typeYaml(
    page,
    `mode: oneshot
nodes:
  upload:
    kind: streamkit::http_input
  gain:
    kind: audio::gain
    params: { gain: 2, gian: 3 }
    needs: upload
  out:
    kind: streamkit::http_output
    needs: gain
`,
  );
  const message = "Node 'gain' (audio::gain): unknown param 'gian' ignored (not a parameter of audio::gain)";
  const badge = page.getByTestId('node-warn-gain');
  await expect(badge).toHaveText('1');
  await expect(badge).toHaveAttribute('title', message);
  await expect(page.getByTestId('node-warn-upload')).toHaveCount(0);
  await expect(await problems(page)).toContainText(message);
});
