import path from 'node:path';
import { defineConfig } from '@playwright/test';

/**
 * Browser end-to-end tests: the real renderer in Debian's Chromium, talking to the real core through the
 * browser host. Nothing is built here: run `npm run build` first. Electron journeys live in e2e/electron
 * with their own config.
 */
export default defineConfig({
  testDir: __dirname,
  testIgnore: ['electron/**'],
  outputDir: path.join(__dirname, '..', '.tmp', 'playwright-results'),
  workers: 1, // the machine has 2 cores shared with other work; ffmpeg runs inside the tests
  fullyParallel: false,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [['list'], ['json', { outputFile: path.join(__dirname, '..', '.tmp', 'playwright.json') }]],
  use: {
    browserName: 'chromium',
    viewport: { width: 1360, height: 860 },
    actionTimeout: 15_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // `npx playwright install` cannot download here; Debian's Chromium is used everywhere instead.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
  },
});
