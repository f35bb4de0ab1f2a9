import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers only fight over Chromium and the JVM.
    maxWorkers: 2,
    // The AWS SDK's notice that its 2027 releases need Node 22, once per worker: the Lambdas run
    // Node 22 (infra/constructs/ledger-function.ts), so here it only buries the test output.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
