// Design view: build a pipeline by drag and drop and wiring, YAML sync both ways, refused connections,
// samples.
import {
  DOUBLE_VOLUME_ID,
  dragNode,
  dragWire,
  expect,
  freshDesign,
  screenshot,
  test,
  yamlText,
} from './helpers';

const CHAIN: [string, string, number, number][] = [
  ['core::file_reader', 'file_reader', 160, 60],
  ['containers::ogg::demuxer', 'ogg_demuxer', 160, 190],
  ['audio::opus::decoder', 'opus_decoder', 160, 320],
  ['audio::gain', 'gain', 480, 60],
  ['audio::opus::encoder', 'opus_encoder', 480, 220],
  ['containers::ogg::muxer', 'ogg_muxer', 480, 350],
];

test.beforeEach(async ({ page }) => {
  await freshDesign(page, 'oneshot');
});

test('build file reader → demuxer → decoder → gain → encoder → muxer by drag and drop and wiring', async ({
  page,
}) => {
  for (const [kind, id, x, y] of CHAIN) {
    await dragNode(page, kind, x, y);
    await expect(page.getByTestId(`node-${id}`)).toBeVisible();
  }
  expect(await page.locator('.react-flow__node').count()).toBe(CHAIN.length);
  for (let i = 1; i < CHAIN.length; i++) {
    await dragWire(page, `pin-${CHAIN[i - 1][1]}-out-out`, `pin-${CHAIN[i][1]}-in-in`);
  }
  await expect(page.locator('.react-flow__edge')).toHaveCount(CHAIN.length - 1);
  await expect.poll(() => yamlText(page)).toContain('needs: gain');
  const yaml = await yamlText(page);
  for (const [kind] of CHAIN) expect(yaml).toContain(`kind: ${kind}`);
  for (let i = 1; i < CHAIN.length; i++)
    expect(yaml).toMatch(new RegExp(`${CHAIN[i][1]}:\\n(.*\\n)*?\\s+needs: ${CHAIN[i - 1][1]}`));
  await screenshot(page, 'design-built-chain');
});

test('changing the gain updates the YAML at once', async ({ page }) => {
  await dragNode(page, 'audio::gain', 300, 150);
  await page.getByTestId('node-gain').click();
  await expect(page.getByTestId('inspector-field-gain')).toBeVisible();
  await page.getByTestId('inspector-field-gain-number').fill('2.5');
  await expect.poll(() => yamlText(page)).toMatch(/gain:\n\s+kind: audio::gain\n\s+params:\n\s+gain: 2.5/);
  await page.getByTestId('node-param-gain-gain').fill('0.5');
  await expect.poll(() => yamlText(page)).toContain('gain: 0.5');
});

test('an incompatible connection is refused while dragging, with the reason', async ({ page }) => {
  await dragNode(page, 'core::file_reader', 200, 80);
  await dragNode(page, 'audio::gain', 200, 300);
  await dragWire(page, 'pin-file_reader-out-out', 'pin-gain-in-in', false);
  await expect(page.getByTestId('connection-reason')).toContainText(
    "incompatible types: 'file_reader.out' produces Binary",
  );
  await page.mouse.up();
  await expect(page.getByTestId('toast-error')).toContainText('Connection refused');
  await expect(page.locator('.react-flow__edge')).toHaveCount(0);
  expect(await yamlText(page)).not.toContain('needs:');
});

test('editing the YAML updates the canvas, and errors show inline', async ({ page }) => {
  const editor = page.getByTestId('yaml-pane').locator('.cm-content');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(
    'mode: oneshot\nnodes:\n  src:\n    kind: core::file_reader\n    params: { path: samples/audio/system/tone_440hz_48k_stereo_5s.wav }\n  sink:\n    kind: core::sink\n    needs: src\n',
  );
  await expect(page.getByTestId('node-src')).toBeVisible();
  await expect(page.getByTestId('node-sink')).toBeVisible();
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  await page.keyboard.insertText('  broken:\n    kind: core::sink\n    needs: nowhere\n');
  await expect(page.getByTestId('yaml-problems')).toContainText("source node 'nowhere' does not exist");
  await expect(page.getByTestId('node-src')).toBeVisible();
});

test('samples pane lists samples and loading one fills the canvas and the YAML', async ({ page }) => {
  await page.getByTestId('samples-tab').click();
  await expect(page.getByTestId('samples-pane')).toBeVisible();
  await dragNode(page, 'audio::gain', 300, 150);
  await page.getByTestId('samples-tab').click();
  const card = page.locator(`[data-testid="sample-card"][data-sample-id="${DOUBLE_VOLUME_ID}"]`);
  await expect(card).toBeVisible();
  await card.getByRole('button').click();
  const modal = page.getByTestId('confirm-modal');
  await expect(modal).toBeVisible();
  await modal.getByRole('button', { name: 'Load Sample' }).click();
  await expect(page.locator('.react-flow__node')).toHaveCount(7);
  await expect(page.getByTestId('yaml-pane').locator('.cm-content')).toContainText('mode: oneshot');
  await expect(page.getByTestId('yaml-pane').locator('.cm-content')).toContainText('kind: audio::gain');
  await screenshot(page, 'design-sample-loaded');
});

test('the draft survives a reload', async ({ page }) => {
  await dragNode(page, 'audio::gain', 300, 150);
  await expect(page.getByTestId('node-gain')).toBeVisible();
  await page.waitForTimeout(400);
  await page.reload();
  await expect(page.getByTestId('node-gain')).toBeVisible();
  await expect.poll(() => yamlText(page)).toContain('kind: audio::gain');
});

test('saving a sample twice asks before overwriting', async ({ page, request }) => {
  const name = `e2e-sample-${Date.now()}`;
  await dragNode(page, 'audio::gain', 300, 150);
  await page.getByTestId('samples-tab').click();
  for (const attempt of [1, 2]) {
    await page.getByTestId('save-sample').click();
    await page.getByTestId('sample-name').fill(name);
    await page.getByTestId('save-sample-confirm').click();
    if (attempt === 2) {
      const modal = page.getByTestId('confirm-modal');
      await expect(modal).toContainText('already exists');
      await modal.getByRole('button', { name: 'Overwrite' }).click();
    }
    await expect(
      page
        .getByTestId('toast-success')
        .filter({ hasText: `Saved “${name}”` })
        .first(),
    ).toBeVisible();
  }
  await expect(page.getByTestId('sample-card').filter({ hasText: name })).toHaveCount(1);
  if (!process.env.E2E_MOCK_API)
    await request.delete(`/api/v1/samples/oneshot/${encodeURIComponent(`user/${name}`)}`);
});

test('Create session sends a dynamic pipeline to the server and lands in Monitor', async ({
  page,
  request,
}) => {
  await page.getByTestId('mode-dynamic').click();
  await page.getByTestId('import-yaml-input').setInputFiles({
    name: 'reader.yaml',
    mimeType: 'text/yaml',
    buffer: Buffer.from(
      'mode: dynamic\nnodes:\n  reader:\n    kind: core::file_reader\n    params: { path: samples/audio/system/tone_440hz_48k_stereo_5s.wav }\n  sink:\n    kind: core::sink\n    needs: reader\n',
    ),
  });
  await expect(page.getByTestId('node-reader')).toBeVisible();
  await expect(page.getByTestId('node-sink')).toBeVisible();
  await page.getByTestId('create-session').click();
  await page.getByTestId('create-session-confirm').click();
  await expect(page.getByTestId('monitor-view')).toBeVisible();
  const id = (await page.getByTestId('created-session-id').innerText()).trim();
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  if (!process.env.E2E_MOCK_API) expect((await request.delete(`/api/v1/sessions/${id}`)).ok()).toBe(true);
});

test('StreamKit YAML with an unknown param: a warning next to the node, and the server’s warning on create', async ({
  page,
  request,
}) => {
  await page.getByTestId('mode-dynamic').click();
  await page.getByTestId('import-yaml-input').setInputFiles({
    name: 'streamkit.yaml',
    mimeType: 'text/yaml',
    buffer: Buffer.from(
      'mode: dynamic\nnodes:\n  reader:\n    kind: core::file_reader\n    params: { path: samples/audio/system/tone_440hz_48k_stereo_5s.wav }\n  sink:\n    kind: core::sink\n    params: { max_retries: 5 }\n    needs: reader\n',
    ),
  });
  await expect(page.getByTestId('node-warn-sink')).toHaveText('1');
  await expect(page.getByTestId('node-sink')).toHaveAttribute(
    'title',
    /unknown param 'max_retries' ignored \(not a parameter of core::sink\)/,
  );
  await page.getByTestId('create-session').click();
  await page.getByTestId('create-session-confirm').click();
  await expect(page.getByTestId('monitor-view')).toBeVisible();
  if (process.env.E2E_MOCK_API) return;
  await expect(page.getByTestId('toast-info')).toContainText(
    "Node 'sink' (core::sink): unknown param 'max_retries' ignored",
  );
  const id = (await page.getByTestId('created-session-id').innerText()).trim();
  expect((await request.delete(`/api/v1/sessions/${id}`)).ok()).toBe(true);
});
