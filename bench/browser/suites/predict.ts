// Suite 'predict': how long a dash frame takes to become a prediction, on the default
// CNN+LSTM (src/model/config.ts DEFAULT_CONFIG).
// 1. Through the REAL steering worker (src/app/steeringClient.ts startSteeringWorker, comlink,
//    workers/steeringApi.ts): the page imports a model zip built here, loads it for 200x66
//    frames (the dash camera's default) and times predict(frame) from the transfer of the frame
//    to the prediction back on the main thread, per backend: median and 95th percentile, and the
//    worker's own time for the same calls.
// 2. In the page, the streaming predictor (each frame encoded once, the recurrent part in JS
//    over a ring of the last T projections) against the naive one that re-encodes all T frames
//    through the full model every tick (src/model/predictor.ts), in alternating blocks on the
//    same frames.
// Frames are real dash frames: the expert on the oval through the real renderer.
// Params: backends=cpu,wasm,webgl,webgpu.
import { startSteeringWorker, transferBytes } from '../../../src/app/steeringClient.ts';
import {
  createNaivePredictor, createSteeringNet, createStreamingPredictor, DEFAULT_CONFIG, initBackend, type BackendName, type Predictor,
} from '../../../src/model/index.ts';
import { figure, listParam, median, percentileFigure, type Figure, type SuiteOptions, type SuiteResult } from '../../lib/stats.ts';
import { BENCH_SPEED, dashFrames, expertDrive } from '../drive.ts';
import { modelZip } from '../modelZip.ts';
import { progress } from '../progress.ts';

const FRAME = { width: 200, height: 66 };
const FB = FRAME.width * FRAME.height * 3;
const ALL_BACKENDS: BackendName[] = ['cpu', 'wasm', 'webgl', 'webgpu'];

interface Budget {
  readonly warmup: number;
  readonly minRuns: number;
  readonly maxRuns: number;
  /** Stop adding runs past minRuns once this much time went into them. */
  readonly budgetMs: number;
}

/** Software WebGPU takes ~0.2 s a frame here (more for the naive predictor): its runs are capped. */
function budget(backend: BackendName, quick: boolean): Budget {
  if (quick) return { warmup: 3, minRuns: 10, maxRuns: 20, budgetMs: 1_000 };
  if (backend === 'webgpu') return { warmup: 3, minRuns: 20, maxRuns: 30, budgetMs: 10_000 };
  return { warmup: 10, minRuns: 100, maxRuns: 400, budgetMs: 8_000 };
}

export async function run(options: SuiteOptions): Promise<SuiteResult> {
  const { quick } = options;
  const backends = (listParam(options, 'backends') ?? (quick ? ['wasm'] : ALL_BACKENDS)) as BackendName[];
  const figures: Record<string, Figure> = {};
  const ratios: Record<string, number> = {};
  const notes: string[] = [];

  const drive = expertDrive('oval', quick ? 24 : 80, 60);
  const frames = await dashFrames('oval', drive.poses, FRAME.width, FRAME.height);
  const frameCount = frames.length / FB;
  /** A fresh copy of frame i (a transfer detaches the buffer it moves). */
  const frameAt = (i: number): Uint8Array => frames.slice((i % frameCount) * FB, ((i % frameCount) + 1) * FB);
  const { zip, normalization } = await modelZip(DEFAULT_CONFIG, drive.targets);
  const { window: T, units } = DEFAULT_CONFIG.sequence;
  notes.push(`model: DEFAULT_CONFIG (CNN+LSTM, input ${DEFAULT_CONFIG.input.height}x${DEFAULT_CONFIG.input.width}, T=${T}, ${units} LSTM units), fresh weights; frames ${FRAME.width}x${FRAME.height} RGB from the real renderer, resized by the model`);

  // 1. The real worker.
  const worker = startSteeringWorker();
  try {
    const api = worker.api;
    await api.init({ backend: 'wasm' });
    const meta = await api.importModel(transferBytes(zip));
    for (const backend of backends) {
      try {
        await api.init({ backend });
      } catch (e) {
        notes.push(`worker ${backend}: skipped (${(e as Error).message})`);
        continue;
      }
      await api.loadModel(meta.id, FRAME);
      const b = budget(backend, quick);
      let i = 0;
      for (; i < b.warmup; i++) await api.predict(transferBytes(frameAt(i)), BENCH_SPEED);
      const roundTrip: number[] = [];
      const inside: number[] = [];
      const start = performance.now();
      while (roundTrip.length < b.maxRuns && (roundTrip.length < b.minRuns || performance.now() - start < b.budgetMs)) {
        const f = frameAt(i++);
        const t0 = performance.now();
        const p = await api.predict(transferBytes(f), BENCH_SPEED);
        roundTrip.push(performance.now() - t0);
        inside.push(p.ms.total);
        if (p.backend !== backend) throw new Error(`the worker predicted on ${p.backend}, not ${backend}`);
      }
      figures[`predict_ms.${backend}.worker`] = figure(roundTrip, 'ms');
      figures[`predict_ms_p95.${backend}.worker`] = percentileFigure(roundTrip, 95, 5, 'ms');
      figures[`predict_ms.${backend}.worker_inside`] = figure(inside, 'ms');
      progress(`predict: worker ${backend}: ${median(roundTrip).toFixed(2)} ms round trip (${median(inside).toFixed(2)} ms inside the worker), ${roundTrip.length} frames`);
    }
    await api.unloadModel();
  } finally {
    worker.terminate();
  }
  notes.push('predict_ms.<backend>.worker: frame transferred to the steering worker until its prediction is back on the main thread (comlink); p95: 95th percentile in each of 5 consecutive blocks; worker_inside: the worker\'s own preprocess + CNN + LSTM time for the same calls');

  // 2. Streaming against naive, in the page.
  for (const backend of backends) {
    try {
      await initBackend(backend);
    } catch (e) {
      notes.push(`page ${backend}: skipped (${(e as Error).message})`);
      continue;
    }
    const net = createSteeringNet(DEFAULT_CONFIG);
    const streaming = createStreamingPredictor({ net, normalization, frame: FRAME });
    const naive = createNaivePredictor({ net, normalization, frame: FRAME });
    try {
      const times = { streaming: [] as number[], naive: [] as number[] };
      let worst = 0;
      // Both see the same frames in the same order; T frames first, so every timed call is warm.
      const b = budget(backend, quick);
      const warm = Math.max(2 * T, b.warmup);
      for (let i = 0; i < warm; i++) {
        const [s, n] = [await streaming.predict(frameAt(i), BENCH_SPEED), await naive.predict(frameAt(i), BENCH_SPEED)];
        if (i >= T - 1) worst = Math.max(worst, Math.abs(s.steering - n.steering), Math.abs(s.speed - n.speed), Math.abs(s.torque - n.torque));
      }
      const block = backend === 'webgpu' ? 3 : 10;
      const blocks = Math.max(2, Math.ceil(Math.min(b.maxRuns / 2, b.minRuns) / block));
      let i = warm;
      const timeBlock = async (p: Predictor, out: number[], from: number): Promise<void> => {
        for (let k = 0; k < block; k++) {
          const f = frameAt(from + k);
          const t0 = performance.now();
          await p.predict(f, BENCH_SPEED);
          out.push(performance.now() - t0);
        }
      };
      for (let r = 0; r < blocks; r++) {
        await timeBlock(streaming, times.streaming, i);
        await timeBlock(naive, times.naive, i);
        i += block;
      }
      const s = figure(times.streaming, 'ms');
      const n = figure(times.naive, 'ms');
      figures[`predict_ms.${backend}.streaming`] = s;
      figures[`predict_ms.${backend}.naive`] = n;
      ratios[`streaming_vs_naive.${backend}`] = n.median / s.median;
      notes.push(`${backend}: streaming and naive predictions agree to ${worst.toExponential(1)} (largest difference of any head over the warm-up frames)`);
      progress(`predict: page ${backend}: streaming ${s.median.toFixed(2)} ms, naive ${n.median.toFixed(2)} ms (x${(n.median / s.median).toFixed(1)})`);
    } finally {
      streaming.dispose();
      naive.dispose();
      net.dispose();
    }
  }
  notes.push(`predict_ms.<backend>.streaming / .naive: one predict() call in the page (main thread), alternating blocks of the two predictors on the same frames; streaming_vs_naive = naive ms / streaming ms`);

  for (const kind of ['worker', 'streaming']) {
    const cpu = figures[`predict_ms.cpu.${kind}`];
    for (const b of backends.filter((x) => x !== 'cpu')) {
      const f = figures[`predict_ms.${b}.${kind}`];
      if (cpu && f) ratios[`predict_speedup_vs_cpu.${b}.${kind}`] = cpu.median / f.median;
    }
  }
  return { figures, ratios, notes };
}
