// Playwright config: Debian's Chromium against the built server (started by global-setup.ts), one worker
// because specs share the server's state. Screenshots of each view are written to e2e/artifacts/.
import { defineConfig } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';

export default defineConfig({
  testDir: '.',
  testMatch: '*.spec.ts',
  outputDir: '../test-results/playwright',
  globalSetup: './global-setup.ts',
  workers: 1,
  fullyParallel: false,
  retries: 0, // a flaky spec is a fault to fix, never to retry away
  forbidOnly: Boolean(process.env.CI),
  timeout: 45_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['json']],
  use: {
    baseURL: process.env.E2E_BASE_URL,
    viewport: { width: 1440, height: 900 },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    acceptDownloads: true,
    launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS },
  },
});
