// In real Chromium: the wasm training kernels (src/model/wasmKernels) give the cpu backend's
// results, forward values and gradients, over the same parity cases as the Node tests.
// Runs the bench page's 'kernels' suite and checks every case.
import { expect, test } from '@playwright/test';

const TOLERANCE = 1e-4;

test('wasm gradient kernels match the cpu backend (relative error < 1e-4)', async ({ page }) => {
  test.setTimeout(300_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('bench/index.html?suite=kernels');
  await page.waitForFunction(() => window.__benchResult || window.__benchError, undefined, { timeout: 280_000, polling: 500 });
  const { result, error } = await page.evaluate(() => ({ result: window.__benchResult, error: window.__benchError }));
  expect(error).toBeUndefined();
  expect(errors).toEqual([]);
  const cases = Object.entries(result!.figures).filter(([name]) => name.startsWith('grad_rel_error.wasm.'));
  // 51 conv cases + 24 op cases + 4 training steps: all of them ran.
  expect(cases.length).toBeGreaterThanOrEqual(75);
  expect(cases.some(([name]) => name.includes('conv2d') && name.includes('s2x2'))).toBe(true);
  expect(cases.some(([name]) => name.includes('train smallConvNet'))).toBe(true);
  for (const [name, f] of cases) expect(f.median, name).toBeLessThan(TOLERANCE);
  // Chromium has relaxed SIMD: the page's kernels are the fused multiply-add build (simdConv.ts).
  expect(result!.notes).toContain('page: our SIMD conv kernels run, relaxed-SIMD build');
  // The same cases in a worker on the threaded binary, where our conv kernels run half of each
  // call on their helper thread (the e2e server sends the isolation headers).
  expect(result!.notes).toContain('threaded worker: our SIMD conv kernels on 2 thread(s), relaxed-SIMD build');
  const threaded = Object.entries(result!.figures).filter(([name]) => name.startsWith('grad_rel_error.wasm_threads.'));
  expect(threaded.length).toBe(cases.length);
  for (const [name, f] of threaded) expect(f.median, name).toBeLessThan(TOLERANCE);
});
