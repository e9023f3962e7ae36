import { defineConfig } from 'vitest/config';

/**
 * The package test (`npm run test:package`): `npm pack` installed into an empty folder, as another
 * team installs nodegen. Not part of `npm test`: it needs the npm registry (or npm's cache).
 */
export default defineConfig({
  test: {
    include: ['test/package/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
  },
});
