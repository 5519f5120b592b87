// Build, dev server and unit-test configuration.
// `vite build --mode e2e` adds the typed test hook (src/app/testHook.ts); production builds leave it out.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { ISOLATION_HEADERS } from './server/isolation.ts';

export default defineConfig({
  base: './',
  build: {
    target: 'es2022',
    sourcemap: true,
    chunkSizeWarningLimit: 4096,
    rollupOptions: { input: { main: 'index.html', bench: 'bench/index.html' } },
  },
  resolve: {
    // tfjs-backend-wasm's threaded factory, unminified (src/model/wasmThreadedFactory.ts says why).
    alias: [{ find: /^\.\.\/wasm-out\/tfjs-backend-wasm-threaded-simd\.js$/, replacement: fileURLToPath(new URL('src/model/wasmThreadedFactory.ts', import.meta.url)) }],
  },
  worker: { format: 'es' },
  server: { port: 5173, headers: ISOLATION_HEADERS },
  preview: { port: 5173, headers: ISOLATION_HEADERS },
  test: {
    include: ['src/**/*.test.ts', 'workers/**/*.test.ts', 'bench/**/*.test.ts', 'server/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Node 20's V8 has relaxed SIMD behind a flag (Chromium ships it): with it the tests run our
    // conv kernels' relaxed-SIMD build, as the game does (wasmKernels/simdConv.ts).
    execArgv: ['--experimental-wasm-relaxed-simd'],
  },
});
