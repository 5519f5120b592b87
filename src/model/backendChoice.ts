// Choosing the tfjs backend: the fastest that works on this device, measured, not assumed.
// tfjs would pick webgpu whenever an adapter exists, yet a software adapter (SwiftShader) is the
// slowest backend of all while wasm is the fastest for inference by 20x on a CPU-only machine;
// with a real GPU the order flips. So each available backend runs the actual model for a moment
// (a few predictions and a few training steps), inference and training are ranked separately,
// software GPU adapters are ranked low, and the result is cached per device by the caller.

import type { ModelConfig } from './config.ts';
import { createSteeringNet } from './factory.ts';
import { createStreamingPredictor } from './predictor.ts';
import { createArrayBatchSource } from './batchSource.ts';
import { computeTargetNormalization } from './preprocess.ts';
import { BACKEND_NAMES, type BackendName, initBackend, isNode } from './tfSetup.ts';
import { trainModel } from './train.ts';
import { TrainingControl } from './trainProtocol.ts';

export interface BackendScore {
  readonly backend: BackendName;
  readonly ok: boolean;
  /** Why it failed to start or run. */
  readonly error?: string;
  /** Median ms per streaming prediction (one new frame). */
  readonly inferMs?: number;
  /** Training examples per second (windows for the CNN+LSTM). */
  readonly trainExamplesPerS?: number;
  /** A GPU backend on a software adapter (SwiftShader, llvmpipe, a WebGPU fallback adapter). */
  readonly software?: boolean;
  /** Wall time the measurement took, ms (webgl and webgpu compile shaders on first use). */
  readonly measureMs?: number;
}

export interface Calibration {
  readonly version: number;
  readonly deviceKey: string;
  /** ms since epoch, from the caller's clock. */
  readonly at: number;
  readonly scores: readonly BackendScore[];
  /** Best first. */
  readonly inference: readonly BackendName[];
  readonly training: readonly BackendName[];
}

/** Bump when the measurement changes meaning, so cached calibrations are redone. */
export const CALIBRATION_VERSION = 1;
/** How much slower than measured a software GPU adapter counts: it shares the CPU with everything. */
export const SOFTWARE_PENALTY = 4;

/** Backends ranked for a use, best first; failed ones are left out. Pure. */
export function rankBackends(scores: readonly BackendScore[], use: 'inference' | 'training'): BackendName[] {
  const cost = (s: BackendScore): number => {
    const raw = use === 'inference' ? s.inferMs : s.trainExamplesPerS ? 1 / s.trainExamplesPerS : undefined;
    if (raw === undefined || !Number.isFinite(raw)) return Infinity;
    return s.software ? raw * SOFTWARE_PENALTY : raw;
  };
  return scores
    .filter((s) => s.ok && Number.isFinite(cost(s)))
    .sort((a, b) => cost(a) - cost(b) || BACKEND_NAMES.indexOf(a.backend) - BACKEND_NAMES.indexOf(b.backend))
    .map((s) => s.backend);
}

/** Whether the GPU behind a backend is software-rendered. Browser only; false where unknown. */
export async function isSoftwareAdapter(backend: BackendName): Promise<boolean> {
  if (isNode() || typeof navigator === 'undefined') return false;
  if (backend === 'webgpu') {
    const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
    const adapter = (await gpu?.requestAdapter()) as { info?: { isFallbackAdapter?: boolean; description?: string; vendor?: string }; isFallbackAdapter?: boolean } | null;
    if (!adapter) return false;
    const info = adapter.info ?? {};
    return Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter) || /swiftshader|llvmpipe|software/i.test(`${info.description ?? ''} ${info.vendor ?? ''}`);
  }
  if (backend === 'webgl') return /swiftshader|llvmpipe|software/i.test(webglRenderer());
  return false;
}

/** The WebGL renderer string (unmasked where the browser allows), for device keys and software checks. */
export function webglRenderer(): string {
  try {
    const canvas = typeof OffscreenCanvas !== 'undefined' ? new OffscreenCanvas(1, 1) : null;
    const gl = canvas?.getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return '';
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    return String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  } catch {
    return '';
  }
}

/** What identifies "this device" for the cache: browser, cores and GPU. */
export function deviceKey(): string {
  if (isNode() || typeof navigator === 'undefined') return `node ${typeof process !== 'undefined' ? process.version : ''}`;
  return `${navigator.userAgent} | ${navigator.hardwareConcurrency} cores | ${webglRenderer()}`;
}

export interface CalibrateOptions {
  readonly config: ModelConfig;
  readonly candidates?: readonly BackendName[];
  /** Predictions timed per backend (after warm-up). */
  readonly predictions?: number;
  /** Training steps timed per backend (after one warm-up step). */
  readonly trainSteps?: number;
  /** Stop measuring a backend once it has taken this long, ms (it keeps what it measured). */
  readonly budgetMs?: number;
  readonly now: () => number;
  readonly onProgress?: (backend: BackendName, done: number, total: number) => void;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : NaN;
}

/** Measures one backend on the actual model. Leaves that backend active. */
export async function measureBackend(name: BackendName, opts: CalibrateOptions): Promise<BackendScore> {
  const t0 = performance.now();
  const { config } = opts;
  const budget = opts.budgetMs ?? 20_000;
  let net: ReturnType<typeof createSteeringNet> | null = null;
  try {
    await initBackend(name);
    const software = await isSoftwareAdapter(name);
    net = createSteeringNet(config);
    const { height, width } = config.input;
    const frame = new Uint8Array(height * width * 3);
    for (let i = 0; i < frame.length; i++) frame[i] = (i * 2654435761) >>> 24;
    const norm = { mean: { steering: 0, speed: 0, torque: 0 }, std: { steering: 1, speed: 1, torque: 1 } };
    const predictor = createStreamingPredictor({ net, normalization: norm, frame: { width, height } });
    const times: number[] = [];
    try {
      // A model that reads the speed gets one; others ignore it.
      await predictor.predict(frame, 10); // warm-up: shader compiles, weight uploads
      for (let i = 0; i < (opts.predictions ?? 8) && performance.now() - t0 < budget; i++) times.push((await predictor.predict(frame, 10)).ms.total);
    } finally {
      predictor.dispose();
    }
    // Training: a few steps on a small synthetic set with the real network and batch layout.
    const T = config.sequence.kind === 'cnn' ? 1 : config.sequence.window;
    const count = Math.max(T + 8, 24);
    const frames = new Uint8Array(count * height * width * 3);
    for (let i = 0; i < frames.length; i++) frames[i] = (i * 40503) >>> 8;
    const targets = new Float32Array(count * 3).map((_, i) => Math.sin(i));
    const speeds = new Float32Array(count).map((_, i) => 10 + Math.cos(i));
    const source = createArrayBatchSource({
      sequences: [{ frames, targets, speeds }],
      frameWidth: width,
      frameHeight: height,
      window: T,
      runLength: config.sequence.kind === 'cnn' ? 1 : Math.min(count, config.sequence.runLength),
      batchSize: config.training.batchSize,
      shuffleSeed: null,
    });
    const steps = opts.trainSteps ?? 3;
    const stepTimes: { ms: number; examples: number }[] = [];
    const control = new TrainingControl();
    let last = performance.now();
    let first = true;
    await trainModel({
      net,
      train: source,
      normalization: computeTargetNormalization(targets),
      control,
      onProgress: (e) => {
        if (e.kind !== 'step') return;
        const now = performance.now();
        if (!first) stepTimes.push({ ms: now - last, examples: e.examples });
        first = false;
        last = now;
        if (stepTimes.length >= steps || now - t0 > budget) control.cancel();
      },
    });
    const examples = stepTimes.reduce((s, x) => s + x.examples, 0);
    const ms = stepTimes.reduce((s, x) => s + x.ms, 0);
    return {
      backend: name,
      ok: times.length > 0,
      software,
      inferMs: times.length ? median(times) : undefined,
      trainExamplesPerS: ms > 0 ? (examples * 1000) / ms : undefined,
      measureMs: performance.now() - t0,
    };
  } catch (e) {
    return { backend: name, ok: false, error: (e as Error).message, measureMs: performance.now() - t0 };
  } finally {
    net?.dispose();
  }
}

/** Measures every candidate backend and ranks them. Leaves the best inference backend active. */
export async function calibrateBackends(opts: CalibrateOptions): Promise<Calibration> {
  const candidates = opts.candidates ?? (isNode() ? (['cpu', 'wasm'] as const) : BACKEND_NAMES);
  const scores: BackendScore[] = [];
  for (const [i, name] of candidates.entries()) {
    opts.onProgress?.(name, i, candidates.length);
    scores.push(await measureBackend(name, opts));
  }
  const inference = rankBackends(scores, 'inference');
  const training = rankBackends(scores, 'training');
  if (inference[0]) await initBackend(inference[0]);
  return { version: CALIBRATION_VERSION, deviceKey: deviceKey(), at: opts.now(), scores, inference, training };
}
