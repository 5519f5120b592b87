// Not a suite: where one training step of the default CNN+LSTM goes, in Node on the wasm backend
// (DEFAULT_CONFIG, batches of 16-frame runs of 200x66 synthetic frames resized in the step,
// augmentation and balancing as configured: what the train_models suite's cnn_lstm times in
// Chromium). Times are process CPU ms (WALL=1: wall ms), since on this shared machine wall time
// mostly measures the other work. It runs:
// 1. the trainer's own loop (src/model/train.ts trainModel): ms per step (the yield between
//    steps not counted), tensor count and wasm heap size after each step, every step's loss;
// 2. the same step in parts (batch assembly, JS preparation, frames to tensor with augmentation,
//    the forward alone, forward + backward, clip + update), and tf.profile over 5 whole steps,
//    grouped by kernel name (BY_SHAPE=1: by name and input shapes), per step; kernel time is
//    the time inside kernels, the rest of a step is JS (tfjs' engine and tape, our code).
// REPO=<a checkout> runs that checkout's model code (a clone at an older commit, for a before/
// after). STEPS (default 20) timed steps after 3 warm-up ones. JSON=1 prints one JSON line.
//   REPO=$PWD nice -n 15 npx tsx bench/node/stepProfile.mts
const repo = process.env.REPO ?? process.cwd();
const steps = Number(process.env.STEPS ?? 20);
const m = await import(`${repo}/src/model/index.ts`);
const { tf } = await import(`${repo}/src/model/tfSetup.ts`);
const { createRng } = await import(`${repo}/src/core/rng.ts`);
const { forwardGroups, exampleCount } = await import(`${repo}/src/model/forward.ts`);
const { createOptimizer, clipAndApply } = await import(`${repo}/src/model/optimizers.ts`);
const pre = await import(`${repo}/src/model/preprocess.ts`);
const { exampleWeights, steerBinWeights } = await import(`${repo}/src/model/exampleWeights.ts`);
const { replicaOf } = await import(`${repo}/src/model/dataParallel.ts`);
const { syntheticSequence } = await import(`${repo}/src/model/testKit.ts`);

await m.initBackend('wasm');
const long = { training: { epochs: 1000, earlyStopping: { patience: 0 } } };
const config = process.env.PLAIN
  ? (await import(`${repo}/bench/lib/convnet.ts`)).comparableCnnConfig(long)
  : m.createConfig(long);
// PLAIN=1: train_models' cnn_plain (the ConvNetJS comparison's network), on frames at its input size.
const [W, H] = process.env.PLAIN ? [config.input.width, config.input.height] : [200, 66];
const seq = syntheticSequence({ count: 256, width: W, height: H });
const speeds = seq.targets.filter((_: number, i: number) => i % 3 === 1);
const T = config.sequence.kind === 'cnn' ? 1 : config.sequence.window;
const source = m.createArrayBatchSource({
  sequences: [{ ...seq, speeds }], frameWidth: W, frameHeight: H, window: T, runLength: T === 1 ? 1 : config.sequence.runLength,
  batchSize: config.training.batchSize, shuffleSeed: config.seed,
});
/** Process CPU time, ms: on this shared machine wall time mostly measures the other work. */
const cpuMs = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const clock = process.env.WALL ? () => performance.now() : cpuMs;
const PROFILED = 5;
const med = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2 : NaN; };
const round = (x: number): number => Math.round(x * 100) / 100;

// 1. The trainer's own loop: wall ms per step (the yield between steps not counted).
/** Bytes of the wasm backend's heap (it only grows: a leak in compiled code shows here, not in tf.memory()). */
const wasmHeapBytes = (): number => (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;

async function trainerSteps(): Promise<{ stepMs: number[]; tensorsAfter: number[]; losses: number[]; heapBytes: number[] }> {
  const net = m.createSteeringNet(config);
  const control = new m.TrainingControl();
  const stepMs: number[] = [];
  const tensorsAfter: number[] = [];
  const losses: number[] = [];
  const heapBytes: number[] = [];
  let ready = clock();
  let n = 0;
  await m.trainModel({
    net, train: source, control,
    yieldToEventLoop: async () => { await new Promise((r) => setTimeout(r, 0)); ready = clock(); },
    onProgress: (e: { kind: string; loss: number }) => {
      if (e.kind !== 'step') return;
      const ms = clock() - ready;
      losses.push(e.loss);
      if (n++ >= 3) { stepMs.push(ms); tensorsAfter.push(tf.memory().numTensors); heapBytes.push(wasmHeapBytes()); }
      if (n >= steps + 3) control.cancel();
    },
  });
  net.dispose();
  return { stepMs, tensorsAfter, losses, heapBytes };
}

// 2. The same step in parts (train.ts trainStep's one-worker path, piece by piece).
async function partSteps(): Promise<{ parts: Record<string, number[]>; profile: Record<string, { ms: number; calls: number }>; profileStepMs: number; kernelMs: number; kernelCalls: number }> {
  const net = m.createSteeringNet(config);
  const replica = replicaOf(net, { width: W, height: H });
  const optimizer = createOptimizer(config.training.optimizer, replica.weights);
  const targets = await source.targets();
  const norm = pre.computeTargetNormalization(targets);
  const binWeights = config.balance.kind === 'steer-bins' ? steerBinWeights(targets, config.balance.bins, config.balance.maxWeight) : null;
  const rng = createRng(config.seed).fork('augment:0');
  const lossWeights = m.HEAD_NAMES ? m.HEAD_NAMES.map((h: string) => config.heads[h].lossWeight) : [1, 1.5, 0.5];
  const parts: Record<string, number[]> = { batch: [], jsPrep: [], framesAndAugment: [], forward: [], forwardBackward: [], clipUpdate: [], whole: [] };
  let profile: Record<string, { ms: number; calls: number }> = {};
  let profileStepMs = 0, kernelMs = 0, kernelCalls = 0;
  let n = 0;
  let epoch = 0;
  let it = source.batches(epoch)[Symbol.asyncIterator]();
  const nextBatch = async () => {
    let r = await it.next();
    if (r.done) r = await (it = source.batches(++epoch)[Symbol.asyncIterator]()).next();
    return r.value;
  };
  try {
    for (let i = 0; i < steps + 3 + PROFILED; i++) {
      const t0 = clock();
      const batch = await nextBatch();
      const t1 = clock();
      const { lengths } = batch;
      const frameCount = lengths.reduce((s: number, x: number) => s + x, 0);
      const examples = exampleCount(lengths, T);
      const draws = pre.drawAugmentations(config.augmentation, config.input, rng, lengths.length);
      const raw = pre.augmentTargets(batch.targets, draws, lengths.map((x: number) => x - T + 1), config.augmentation.shiftSteerPerPixel);
      const y = pre.normalizeTargets(raw, norm);
      const sw = exampleWeights(config, batch, examples, T, binWeights);
      const sp = pre.normalizeSpeeds(batch.speeds, norm);
      const t2 = clock();
      const lap: Record<string, number> = {};
      const profiled = i >= 3 && i < 3 + PROFILED;
      const runStep = () => tf.tidy(() => {
        let t = clock();
        // The frames as the trainer prepares them (trainingFrames where the checkout has it, else
        // framesToTensor then augmentFrames): resize, scale and augment.
        const x = pre.trainingFrames
          ? pre.trainingFrames(batch.frames, frameCount, { width: W, height: H }, config.input, draws, lengths)
          : pre.augmentFrames(pre.framesToTensor(batch.frames, frameCount, { width: W, height: H }, config.input), draws, lengths);
        lap.framesAndAugment = clock() - t; t = clock();
        const yT = tf.tensor2d(y, [examples, 3]);
        const speedsT = tf.tensor2d(sp, [frameCount, 1]);
        const wT = sw ? tf.tensor2d(sw, [examples, 1]) : null;
        const headW = tf.tensor1d(lossWeights);
        // The forward alone, for its time (not in the profiled steps: it would count twice).
        if (!profiled) tf.tidy(() => { forwardGroups(net, x, lengths, true, speedsT); });
        lap.forward = clock() - t; t = clock();
        const { value, grads } = tf.variableGrads(() => {
          const sq = tf.square(tf.sub(forwardGroups(net, x, lengths, true, speedsT), yT));
          const mse = tf.mean(sq, 0);
          const weighted = wT ? tf.div(tf.sum(tf.mul(sq, wT), 0), tf.sum(wT)) : mse;
          return tf.sum(tf.mul(weighted, headW));
        }, replica.weights.map((w: { variable: unknown }) => w.variable));
        lap.forwardBackward = clock() - t; t = clock();
        const list = replica.weights.map((w: { variable: { name: string } }) => grads[w.variable.name]);
        const { layerNorms, globalNorm, appliedNorm } = clipAndApply(optimizer, list, replica.layerRanges, config.training.gradientClip, 1e-4);
        const out = tf.concat([tf.reshape(value, [1]), tf.stack(layerNorms), tf.reshape(globalNorm, [1]), tf.reshape(appliedNorm, [1])]);
        out.dataSync();
        lap.clipUpdate = clock() - t;
        return out;
      });
      let out;
      if (profiled) {
        const tp = clock();
        // Kernel times in the same clock as the parts (the wasm backend's own timer is wall time).
        const backend = tf.backend() as { time(f: () => void): Promise<{ kernelMs: number }> };
        const ownTime = backend.time;
        backend.time = async (f) => { const c = clock(); f(); return { kernelMs: clock() - c }; };
        const info = await tf.profile(() => { out = runStep(); return out; });
        profileStepMs += (clock() - tp) / PROFILED;
        backend.time = ownTime;
        for (const k of info.kernels) {
          const key = process.env.BY_SHAPE ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
          const e = (profile[key] ??= { ms: 0, calls: 0 });
          e.ms += (k.kernelTimeMs as number) / PROFILED;
          e.calls += 1 / PROFILED;
          kernelMs += (k.kernelTimeMs as number) / PROFILED;
          kernelCalls += 1 / PROFILED;
        }
        (out as unknown as { dispose(): void }).dispose();
        continue;
      }
      out = runStep();
      out.dispose();
      const t3 = clock();
      if (n++ < 3) continue;
      parts.batch.push(t1 - t0);
      parts.jsPrep.push(t2 - t1);
      for (const k of Object.keys(lap)) parts[k].push(lap[k]);
      parts.whole.push(t3 - t0);
    }
  } finally {
    optimizer.dispose();
    net.dispose();
  }
  profile = Object.fromEntries(Object.entries(profile).sort((a, b) => b[1].ms - a[1].ms));
  return { parts, profile, profileStepMs, kernelMs, kernelCalls };
}

const trainer = await trainerSteps();
const p = await partSteps();
const result = {
  repo, node: process.version, loadavg: (await import('node:os')).loadavg().map(round),
  trainerStepMs: round(med(trainer.stepMs)), trainerExamplesPerS: round(33_000 / med(trainer.stepMs)),
  tensorsAfterEachStep: [...new Set(trainer.tensorsAfter)], wasmHeapMBAfterEachStep: [...new Set(trainer.heapBytes.map((b) => round(b / 2 ** 20)))], firstLosses: trainer.losses.slice(0, 5), losses: trainer.losses,
  partsMedianMs: Object.fromEntries(Object.entries(p.parts).map(([k, v]) => [k, round(med(v))])),
  clock: process.env.WALL ? 'wall ms' : 'process CPU ms',
  profiledStep: { ms: round(p.profileStepMs), kernelMs: round(p.kernelMs), kernelCalls: p.kernelCalls },
  kernels: Object.fromEntries(Object.entries(p.profile).map(([k, v]) => [k, `${round(v.ms)} ms / ${Math.round(v.calls)}`])),
};
if (process.env.JSON) console.log(JSON.stringify(result));
else console.log(JSON.stringify(result, null, 1));
