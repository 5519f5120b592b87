// Conditions measured in interleaved segments on a shared machine: off, A, off, B, off, ..., off.
// The load drifts over a run, so each condition's segment is compared with the reference segments
// on either side of it (the nearest before and after), not with one reference figure taken
// elsewhere in the run; a drift slower than a segment cancels out of the ratio.

import { median } from './stats.ts';

/** One measured segment: which condition ran and its figure (e.g. frames per second). */
export interface Segment {
  readonly name: string;
  readonly value: number;
}

export interface ConditionSummary {
  /** Median of the condition's segment values. */
  readonly median: number;
  /** Median of its segments' ratios to their neighbouring reference segments. */
  readonly ratio: number;
  /** Each segment's ratio, in order. */
  readonly ratios: readonly number[];
  readonly runs: number;
}

export interface InterleavedSummary {
  readonly reference: { readonly median: number; readonly runs: number };
  /** By condition name, in order of first appearance; the reference is not among them. */
  readonly conditions: Readonly<Record<string, ConditionSummary>>;
}

/** The order to run: `rounds` times (reference, each condition), then the reference once more, so every condition segment has a reference on both sides. */
export function interleavedSchedule(conditions: readonly string[], rounds: number, reference = 'off'): string[] {
  if (conditions.includes(reference)) throw new Error(`the reference "${reference}" is not a condition`);
  const out: string[] = [];
  for (let r = 0; r < rounds; r++) for (const c of conditions) out.push(reference, c);
  out.push(reference);
  return out;
}

/**
 * Each condition segment's value over the mean of the nearest reference segment before it and
 * the nearest after it (only one where the other side has none); summarised per condition.
 */
export function interleavedRatios(segments: readonly Segment[], reference = 'off'): InterleavedSummary {
  const refIdx = segments.flatMap((s, i) => (s.name === reference ? [i] : []));
  if (refIdx.length === 0) throw new Error(`no "${reference}" segment to compare with`);
  const per = new Map<string, { values: number[]; ratios: number[] }>();
  segments.forEach((s, i) => {
    if (s.name === reference) return;
    const before = refIdx.filter((j) => j < i).pop();
    const after = refIdx.find((j) => j > i);
    const sides = [before, after].flatMap((j) => (j === undefined ? [] : [segments[j].value]));
    const base = sides.reduce((a, b) => a + b, 0) / sides.length;
    const entry = per.get(s.name) ?? { values: [], ratios: [] };
    entry.values.push(s.value);
    entry.ratios.push(s.value / base);
    per.set(s.name, entry);
  });
  const refValues = refIdx.map((j) => segments[j].value);
  return {
    reference: { median: median(refValues), runs: refValues.length },
    conditions: Object.fromEntries([...per].map(([name, e]) => [name, { median: median(e.values), ratio: median(e.ratios), ratios: e.ratios, runs: e.values.length }])),
  };
}
