// Shell: routing, navigation, deep links, theme persistence, and a screenshot of each view in both themes.
import { DOUBLE_VOLUME_ID, expect, screenshot, setTheme, test } from './helpers';

test('the root redirects to /design', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/design$/);
  await expect(page.getByTestId('design-view')).toBeVisible();
  for (const id of ['control-pane', 'flow-canvas', 'yaml-pane'])
    await expect(page.getByTestId(id)).toBeVisible();
});

test('the nav reaches every view and deep links survive a reload', async ({ page }) => {
  await page.goto('/design');
  const views: [string, string][] = [
    ['nav-convert', 'convert-view'],
    ['nav-monitor', 'monitor-view'],
    ['nav-stream', 'stream-view'],
    ['nav-design', 'design-view'],
  ];
  for (const [link, view] of views) {
    await page.getByTestId(link).click();
    await expect(page.getByTestId(view)).toBeVisible();
  }
  await page.goto('/convert');
  await page.reload();
  await expect(page.getByTestId('convert-view')).toBeVisible();
  await page.keyboard.press('Alt+3');
  await expect(page.getByTestId('monitor-view')).toBeVisible();
});

test('the theme choice applies at once and survives a reload', async ({ page }) => {
  await page.goto('/design');
  await setTheme(page, 'dark');
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await setTheme(page, 'light');
});

for (const theme of ['light', 'dark'] as const) {
  test(`screenshots of each view (${theme})`, async ({ page }) => {
    await page.goto('/design');
    await setTheme(page, theme);
    // Show the Design view with a real pipeline in it: load the double_volume sample, select its gain.
    await page.getByTestId('samples-tab').click();
    await page
      .locator(`[data-testid="sample-card"][data-sample-id="${DOUBLE_VOLUME_ID}"] button`)
      .first()
      .click();
    const confirm = page.getByTestId('confirm-modal');
    if (await confirm.isVisible()) await confirm.getByRole('button', { name: 'Load Sample' }).click();
    await page.getByTestId('node-step_3').click();
    for (const view of ['design', 'convert', 'monitor', 'stream']) {
      await page.getByTestId(`nav-${view}`).click();
      await expect(page.getByTestId(`${view}-view`)).toBeVisible();
      await screenshot(page, `${view}-${theme}`);
    }
  });
}
