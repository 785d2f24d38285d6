// Vitest config for the end-to-end journeys (run through test/e2e/run.sh, or:
//   npx vitest run --config test/e2e/vitest.config.mts [journeys/smoke.e2e.ts]
// after test/e2e/setup.sh). Journeys are heavy (code-server + Chromium on a shared 2-core box):
// one file at a time, one worker, generous but finite timeouts.
import { fileURLToPath } from 'node:url';
import * as path from 'node:path';
import { defineConfig } from 'vitest/config';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export default defineConfig({
  root: repoRoot,
  test: {
    name: 'e2e',
    include: ['test/e2e/journeys/**/*.e2e.ts'],
    environment: 'node',
    pool: 'forks',
    poolOptions: { forks: { singleFork: true } },
    fileParallelism: false,
    maxConcurrency: 1,
    testTimeout: 10 * 60_000,
    hookTimeout: 3 * 60_000,
    teardownTimeout: 60_000,
    retry: 0,
    reporters: ['verbose'],
  },
});
