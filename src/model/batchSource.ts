// What the trainer reads: a BatchSource yields batches of frame groups (consecutive frames of
// one camera) with the targets of the windows they hold. For the CNN+LSTM a group is a run of
// N >= T frames giving N-T+1 overlapping windows, so each frame is encoded once per step; for
// the CNN a group is one frame. Two sources: one over typed arrays in memory (tests, small
// imports) and the adapter over the data layer's streaming sequenceDataset (what the worker
// uses). Plain typed arrays only, no tensors.

import { createRng } from '../core/rng.ts';
import type { ClipSource } from '../data/clipStore.ts';
import type { CameraId } from '../data/clipTypes.ts';
import { createSequenceDataset, type DatasetLabelField, type FrameRun, speedLabelOf } from '../data/sequenceDataset.ts';
import type { ModelConfig } from './config.ts';
import { usesSpeedInput } from './configSizes.ts';
import { ModelError } from './modelErrors.ts';
import { TARGETS_PER_EXAMPLE } from './preprocess.ts';

export interface TrainingBatch {
  /** Frames per group; each group is consecutive frames, oldest first. */
  readonly lengths: readonly number[];
  /** sum(lengths) RGB frames of frameWidth x frameHeight, row 0 at the top. */
  readonly frames: Uint8Array;
  /**
   * Targets of every window, in group order then window order: (sum of lengths[g] - T + 1)
   * x 3 (steering -1..1 + left, speed m/s, torque -1..1), the labels of each window's last frame.
   */
  readonly targets: Float32Array;
  /** |curvature ahead| (1/m) of each window's last frame; only for curve balancing. */
  readonly curvature?: Float32Array;
  /** The measured speed (m/s) of every frame, sum(lengths) values: what a model that reads the speed is fed. */
  readonly speeds?: Float32Array;
}

export interface BatchSource {
  readonly frameWidth: number;
  readonly frameHeight: number;
  /** T: frames per window (1 for the cnn). */
  readonly window: number;
  /** Windows (examples) in one epoch. */
  readonly exampleCount: number;
  /** One epoch of batches; reproducible per epoch number. */
  batches(epoch: number): AsyncIterable<TrainingBatch>;
  /** Targets of every example (exampleCount x 3), without reading frames: normalisation and baselines. */
  targets(): Promise<Float32Array>;
  /** Whether batches carry curvature. */
  readonly hasCurvature: boolean;
}

/** Seconds ahead of each frame that the speed head's label is read (0 for models made before it existed). */
export function speedAheadOf(config: ModelConfig): number {
  return config.heads.speedAheadS ?? 0;
}

/** Where the speed head's label comes from ('ahead' for models made before the choice existed). */
export function speedLabelSource(config: ModelConfig): 'ahead' | 'target' {
  return config.heads.speedLabel ?? 'ahead';
}

/** The batch layout a config trains with. */
export function batchLayout(config: ModelConfig): { window: number; runLength: number; batchSize: number } {
  const cnn = config.sequence.kind === 'cnn';
  return { window: cnn ? 1 : config.sequence.window, runLength: cnn ? 1 : config.sequence.runLength, batchSize: config.training.batchSize };
}

/** One recorded sequence in memory: consecutive frames and the labels of every frame. */
export interface FrameSequence {
  /** count x height x width x 3 bytes. */
  readonly frames: Uint8Array;
  /** count x 3 (steering, speed, torque). */
  readonly targets: Float32Array;
  /** count values of curvature ahead (1/m), optional. */
  readonly curvature?: Float32Array;
  /** count measured speeds (m/s), optional: the input of a model that reads the speed. */
  readonly speeds?: Float32Array;
}

export interface ArrayBatchSourceOptions {
  readonly sequences: readonly FrameSequence[];
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly window: number;
  /** Frames per group (N >= window); ignored (1) when window is 1. */
  readonly runLength: number;
  /** Examples per batch; runs are whole, so a batch holds at least this many (the last may hold fewer). */
  readonly batchSize: number;
  /** Seeded shuffle of groups per epoch; null keeps the order. */
  readonly shuffleSeed: number | string | null;
}

/** A BatchSource over sequences held in memory, cut into runs like the data layer cuts clips. */
export function createArrayBatchSource(options: ArrayBatchSourceOptions): BatchSource {
  const { sequences, frameWidth, frameHeight, window: T, batchSize, shuffleSeed } = options;
  const fb = frameWidth * frameHeight * 3;
  const N = T === 1 ? 1 : options.runLength;
  if (!(Number.isInteger(T) && T >= 1 && Number.isInteger(N) && N >= T && Number.isInteger(batchSize) && batchSize >= 1)) {
    throw new ModelError('invalid-input', `need window >= 1, runLength >= window and batchSize >= 1; got ${T}, ${N}, ${batchSize}`);
  }
  const groups: { seq: number; start: number; count: number }[] = [];
  for (const [k, s] of sequences.entries()) {
    const count = s.frames.length / fb;
    if (!Number.isInteger(count) || s.targets.length !== count * TARGETS_PER_EXAMPLE || (s.curvature && s.curvature.length !== count) || (s.speeds && s.speeds.length !== count)) {
      throw new ModelError('invalid-input', `sequence ${k}: ${s.frames.length} frame bytes, ${s.targets.length} targets, ${s.curvature?.length ?? 'no'} curvatures and ${s.speeds?.length ?? 'no'} speeds do not describe the same frames`);
    }
    for (let start = 0; start + T <= count; start += N - T + 1) groups.push({ seq: k, start, count: Math.min(N, count - start) });
  }
  const hasCurvature = sequences.length > 0 && sequences.every((s) => s.curvature);
  const hasSpeeds = sequences.length > 0 && sequences.every((s) => s.speeds);
  const exampleCount = groups.reduce((s, g) => s + g.count - T + 1, 0);
  const k = TARGETS_PER_EXAMPLE;

  function makeBatch(list: readonly { seq: number; start: number; count: number }[]): TrainingBatch {
    const frames = new Uint8Array(list.reduce((s, g) => s + g.count, 0) * fb);
    const examples = list.reduce((s, g) => s + g.count - T + 1, 0);
    const targets = new Float32Array(examples * k);
    const curvature = hasCurvature ? new Float32Array(examples) : undefined;
    const speeds = hasSpeeds ? new Float32Array(frames.length / fb) : undefined;
    let f = 0;
    let e = 0;
    for (const g of list) {
      const s = sequences[g.seq];
      frames.set(s.frames.subarray(g.start * fb, (g.start + g.count) * fb), f * fb);
      if (speeds) speeds.set(s.speeds!.subarray(g.start, g.start + g.count), f);
      f += g.count;
      const first = g.start + T - 1;
      const n = g.count - T + 1;
      targets.set(s.targets.subarray(first * k, (first + n) * k), e * k);
      if (curvature) curvature.set(s.curvature!.subarray(first, first + n), e);
      e += n;
    }
    return { lengths: list.map((g) => g.count), frames, targets, ...(curvature ? { curvature } : {}), ...(speeds ? { speeds } : {}) };
  }

  return {
    frameWidth, frameHeight, window: T, exampleCount, hasCurvature,
    async *batches(epoch) {
      const order = groups.map((_, i) => i);
      if (shuffleSeed !== null) shuffleInPlace(order, createRng(shuffleSeed).fork(`epoch:${epoch}`));
      let list: typeof groups = [];
      let examples = 0;
      for (const i of order) {
        list.push(groups[i]);
        examples += groups[i].count - T + 1;
        if (examples >= batchSize) {
          yield makeBatch(list);
          list = [];
          examples = 0;
        }
      }
      if (list.length > 0) yield makeBatch(list);
    },
    async targets() {
      const out = new Float32Array(exampleCount * k);
      let e = 0;
      for (const g of groups) {
        const first = g.start + T - 1;
        const n = g.count - T + 1;
        out.set(sequences[g.seq].targets.subarray(first * k, (first + n) * k), e * k);
        e += n;
      }
      return out;
    },
  };
}

export interface DatasetBatchSourceOptions {
  readonly source: ClipSource;
  readonly clipIds: readonly string[];
  readonly config: ModelConfig;
  /** Cameras whose frames train (each with its own steer label); default every camera of each clip. */
  readonly cameras?: readonly CameraId[];
  /** Shuffle (seeded by config.seed) for training; keep order for validation. */
  readonly shuffle: boolean;
  /** Frame chunks the dataset caches; default the data layer's. */
  readonly cacheChunks?: number;
}

/**
 * A BatchSource over stored clips, through the data layer's sequenceDataset: runs of
 * config.sequence.runLength frames for the CNN+LSTM (each frame encoded once per step),
 * shuffled batches of single frames for the CNN. Carries curvature when config.balance is 'curves'.
 */
export async function createDatasetBatchSource(options: DatasetBatchSourceOptions): Promise<BatchSource> {
  const { source, clipIds, config, cameras } = options;
  const { window: T, runLength, batchSize } = batchLayout(config);
  const withCurvature = config.balance.kind === 'curves';
  const withSpeeds = usesSpeedInput(config);
  const labelFields: DatasetLabelField[] = ['steer', 'speed', 'torque', ...(withCurvature ? (['curvatureAhead'] as const) : []), ...(withSpeeds ? (['speedNow'] as const) : [])];
  const fields = labelFields.length;
  const speedField = labelFields.indexOf('speedNow');
  const ds = await createSequenceDataset(source, {
    clipIds, windowLength: T, batchSize, labelFields, speedAheadS: speedAheadOf(config), speedLabel: speedLabelSource(config),
    ...(cameras ? { cameras } : {}),
    ...(options.cacheChunks ? { cacheChunks: options.cacheChunks } : {}),
    shuffle: options.shuffle ? { seed: config.seed } : null,
  });
  const k = TARGETS_PER_EXAMPLE;
  // sequence.padStart: a run at a clip's first step gains T-1 copies of that step in front (frame
  // and labels, so its measured speed too), giving the windows that end at the first T-1 steps.
  const pad = T > 1 && config.sequence.padStart === true ? T - 1 : 0;
  const exampleCount = ds.windowCount + pad * ds.streamCount;
  const padRun = (r: FrameRun): FrameRun => {
    if (pad === 0 || r.start !== 0) return r;
    const fb = r.frames.length / r.count;
    const frames = new Uint8Array((r.count + pad) * fb);
    const labels = new Float32Array((r.count + pad) * fields);
    for (let i = 0; i < pad; i++) {
      frames.set(r.frames.subarray(0, fb), i * fb);
      labels.set(r.labels.subarray(0, fields), i * fields);
    }
    frames.set(r.frames, pad * fb);
    labels.set(r.labels, pad * fields);
    return { ...r, count: r.count + pad, frames, labels };
  };

  /** Targets (and curvature) of the windows ending at rows first.. of packed label rows. */
  function split(labels: Float32Array, first: number, n: number): { targets: Float32Array; curvature?: Float32Array } {
    const targets = new Float32Array(n * k);
    const curvature = withCurvature ? new Float32Array(n) : undefined;
    for (let i = 0; i < n; i++) {
      const row = (first + i) * fields;
      for (let h = 0; h < k; h++) targets[i * k + h] = labels[row + h];
      if (curvature) curvature[i] = Math.abs(labels[row + k]);
    }
    return curvature ? { targets, curvature } : { targets };
  }

  /** The measured speed of each of `rows` packed label rows, or nothing when the model does not read it. */
  function speedsOf(labels: Float32Array, rows: number): { speeds?: Float32Array } {
    if (speedField < 0) return {};
    const speeds = new Float32Array(rows);
    for (let i = 0; i < rows; i++) speeds[i] = labels[i * fields + speedField];
    return { speeds };
  }

  function joinRuns(runs: readonly FrameRun[]): TrainingBatch {
    const frames = new Uint8Array(runs.reduce((s, r) => s + r.frames.length, 0));
    const parts = runs.map((r) => split(r.labels, T - 1, r.count - T + 1));
    const examples = parts.reduce((s, p) => s + p.targets.length / k, 0);
    const targets = new Float32Array(examples * k);
    const curvature = withCurvature ? new Float32Array(examples) : undefined;
    const speeds = withSpeeds ? new Float32Array(runs.reduce((s, r) => s + r.count, 0)) : undefined;
    let f = 0;
    let row = 0;
    let e = 0;
    runs.forEach((r, i) => {
      frames.set(r.frames, f);
      f += r.frames.length;
      if (speeds) speeds.set(speedsOf(r.labels, r.count).speeds!, row);
      row += r.count;
      targets.set(parts[i].targets, e * k);
      if (curvature) curvature.set(parts[i].curvature!, e);
      e += parts[i].targets.length / k;
    });
    return { lengths: runs.map((r) => r.count), frames, targets, ...(curvature ? { curvature } : {}), ...(speeds ? { speeds } : {}) };
  }

  return {
    frameWidth: ds.frameWidth,
    frameHeight: ds.frameHeight,
    window: T,
    exampleCount,
    hasCurvature: withCurvature,
    async *batches(epoch) {
      if (T === 1) {
        for await (const b of ds.batches(epoch)) {
          yield { lengths: new Array<number>(b.size).fill(1), frames: b.frames, ...split(b.labels, 0, b.size), ...speedsOf(b.labels, b.size) };
        }
        return;
      }
      let list: FrameRun[] = [];
      let examples = 0;
      for await (const r of ds.runs({ runLength, epoch })) {
        const run = padRun(r);
        list.push(run);
        examples += run.count - T + 1;
        if (examples >= batchSize) {
          yield joinRuns(list);
          list = [];
          examples = 0;
        }
      }
      if (list.length > 0) yield joinRuns(list);
    },
    async targets() {
      const out = new Float32Array(exampleCount * k);
      let e = 0;
      for (const id of clipIds) {
        const [meta, labels] = await Promise.all([source.getMeta(id), source.labels(id)]);
        for (const cam of meta.cameras) {
          if (cameras && !cameras.includes(cam.id)) continue;
          const steer = labels.cameraSteer[cam.id]!;
          if (meta.frameCount < T) continue;
          for (let end = T - 1 - pad; end < meta.frameCount; end++, e++) {
            out[e * k] = steer[end];
            out[e * k + 1] = speedLabelOf(labels, meta, end, speedAheadOf(config), speedLabelSource(config));
            out[e * k + 2] = labels.torque[end];
          }
        }
      }
      if (e !== exampleCount) throw new ModelError('invalid-input', `the clips hold ${e} windows, the dataset counts ${exampleCount}`);
      return out;
    },
  };
}

/** Fisher-Yates. NOTE mutates a. */
function shuffleInPlace<T>(a: T[], rng: { int(lo: number, hi: number): number }): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [a[i], a[j]] = [a[j], a[i]];
  }
}
