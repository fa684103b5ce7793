// Permission gating: a role without create_sessions (the `viewer` role, chosen by header) sees no
// Create or Run buttons; the default admin role does.
import { ROLE_HEADER } from './global-setup';
import { expect, test } from './helpers';

test.describe('viewer role', () => {
  test.use({ extraHTTPHeaders: { [ROLE_HEADER]: 'viewer' } });

  test('sees no Create session or Run button and cannot run conversions', async ({ page }) => {
    await page.goto('/design');
    await expect(page.getByTestId('role')).toHaveText('viewer');
    await page.getByTestId('mode-dynamic').click();
    await expect(page.getByTestId('design-view')).toBeVisible();
    await expect(page.getByTestId('create-session')).toHaveCount(0);
    await page.getByTestId('mode-oneshot').click();
    await expect(page.getByTestId('run-pipeline')).toHaveCount(0);
    await page.getByTestId('assets-tab').click();
    await expect(page.getByTestId('assets-pane')).toBeVisible();
    await expect(page.getByTestId('asset-upload')).toHaveCount(0);
    await page.getByTestId('nav-convert').click();
    await expect(page.getByTestId('convert-denied')).toBeVisible();
    await page.getByTestId('nav-stream').click();
    await expect(page.getByTestId('stream-denied')).toBeVisible();
    await expect(page.getByTestId('stream-sample').first()).toBeVisible();
    await expect(page.getByTestId('stream-create')).toBeDisabled();
  });
});

test('the admin role sees Create session in dynamic mode', async ({ page }) => {
  await page.goto('/design');
  await page.getByTestId('mode-dynamic').click();
  await expect(page.getByTestId('create-session')).toBeVisible();
});
