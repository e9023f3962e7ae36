import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The cluster suite needs Go and a control plane: `npm run test:cluster` (vitest.cluster.config.mts);
    // the package test needs the npm registry: `npm run test:package` (vitest.package.config.mts).
    exclude: [...configDefaults.exclude, 'test/cluster/**', 'test/package/**'],
    globalSetup: ['test/global-setup.ts'],
    // End-to-end tests spawn the CLI; give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
