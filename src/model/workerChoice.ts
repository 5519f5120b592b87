// Choosing one or two training workers by measurement (issue 15): two workers split every batch
// (dataParallel.ts), which is faster only where the second core is really free; on a loaded
// 2-core machine it measured 0.74-0.81x one worker. So in 'auto' the first run of a model shape
// on a device times its first training steps both ways, alternating (two, one, then pairs in
// ABBA order so a drift in load hits both alike), keeps two only when it is faster by a margin,
// and the verdict is cached per device, backend and model shape (as backendChoice.ts caches its
// ranking per device). Every trial step is an ordinary training step: one worker's and two
// workers' steps give the same update (within float rounding), so nothing is lost or repeated.
// Pure: no clock, no tfjs; the caller times the steps and stores the verdicts.

import type { ModelConfig } from './config.ts';

export type WorkerCount = 1 | 2;
/** Settings > Training workers, as the worker sees it ('one' never reaches it: no peer starts). */
export type WorkersMode = 'auto' | 'two';

export interface WorkerVerdict {
  readonly deviceKey: string;
  /** modelShapeKey(): backend and the model's size. */
  readonly shapeKey: string;
  readonly workers: WorkerCount;
  /** Two workers' examples/s over one worker's, as measured. */
  readonly ratio: number;
  readonly oneExamplesPerS: number;
  readonly twoExamplesPerS: number;
  /** Timed steps per side (warm-up steps excluded). */
  readonly steps: { readonly one: number; readonly two: number };
  /** ms since epoch, from the caller's clock. */
  readonly at: number;
}

/**
 * A trial a run ended before it decided: its timed steps, in equal numbers per side (whole
 * pairs, each timed in the same run), carried to the next run of the shape, whose trial goes on
 * from them. Fewer than the trial's minSteps per side (with that many the run decides).
 */
export interface PendingTrial {
  readonly deviceKey: string;
  readonly shapeKey: string;
  /** ms per example of each timed step. */
  readonly msPerExample: { readonly one: readonly number[]; readonly two: readonly number[] };
  /** The time those steps took in all, ms (it counts toward the next trial's budget). */
  readonly spentMs: number;
  /** ms since epoch, from the caller's clock. */
  readonly at: number;
}

/** What a trial carries to the next run: its whole pairs of timed steps and their time. */
export type TrialCarry = PendingTrial['msPerExample'] & { readonly spentMs: number };

/** What the settings store keeps: the verdicts of every device, backend and shape measured, and trials under way. */
export interface WorkerVerdicts {
  readonly version: number;
  readonly entries: readonly WorkerVerdict[];
  readonly pending?: readonly PendingTrial[];
}

/** Where the settings store keeps the verdicts (the app removes it when the setting changes). */
export const WORKER_VERDICTS_KEY = 'training-workers-verdicts';
/** Bump when the trial changes meaning, so cached verdicts are measured again. */
export const WORKER_CHOICE_VERSION = 2;
/** Two workers are kept only when at least this much faster than one (noise under load is ~5-10%). */
export const TWO_WORKER_MARGIN = 1.1;
/** A verdict older than this is measured again (the machine's load and the browser change). */
export const VERDICT_MAX_AGE_MS = 14 * 24 * 3600 * 1000;
/** Verdicts kept (the newest). */
const MAX_ENTRIES = 24;

/**
 * Threads the app's training worker asks for, given the device's hardware threads: 2 wherever
 * there are 2. In a cross-origin isolated page that starts the threaded wasm binary, whose shared
 * memory lets our SIMD conv kernels share every call with a helper thread
 * (wasmKernels/simdHelper.ts; XNNPACK keeps one thread: with a pool of its own beside the helper
 * it measured slower). On this 2-core machine, suite train_workers (2 runs at 6d34ce0): the
 * threaded worker trains the plain CNN at 1.15x one thread, the CNN+LSTM at 1.04-1.18x. A third or
 * more threads are not used (not measured).
 */
export function trainerWasmThreads(hardwareThreads: number): number {
  return hardwareThreads >= 2 ? 2 : 1;
}

/**
 * The backend as the trainer runs it, for modelShapeKey: a threaded wasm trainer ('wasm x2') is
 * timed against its peer apart from a one-thread one (its verdict may differ).
 */
export function trainerBackendKey(backend: string, wasmThreads: number | null): string {
  return backend === 'wasm' && (wasmThreads ?? 1) > 1 ? `wasm x${wasmThreads}` : backend;
}

/** The model's size class for the cache: backend, input, encoder, sequence, head width and batch. */
export function modelShapeKey(backend: string, config: ModelConfig): string {
  const { input, encoder, sequence, heads, training } = config;
  const convs = encoder.layers.map((l) => `${l.filters}k${l.kernel}s${l.stride}`).join(',');
  const seq = sequence.kind === 'cnn' ? 'cnn' : `${sequence.cell}${sequence.units} T${sequence.window} N${sequence.runLength}`;
  return `${backend} ${input.width}x${input.height}${input.speed ? '+v' : ''} [${convs}]x${encoder.widthMultiplier} h${encoder.hidden.join(',')} e${encoder.embedding} ${seq} hh${heads.hidden} b${training.batchSize}`;
}

function isVerdict(v: unknown): v is WorkerVerdict {
  const x = v as WorkerVerdict;
  return typeof x === 'object' && x !== null && typeof x.deviceKey === 'string' && typeof x.shapeKey === 'string'
    && (x.workers === 1 || x.workers === 2) && Number.isFinite(x.ratio) && Number.isFinite(x.at);
}

/** The stored verdicts, or none if absent, of another version or malformed. */
export function readVerdicts(stored: unknown): WorkerVerdict[] {
  const s = stored as WorkerVerdicts;
  if (typeof s !== 'object' || s === null || s.version !== WORKER_CHOICE_VERSION || !Array.isArray(s.entries)) return [];
  return s.entries.filter(isVerdict);
}

const isTimes = (xs: unknown): xs is number[] => Array.isArray(xs) && xs.every((x) => typeof x === 'number' && x > 0 && Number.isFinite(x));

function isPending(v: unknown): v is PendingTrial {
  const x = v as PendingTrial;
  return typeof x === 'object' && x !== null && typeof x.deviceKey === 'string' && typeof x.shapeKey === 'string' && Number.isFinite(x.at)
    && Number.isFinite(x.spentMs) && x.spentMs >= 0
    && typeof x.msPerExample === 'object' && x.msPerExample !== null && isTimes(x.msPerExample.one) && isTimes(x.msPerExample.two)
    && x.msPerExample.one.length === x.msPerExample.two.length;
}

/** The stored trials under way, or none. */
export function readPending(stored: unknown): PendingTrial[] {
  const s = stored as WorkerVerdicts;
  if (typeof s !== 'object' || s === null || s.version !== WORKER_CHOICE_VERSION || !Array.isArray(s.pending)) return [];
  return s.pending.filter(isPending);
}

const sameKey = (a: { deviceKey: string; shapeKey: string }, b: { deviceKey: string; shapeKey: string }): boolean => a.deviceKey === b.deviceKey && a.shapeKey === b.shapeKey;

/** The stored verdicts with `v` in place of any of the same device and shape (whose trial under way ends). */
export function withVerdict(stored: unknown, v: WorkerVerdict): WorkerVerdicts {
  const rest = readVerdicts(stored).filter((e) => !sameKey(e, v));
  const pending = readPending(stored).filter((p) => !sameKey(p, v));
  return { version: WORKER_CHOICE_VERSION, entries: [...rest, v].slice(-MAX_ENTRIES), ...(pending.length ? { pending } : {}) };
}

/** The stored verdicts with the trial under way `p` in place of any of the same device and shape (none if it holds no step). */
export function withPending(stored: unknown, p: PendingTrial): WorkerVerdicts {
  const pending = readPending(stored).filter((e) => !sameKey(e, p));
  const kept = p.msPerExample.one.length > 0 ? [...pending, p].slice(-MAX_ENTRIES) : pending;
  return { version: WORKER_CHOICE_VERSION, entries: readVerdicts(stored), ...(kept.length ? { pending: kept } : {}) };
}

export type WorkerPlan =
  | { readonly kind: 'two'; readonly why: 'setting' }
  | { readonly kind: 'cached'; readonly verdict: WorkerVerdict }
  /** `carried`: the timed steps of the shape's last trial that ended undecided (fresh ones only). */
  | { readonly kind: 'trial'; readonly carried?: PendingTrial };

/**
 * How a run with a peer available trains: 'two' when the player chose two; in 'auto', the cached
 * verdict of this device and shape if it is fresh (and no re-time was asked: the setting
 * changed), else a trial.
 */
export function planWorkers(o: {
  readonly mode: WorkersMode;
  readonly stored: unknown;
  readonly deviceKey: string;
  readonly shapeKey: string;
  /** ms since epoch. */
  readonly now: number;
  readonly retime?: boolean;
}): WorkerPlan {
  if (o.mode === 'two') return { kind: 'two', why: 'setting' };
  if (o.retime) return { kind: 'trial' };
  const fresh = (at: number): boolean => o.now - at <= VERDICT_MAX_AGE_MS && o.now >= at;
  const v = readVerdicts(o.stored).find((e) => sameKey(e, o));
  if (v && fresh(v.at)) return { kind: 'cached', verdict: v };
  const carried = readPending(o.stored).find((p) => sameKey(p, o) && fresh(p.at));
  return carried ? { kind: 'trial', carried } : { kind: 'trial' };
}

export interface TrialOptions {
  /** Untimed first steps per side (the peer's first step warms its kernels). Default 1. */
  readonly warmup?: number;
  /** Timed steps per side at least. Default 3. */
  readonly minSteps?: number;
  /** Timed steps per side at most. Default 6. */
  readonly maxSteps?: number;
  /** Past minSteps, the trial ends once its steps took this long in all, ms. Default 6000. */
  readonly budgetMs?: number;
  /** Two must be this much faster. Default TWO_WORKER_MARGIN. */
  readonly margin?: number;
}

/** What a trial measured: the side kept and the figures for a WorkerVerdict. */
export interface TrialResult {
  readonly workers: WorkerCount;
  readonly ratio: number;
  readonly oneExamplesPerS: number;
  readonly twoExamplesPerS: number;
  readonly steps: { readonly one: number; readonly two: number };
  /** The timed steps' ms per example, in order (benches compare them with fixed runs). */
  readonly msPerExample: { readonly one: readonly number[]; readonly two: readonly number[] };
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The trial's schedule and verdict. The trainer asks next() which side takes the coming step,
 * runs it, and record()s its time; record() returns the result once decided (then done is true).
 */
export class WorkerTrial {
  readonly #o: Required<TrialOptions>;
  readonly #warm = { 1: 0, 2: 0 };
  /** ms per example of each timed step. */
  readonly #timed: { 1: number[]; 2: number[] } = { 1: [], 2: [] };
  /** ms of each timed step. */
  readonly #timedMs: { 1: number[]; 2: number[] } = { 1: [], 2: [] };
  #spentMs = 0;
  #result: TrialResult | null = null;

  /**
   * `carried`: timed steps of an earlier run's undecided trial of the same shape (whole pairs),
   * which count as this trial's first; the warm-up is still this run's own (a new replica).
   */
  constructor(options: TrialOptions = {}, carried?: TrialCarry) {
    this.#o = { warmup: 1, minSteps: 3, maxSteps: 6, budgetMs: 6000, margin: TWO_WORKER_MARGIN, ...options };
    if (this.#o.minSteps < 1 || this.#o.maxSteps < this.#o.minSteps) throw new Error('a trial needs 1 <= minSteps <= maxSteps');
    if (carried) {
      const n = Math.min(carried.one.length, carried.two.length);
      const k = Math.min(n, this.#o.minSteps - 1);
      // Each carried step's share of their time (their own ms are not kept).
      const ms = n > 0 ? carried.spentMs / (2 * n) : 0;
      for (const side of [1, 2] as const) {
        this.#timed[side].push(...(side === 1 ? carried.one : carried.two).slice(0, k));
        this.#timedMs[side].push(...new Array<number>(k).fill(ms));
      }
      this.#spentMs += 2 * k * ms;
    }
  }

  /** Timed steps per side so far (carried ones included), and how many per side a verdict needs at least. */
  get progress(): { one: number; two: number; needed: number } {
    return { one: this.#timed[1].length, two: this.#timed[2].length, needed: this.#o.minSteps };
  }

  get done(): boolean {
    return this.#result !== null;
  }

  get result(): TrialResult | null {
    return this.#result;
  }

  /** The side of the coming step: warm-ups two then one, then pairs (2,1), (1,2), (2,1), ... */
  next(): WorkerCount {
    const w = this.#o.warmup;
    if (this.#warm[2] < w) return 2;
    if (this.#warm[1] < w) return 1;
    const n1 = this.#timed[1].length;
    const n2 = this.#timed[2].length;
    if (n1 !== n2) return n1 < n2 ? 1 : 2;
    return n1 % 2 === 0 ? 2 : 1;
  }

  /** A step on `workers` took `ms` for `examples` examples; the result once the trial is decided. */
  record(workers: WorkerCount, ms: number, examples: number): TrialResult | null {
    if (this.#result) return this.#result;
    if (!(ms > 0) || !(examples > 0)) return null; // a step that cannot be timed does not count
    this.#spentMs += ms;
    if (this.#warm[workers] < this.#o.warmup) {
      this.#warm[workers]++;
      return null;
    }
    this.#timed[workers].push(ms / examples);
    this.#timedMs[workers].push(ms);
    const n1 = this.#timed[1].length;
    const n2 = this.#timed[2].length;
    const enough = Math.min(n1, n2) >= this.#o.minSteps && n1 === n2;
    if (!enough || (this.#spentMs < this.#o.budgetMs && Math.min(n1, n2) < this.#o.maxSteps)) return null;
    return this.#decide(n1);
  }

  /**
   * The run ends before the trial decided (its steps ran out, a time budget, a cancel): the
   * verdict of the timed steps it had when each side has minSteps of them (the first equal
   * numbers of each side), else null; then carry() holds what the next run can go on from.
   */
  conclude(): TrialResult | null {
    if (this.#result) return this.#result;
    const k = Math.min(this.#timed[1].length, this.#timed[2].length);
    return k >= this.#o.minSteps ? this.#decide(k) : null;
  }

  /** The timed steps an undecided trial leaves the next run: whole pairs (equal numbers per side), none once decided. */
  carry(): TrialCarry {
    const k = this.#result ? 0 : Math.min(this.#timed[1].length, this.#timed[2].length);
    const sum = (xs: number[]): number => xs.slice(0, k).reduce((a, b) => a + b, 0);
    return { one: this.#timed[1].slice(0, k), two: this.#timed[2].slice(0, k), spentMs: sum(this.#timedMs[1]) + sum(this.#timedMs[2]) };
  }

  #decide(k: number): TrialResult {
    const t1 = this.#timed[1].slice(0, k);
    const t2 = this.#timed[2].slice(0, k);
    const one = 1000 / median(t1);
    const two = 1000 / median(t2);
    const ratio = two / one;
    this.#result = {
      workers: ratio >= this.#o.margin ? 2 : 1, ratio, oneExamplesPerS: one, twoExamplesPerS: two, steps: { one: k, two: k },
      msPerExample: { one: t1, two: t2 },
    };
    return this.#result;
  }
}

/** The verdict to cache from a trial's result. */
export function verdictOf(r: TrialResult, key: { deviceKey: string; shapeKey: string; at: number }): WorkerVerdict {
  return { ...key, workers: r.workers, ratio: r.ratio, oneExamplesPerS: r.oneExamplesPerS, twoExamplesPerS: r.twoExamplesPerS, steps: r.steps };
}

/** The choice and its measured ratio, for the Training panel: "two workers, 1.4x one" / "one worker: two measured 0.8x". */
export function describeChoice(v: Pick<WorkerVerdict, 'workers' | 'ratio'>, how: 'measured now' | { cachedAt: string }): string {
  const ratio = `${v.ratio.toFixed(2)}x`;
  const when = how === 'measured now' ? 'measured over the first steps' : `measured ${how.cachedAt}; change Settings > Training workers to measure again`;
  return v.workers === 2 ? `two workers, ${ratio} one (${when})` : `one worker: two measured ${ratio} (${when})`;
}
