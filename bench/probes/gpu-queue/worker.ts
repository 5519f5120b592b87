// The worker of the gpu-queue probe: renders a 200x66 frame of a light scene and reads it back,
// every 50 ms, with WebGL (synchronous readback, as the driving worker's dash camera does) or
// WebGPU (three's WebGPURenderer, asynchronous readback), and posts p50 / p95 / max ms.
import { PerspectiveCamera, RenderTarget, WebGLRenderTarget, WebGLRenderer } from 'three';
import { WebGPURenderer } from 'three/webgpu';
import { buildScene } from './scene.ts';

const W = 200;
const H = 66;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

self.onmessage = async (e: MessageEvent<{ api: 'webgl' | 'webgpu'; n: number }>) => {
  const { api, n } = e.data;
  const scene = buildScene(300);
  const camera = new PerspectiveCamera(60, W / H, 0.1, 500);
  camera.position.set(0, 1.5, 3);
  const canvas = new OffscreenCanvas(W, H);
  let render: () => Promise<unknown>;
  let used: string = api;
  if (api === 'webgpu') {
    const r = new WebGPURenderer({ canvas, antialias: false });
    await r.init();
    // Where WebGPU is missing three falls back to WebGL2: report it rather than time the wrong thing.
    if (!(r.backend as { isWebGPUBackend?: boolean }).isWebGPUBackend) used = 'webgpu-fell-back-to-webgl';
    r.setSize(W, H, false);
    const target = new RenderTarget(W, H);
    render = async () => {
      r.setRenderTarget(target);
      r.render(scene, camera);
      return r.readRenderTargetPixelsAsync(target, 0, 0, W, H);
    };
  } else {
    const r = new WebGLRenderer({ canvas, antialias: false });
    r.setSize(W, H, false);
    const target = new WebGLRenderTarget(W, H);
    const out = new Uint8Array(W * H * 4);
    render = async () => {
      r.setRenderTarget(target);
      r.render(scene, camera);
      r.readRenderTargetPixels(target, 0, 0, W, H, out);
    };
  }
  for (let i = 0; i < 5; i++) await render();
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    camera.position.x = Math.sin(i * 0.1);
    const t0 = performance.now();
    await render();
    ms.push(performance.now() - t0);
    await sleep(50);
  }
  ms.sort((a, b) => a - b);
  postMessage({ api: used, p50: ms[Math.floor(n * 0.5)], p95: ms[Math.floor(n * 0.95)], max: ms[n - 1] });
};
