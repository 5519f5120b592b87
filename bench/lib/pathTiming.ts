// The training step on wasm with and without our module's paths beyond the convolutions
// (simdConvSettings: matMul, reluGrad, optimizer), in alternating blocks of steps of one trainer
// (src/model/train.ts trainModel), so a shared machine's drift falls on both sides alike. The
// first step of each block follows a switch (the optimiser's path re-reads its slots once) and is
// not timed; two blocks of each warm up. Frames are synthetic (src/model/testKit.ts): the
// arithmetic does not depend on the pixels. Used by suite train_paths and bench/node/stepPaths.mts.
import { createArrayBatchSource } from '../../src/model/batchSource.ts';
import { createConfig, type ModelConfig } from '../../src/model/config.ts';
import { createSteeringNet } from '../../src/model/factory.ts';
import { syntheticSequence } from '../../src/model/testKit.ts';
import { trainModel } from '../../src/model/train.ts';
import { TrainingControl } from '../../src/model/trainProtocol.ts';
import { simdConvSettings } from '../../src/model/wasmKernels/simdConv.ts';
import { comparableCnnConfig } from './convnet.ts';

export type ModulePath = 'matMul' | 'reluGrad' | 'optimizer';
export const MODULE_PATHS: readonly ModulePath[] = ['matMul', 'reluGrad', 'optimizer'];
export const PATH_BLOCK = 5;
const LONG = { training: { epochs: 1000, earlyStopping: { patience: 0 } } };

/** The model a run times: cnn_plain (the ConvNetJS comparison's network and training, frames at its input size) or the default CNN+LSTM (200x66 frames). */
export function pathModel(model: 'cnn_plain' | 'cnn_lstm'): { config: ModelConfig; frame: { width: number; height: number } } {
  if (model === 'cnn_plain') {
    const config = comparableCnnConfig(LONG);
    return { config, frame: { width: config.input.width, height: config.input.height } };
  }
  return { config: createConfig(LONG), frame: { width: 200, height: 66 } };
}

/** Wall ms of each timed step with the paths off and on (the wasm backend already started). */
export async function alternatePaths(model: 'cnn_plain' | 'cnn_lstm', paths: readonly ModulePath[], steps: number): Promise<{ off: number[]; on: number[] }> {
  const { config, frame } = pathModel(model);
  const seq = syntheticSequence({ count: 256, width: frame.width, height: frame.height });
  const T = config.sequence.kind === 'cnn' ? 1 : config.sequence.window;
  const source = createArrayBatchSource({
    sequences: [{ ...seq, speeds: seq.targets.filter((_, i) => i % 3 === 1) }], frameWidth: frame.width, frameHeight: frame.height,
    window: T, runLength: T === 1 ? 1 : config.sequence.runLength, batchSize: config.training.batchSize, shuffleSeed: config.seed,
  });
  const set = (on: boolean): void => { for (const p of paths) simdConvSettings[p] = on; };
  const times = { off: [] as number[], on: [] as number[] };
  const net = createSteeringNet(config);
  const control = new TrainingControl();
  let ready = performance.now();
  let n = 0;
  set(false);
  try {
    await trainModel({
      net, train: source, control,
      yieldToEventLoop: async () => { await new Promise((r) => setTimeout(r, 0)); ready = performance.now(); },
      onProgress: (e) => {
        if (e.kind !== 'step') return;
        const ms = performance.now() - ready;
        const block = Math.floor(n / PATH_BLOCK);
        if (block >= 4 && n % PATH_BLOCK !== 0) times[block % 2 === 1 ? 'on' : 'off'].push(ms);
        n++;
        set(Math.floor(n / PATH_BLOCK) % 2 === 1);
        if (n >= steps + 4 * PATH_BLOCK) control.cancel();
      },
    });
  } finally {
    set(true);
    net.dispose();
  }
  return times;
}
