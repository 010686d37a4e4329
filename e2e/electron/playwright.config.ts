import path from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * Electron end-to-end tests: the packaged-to-be app (dist/ + the Electron binary) driven through Playwright's
 * `_electron`. Where the binary cannot run (no download offline, no display, native modules built for Node)
 * each test skips and prints why. Run with `npx playwright test -c e2e/electron/playwright.config.ts`
 * after `npm run build`.
 */
export default defineConfig({
  testDir: __dirname,
  outputDir: path.join(__dirname, '..', '..', '.tmp', 'playwright-electron-results'),
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: path.join(__dirname, '..', '..', '.tmp', 'playwright-electron.json') }]],
  use: { trace: 'retain-on-failure', screenshot: 'only-on-failure' },
});
