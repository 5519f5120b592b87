// Training data for the recurrent model, streamed from stored clips: windows of T consecutive
// frames of one camera with the labels of the window's last step, in batches, or contiguous
// runs of N frames (encode each frame once, then form the N-T+1 overlapping windows). Frames
// are read chunk by chunk through a small LRU cache, never all at once; labels (small) are
// loaded up front. Shuffling is seeded and reproducible. Plain typed arrays out, no tensors.

import { createRng } from '../core/rng.ts';
import type { Rng } from '../core/rng.ts';
import type { ClipSource, FrameChunk } from './clipStore.ts';
import { steerBin } from './clipStore.ts';
import type { CameraId, ClipLabels, ClipMeta, ClipTag, NumericLabelField } from './clipTypes.ts';
import { DRIVERS, frameBytes, stepBytes } from './clipTypes.ts';
import { DataError } from './dataErrors.ts';

export type SampleWeighting =
  | { readonly kind: 'none' }
  /** Resample so every steer bin (over -1..1) carries the same total weight. */
  | { readonly kind: 'steer-bins'; readonly bins: number }
  /** Weight `factor` (vs 1) for windows whose last step has |curvatureAhead| >= minAbsCurvature (1/m). */
  | { readonly kind: 'curves'; readonly minAbsCurvature: number; readonly factor: number };

/** A stored label, or 'speedNow': the measured speed at the step, whatever `speedAheadS` says. */
export type DatasetLabelField = NumericLabelField | 'speedNow';

export interface SequenceDatasetOptions {
  readonly clipIds: readonly string[];
  /** T: frames per window. */
  readonly windowLength: number;
  /** Steps between the last frames of consecutive windows; default 1. */
  readonly stride?: number;
  readonly batchSize: number;
  /** Cameras whose frames form windows (each with its own steer label); default every camera a clip has. */
  readonly cameras?: readonly CameraId[];
  /**
   * Labels of the last step, in this order; 'steer' is the window camera's steer, 'speedNow' the
   * measured speed at the step itself (even when 'speed' reads ahead). Default steer, speed, torque.
   */
  readonly labelFields?: readonly DatasetLabelField[];
  /**
   * The 'speed' label read this many seconds after the step (clamped to the clip's last step):
   * the speed the driver is about to hold, which the road ahead shows, rather than the present
   * speed, which a still frame cannot. Default 0 (the present speed). See docs/formats.md.
   */
  readonly speedAheadS?: number;
  /**
   * Where the 'speed' label comes from. 'ahead' (default): the measured speed `speedAheadS`
   * later. 'target': on steps the expert drove or labelled (auto-record, DAgger rollouts), the
   * speed the expert would reach 1 s on from that state (the speedTarget column), which stays
   * right in states the expert's own driving would not show (too fast for the bend, after speed
   * noise or in a learner's rollout); on other steps (a person drove, clips from before schema 2)
   * 'ahead'.
   */
  readonly speedLabel?: 'ahead' | 'target';
  /**
   * Seeded shuffle, reproducible per (seed, epoch). Windows (and runs) are shuffled within
   * spans of `span` randomly ordered chunk groups, so each chunk is read about once per epoch; a
   * span of Infinity shuffles everything (more chunk reads). Default span: cacheChunks / 2.
   * null or absent: windows in clip, camera, step order.
   */
  readonly shuffle?: { readonly seed: number | string; readonly span?: number } | null;
  readonly weighting?: SampleWeighting;
  /** Chunks kept in the LRU cache; default 8. */
  readonly cacheChunks?: number;
}

/** Which window a sample is: the clip, the camera and the step of its last frame. */
export interface WindowRef {
  readonly clipId: string;
  readonly camera: CameraId;
  readonly end: number;
}

export interface SequenceBatch {
  /** Windows in this batch (the last batch of an epoch may be smaller). */
  readonly size: number;
  /** size x T x height x width x 3 bytes, RGB, row 0 at the top, oldest frame first. */
  readonly frames: Uint8Array;
  /** size x labelFields.length, the labels of each window's last step. */
  readonly labels: Float32Array;
  readonly windows: readonly WindowRef[];
}

export interface FrameRun {
  readonly clipId: string;
  readonly camera: CameraId;
  /** Step of the first frame. */
  readonly start: number;
  readonly count: number;
  /** count x height x width x 3 bytes. */
  readonly frames: Uint8Array;
  /** count x labelFields.length: labels of every step of the run. */
  readonly labels: Float32Array;
}

export interface DatasetStats {
  /** Chunk records read from the source so far. */
  readonly chunkReads: number;
  readonly cachedChunks: number;
  /** Most chunks held at once. */
  readonly maxCachedChunks: number;
  readonly maxCachedBytes: number;
}

export interface SequenceDataset {
  readonly frameWidth: number;
  readonly frameHeight: number;
  readonly windowLength: number;
  readonly labelFields: readonly DatasetLabelField[];
  /** Windows per epoch (after weighting, which keeps the count). */
  readonly windowCount: number;
  /** Camera streams that form windows: each camera of each clip with at least T frames. */
  readonly streamCount: number;
  /** One epoch of batches; each epoch number gives its own reproducible order. */
  batches(epoch?: number): AsyncGenerator<SequenceBatch>;
  /**
   * Every window of the dataset grouped into contiguous runs of up to runLength frames
   * (consecutive runs overlap by T-1 frames, so each window lies in exactly one run);
   * stride and weighting do not apply. Shuffled in run order when shuffle is set.
   */
  runs(options: { readonly runLength: number; readonly epoch?: number }): AsyncGenerator<FrameRun>;
  /** Frames and labels of steps start..start+count-1 of one camera of one clip. */
  readRun(clipId: string, camera: CameraId, start: number, count: number): Promise<FrameRun>;
  stats(): DatasetStats;
}

interface ClipEntry {
  readonly meta: ClipMeta;
  readonly labels: ClipLabels;
  /** Indices into meta.cameras of the cameras that form windows. */
  readonly cameraSlots: readonly number[];
}

const DEFAULT_FIELDS: readonly NumericLabelField[] = ['steer', 'speed', 'torque'];

const EXPERT_CODE = DRIVERS.indexOf('expert');

/** The 'speed' label of a step (see SequenceDatasetOptions.speedLabel). */
export function speedLabelOf(
  labels: Pick<ClipLabels, 'speed' | 'speedTarget' | 'driver'>,
  meta: { readonly rateHz: number; readonly frameCount: number },
  step: number,
  aheadS: number,
  source: 'ahead' | 'target',
): number {
  if (source === 'target' && labels.driver[step] === EXPERT_CODE) {
    const t = labels.speedTarget[step];
    if (Number.isFinite(t)) return t;
  }
  return labels.speed[speedStep(meta, step, aheadS)];
}

/** The step whose speed is the 'speed' label of `step`: `aheadS` later, at most the clip's last. */
export function speedStep(meta: { readonly rateHz: number; readonly frameCount: number }, step: number, aheadS: number): number {
  return Math.min(meta.frameCount - 1, step + Math.round(aheadS * meta.rateHz));
}

export async function createSequenceDataset(source: ClipSource, options: SequenceDatasetOptions): Promise<SequenceDataset> {
  const T = options.windowLength;
  const stride = options.stride ?? 1;
  const { batchSize } = options;
  const cacheChunks = options.cacheChunks ?? 8;
  const fields = options.labelFields ?? DEFAULT_FIELDS;
  const speedAheadS = options.speedAheadS ?? 0;
  const speedLabel = options.speedLabel ?? 'ahead';
  if (!(Number.isFinite(speedAheadS) && speedAheadS >= 0)) throw new DataError('invalid-input', `speedAheadS must be >= 0 s, got ${speedAheadS}`);
  for (const [what, v] of [['windowLength', T], ['stride', stride], ['batchSize', batchSize], ['cacheChunks', cacheChunks]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) throw new DataError('invalid-input', `${what} must be a positive integer, got ${v}`);
  }
  if (options.clipIds.length === 0) throw new DataError('invalid-input', 'a dataset needs at least one clip');
  const span = options.shuffle?.span ?? Math.max(1, Math.floor(cacheChunks / 2));

  const clips: ClipEntry[] = [];
  for (const id of options.clipIds) {
    const meta = await source.getMeta(id);
    const first = clips[0]?.meta;
    if (first && (meta.frameWidth !== first.frameWidth || meta.frameHeight !== first.frameHeight)) {
      throw new DataError(
        'invalid-input',
        `clips of one dataset must share a frame size: '${meta.name}' is ${meta.frameWidth}x${meta.frameHeight}, '${first.name}' is ${first.frameWidth}x${first.frameHeight}`,
      );
    }
    const wanted = options.cameras ?? meta.cameras.map((c) => c.id);
    const cameraSlots = wanted.map((id) => meta.cameras.findIndex((c) => c.id === id)).filter((i) => i >= 0);
    clips.push({ meta, labels: await source.labels(id), cameraSlots });
  }
  const { frameWidth, frameHeight } = clips[0].meta;
  const fb = frameBytes(clips[0].meta);

  // Base windows, as (clip, camera slot, end) triples in clip, camera, step order.
  const base: number[] = [];
  for (const [k, c] of clips.entries()) {
    for (const slot of c.cameraSlots) for (let end = T - 1; end < c.meta.frameCount; end += stride) base.push(k, slot, end);
  }
  const windowCount = base.length / 3;
  const weights = windowWeights(clips, base, options.weighting ?? { kind: 'none' });

  // LRU cache of chunks: a Map keeps insertion order, so the first key is the least recent.
  const cache = new Map<string, FrameChunk>();
  let chunkReads = 0;
  let maxCachedChunks = 0;
  let maxCachedBytes = 0;
  async function chunk(k: number, index: number): Promise<FrameChunk> {
    const key = `${k}:${index}`;
    const hit = cache.get(key);
    if (hit) {
      cache.delete(key);
      cache.set(key, hit);
      return hit;
    }
    const ch = await source.readChunk(clips[k].meta.id, index);
    chunkReads++;
    cache.set(key, ch);
    while (cache.size > cacheChunks) cache.delete(cache.keys().next().value!);
    maxCachedChunks = Math.max(maxCachedChunks, cache.size);
    let bytes = 0;
    for (const c of cache.values()) bytes += c.frames.byteLength;
    maxCachedBytes = Math.max(maxCachedBytes, bytes);
    return ch;
  }

  /** Copies frames of steps first..first+count-1 of one camera into out at offset. NOTE mutates out. */
  async function copyFrames(k: number, slot: number, first: number, count: number, out: Uint8Array, offset: number): Promise<void> {
    const { meta } = clips[k];
    const sb = stepBytes(meta);
    for (let s = first; s < first + count; ) {
      const index = Math.floor(s / meta.chunkSteps);
      const ch = await chunk(k, index);
      const base = index * meta.chunkSteps;
      const stop = Math.min(first + count, base + ch.count);
      if (stop <= s) throw new DataError('storage', `clip '${meta.name}' has no frame for step ${s}`);
      for (; s < stop; s++) {
        const src = (s - base) * sb + slot * fb;
        out.set(ch.frames.subarray(src, src + fb), offset + (s - first) * fb);
      }
    }
  }

  function labelInto(k: number, slot: number, step: number, out: Float32Array, offset: number): void {
    const { labels, meta } = clips[k];
    for (let f = 0; f < fields.length; f++) {
      const field = fields[f];
      out[offset + f] = field === 'steer' ? labels.cameraSteer[meta.cameras[slot].id]![step]
        : field === 'speed' ? speedLabelOf(labels, meta, step, speedAheadS, speedLabel)
        : field === 'speedNow' ? labels.speed[step]
        : labels[field][step];
    }
  }

  function epochRng(epoch: number): Rng | null {
    return options.shuffle ? createRng(options.shuffle.seed).fork(`epoch:${epoch}`) : null;
  }

  async function readRunAt(k: number, slot: number, start: number, count: number): Promise<FrameRun> {
    const frames = new Uint8Array(count * fb);
    await copyFrames(k, slot, start, count, frames, 0);
    const labels = new Float32Array(count * fields.length);
    for (let i = 0; i < count; i++) labelInto(k, slot, start + i, labels, i * fields.length);
    return { clipId: clips[k].meta.id, camera: clips[k].meta.cameras[slot].id, start, count, frames, labels };
  }

  return {
    frameWidth, frameHeight, windowLength: T, labelFields: fields, windowCount,
    streamCount: clips.reduce((n, c) => n + (c.meta.frameCount >= T ? c.cameraSlots.length : 0), 0),

    async *batches(epoch = 0) {
      const rng = epochRng(epoch);
      const order = epochOrder(clips, base, weights, rng, span, T);
      for (let b = 0; b < order.length; b += batchSize) {
        const size = Math.min(batchSize, order.length - b);
        const frames = new Uint8Array(size * T * fb);
        const labels = new Float32Array(size * fields.length);
        const windows: WindowRef[] = [];
        for (let j = 0; j < size; j++) {
          const w = order[b + j] * 3;
          const [k, slot, end] = [base[w], base[w + 1], base[w + 2]];
          await copyFrames(k, slot, end - T + 1, T, frames, j * T * fb);
          labelInto(k, slot, end, labels, j * fields.length);
          windows.push({ clipId: clips[k].meta.id, camera: clips[k].meta.cameras[slot].id, end });
        }
        yield { size, frames, labels, windows };
      }
    },

    async *runs({ runLength, epoch = 0 }) {
      if (!(Number.isInteger(runLength) && runLength >= T)) {
        throw new DataError('invalid-input', `runLength must be an integer >= windowLength (${T}), got ${runLength}`);
      }
      const step = runLength - T + 1;
      const list: [number, number, number, number][] = [];
      for (const [k, c] of clips.entries()) {
        for (const slot of c.cameraSlots) {
          for (let start = 0; start + T <= c.meta.frameCount; start += step) {
            list.push([k, slot, start, Math.min(runLength, c.meta.frameCount - start)]);
          }
        }
      }
      const rng = epochRng(epoch);
      // As windows are: runs grouped by the chunk holding their first frame (every camera's runs
      // of those steps, which one chunk holds), the groups shuffled, then the runs within each
      // span of consecutive groups, so few chunks are live at a time and each is read about once
      // per epoch. A full shuffle of a clip set larger than the cache read each chunk ~5 times per
      // epoch (runs of 16 frames of one camera, chunks of one second of every camera): 40 of a
      // 55 s epoch in the 5-minute loop, against 16 s of training steps.
      const ordered = rng ? inSpans(list, ([k, , start]) => `${k}:${Math.floor(start / clips[k].meta.chunkSteps)}`, rng, span) : list;
      for (const [k, slot, start, count] of ordered) yield readRunAt(k, slot, start, count);
    },

    async readRun(clipId, camera, start, count) {
      const k = clips.findIndex((c) => c.meta.id === clipId);
      if (k < 0) throw new DataError('invalid-input', `clip '${clipId}' is not in this dataset`);
      const { meta } = clips[k];
      const slot = meta.cameras.findIndex((c) => c.id === camera);
      if (slot < 0) throw new DataError('invalid-input', `clip '${meta.name}' has no '${camera}' camera`);
      if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 1 && start + count <= meta.frameCount)) {
        throw new DataError('invalid-input', `steps ${start}..${start + count - 1} are outside 0..${meta.frameCount - 1}`);
      }
      return readRunAt(k, slot, start, count);
    },

    stats() {
      return { chunkReads, cachedChunks: cache.size, maxCachedChunks, maxCachedBytes };
    },
  };
}

/** Per-window weights from labels only, or null when every window counts once. */
function windowWeights(clips: readonly ClipEntry[], base: readonly number[], w: SampleWeighting): Float64Array | null {
  if (w.kind === 'none') return null;
  const n = base.length / 3;
  const out = new Float64Array(n);
  if (w.kind === 'curves') {
    if (!(w.minAbsCurvature >= 0 && w.factor > 0)) throw new DataError('invalid-input', 'curve weighting needs minAbsCurvature >= 0 and factor > 0');
    for (let i = 0; i < n; i++) {
      const kappa = clips[base[3 * i]].labels.curvatureAhead[base[3 * i + 2]];
      out[i] = Math.abs(kappa) >= w.minAbsCurvature ? w.factor : 1;
    }
    return out;
  }
  if (!(Number.isInteger(w.bins) && w.bins >= 1)) throw new DataError('invalid-input', `steer-bins weighting needs bins >= 1, got ${w.bins}`);
  const binOf = new Int32Array(n);
  const counts = new Float64Array(w.bins);
  for (let i = 0; i < n; i++) {
    const c = clips[base[3 * i]];
    const steer = c.labels.cameraSteer[c.meta.cameras[base[3 * i + 1]].id]![base[3 * i + 2]];
    binOf[i] = steerBin(steer, w.bins);
    counts[binOf[i]]++;
  }
  for (let i = 0; i < n; i++) out[i] = 1 / counts[binOf[i]];
  return out;
}

/**
 * Window indices of one epoch: resampled by weight (systematic resampling keeps the count
 * and gives each window floor or ceil of its expected copies), then block-shuffled.
 */
function epochOrder(
  clips: readonly ClipEntry[],
  base: readonly number[],
  weights: Float64Array | null,
  rng: Rng | null,
  span: number,
  T: number,
): number[] {
  const n = base.length / 3;
  let picks: number[];
  if (weights) {
    const total = weights.reduce((s, x) => s + x, 0);
    const stepW = total / n;
    let u = (rng ? rng.next() : 0.5) * stepW;
    let acc = 0;
    picks = [];
    for (let i = 0; i < n && picks.length < n; i++) {
      acc += weights[i];
      while (u < acc && picks.length < n) {
        picks.push(i);
        u += stepW;
      }
    }
    while (picks.length < n) picks.push(n - 1); // rounding at the very end
  } else {
    picks = Array.from({ length: n }, (_, i) => i);
  }
  if (!rng) return picks;
  // Windows grouped by the chunk holding their first frame: few chunks are live at any time.
  return inSpans(picks, (i) => {
    const k = base[3 * i];
    return `${k}:${Math.floor((base[3 * i + 2] - T + 1) / clips[k].meta.chunkSteps)}`;
  }, rng, span);
}

/**
 * `items` grouped by `group` (their chunk), the groups shuffled, then the items within each span
 * of `span` consecutive groups shuffled (Infinity: everything at once). Seeded by `rng`.
 */
function inSpans<X>(items: readonly X[], group: (x: X) => string, rng: Rng, span: number): X[] {
  const groups = new Map<string, X[]>();
  for (const x of items) {
    const key = group(x);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(x);
  }
  const list = [...groups.values()];
  shuffleInPlace(list, rng);
  const out: X[] = [];
  const width = Number.isFinite(span) ? Math.max(1, Math.floor(span)) : list.length;
  for (let g = 0; g < list.length; g += width) {
    const block = list.slice(g, g + width).flat();
    shuffleInPlace(block, rng);
    out.push(...block);
  }
  return out;
}

/** Fisher-Yates. NOTE mutates a. */
function shuffleInPlace<T>(a: T[], rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [a[i], a[j]] = [a[j], a[i]];
  }
}

export type SplitRule =
  /** train = clips tagged 'train', val = tagged 'val'; untagged clips go where `untagged` says (default train). */
  | { readonly by: 'tag'; readonly untagged?: ClipTag | 'skip' }
  /** Tagged clips keep their tag; untagged ones are split at random (seeded), whole clips only. */
  | { readonly by: 'fraction'; readonly valFraction: number; readonly seed: number | string };

/** Splits clips into training and validation sets by clip, never within a clip. */
export function splitClips(metas: readonly ClipMeta[], rule: SplitRule): { train: string[]; val: string[] } {
  const train: string[] = [];
  const val: string[] = [];
  const untagged: string[] = [];
  for (const m of metas) (m.tag === 'train' ? train : m.tag === 'val' ? val : untagged).push(m.id);
  if (rule.by === 'tag') {
    const to = rule.untagged ?? 'train';
    if (to === 'train') train.push(...untagged);
    else if (to === 'val') val.push(...untagged);
    return { train, val };
  }
  if (!(rule.valFraction >= 0 && rule.valFraction <= 1)) throw new DataError('invalid-input', `valFraction must be 0..1, got ${rule.valFraction}`);
  const ids = [...untagged];
  shuffleInPlace(ids, createRng(rule.seed));
  let nVal = Math.round(rule.valFraction * ids.length);
  if (rule.valFraction > 0 && nVal === 0 && ids.length >= 2) nVal = 1;
  val.push(...ids.slice(0, nVal));
  train.push(...ids.slice(nVal));
  return { train, val };
}
