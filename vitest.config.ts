import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The example host app imports the package by name, as any host does; here that is the source.
  // (connect-sync.config.js at the root imports connect-sync/editor the same way.)
  resolve: {
    alias: [
      { find: /^connect-sync$/, replacement: new URL('./src/index.ts', import.meta.url).pathname },
      { find: /^connect-sync\/editor$/, replacement: new URL('./src/editor/index.ts', import.meta.url).pathname },
      { find: /^connect-sync\/testing$/, replacement: new URL('./src/testing.ts', import.meta.url).pathname },
      { find: /^connect-sync\/advanced$/, replacement: new URL('./src/advanced.ts', import.meta.url).pathname },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // One Postgres for the run (embedded unless DATABASE_URL names one) and a migrated template
    // database; every test file clones its own database from it, so files run in parallel.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
