// What every benchmark suite returns, and the sampling that produces it: each figure is the
// median of repeated runs with their min and max. Shared by browser and Node suites.

export interface Figure {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** e.g. 'ms', 'examples/s', 'relative'. */
  readonly unit: string;
  /** How many runs the figure summarises. */
  readonly runs: number;
}

export interface SuiteResult {
  /** By dotted name: `<quantity>.<backend>.<model>`, e.g. `train_examples_per_s.wasm.cnn`. */
  readonly figures: Record<string, Figure>;
  /** Dimensionless comparisons of figures measured in the same run, e.g. `train_vs_cpu.wasm.cnn`. */
  readonly ratios: Record<string, number>;
  /** Anything a reader needs to trust the figures (skipped backends, budgets hit). */
  readonly notes: string[];
}

export interface SuiteOptions {
  /** Smoke run of a few seconds: fewest variants and repeats, for CI. */
  readonly quick: boolean;
  /**
   * Free-form suite settings from `npm run bench -- --param key=value` (URL query for browser
   * suites), e.g. train's `backends=cpu,wasm` and `variants=cnn`. Suites ignore unknown keys.
   */
  readonly params: Readonly<Record<string, string>>;
}

/** A comma-separated list parameter, or undefined when absent. */
export function listParam(options: SuiteOptions, key: string): string[] | undefined {
  const v = options.params[key];
  return v ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined;
}

/** A suite module (browser: bench/browser/suites/<name>.ts, Node: bench/node/<name>.ts). */
export interface SuiteModule {
  run(options: SuiteOptions): Promise<SuiteResult>;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The p-th percentile (0..100) by nearest rank: a value that was measured. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) throw new Error('a percentile needs at least one sample');
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * A tail figure: the p-th percentile of each of `blocks` consecutive slices of the samples,
 * summarised like any figure (median of the blocks' percentiles, with their min and max).
 */
export function percentileFigure(samples: readonly number[], p: number, blocks: number, unit: string): Figure {
  const n = Math.max(1, Math.min(blocks, samples.length));
  const size = samples.length / n;
  const per = Array.from({ length: n }, (_, i) => percentile(samples.slice(Math.round(i * size), Math.round((i + 1) * size)), p));
  return figure(per, unit);
}

export function figure(samples: readonly number[], unit: string): Figure {
  if (samples.length === 0) throw new Error('a figure needs at least one sample');
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), unit, runs: samples.length };
}

/** The same figure in reciprocal units (e.g. ms per step -> examples per s); min and max swap. */
export function reciprocal(f: Figure, numerator: number, unit: string): Figure {
  return { median: numerator / f.median, min: numerator / f.max, max: numerator / f.min, unit, runs: f.runs };
}

export interface SamplingBudget {
  /** Untimed runs first (compilation, weight packing, allocations). */
  readonly warmup: number;
  readonly minRuns: number;
  readonly maxRuns: number;
  /** Stop adding runs (past minRuns) once this much time went into timed runs. */
  readonly budgetMs: number;
  /** Stop even before minRuns past this, so one slow backend cannot eat the whole bench. */
  readonly hardLimitMs: number;
}

/**
 * Times `fn` (ms per call, awaited) under a budget. A warm-up run that alone blows the hard
 * limit is kept as the only sample (better one honest slow figure than none).
 */
export async function sample(fn: () => Promise<void> | void, budget: SamplingBudget): Promise<number[]> {
  const start = performance.now();
  for (let i = 0; i < budget.warmup; i++) {
    const t0 = performance.now();
    await fn();
    const dt = performance.now() - t0;
    if (performance.now() - start > budget.hardLimitMs) return [dt];
  }
  const samples: number[] = [];
  const timedStart = performance.now();
  while (samples.length < budget.maxRuns) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
    const spent = performance.now() - timedStart;
    if (samples.length >= budget.minRuns && spent > budget.budgetMs) break;
    if (performance.now() - start > budget.hardLimitMs) break;
  }
  return samples;
}
