// Screenshots of every view at desktop (1440x900), small laptop (1024x768) and phone (390x844) sizes in
// both themes, written to e2e/artifacts/<view>-<theme>-<width>x<height>.png (git-ignored) for review.
import { expect, MOCK, screenshot, setTheme, test } from './helpers';
import { createSession, deleteCreated, openSession } from './monitor-helpers';

const VIEWS = ['design', 'convert', 'monitor', 'stream', 'plugins'] as const;
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 768 },
  { width: 390, height: 844 },
];

test.skip(MOCK, 'needs the real server (the Monitor shows a live session)');

test.afterEach(async ({ request }) => {
  await deleteCreated(request);
});

for (const theme of ['light', 'dark'] as const) {
  test(`every view at three sizes (${theme})`, async ({ page, request }) => {
    test.setTimeout(90_000);
    const name = `e2e-screenshots-${theme}-${Date.now()}`;
    await createSession(request, name);
    await page.goto('/design');
    await setTheme(page, theme);
    for (const size of SIZES) {
      await page.setViewportSize(size);
      for (const view of VIEWS) {
        await page.getByTestId(`nav-${view}`).click();
        await expect(page.getByTestId(`${view}-view`)).toBeVisible();
        if (view === 'monitor') await openSession(page, name);
        await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
        await screenshot(page, `${view}-${theme}-${size.width}x${size.height}`);
      }
    }
  });
}
