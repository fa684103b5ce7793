// Design canvas editing: undo/redo across canvas and YAML edits, duplicate, context menus (mouse and
// keyboard), the layered auto-layout of the MoQ mixing sample, readable palette entries, and wide
// integer params as number inputs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, freshDesign, screenshot, test, yamlText } from './helpers';

const MIXING_YAML = readFileSync(join(__dirname, '../samples/pipelines/dynamic/moq_mixing.yml'), 'utf8');

const SRC_GAIN = `mode: oneshot
nodes:
  src:
    kind: core::file_reader
    params: { path: samples/audio/system/tone_440hz_48k_stereo_5s.wav }
  gain:
    kind: audio::gain
    needs: src
`;

async function typeYaml(page: Page, text: string): Promise<void> {
  await page.getByTestId('yaml-pane').locator('.cm-content').click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(text);
}

/** Clicks an empty spot of the canvas, taking the focus out of any field. */
async function focusCanvas(page: Page): Promise<void> {
  await page.getByTestId('flow-canvas').click({ position: { x: 12, y: 12 } });
}

const node = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`);

async function addFromPalette(page: Page, kind: string): Promise<void> {
  await page.getByTestId('nodes-tab').click();
  await page.getByTestId(`palette-node-${kind}`).click();
}

/** A point in the middle of an edge's drawn path, in page coordinates. */
async function edgeMidpoint(page: Page): Promise<{ x: number; y: number }> {
  return page
    .locator('.react-flow__edge-path')
    .first()
    .evaluate((el) => {
      const path = el as SVGPathElement;
      const p = path.getPointAtLength(path.getTotalLength() / 2);
      const m = path.getScreenCTM() as DOMMatrix;
      return { x: p.x * m.a + p.y * m.c + m.e, y: p.x * m.b + p.y * m.d + m.f };
    });
}

test('undo and redo step through adding a node, a param change and a YAML edit', async ({ page }) => {
  await freshDesign(page, 'oneshot');
  await expect(page.getByTestId('undo')).toBeDisabled();
  await expect(page.getByTestId('undo')).toHaveAttribute('title', 'Undo (Ctrl+Z)');
  await addFromPalette(page, 'audio::gain');
  await expect(page.getByTestId('node-gain')).toBeVisible();
  await page.getByTestId('node-gain').click();
  await page.getByTestId('inspector-field-gain-number').fill('2.5');
  await expect.poll(() => yamlText(page)).toContain('gain: 2.5');

  const editor = page.getByTestId('yaml-pane').locator('.cm-content');
  await editor.click();
  await page.keyboard.press('ControlOrMeta+End');
  await page.keyboard.insertText('  sink:\n    kind: core::sink\n    needs: gain\n');
  await expect(page.getByTestId('node-sink')).toBeVisible();

  await focusCanvas(page);
  await page.keyboard.press('ControlOrMeta+z');
  await expect(page.getByTestId('node-sink')).toHaveCount(0);
  await expect.poll(() => yamlText(page)).not.toContain('sink');
  expect(await yamlText(page)).toContain('gain: 2.5');
  await page.keyboard.press('ControlOrMeta+z');
  await expect.poll(() => yamlText(page)).not.toContain('gain: 2.5');
  await expect(page.getByTestId('node-gain')).toBeVisible();
  await page.keyboard.press('ControlOrMeta+z');
  await expect(page.getByTestId('node-gain')).toHaveCount(0);
  await expect(page.getByTestId('undo')).toBeDisabled();

  await page.keyboard.press('ControlOrMeta+Shift+z');
  await expect(page.getByTestId('node-gain')).toBeVisible();
  await page.keyboard.press('ControlOrMeta+y');
  await expect.poll(() => yamlText(page)).toContain('gain: 2.5');
  await page.getByTestId('redo').click();
  await expect(page.getByTestId('node-sink')).toBeVisible();
  await expect(page.getByTestId('redo')).toBeDisabled();
});

test('Ctrl+D and the node menu duplicate nodes with their params and the edges among them', async ({
  page,
}) => {
  await freshDesign(page, 'oneshot');
  await typeYaml(page, SRC_GAIN.replace('    needs: src\n', '    params: { gain: 2.5 }\n    needs: src\n'));
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  await focusCanvas(page);
  await page.keyboard.press('ControlOrMeta+a');
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(2);
  await page.keyboard.press('ControlOrMeta+d');
  await expect(node(page, 'src_2')).toBeVisible();
  await expect(node(page, 'gain_2')).toBeVisible();
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
  await expect
    .poll(() => yamlText(page))
    .toMatch(/gain_2:\n\s+kind: audio::gain\n\s+params:\n\s+gain: 2.5\n\s+needs: src_2/);
  const a = await node(page, 'gain').boundingBox();
  const b = await node(page, 'gain_2').boundingBox();
  expect(b && a && b.x > a.x && b.y > a.y).toBe(true);
  // The copies are the new selection.
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(2);

  // Its corner: the copy covers the middle of the original.
  await node(page, 'gain').click({ button: 'right', position: { x: 6, y: 6 } });
  await page.getByRole('menuitem', { name: 'Duplicate' }).click();
  await expect(node(page, 'gain_3')).toBeVisible();
  await expect(page.locator('.react-flow__edge')).toHaveCount(2);
});

test('context menus on a node, a connection and the canvas, by mouse and keyboard', async ({ page }) => {
  await freshDesign(page, 'oneshot');
  await typeYaml(page, SRC_GAIN);
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);
  await focusCanvas(page);

  // Node, by mouse: a real menu, closed by Escape and by a click outside.
  await node(page, 'gain').click({ button: 'right' });
  const nodeMenu = page.getByRole('menu', { name: 'Node gain' });
  await expect(nodeMenu).toBeVisible();
  await expect(nodeMenu.getByRole('menuitem')).toHaveText([
    /Duplicate/,
    /Rename/,
    /Disconnect all/,
    /Delete/,
  ]);
  await page.keyboard.press('Escape');
  await expect(nodeMenu).toHaveCount(0);
  await node(page, 'gain').click({ button: 'right' });
  await expect(nodeMenu).toBeVisible();
  await page.getByTestId('yaml-pane').click({ position: { x: 40, y: 10 } });
  await expect(nodeMenu).toHaveCount(0);

  // Node, by keyboard: Shift+F10 on the focused node, arrows, Enter; the focus comes back after.
  await node(page, 'src').focus();
  await page.keyboard.press('Shift+F10');
  const srcMenu = page.getByRole('menu', { name: 'Node src' });
  await expect(srcMenu).toBeVisible();
  await expect(srcMenu.getByRole('menuitem', { name: 'Duplicate' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(srcMenu).toHaveCount(0);
  await expect(node(page, 'src')).toBeFocused();
  await page.keyboard.press('ContextMenu');
  await expect(srcMenu).toBeVisible();
  await page.keyboard.press('ArrowDown');
  await expect(srcMenu.getByRole('menuitem', { name: 'Rename…' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('rename-node-input')).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('reader');
  await page.keyboard.press('Enter');
  await expect(node(page, 'reader')).toBeVisible();
  await expect.poll(() => yamlText(page)).toContain('needs: reader');

  // Disconnect all, then undo it.
  await node(page, 'gain').click({ button: 'right' });
  await page.getByRole('menuitem', { name: 'Disconnect all' }).click();
  await expect(page.locator('.react-flow__edge')).toHaveCount(0);
  await focusCanvas(page);
  await page.keyboard.press('ControlOrMeta+z');
  await expect(page.locator('.react-flow__edge')).toHaveCount(1);

  // Connection: by keyboard on the focused edge, then delete it from the mouse menu.
  await page.locator('.react-flow__edge').first().focus();
  await page.keyboard.press('Shift+F10');
  await expect(page.getByRole('menu', { name: 'Connection' })).toBeVisible();
  await page.keyboard.press('Escape');
  const mid = await edgeMidpoint(page);
  await page.mouse.click(mid.x, mid.y, { button: 'right' });
  await page.getByRole('menuitem', { name: 'Delete connection' }).click();
  await expect(page.locator('.react-flow__edge')).toHaveCount(0);
  await expect.poll(() => yamlText(page)).not.toContain('needs:');

  // Canvas: add a node where the menu was opened, select all, and the keyboard opening.
  const canvas = await page.getByTestId('flow-canvas').boundingBox();
  if (!canvas) throw new Error('canvas not visible');
  const at = { x: canvas.x + 120, y: canvas.y + canvas.height - 140 };
  await page.mouse.click(at.x, at.y, { button: 'right' });
  await expect(page.getByRole('menu', { name: 'Canvas' })).toBeVisible();
  await page.getByRole('menuitem', { name: 'Add node here…' }).click();
  await expect(page.getByTestId('add-node-picker-search')).toBeFocused();
  await page.keyboard.type('ogg::mux');
  await expect(page.getByRole('listbox', { name: 'Add node' }).getByRole('option')).toHaveText([
    /containers::ogg::muxer/,
  ]);
  await page.keyboard.press('Enter');
  const added = await node(page, 'ogg_muxer').boundingBox();
  expect(added && Math.abs(added.x - at.x) < 8 && Math.abs(added.y - at.y) < 8).toBe(true);
  await page.mouse.click(at.x + 400, at.y, { button: 'right' });
  await page.getByRole('menuitem', { name: 'Select all' }).click();
  await expect(page.locator('.react-flow__node.selected')).toHaveCount(3);
  await page.getByTestId('flow-canvas').focus();
  await page.keyboard.press('Shift+F10');
  await expect(page.getByRole('menu', { name: 'Canvas' })).toBeVisible();
  await screenshot(page, 'design-canvas-menu');
  await page.keyboard.press('Escape');
  await expect(page.getByRole('menu')).toHaveCount(0);
});

test('auto-layout spreads the MoQ mixing sample over columns without overlaps or edges through nodes', async ({
  page,
}) => {
  await freshDesign(page, 'dynamic');
  await typeYaml(page, MIXING_YAML);
  await expect(page.locator('.react-flow__node')).toHaveCount(10);
  await page.getByTestId('auto-layout').click();
  await page.waitForTimeout(400); // the fit animation
  const boxes = await page.locator('.react-flow__node').evaluateAll((els) =>
    els.map((el) => {
      const r = el.getBoundingClientRect();
      return { id: el.getAttribute('data-id'), x: r.x, y: r.y, w: r.width, h: r.height };
    }),
  );
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      expect(overlap, `${a.id} overlaps ${b.id}`).toBe(false);
    }
  const columns = new Set(boxes.map((b) => Math.round(b.x)));
  expect(columns.size).toBeGreaterThan(3);
  expect(new Set(boxes.map((b) => Math.round(b.y))).size).toBeGreaterThan(1);
  // Sample every drawn connection: no point runs through a node's box (pins sit on the borders).
  const crossings = await page.locator('.react-flow__edge-path').evaluateAll(
    (paths, rects) =>
      paths.flatMap((el) => {
        const path = el as SVGPathElement;
        const m = path.getScreenCTM() as DOMMatrix;
        const len = path.getTotalLength();
        const hits: string[] = [];
        for (let d = 6; d < len - 6; d += 4) {
          const p = path.getPointAtLength(d);
          const x = p.x * m.a + p.y * m.c + m.e;
          const y = p.x * m.b + p.y * m.d + m.f;
          for (const r of rects)
            if (x > r.x + 3 && x < r.x + r.w - 3 && y > r.y + 3 && y < r.y + r.h - 3)
              hits.push(`${path.closest('.react-flow__edge')?.getAttribute('data-id')} through ${r.id}`);
        }
        return [...new Set(hits)];
      }),
    boxes,
  );
  expect(crossings).toEqual([]);
  await screenshot(page, 'design-mixing-layout');
});

test('palette entries show the whole kind and nest no buttons', async ({ page }) => {
  await freshDesign(page, 'oneshot');
  const item = page.getByTestId('palette-node-containers::ogg::demuxer');
  await expect(item).toContainText('demuxer');
  await expect(item).toContainText('containers::ogg');
  await expect(item).toHaveAttribute('title', /^containers::ogg::demuxer\n/);
  const cut = await page
    .locator('[data-testid^="palette-node-"] :is(.palette-name, .palette-ns)')
    .evaluateAll((els) =>
      els.filter((el) => el.scrollWidth > el.clientWidth + 0.5).map((el) => el.textContent),
    );
  expect(cut).toEqual([]);
  const nested = await page
    .locator('[data-testid^="palette-node-"]')
    .evaluateAll(
      (els) => els.filter((el) => el.querySelector('button, [role="button"], a, input, [tabindex]')).length,
    );
  expect(nested).toBe(0);
  await expect(page.getByRole('button', { name: 'About containers::ogg::demuxer' })).toBeVisible();
});

test('a 32-bit serial number param is a number input, not a slider', async ({ page }) => {
  await freshDesign(page, 'oneshot');
  await addFromPalette(page, 'containers::ogg::muxer');
  await page.getByTestId('node-ogg_muxer').click();
  const serial = page.getByTestId('inspector-field-stream_serial');
  await expect(serial).toHaveAttribute('type', 'number');
  await expect(page.getByTestId('inspector-field-stream_serial-number')).toHaveCount(0);
  await serial.fill('3735928559');
  await expect.poll(() => yamlText(page)).toContain('stream_serial: 3735928559');
});
