// Suite 'train_paired': the training speed-up of a backend over cpu, measured in alternating
// rounds (one cpu step, then a burst of candidate steps, repeat), so load from other work on
// a shared machine hits both sides of each ratio alike. The 'train' suite measures each
// backend in one block, minutes apart. Params: backends=wasm,... (candidates), variants=pilotnet,...
import { initBackend, tf, type BackendName } from '../../../src/model/tfSetup.ts';
import { pilotNet, pilotNetVariants, type PilotNetVariant } from '../../lib/pilotNet.ts';
import { figure, listParam, median, type Figure, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { progress } from '../progress.ts';

const BATCH = 32;

/** A model with its optimizer and a fixed batch, living on one backend. */
interface Trainer {
  step(): Promise<number>; // ms
  dispose(): void;
}

function trainer(v: PilotNetVariant): Trainer {
  const model = pilotNet(v);
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([BATCH, v.height, v.width, 3]);
  const y = tf.randomNormal([BATCH, 3]);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  return {
    async step() {
      const t0 = performance.now();
      const loss = optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true, vars);
      await loss!.data();
      loss!.dispose();
      return performance.now() - t0;
    },
    dispose() {
      tf.dispose([x, y]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const candidates = (listParam(options, 'backends') ?? ['wasm']) as BackendName[];
  const wanted = listParam(options, 'variants') ?? [options.quick ? 'pilotnet_32x64_w0.5' : 'pilotnet'];
  const variants = pilotNetVariants(wanted);
  const rounds = options.quick ? 1 : 3;
  const burst = options.quick ? 3 : 5;
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  for (const v of variants) {
    // Each backend keeps its own model; tensors stay on the backend that made them as long as
    // no other backend touches them, so switching costs nothing per round.
    const trainers = new Map<BackendName, Trainer>();
    for (const b of ['cpu', ...candidates] as BackendName[]) {
      await initBackend(b);
      const t = trainer(v);
      await t.step(); // warm-up
      trainers.set(b, t);
    }
    const perRound = new Map<BackendName, number[]>(candidates.map((b) => [b, []]));
    for (let r = 0; r < rounds; r++) {
      await initBackend('cpu');
      const cpuMs = await trainers.get('cpu')!.step();
      for (const b of candidates) {
        await initBackend(b);
        const steps: number[] = [];
        for (let i = 0; i < burst; i++) steps.push(await trainers.get(b)!.step());
        perRound.get(b)!.push(cpuMs / median(steps));
      }
      progress(`train_paired: ${v.name} round ${r + 1}/${rounds}: cpu ${cpuMs.toFixed(0)} ms, ` +
        candidates.map((b) => `${b} x${perRound.get(b)!.at(-1)!.toFixed(1)}`).join(', '));
    }
    for (const [b, t] of trainers) {
      await initBackend(b);
      t.dispose();
    }
    for (const b of candidates) {
      const f = figure(perRound.get(b)!, 'x cpu examples/s');
      figures[`train_vs_cpu_paired.${b}.${v.name}`] = f;
      ratios[`train_vs_cpu_paired.${b}.${v.name}`] = f.median;
    }
  }
  return {
    figures,
    ratios,
    notes: [`batch ${BATCH}, Adam; each round = 1 cpu step then ${burst} steps per candidate (their median); figure = ratios over rounds`],
  };
}
