// The Monitor edits like Design, against the real server: nodes dragged from Design's palette into a
// staged session, params tuned in the schema inspector, edges coloured by packet type and animated
// while packets flow, node errors in a popover, an axed telemetry chart, the session's uptime, and
// untyped inputs styled by the theme.
import type { Locator, Page } from '@playwright/test';
import { dragWire, expect, MOCK, screenshot, setTheme, test } from './helpers';
import {
  createSession,
  deleteCreated,
  FAILING_YAML,
  openMonitor,
  openSession,
  restPipeline,
  stageFromPalette,
} from './monitor-helpers';

test.skip(MOCK, 'needs the real server (GraphQL subscriptions)');

test.beforeEach(async ({ page }) => {
  await openMonitor(page);
});

test.afterEach(async ({ request }) => {
  await deleteCreated(request);
});

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function box(l: Locator): Promise<Box> {
  const b = await l.boundingBox();
  if (!b) throw new Error('not visible');
  return b;
}

const hexToRgb = (hex: string) => {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
};

const edge = (page: Page, key: string) => page.getByTestId(`rf__edge-${key}`);
/** Clicks the middle of a straight edge (its box has no width, so a locator click would wait for it). */
async function clickEdge(page: Page, key: string): Promise<void> {
  const b = await edge(page, key).boundingBox();
  if (!b) throw new Error(`edge ${key} not on the canvas`);
  await page.mouse.click(b.x + b.width / 2, b.y + b.height / 2);
}
const edgePath = (page: Page, key: string) => edge(page, key).locator('path.react-flow__edge-path');

test('a node dragged from the palette into a staged session, with a param set, lands on apply', async ({
  page,
  request,
}) => {
  const name = `e2e-palette-${Date.now()}`;
  const id = await createSession(request, name);
  await openSession(page, name);

  await page.getByTestId('staging-enter').click();
  const added = await stageFromPalette(page, 'audio::gain');
  // Every param of a new node is editable in the same schema form as Design's inspector.
  await page.getByTestId('inspector-field-gain-number').fill('0.25');
  await expect(page.getByTestId(`live-value-${added}-gain`)).toHaveText('0.25');
  await expect(page.getByTestId('staged-ops')).toContainText(`+ node ${added} (audio::gain) {"gain":0.25}`);
  // Staged only: the server still has the old pipeline.
  expect((await restPipeline(request, id)).nodes[added]).toBeUndefined();

  await page.getByTestId('staging-apply').click();
  await expect(page.getByTestId('staging-panel')).toHaveCount(0);
  expect((await restPipeline(request, id)).nodes[added]).toMatchObject({
    kind: 'audio::gain',
    params: { gain: 0.25 },
  });
  await expect(page.getByTestId(`monitor-node-${added}`)).not.toHaveAttribute('data-state', 'Staged');
  // Outside staging the palette is gone and nothing offers a kind dropdown or a JSON params field.
  await expect(page.getByTestId('node-palette')).toHaveCount(0);
  await expect(page.getByTestId('add-node-kind')).toHaveCount(0);
  await expect(page.getByTestId('add-node-params')).toHaveCount(0);
});

test('in staging, pins are wired by dragging and an edge removed with Delete; applied, the new edge flows', async ({
  page,
  request,
}) => {
  const name = `e2e-wiring-${Date.now()}`;
  const id = await createSession(request, name);
  await openSession(page, name);
  await page.getByTestId('staging-enter').click();
  const added = await stageFromPalette(page, 'audio::gain');

  await clickEdge(page, 'gain.out->sink.in');
  await expect(edge(page, 'gain.out->sink.in')).toHaveClass(/\bselected\b/);
  await page.keyboard.press('Delete');
  await expect(edge(page, 'gain.out->sink.in')).toHaveCount(0);
  for (const [from, to] of [
    ['gain', added],
    [added, 'sink'],
  ]) {
    await dragWire(page, `monitor-pin-${from}-out-out`, `monitor-pin-${to}-in-in`);
    // Staged, so still: nothing flows on it until the batch is applied.
    await expect(edge(page, `${from}.out->${to}.in`)).toHaveAttribute('aria-label', /: Raw Audio.*, staged$/);
    await expect(edge(page, `${from}.out->${to}.in`)).not.toHaveClass(/\banimated\b/);
  }
  // A refused connection says why, as in Design: sink's input already has one.
  await dragWire(page, 'monitor-pin-pace-out-out', 'monitor-pin-sink-in-in');
  await expect(page.getByText(/Connection refused: .*'sink\.in'/)).toBeVisible();
  await expect(edge(page, 'pace.out->sink.in')).toHaveCount(0);
  await expect(page.getByTestId('staged-ops').locator('li')).toHaveCount(4);
  await screenshot(page, 'monitor-staged-from-palette');

  await page.getByTestId('staging-apply').click();
  await expect(page.getByTestId('staging-panel')).toHaveCount(0);
  const links = (await restPipeline(request, id)).connections.map((c) => `${c.from_node}->${c.to_node}`);
  expect(links).toEqual(expect.arrayContaining([`gain->${added}`, `${added}->sink`]));
  expect(links).not.toContain('gain->sink');
  await expect(page.getByTestId(`monitor-node-${added}`)).toHaveAttribute('data-state', 'Running');
  await expect(edge(page, `${added}.out->sink.in`)).toHaveClass(/\banimated\b/);
});

test('a live node is tuned in the inspector; a value the server refuses rolls back with the reason', async ({
  page,
  request,
}) => {
  const name = `e2e-inspector-${Date.now()}`;
  const id = await createSession(request, name);
  await openSession(page, name);

  await page.getByTestId('monitor-node-gain').click();
  const inspector = page.getByTestId('monitor-inspector');
  await expect(inspector).toContainText('audio::gain');
  const field = page.getByTestId('inspector-field-gain-number');
  await field.fill('2.5');
  await expect
    .poll(async () => (await restPipeline(request, id)).nodes.gain.params.gain, { timeout: 5_000 })
    .toBe(2.5);
  await expect(page.getByTestId('live-value-gain-gain')).toHaveText('2.5');

  // Out of range: the real server refuses it; the inspector and the node go back to 2.5.
  await field.fill('9');
  await expect(page.getByTestId('tune-error')).toContainText('must be <= 4');
  await expect(field).toHaveValue('2.5');
  await expect(page.getByTestId('live-value-gain-gain')).toHaveText('2.5');
  expect((await restPipeline(request, id)).nodes.gain.params.gain).toBe(2.5);
});

test('edges take their packet type colour and animate only while the upstream node sends', async ({
  page,
  request,
}) => {
  const name = `e2e-edges-${Date.now()}`;
  await createSession(request, name, FAILING_YAML);
  await openSession(page, name);
  const packets = (await (await request.get('/api/v1/schema/packets')).json()) as {
    id: string;
    color: string;
  }[];
  const color = (id: string) => hexToRgb(packets.find((p) => p.id === id)?.color ?? '');

  await expect(edgePath(page, 'demux.out->decode.in')).toHaveCSS('stroke', color('OpusAudio'));
  await expect(edgePath(page, 'gain.out->sink.in')).toHaveCSS('stroke', color('RawAudio'));
  await expect(edgePath(page, 'bad_reader.out->bad_demux.in')).toHaveCSS('stroke', color('Binary'));
  expect(color('OpusAudio')).not.toBe(color('RawAudio'));

  // gain runs and sends: its edge flows. bad_reader stopped: its edge is still.
  await expect(page.getByTestId('monitor-node-bad_reader')).toHaveAttribute('data-state', 'Stopped');
  await expect(edge(page, 'gain.out->sink.in')).toHaveClass(/\banimated\b/);
  await expect(edgePath(page, 'gain.out->sink.in')).toHaveCSS('animation-name', 'dashdraw');
  await expect(edge(page, 'bad_reader.out->bad_demux.in')).not.toHaveClass(/\banimated\b/);
  await expect(edgePath(page, 'bad_reader.out->bad_demux.in')).toHaveCSS('animation-name', 'none');
  await expect(edge(page, 'gain.out->sink.in')).toHaveAttribute('aria-label', /packets flowing/);
  await screenshot(page, 'monitor-typed-edges');
});

test("a failed node's reason is in a popover, and no node overlaps another", async ({ page, request }) => {
  const name = `e2e-failed-${Date.now()}`;
  await createSession(request, name, FAILING_YAML);
  await openSession(page, name);
  const failed = page.getByTestId('monitor-node-bad_demux');
  await expect(failed).toHaveAttribute('data-state', 'Failed');
  await expect(failed).not.toContainText('not Ogg');

  await expect(page.getByTestId('node-stats-gain')).toBeVisible();
  const nodes = page.locator('[data-testid^="monitor-node-"]');
  await expect(nodes).toHaveCount(8);
  const overlapping = async () => {
    const boxes = await Promise.all((await nodes.all()).map(box));
    let n = 0;
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) if (overlaps(boxes[i], boxes[j])) n++;
    return n;
  };
  await expect.poll(overlapping).toBe(0);

  const badge = page.getByTestId('node-error-badge-bad_demux');
  const popover = page.getByTestId('node-error-popover-bad_demux');
  await expect(popover).toHaveCount(0);
  await badge.hover();
  await expect(popover).toBeVisible();
  await expect(popover).toContainText('the input is not Ogg');
  await expect(popover).toHaveAttribute('role', 'tooltip');
  await page.mouse.move(5, 5);
  await expect(popover).toHaveCount(0);

  await badge.click();
  await expect(popover).toBeVisible();
  await page.mouse.move(5, 5);
  await expect(popover).toBeVisible();
  // The popover floats below the badge, outside the node, and holds the whole reason.
  const badgeBox = await box(badge);
  expect((await box(popover)).y).toBeGreaterThanOrEqual(badgeBox.y + badgeBox.height);
  await expect(failed.getByRole('tooltip')).toHaveCount(0);
  expect(await overlapping()).toBe(0);
  await screenshot(page, 'monitor-error-popover');
  await page.keyboard.press('Escape');
  await expect(popover).toHaveCount(0);

  await badge.blur();
  await expect(popover).toHaveCount(0);
  await badge.focus();
  await expect(popover).toBeVisible();
  await expect(badge).toHaveAttribute('aria-expanded', 'true');
  await page.keyboard.press('Escape');
  await expect(popover).toHaveCount(0);
});

test('the telemetry chart has a labelled time axis and a pkt/s value axis', async ({ page, request }) => {
  const name = `e2e-telemetry-${Date.now()}`;
  await createSession(request, name);
  await openSession(page, name);
  await page.getByTestId('monitor-tab-telemetry').click();

  const chart = page.getByRole('img', { name: /Packets per second, all nodes/ });
  await expect(chart).toBeVisible();
  await expect(page.getByTestId('telemetry-x-label')).toHaveText('time (seconds before now)');
  await expect(page.getByTestId('telemetry-y-label')).toHaveText('pkt/s');
  const xTicks = page.getByTestId('telemetry-x-axis').locator('g > text');
  await expect(xTicks.first()).toHaveText('now');
  await expect(xTicks).toContainText(['now', '−15s', '−30s']);
  const yTicks = await page.getByTestId('telemetry-y-axis').locator('g > text').allTextContents();
  expect(yTicks.length).toBeGreaterThanOrEqual(2);
  expect(yTicks[0]).toBe('0');
  for (const t of yTicks) expect(t).toMatch(/^\d+(\.\d+)?k?$/);
  await expect(chart.locator('desc')).toHaveText(/Latest \d+ pkt\/s, peak \d+ pkt\/s\./);
  await screenshot(page, 'monitor-telemetry-axes');
});

test("the session's uptime shows and increases", async ({ page, request }) => {
  const name = `e2e-uptime-${Date.now()}`;
  await createSession(request, name);
  await openSession(page, name);
  const uptime = page.getByTestId('session-uptime');
  await expect(uptime).toHaveText(/^\d+s$/);
  const first = Number(await uptime.getAttribute('data-seconds'));
  await expect.poll(async () => Number(await uptime.getAttribute('data-seconds'))).toBeGreaterThan(first + 1);
  await expect(uptime).toHaveText(/^\d+s$/);
});

test('an input without a type attribute takes the theme like typed ones, dark and light', async ({
  page,
  request,
}) => {
  const name = `e2e-inputs-${Date.now()}`;
  await createSession(request, name);
  await openSession(page, name);
  const untyped = page.getByLabel('From pin');
  expect(await untyped.getAttribute('type')).toBeNull();

  for (const theme of ['dark', 'light'] as const) {
    await setTheme(page, theme);
    const panel = await page.evaluate(() => {
      const probe = document.createElement('div');
      probe.style.background = 'var(--panel)';
      probe.style.color = 'var(--text)';
      document.body.append(probe);
      const s = getComputedStyle(probe);
      const out = { background: s.backgroundColor, color: s.color };
      probe.remove();
      return out;
    });
    await expect(untyped).toHaveCSS('background-color', panel.background);
    await expect(untyped).toHaveCSS('color', panel.color);
    if (theme === 'dark') expect(panel.background).toBe('rgb(23, 27, 35)');
  }
});
