// Accessibility: axe on every view in both themes (no serious or critical violation, which includes
// AA colour contrast), one `main` and one `h1` per view, and the shortcuts dialog as a proper modal.
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, MOCK, setTheme, test } from './helpers';
import { createSession, deleteCreated, LIVE_YAML, openSession } from './monitor-helpers';

const VIEWS = ['design', 'convert', 'monitor', 'stream', 'plugins'] as const;

test.afterEach(async ({ request }) => {
  await deleteCreated(request);
});

/** Each serious or critical rule axe reports, its impact and the elements it flagged, one line each. */
async function seriousViolations(page: Page, label: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${label}: ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

async function openView(page: Page, view: string): Promise<void> {
  await page.goto(`/${view}`);
  await expect(page.getByTestId(`${view}-view`)).toBeVisible();
}

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds nothing serious on any view (${theme})`, async ({ page }) => {
    await page.goto('/design');
    await setTheme(page, theme);
    const found: string[] = [];
    for (const view of VIEWS) {
      await openView(page, view);
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
      found.push(...(await seriousViolations(page, `/${view} (${theme})`)));
    }
    expect(found.join('\n')).toBe('');
  });
}

test('axe finds nothing serious on the Monitor with a live session (both themes)', async ({
  page,
  request,
}) => {
  test.skip(MOCK, 'needs the real server (GraphQL subscriptions)');
  const name = `e2e-a11y-${Date.now()}`;
  await createSession(request, name, LIVE_YAML);
  await openView(page, 'monitor');
  await openSession(page, name);
  const found: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    found.push(...(await seriousViolations(page, `/monitor with a session (${theme})`)));
  }
  expect(found.join('\n')).toBe('');
});

test('every view has exactly one main landmark and one h1', async ({ page }) => {
  for (const view of VIEWS) {
    await openView(page, view);
    await expect(page.getByRole('main'), `/${view}`).toHaveCount(1);
    await expect(page.locator('h1'), `/${view}`).toHaveCount(1);
  }
});

test('the shortcuts dialog traps focus, has a close button, and Escape returns focus to the opener', async ({
  page,
}) => {
  await openView(page, 'convert');
  const opener = page.getByRole('button', { name: 'Keyboard shortcuts' });
  const dialog = page.getByTestId('shortcuts-modal');

  // Closed by its close button; focus goes back to the button that opened it.
  await opener.click();
  await expect(dialog).toBeVisible();
  const close = dialog.getByRole('button', { name: 'Close' });
  await expect(close).toBeFocused();
  await close.click();
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();

  // Tab and Shift+Tab stay inside the dialog however often they are pressed.
  await opener.click();
  await expect(dialog).toBeVisible();
  for (const key of ['Tab', 'Tab', 'Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab', 'Shift+Tab']) {
    await page.keyboard.press(key);
    expect(await dialog.evaluate((el) => el.contains(document.activeElement)), key).toBe(true);
  }

  // Escape closes it and focus returns to the opener.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();

  // Opened from the keyboard ("?"), it also closes with Escape.
  await page.locator('body').press('?');
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
});
