// Build, dev server and unit-test configuration.
// `vite build --mode e2e` adds the typed test hook (src/app/testHook.ts); production builds leave it out.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  base: './',
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
    rollupOptions: { input: { main: 'index.html', bench: 'bench/index.html' } },
  },
  worker: { format: 'es' },
  server: { port: 5173 },
  preview: { port: 5173 },
  test: {
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'bench/**/*.test.ts', 'server/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
