import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers only fight over Chromium and the JVM.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
