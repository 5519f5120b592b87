// The live plots' data, accumulated from training events: loss per step (raw and smoothed)
// with the validation loss at each epoch's end, RMSE per head per epoch with the constant
// predictor's (and, for a model that reads the speed, holding the present speed's), and the gradient norm of every layer per step. Arrays are kept and appended to
// (the view hands them to uPlot as they are); past `maxPoints` steps, neighbouring points are
// merged pairwise and later steps are averaged in buckets of twice the size, so a long run
// stays cheap to draw. Also the redraw throttle. Pure: no DOM, timers injected.

import type { EpochEventLike, StepEventLike, TrainEventLike } from './trainingContract.ts';

export type Point = number | null;

/** How a column merges several steps into one point. */
type Merge = 'mean' | 'last';

/**
 * Step-indexed columns that decimate themselves: x ascends; each column is as long as x.
 * NOTE its arrays are handed out by reference and change in place.
 */
export class StepColumns {
  readonly x: number[] = [];
  readonly #cols = new Map<string, { merge: Merge; values: Point[] }>();
  #stride = 1;
  #pending: { x: number; count: number; values: Map<string, Point[]> } | null = null;

  constructor(readonly maxPoints: number) {
    if (!(maxPoints >= 4)) throw new Error('maxPoints must be at least 4');
  }

  /** Steps per point now (1 until the first decimation). */
  get stride(): number {
    return this.#stride;
  }

  /** A column's values (created empty, merging by mean, if it is new). */
  column(name: string): Point[] {
    return this.#col(name, 'mean').values;
  }

  /** Creates a column that merges steps its own way ('last': a smoothed line, a marker). */
  define(name: string, merge: Merge): void {
    this.#col(name, merge);
  }

  /** The last step taken, pending or not. */
  get lastX(): number | undefined {
    return this.#pending?.x ?? this.x[this.x.length - 1];
  }

  has(name: string): boolean {
    return this.#cols.has(name);
  }

  #col(name: string, merge: Merge): { merge: Merge; values: Point[] } {
    let c = this.#cols.get(name);
    if (!c) {
      c = { merge, values: new Array<Point>(this.x.length).fill(null) };
      this.#cols.set(name, c);
    }
    return c;
  }

  /** Adds one step's values (a new column merges by mean unless defined otherwise). A step at or before the last one first drops the points from it on. */
  push(x: number, values: Readonly<Record<string, Point>>): void {
    const last = this.lastX;
    if (last !== undefined && x <= last) this.truncateFrom(x);
    const p = (this.#pending ??= { x, count: 0, values: new Map() });
    p.x = x;
    p.count++;
    for (const [name, v] of Object.entries(values)) {
      this.#col(name, 'mean');
      let list = p.values.get(name);
      if (!list) p.values.set(name, (list = []));
      list.push(v);
    }
    if (p.count >= this.#stride) this.flush();
  }

  /** Ends the bucket being filled (an epoch ended: its validation point goes on its last step). */
  flush(): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = null;
    this.x.push(p.x);
    for (const [name, c] of this.#cols) c.values.push(mergeValues(p.values.get(name) ?? [], c.merge));
    if (this.x.length >= this.maxPoints) this.#halve();
  }

  /** Sets a column's value at the last point (after flush). */
  setLast(name: string, v: Point): void {
    this.flush();
    const c = this.#col(name, 'last');
    if (c.values.length > 0) c.values[c.values.length - 1] = v;
  }

  /** Drops every point at or after x (a run that went back to a checkpoint replays those steps). */
  truncateFrom(x: number): void {
    this.#pending = null;
    let n = this.x.length;
    while (n > 0 && this.x[n - 1] >= x) n--;
    this.x.length = n;
    for (const c of this.#cols.values()) c.values.length = n;
  }

  /** Forgets every point; columns stay defined. */
  clear(): void {
    this.x.length = 0;
    for (const c of this.#cols.values()) c.values.length = 0;
    this.#pending = null;
    this.#stride = 1;
  }

  #halve(): void {
    const n = this.x.length;
    const half = Math.ceil(n / 2);
    for (let i = 0; i < half; i++) this.x[i] = this.x[Math.min(n - 1, 2 * i + 1)];
    this.x.length = half;
    for (const c of this.#cols.values()) {
      const v = c.values;
      for (let i = 0; i < half; i++) v[i] = mergeValues(2 * i + 1 < n ? [v[2 * i], v[2 * i + 1]] : [v[2 * i]], c.merge);
      v.length = half;
    }
    this.#stride *= 2;
  }
}

function mergeValues(values: readonly Point[], merge: Merge): Point {
  if (merge === 'last') {
    for (let i = values.length - 1; i >= 0; i--) if (values[i] !== null) return values[i];
    return null;
  }
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v === null) continue;
    sum += v;
    n++;
  }
  return n === 0 ? null : sum / n;
}

/** A value a log-scale plot can draw: positive and finite, else a gap. */
export function positive(v: number | null | undefined): Point {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : null;
}

function finite(v: number | null | undefined): Point {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export const HEADS = ['steering', 'speed', 'torque'] as const;
export type Head = (typeof HEADS)[number];

export interface EpochRow {
  /** 1-based, as shown. */
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss: number | null;
  /** Validation RMSE per head, else the training RMSE (no validation set). */
  readonly rmse: Record<Head, Point>;
  readonly baseline: Record<Head, Point>;
  /** The speed label's RMSE against the window's last measured speed (validation; a model that reads the speed), else null. */
  readonly speedometer: Point;
  readonly on: 'val' | 'train';
}

/** Columns of the loss and gradient plots. */
export const LOSS = 'loss';
export const LOSS_SMOOTH = 'lossSmooth';
export const VAL_LOSS = 'valLoss';
export const GLOBAL_NORM = 'globalNorm';
export const APPLIED_NORM = 'appliedNorm';
const layerColumn = (layer: string): string => `layer:${layer}`;

export interface TrainingSeriesOptions {
  /** Points per step plot before merging (default 3000). */
  readonly maxPoints?: number;
  /** Weight of the newest loss in the smoothed line (default 0.05: about the last 20 steps). */
  readonly smoothing?: number;
}

/** Everything the three plots draw, built from the events of one run. */
export class TrainingSeries {
  readonly steps: StepColumns;
  readonly epochs: EpochRow[] = [];
  /** Layers in the order the trainer reports them. */
  readonly layers: string[] = [];
  /** Bumped whenever `layers` changes (the gradient plot needs new series). */
  layersVersion = 0;
  /** Bumped whenever anything changes; the view redraws when it moved. */
  version = 0;
  readonly #smoothing: number;
  #ema: { value: number; weight: number } | null = null;

  constructor(options: TrainingSeriesOptions = {}) {
    this.steps = new StepColumns(options.maxPoints ?? 3000);
    this.steps.define(LOSS_SMOOTH, 'last');
    this.steps.define(VAL_LOSS, 'last');
    this.#smoothing = options.smoothing ?? 0.05;
  }

  /** Takes any training event; returns whether the plots changed. */
  push(e: TrainEventLike): boolean {
    if (e.kind === 'step') this.#step(e);
    else if (e.kind === 'epoch') this.#epoch(e);
    else return false;
    this.version++;
    return true;
  }

  reset(): void {
    this.steps.clear();
    this.epochs.length = 0;
    this.#ema = null;
    if (this.layers.length > 0) {
      this.layers.length = 0;
      this.layersVersion++;
    }
    this.version++;
  }

  /** [x, loss, smoothed loss, validation loss] for uPlot. */
  lossData(): [number[], Point[], Point[], Point[]] {
    const s = this.steps;
    return [s.x, s.column(LOSS), s.column(LOSS_SMOOTH), s.column(VAL_LOSS)];
  }

  /** [x, per layer..., global, applied] for uPlot (layers in `layers` order). */
  gradData(): Point[][] {
    const s = this.steps;
    return [s.x, ...this.layers.map((l) => s.column(layerColumn(l))), s.column(GLOBAL_NORM), s.column(APPLIED_NORM)];
  }

  /**
   * [epoch, steering, speed, torque, baseline steering, baseline speed, baseline torque] for
   * uPlot, then the speedometer baseline ("hold the present speed") when `hasSpeedometer`.
   */
  rmseData(): Point[][] {
    const e = this.epochs;
    return [
      e.map((r) => r.epoch),
      ...HEADS.map((h) => e.map((r) => r.rmse[h])),
      ...HEADS.map((h) => e.map((r) => r.baseline[h])),
      ...(this.hasSpeedometer ? [e.map((r) => r.speedometer)] : []),
    ];
  }

  /** Whether any epoch carries the speedometer baseline (a model that reads the speed, with validation clips). */
  get hasSpeedometer(): boolean {
    return this.epochs.some((r) => r.speedometer !== null);
  }

  /** Whether the RMSE plot shows validation (else training) figures. */
  get rmseOn(): 'val' | 'train' {
    return this.epochs[this.epochs.length - 1]?.on ?? 'val';
  }

  #step(e: StepEventLike): void {
    const last = this.steps.lastX;
    if (last !== undefined && e.step <= last) {
      // Replaying from a checkpoint: forget what comes after it.
      this.#ema = null;
      while (this.epochs.length > 0 && this.epochs[this.epochs.length - 1].epoch > e.epoch) this.epochs.pop();
    }
    const loss = positive(e.loss);
    if (loss !== null) {
      const a = this.#smoothing;
      const ema = this.#ema ?? { value: 0, weight: 0 };
      ema.value = (1 - a) * ema.value + a * loss;
      ema.weight = (1 - a) * ema.weight + a;
      this.#ema = ema;
    }
    const values: Record<string, Point> = {
      [LOSS]: loss,
      [LOSS_SMOOTH]: this.#ema ? this.#ema.value / this.#ema.weight : null,
      [GLOBAL_NORM]: positive(e.globalGradNorm),
      [APPLIED_NORM]: positive(e.appliedGradNorm),
    };
    let added = false;
    for (const g of e.gradNorms) {
      if (!this.layers.includes(g.layer)) {
        this.layers.push(g.layer);
        added = true;
      }
      values[layerColumn(g.layer)] = positive(g.norm);
    }
    if (added) this.layersVersion++;
    this.steps.push(e.step, values);
  }

  #epoch(e: EpochEventLike): void {
    const on = e.valRmse ? 'val' : 'train';
    const rmse = e.valRmse ?? e.trainRmse;
    const base = (on === 'val' ? e.baselineRmse.val : null) ?? e.baselineRmse.train;
    const row: EpochRow = {
      epoch: e.epoch + 1,
      trainLoss: e.trainLoss,
      valLoss: e.valLoss,
      rmse: { steering: finite(rmse.steering), speed: finite(rmse.speed), torque: finite(rmse.torque) },
      baseline: { steering: finite(base.steering), speed: finite(base.speed), torque: finite(base.torque) },
      // A validation figure: beside training RMSEs (no validation set) it would compare unlike sets.
      speedometer: on === 'val' ? finite(e.speedometerRmse) : null,
      on,
    };
    while (this.epochs.length > 0 && this.epochs[this.epochs.length - 1].epoch >= row.epoch) this.epochs.pop();
    this.epochs.push(row);
    this.steps.setLast(VAL_LOSS, positive(e.valLoss ?? e.trainLoss));
  }
}

export interface Throttle {
  /** Asks for a run; runs at most once per interval, never synchronously. */
  request(): void;
  /** Runs now if a run is pending (e.g. the run ended: show the last points). */
  flush(): void;
  cancel(): void;
}

/** Coalesces redraw requests: at most one run per `intervalMs`. */
export function createThrottle(opts: {
  readonly intervalMs: number;
  readonly run: () => void;
  readonly now: () => number;
  readonly setTimer: (fn: () => void, ms: number) => unknown;
  readonly clearTimer: (handle: unknown) => void;
}): Throttle {
  let last = -Infinity;
  let timer: unknown = null;
  const fire = (): void => {
    timer = null;
    last = opts.now();
    opts.run();
  };
  return {
    request() {
      if (timer !== null) return;
      timer = opts.setTimer(fire, Math.max(0, last + opts.intervalMs - opts.now()));
    },
    flush() {
      if (timer === null) return;
      opts.clearTimer(timer);
      fire();
    },
    cancel() {
      if (timer !== null) opts.clearTimer(timer);
      timer = null;
    },
  };
}
