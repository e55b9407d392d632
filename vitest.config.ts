import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // tfjs kernels on the wasm/cpu backends are slow on a 2-core machine; numeric tests need room.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['**/*.test.ts'], exclude: ['node_modules/**', '.next/**', 'e2e/**', '**/*.cluster.test.ts'] } },
      {
        // A real single-node Slurm (pipeline/slurm/__fixtures__/cluster.ts) that the tests start
        // and stop; skipped with the reason where it cannot start (not root, no slurm-wlm/munge).
        extends: true,
        test: { name: 'slurm', include: ['**/*.cluster.test.ts'], exclude: ['node_modules/**', '.next/**'], fileParallelism: false, testTimeout: 600_000 },
      },
      {
        // The site in a real browser against its production build; e2e/global-setup.ts builds it
        // when stale (a minute or two) and starts the servers. One file at a time: one browser.
        extends: true,
        test: { name: 'e2e', include: ['e2e/**/*.test.ts'], globalSetup: ['e2e/global-setup.ts'], fileParallelism: false },
      },
    ],
  },
});
