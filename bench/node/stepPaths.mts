// Not a suite: suite train_paths' measurement in Node (bench/lib/pathTiming.ts): the trainer's step
// on wasm with and without our module's paths beyond the convolutions, alternating blocks of steps
// in one process. Prints each setting's median wall ms per step and the ratio of the medians.
//   PLAIN=1 STEPS=200 [PATHS=matMul,reluGrad,optimizer] node --experimental-wasm-relaxed-simd --import tsx bench/node/stepPaths.mts
import { initBackend } from '../../src/model/tfSetup.ts';
import { alternatePaths, MODULE_PATHS, type ModulePath } from '../lib/pathTiming.ts';
import { median } from '../lib/stats.ts';

const model = process.env.PLAIN ? 'cnn_plain' : 'cnn_lstm';
const paths = (process.env.PATHS?.split(',') ?? MODULE_PATHS) as ModulePath[];
await initBackend('wasm');
const t = await alternatePaths(model, paths, Number(process.env.STEPS ?? 200));
const [off, on] = [median(t.off), median(t.on)];
console.log(JSON.stringify({
  model, paths, steps: { off: t.off.length, on: t.on.length },
  medianStepMs: { off: Math.round(off * 100) / 100, on: Math.round(on * 100) / 100 }, speedup: Math.round((off / on) * 1000) / 1000,
}));
