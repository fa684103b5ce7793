// Layout at smaller screens: the Monitor toolbar wraps without overlap at 1024x768, and at phone width
// (390x844) Monitor and Convert fit the screen (no sideways page scroll) and stay usable read-only.
import type { Locator, Page } from '@playwright/test';
import { expect, MOCK, test } from './helpers';
import { createSession, deleteCreated, openMonitor, openSession } from './monitor-helpers';

test.skip(MOCK, 'needs the real server (GraphQL subscriptions)');

test.afterEach(async ({ request }) => {
  await deleteCreated(request);
});

interface Box {
  name: string;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** The visible children of `bar` that overlap one another or stick out of it. */
async function overlaps(bar: Locator): Promise<string[]> {
  return bar.evaluate((el) => {
    const outer = el.getBoundingClientRect();
    const boxes: Box[] = Array.from(el.children)
      .map((c) => {
        const r = c.getBoundingClientRect();
        const name = c.getAttribute('data-testid') ?? c.className ?? c.tagName;
        return { name, left: r.left, right: r.right, top: r.top, bottom: r.bottom };
      })
      .filter((b) => b.right - b.left > 1 && b.bottom - b.top > 1);
    const bad: string[] = [];
    if (el.scrollWidth > el.clientWidth + 1)
      bad.push(`toolbar scrolls: ${el.scrollWidth} > ${el.clientWidth}`);
    for (const b of boxes)
      if (b.left < outer.left - 1 || b.right > outer.right + 1) bad.push(`${b.name} sticks out`);
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
        const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
        if (x > 1 && y > 1) bad.push(`${a.name} overlaps ${b.name}`);
      }
    return bad;
  });
}

async function horizontalOverflow(page: Page): Promise<string> {
  return page.evaluate(() => {
    const w = document.documentElement.scrollWidth;
    return w <= window.innerWidth ? '' : `page is ${w}px wide in a ${window.innerWidth}px window`;
  });
}

test('at 1024x768 the Monitor toolbar wraps without overlap, in and out of staging', async ({
  page,
  request,
}) => {
  await page.setViewportSize({ width: 1024, height: 768 });
  const name = `e2e-layout-monitor-session-with-a-long-name-${Date.now()}`;
  await createSession(request, name);
  await openMonitor(page);
  await openSession(page, name);
  const bar = page.getByTestId('monitor-toolbar');
  await expect(bar).toContainText('Delete');
  expect(await overlaps(bar)).toEqual([]);
  await page.getByTestId('staging-enter').click();
  await expect(bar).toContainText('Staging');
  expect(await overlaps(bar)).toEqual([]);
  expect(await horizontalOverflow(page)).toBe('');
});

test('at 390x844 the Monitor fits the screen: sessions, toolbar and canvas are reachable', async ({
  page,
  request,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const name = `e2e-layout-phone-${Date.now()}`;
  await createSession(request, name);
  await openMonitor(page);
  expect(await horizontalOverflow(page)).toBe('');
  await openSession(page, name);
  expect(await horizontalOverflow(page)).toBe('');
  const bar = page.getByTestId('monitor-toolbar');
  await expect(bar).toBeInViewport();
  expect(await overlaps(bar)).toEqual([]);
  await page.getByTestId('monitor-node-gain').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('monitor-node-gain')).toBeInViewport();
  await expect(page.getByTestId('nav-plugins')).toBeInViewport();
});

test('at 390x844 the Convert view fits the screen and its pipeline list is readable', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/convert');
  await expect(page.getByTestId('convert-view')).toBeVisible();
  expect(await horizontalOverflow(page)).toBe('');
  const first = page.locator('label[data-source-id]').first();
  await expect(first).toBeVisible();
  const box = await first.boundingBox();
  expect(box && box.x >= 0 && box.x + box.width <= 390, JSON.stringify(box)).toBe(true);
  await expect(page.getByTestId('nav-plugins')).toBeInViewport();
});
