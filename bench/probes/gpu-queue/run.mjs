// Probe, not a suite: does a dash-size frame rendered in a worker wait behind the page's
// 1280x720 WebGL view in Chromium's GPU process, and would WebGPU in the worker (its own device
// and queue) escape the wait? live-latency.md, run 5. Serves this folder with vite, then in
// Debian's Chromium, for each worker API (webgl, webgpu) and with the page's view off and on,
// renders a 200x66 frame of a simple scene and reads it back every 50 ms: p50 / p95 / max ms of
// render + readback in the worker, and the page's fps. Rounds alternate the four set-ups.
//   node bench/probes/gpu-queue/run.mjs            (N=60 frames per trial, ROUNDS=2, PORT=43991)
import { chromium } from '@playwright/test';
import { createServer } from 'vite';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('.', import.meta.url));
const port = Number(process.env.PORT ?? 43991);
const N = Number(process.env.N ?? 60);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const server = await createServer({
  root, configFile: false, logLevel: 'error',
  server: { port, strictPort: true, host: '127.0.0.1' },
  worker: { format: 'es' },
  optimizeDeps: { include: ['three', 'three/webgpu'] },
});
await server.listen();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-unsafe-webgpu', '--enable-unsafe-swiftshader'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  await page.goto(`http://127.0.0.1:${port}/`);
  await page.waitForFunction(() => 'runTrial' in window, null, { timeout: 120_000 });
  console.log('round api main p50_ms p95_ms max_ms main_fps');
  for (let round = 1; round <= ROUNDS; round++) {
    for (const api of ['webgl', 'webgpu']) {
      for (const main of [false, true]) {
        const r = await page.evaluate(([a, m, n]) => window.runTrial(a, m, n), [api, main, N]);
        console.log(round, r.api, main ? 'on' : 'off', r.p50.toFixed(1), r.p95.toFixed(1), r.max.toFixed(1), r.mainFps.toFixed(2));
      }
    }
  }
} finally {
  await browser.close();
  await server.close();
}
