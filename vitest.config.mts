import { defineConfig } from 'vitest/config';

// Unit and integration tests sit beside the code they test (`*.test.ts`, `*.test.tsx`).
// End-to-end journeys live in e2e/ and run under Playwright, not here.
export default defineConfig({
  test: {
    include: ['main/**/*.test.ts', 'preload/**/*.test.ts', 'native-workers/**/*.test.ts', 'renderer/src/**/*.test.{ts,tsx}', 'scripts/**/*.test.ts', 'emulators/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'e2e/**'],
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.tmp/vitest.json' }]] : ['default'],
  },
});
