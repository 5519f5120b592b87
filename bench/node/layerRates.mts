// Not a suite: where one training step of the plain single-frame CNN goes, layer by layer, and how
// much of the machine's arithmetic each layer reaches, in Node on the wasm backend (issue 15: "the
// share of the peak, per layer where it helps"). The network is the one train_models' cnn_plain
// (WIDTH=1: cnn_plain_w1) trains against ConvNetJS (bench/lib/convnet.ts comparableCnnConfig:
// 33x100 frames, batch 32, SGD with momentum), on synthetic frames at the input size. tf.profile
// over STEPS (default 10) steps of the trainer's own loop after 3 warm-up ones; every kernel is
// given to the layer whose weight, input or output shapes it reads (convolution, its two
// gradients, matMuls, bias adds and activations; an elementwise kernel of a dense layer can land on
// another of the same width, and a weight's own update on its layer), the rest is "other". Times are process CPU ms
// (WALL=1: wall ms): on this shared machine wall time mostly measures the other work.
//   nice -n 15 npx tsx bench/node/layerRates.mts            (JSON=1: one JSON line)
import { comparableCnnConfig } from '../lib/convnet.ts';
import { PEAK_GMAC_PER_S, trainingMacs } from '../lib/trainingMacs.ts';
import { createArrayBatchSource } from '../../src/model/batchSource.ts';
import { convPlan } from '../../src/model/configSizes.ts';
import { createSteeringNet } from '../../src/model/factory.ts';
import { syntheticSequence } from '../../src/model/testKit.ts';
import { initBackend, tf } from '../../src/model/tfSetup.ts';
import { TrainingControl, trainModel } from '../../src/model/index.ts';

const steps = Number(process.env.STEPS ?? 10);
const width = Number(process.env.WIDTH ?? 0.5);
await initBackend('wasm');
const config = comparableCnnConfig({ encoder: { widthMultiplier: width }, training: { epochs: 1000, earlyStopping: { patience: 0 } } });
const { width: W, height: H } = config.input;
const B = config.training.batchSize;
const seq = syntheticSequence({ count: 256, width: W, height: H });
const source = createArrayBatchSource({ sequences: [seq], frameWidth: W, frameHeight: H, window: 1, runLength: 1, batchSize: B, shuffleSeed: config.seed });
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const clock = process.env.WALL ? () => performance.now() : cpuMs;

// Each layer's shapes, to recognise its kernels: its weights first (a convolution and its input
// gradient read the filter, a matMul its matrix), then its (input, output) pair (the weight
// gradient), then its output alone (bias add, activation and their gradients).
const macs = trainingMacs(config);
const key = (s: readonly number[]): string => s.join('x');
const weights = new Map<string, string>();
const outputs = new Map<string, string>();
const pairs: { layer: string; input: string; output: string }[] = [];
let prev = [B, H, W, 3];
convPlan(config).layers.forEach((l, i) => {
  const name = `conv${i + 1}`;
  const out = [B, l.outHeight, l.outWidth, l.filters];
  weights.set(key([l.kernel, l.kernel, l.inChannels, l.filters]), name);
  pairs.push({ layer: name, input: key(prev), output: key(out) });
  if (!outputs.has(key(out))) outputs.set(key(out), name);
  prev = out;
});
const net = createSteeringNet(config);
for (const w of net.model.weights) {
  const name = w.originalName.split('/')[0];
  const [rows, cols] = w.shape as number[];
  if (name.startsWith('conv') || w.shape.length !== 2) continue;
  weights.set(key([rows, cols]), name);
  pairs.push({ layer: name, input: key([B, rows]), output: key([B, cols]) });
  if (!outputs.has(key([B, cols]))) outputs.set(key([B, cols]), name);
}
function ownerOf(kernel: string, shapes: (number[] | null)[]): string {
  const ks = shapes.filter((s): s is number[] => s !== null).map(key);
  for (const k of ks) { const o = weights.get(k); if (o) return o; }
  // A weight gradient reads (input, output); where the two are alike only a convolution's is one.
  const gradient = kernel.startsWith('Conv2D') || kernel.includes('MatMul');
  for (const p of pairs) if ((p.input !== p.output || gradient) && ks.includes(p.input) && ks.includes(p.output)) return p.layer;
  for (const k of ks) { const o = outputs.get(k); if (o) return o; }
  return 'other';
}

const backend = tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> };
backend.time = async (f) => { const c = clock(); f(); return { kernelMs: clock() - c }; };
const byLayer: Record<string, { ms: number; kernels: Record<string, number> }> = {};
const control = new TrainingControl();
let n = 0;
let stepClock = 0;
let profiledMs = 0;
const warm = 3;
const info = await tf.profile(async () => {
  await trainModel({
    net, train: source, control,
    yieldToEventLoop: async () => { await new Promise((r) => setTimeout(r, 0)); stepClock = clock(); },
    onProgress: (e) => {
      if (e.kind !== 'step') return;
      n++;
      if (n > warm) profiledMs += clock() - stepClock;
      if (n >= warm + steps) control.cancel();
    },
  });
  return tf.scalar(0);
});
// The profile spans every step: keep the last `steps` steps' kernels (a step's kernels are equal in number).
const perStep = info.kernels.length / n;
const kept = info.kernels.slice(Math.round(perStep * warm));
for (const k of kept) {
  const layer = ownerOf(k.name, k.inputShapes as (number[] | null)[]);
  const e = (byLayer[layer] ??= { ms: 0, kernels: {} });
  e.ms += (k.kernelTimeMs as number) / steps;
  e.kernels[k.name] = (e.kernels[k.name] ?? 0) + (k.kernelTimeMs as number) / steps;
}
net.dispose();
const r2 = (x: number): number => Math.round(x * 100) / 100;
const rows = macs.layers.map((l) => {
  const ms = byLayer[l.name]?.ms ?? 0;
  const gmacs = ms > 0 ? (l.total * B) / ms / 1e6 : null;
  return { layer: l.name, trainMMacPerStep: r2((l.total * B) / 1e6), ms: r2(ms), gmacPerS: gmacs === null ? null : r2(gmacs), shareOfOneCore: gmacs === null ? null : r2(gmacs / PEAK_GMAC_PER_S.oneCore), kernels: Object.fromEntries(Object.entries(byLayer[l.name]?.kernels ?? {}).map(([k, v]) => [k, r2(v)])) };
});
const kernelMs = Object.values(byLayer).reduce((s, e) => s + e.ms, 0);
const stepMs = profiledMs / steps;
const result = {
  config: `cnn_plain width ${width}, ${H}x${W}, batch ${B}`, clock: process.env.WALL ? 'wall ms' : 'process CPU ms', node: process.version,
  loadavg: (await import('node:os')).loadavg().map(r2), steps,
  stepMs: r2(stepMs), kernelMs: r2(kernelMs), examplesPerS: r2((B * 1000) / stepMs),
  gmacPerS: r2((macs.total * B) / stepMs / 1e6), shareOfMachine: r2((macs.total * B) / stepMs / 1e6 / PEAK_GMAC_PER_S.machine),
  layers: rows, other: { ms: r2(byLayer.other?.ms ?? 0), kernels: Object.fromEntries(Object.entries(byLayer.other?.kernels ?? {}).map(([k, v]) => [k, r2(v)])) },
};
console.log(process.env.JSON ? JSON.stringify(result) : JSON.stringify(result, null, 1));
