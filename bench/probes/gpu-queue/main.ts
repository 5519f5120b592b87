// The page of the gpu-queue probe (run.mjs): a 1280x720 WebGL view of a heavy scene, drawn every
// animation frame while a trial asks for it, and runTrial, which starts a worker (worker.ts) that
// times its own dash-size renders.
import { PerspectiveCamera, WebGLRenderer } from 'three';
import { buildScene } from './scene.ts';

export interface TrialResult {
  readonly api: string;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  readonly mainFps: number;
}

declare global {
  interface Window {
    runTrial(api: 'webgl' | 'webgpu', main: boolean, frames: number): Promise<TrialResult>;
  }
}

const canvas = document.getElementById('c') as HTMLCanvasElement;
const renderer = new WebGLRenderer({ canvas, antialias: true });
renderer.setPixelRatio(1);
renderer.setSize(1280, 720, false);
const scene = buildScene(3000);
const camera = new PerspectiveCamera(60, 1280 / 720, 0.1, 500);
camera.position.set(0, 2, 5);
let mainOn = false;
let frames = 0;
let t = 0;
function loop(): void {
  if (mainOn) {
    t += 0.01;
    camera.position.x = Math.sin(t) * 3;
    renderer.render(scene, camera);
    frames++;
  }
  requestAnimationFrame(loop);
}
requestAnimationFrame(loop);

window.runTrial = (api, main, n) => new Promise((resolve) => {
  mainOn = main;
  frames = 0;
  const t0 = performance.now();
  const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<Omit<TrialResult, 'mainFps'>>) => {
    mainOn = false;
    worker.terminate();
    resolve({ ...e.data, mainFps: frames / ((performance.now() - t0) / 1000) });
  };
  worker.postMessage({ api, n });
});
