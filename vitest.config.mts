import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000, globalSetup: ['test/support/scratch-tmpdir.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // One engine, two cores: files run one after another in one worker; each bounds its own waits.
          poolOptions: { forks: { singleFork: true } },
          testTimeout: 300_000,
          hookTimeout: 600_000,
        },
      },
      { test: { name: 'webview', include: ['test/webview/**/*.test.ts'], poolOptions: { forks: { singleFork: true } }, testTimeout: 180_000, hookTimeout: 180_000 } },
    ],
  },
});
