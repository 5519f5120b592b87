// Not a suite: the training step with and without some of our module's paths, alternating in one
// process (simdConvSettings: matMul, reluGrad, optimizer), so a noisy machine's drift falls on both
// alike. The trainer's own loop (src/model/train.ts trainModel) on the wasm backend, the plain CNN
// of the ConvNetJS comparison (PLAIN=1, SGD with momentum, frames at its input size) or the default
// CNN+LSTM; blocks of BLOCK steps per setting, the first step of each block not timed (a switch of
// the optimiser's path re-reads its slots once). Prints each setting's median wall ms per step and
// the ratio of the medians.
//   PLAIN=1 STEPS=200 [PATHS=matMul,reluGrad,optimizer] node --experimental-wasm-relaxed-simd --import tsx bench/node/stepPaths.mts
const steps = Number(process.env.STEPS ?? 200);
const BLOCK = Number(process.env.BLOCK ?? 5);
const paths = (process.env.PATHS ?? 'matMul,reluGrad,optimizer').split(',') as ('matMul' | 'reluGrad' | 'optimizer')[];
const m = await import('../../src/model/index.ts');
const { simdConvSettings } = await import('../../src/model/wasmKernels/simdConv.ts');
const { syntheticSequence } = await import('../../src/model/testKit.ts');

await m.initBackend('wasm');
const long = { training: { epochs: 1000, earlyStopping: { patience: 0 } } };
const config = process.env.PLAIN ? (await import('../lib/convnet.ts')).comparableCnnConfig(long) : m.createConfig(long);
const [W, H] = process.env.PLAIN ? [config.input.width, config.input.height] : [200, 66];
const seq = syntheticSequence({ count: 256, width: W, height: H });
const T = config.sequence.kind === 'cnn' ? 1 : config.sequence.window;
const source = m.createArrayBatchSource({
  sequences: [{ ...seq, speeds: seq.targets.filter((_: number, i: number) => i % 3 === 1) }], frameWidth: W, frameHeight: H, window: T,
  runLength: T === 1 ? 1 : config.sequence.runLength, batchSize: config.training.batchSize, shuffleSeed: config.seed,
});

const set = (on: boolean): void => { for (const p of paths) simdConvSettings[p] = on; };
const times: Record<'without' | 'with', number[]> = { without: [], with: [] };
const net = m.createSteeringNet(config);
const control = new m.TrainingControl();
let ready = performance.now();
let n = 0;
set(false);
await m.trainModel({
  net, train: source, control,
  yieldToEventLoop: async () => { await new Promise((r) => setTimeout(r, 0)); ready = performance.now(); },
  onProgress: (e: { kind: string }) => {
    if (e.kind !== 'step') return;
    const ms = performance.now() - ready;
    const block = Math.floor(n / BLOCK);
    // Blocks 0-1 warm both paths up; the first step of a block follows a switch.
    if (block >= 2 && n % BLOCK !== 0) times[block % 2 === 1 ? 'with' : 'without'].push(ms);
    n++;
    set(Math.floor(n / BLOCK) % 2 === 1);
    if (n >= steps + 2 * BLOCK) control.cancel();
  },
});
net.dispose();
set(true);
const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2; };
const [a, b] = [median(times.without), median(times.with)];
console.log(JSON.stringify({
  model: process.env.PLAIN ? 'cnn_plain' : 'cnn_lstm', paths, steps: { without: times.without.length, with: times.with.length },
  medianStepMs: { without: Math.round(a * 100) / 100, with: Math.round(b * 100) / 100 }, speedup: Math.round((a / b) * 1000) / 1000,
}));
