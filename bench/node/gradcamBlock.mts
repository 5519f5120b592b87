// Not a suite: a side-by-side check of what a prediction waits behind while a live Grad-CAM runs
// in the driving worker, in Node on the wasm backend (default CNN+LSTM, 200x66 frames, the real
// overlay code: workers/overlayApi.ts). Per call: the longest stretch of CPU time the thread runs
// without yielding (a prediction message waits at most that long; setImmediate ticks), the
// call's CPU time, and a prediction's CPU time; medians over ROUNDS calls. CPU time, not wall time,
// so a loaded machine changes it little. REPO=<a checkout> runs that checkout's code (e.g. a clone
// at an older commit), METHOD=gradcam|hirescam:
//   REPO=$PWD METHOD=gradcam nice -n 15 npx tsx bench/node/gradcamBlock.mts
const repo = process.env.REPO ?? process.cwd();
const { initBackend, DEFAULT_CONFIG, createSteeringNet, createStreamingPredictor } = await import(`${repo}/src/model/index.ts`);
const { createOverlayViews } = await import(`${repo}/workers/overlayApi.ts`);
const method = (process.env.METHOD ?? 'gradcam') as 'gradcam' | 'hirescam';
await initBackend('wasm');
const net = createSteeringNet(DEFAULT_CONFIG);
const W = 200, H = 66, FB = W * H * 3;
const norm = { mean: { steering: 0, speed: 10, torque: 0 }, std: { steering: 1, speed: 5, torque: 1 } };
const predictor = createStreamingPredictor({ net, normalization: norm, frame: { width: W, height: H } });
const overlays = createOverlayViews();
const model = { net, frame: { width: W, height: H }, predictor };
let seed = 1;
const frame = () => Uint8Array.from({ length: FB }, () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 16) & 255);
const predict = async () => {
  const f = frame();
  overlays.observe(f, net, 0.2);
  const c0 = process.cpuUsage();
  await predictor.predict(f, 11);
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
for (let i = 0; i < 8; i++) await predict();
await overlays.views(model, { saliency: method }); // warm
const rows: { block: number; total: number; cpu: number; pred: number }[] = [];
for (let r = 0; r < Number(process.env.ROUNDS ?? 8); r++) {
  const pred = await predict();
  const cpuNow = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
  let last = cpuNow();
  let block = 0;
  let on = true;
  const tick = () => {
    const now = cpuNow();
    block = Math.max(block, now - last);
    last = now;
    if (on) setImmediate(tick);
  };
  setImmediate(tick);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const v = await overlays.views(model, { saliency: method });
  const total = performance.now() - t0;
  const c = process.cpuUsage(c0);
  on = false;
  block = Math.max(block, cpuNow() - last);
  if (!v?.saliency) throw new Error('no map');
  rows.push({ block, total, cpu: (c.user + c.system) / 1000, pred });
}
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
console.log(JSON.stringify({ repo, method, rounds: rows.length, medianPredictMs: med(rows.map((r) => r.pred)), medianMaxBlockMs: med(rows.map((r) => r.block)), maxBlockMs: Math.max(...rows.map((r) => r.block)), medianCallMs: med(rows.map((r) => r.total)), medianCallCpuMs: med(rows.map((r) => r.cpu)), blockOverPredict: med(rows.map((r) => r.block / r.pred)) }));
