import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    // Real Redis, ffmpeg and sockets: give slow shared machines room, but never hang.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
    setupFiles: ['test/setup-env.ts'],
  },
});
