// The live-latency probe: for every control tick of the real-time autopilot, when its dash frame
// was captured, when the prediction came back and when the simulation first stepped with it
// (tick and wall time). Pure bookkeeping, fed by the AutopilotController; read through the test
// hook (e2e) and the live_latency bench suite.
//
// Definitions (wall ms from performance.now()):
// - a frame of tick T is the dash camera's picture of the world at tick T; its capture starts when
//   the render is asked for and ends when the RGB bytes are in memory;
// - frame-to-control ends when the simulation steps with the prediction for the first time (the
//   step from tick A to A + 1 reports `applied(A, ...)`), not when the answer arrives: an answer
//   that waits for the next frame of the main loop counts that wait;
// - each control tick C (C % every === 0) should step with the prediction of its own frame C. A
//   step at C with an older frame, or none, is a violation ('stale' / 'none'); a frame newer than
//   the tick it is applied at cannot be, and is one too ('future').

export interface ControlRecord {
  /** The world tick the frame shows. */
  readonly frameTick: number;
  /** The dash render was asked for, and its bytes were read back. */
  readonly captureStartMs: number;
  readonly capturedMs: number;
  /** The frame was posted to the worker. */
  sentMs: number | null;
  /** The prediction was back on the main thread, and the worker's own time for it. */
  readyMs: number | null;
  workerMs: number | null;
  /** The first step with this prediction: from tick appliedTick to appliedTick + 1, at appliedMs. */
  appliedTick: number | null;
  appliedMs: number | null;
}

export interface Violation {
  /** The control tick (the tick stepped from). */
  readonly tick: number;
  /** The frame whose prediction that step used (null: no prediction yet). */
  readonly frameTick: number | null;
  readonly reason: 'stale' | 'none' | 'future';
}

export interface LatencySummary {
  /** Control ticks the model drove, and frames captured / predicted / applied. */
  controlTicks: number;
  captured: number;
  ready: number;
  applied: number;
  violations: number;
  /** Frame-to-control (capture start -> first step with it), ms. */
  frameToControlMs: { p50: number; p95: number; max: number } | null;
  /** Medians of the parts, ms: capture (render + readback), capture -> sent, sent -> ready, ready -> applied, in the worker. */
  partsMs: { capture: number; toSend: number; roundTrip: number; waitApply: number; worker: number } | null;
}

/** Linear-interpolated percentile (p in 0..1) of a sorted list. */
export function sortedPercentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = (sorted.length - 1) * p;
  const lo = Math.floor(i);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
}

function median(xs: number[]): number {
  return sortedPercentile([...xs].sort((a, b) => a - b), 0.5);
}

export class LatencyProbe {
  /** Records by frame tick, oldest first; at most `capacity` kept. */
  private readonly records = new Map<number, ControlRecord>();
  private readonly violationList: Violation[] = [];
  private violationCount = 0;
  private controlTicks = 0;

  /** `every`: ticks between control ticks; `capacity`: records kept (the oldest go first). */
  constructor(readonly every: number, private readonly capacity = 4000) {
    if (!Number.isInteger(every) || every < 1) throw new RangeError(`every must be a whole number of ticks >= 1, got ${every}`);
  }

  /** The frame of `frameTick` was rendered and read back between startMs and endMs. */
  captured(frameTick: number, startMs: number, endMs: number): void {
    this.records.delete(frameTick); // a re-capture of the same tick (after a reset) replaces it
    this.records.set(frameTick, { frameTick, captureStartMs: startMs, capturedMs: endMs, sentMs: null, readyMs: null, workerMs: null, appliedTick: null, appliedMs: null });
    while (this.records.size > this.capacity) this.records.delete(this.records.keys().next().value as number);
  }

  sent(frameTick: number, ms: number): void {
    const r = this.records.get(frameTick);
    if (r) r.sentMs = ms;
  }

  ready(frameTick: number, ms: number, workerMs: number): void {
    const r = this.records.get(frameTick);
    if (r) {
      r.readyMs = ms;
      r.workerMs = workerMs;
    }
  }

  /**
   * The simulation stepped from `tick` with the prediction of `frameTick`'s frame (null: none
   * yet) at `ms`. Call for every step the model drives (not those the human drives).
   */
  applied(tick: number, frameTick: number | null, ms: number): void {
    if (frameTick !== null) {
      const r = this.records.get(frameTick);
      if (r && r.appliedTick === null) {
        r.appliedTick = tick;
        r.appliedMs = ms;
      }
    }
    if (tick % this.every !== 0) return;
    this.controlTicks++;
    if (frameTick === null) this.violate({ tick, frameTick, reason: 'none' });
    else if (frameTick < tick) this.violate({ tick, frameTick, reason: 'stale' });
    else if (frameTick > tick) this.violate({ tick, frameTick, reason: 'future' });
  }

  private violate(v: Violation): void {
    this.violationCount++;
    if (this.violationList.length < 100) this.violationList.push(v);
  }

  /** The first 100 violations (the count is in summary()). */
  violations(): readonly Violation[] {
    return this.violationList;
  }

  /** Throws if any control tick stepped with a frame older (or newer) than itself, or with none. */
  assertFresh(): void {
    if (this.violationCount === 0) return;
    const v = this.violationList[0];
    throw new Error(`${this.violationCount} of ${this.controlTicks} control ticks stepped without their own frame (first: tick ${v.tick} used ${v.frameTick === null ? 'no prediction' : `the frame of tick ${v.frameTick}`}, ${v.reason})`);
  }

  /** The records kept, oldest first (copies). */
  list(): ControlRecord[] {
    return [...this.records.values()].map((r) => ({ ...r }));
  }

  summary(): LatencySummary {
    const all = [...this.records.values()];
    const applied = all.filter((r) => r.appliedMs !== null);
    const f2c = applied.map((r) => r.appliedMs! - r.captureStartMs).sort((a, b) => a - b);
    const full = applied.filter((r) => r.sentMs !== null && r.readyMs !== null);
    return {
      controlTicks: this.controlTicks,
      captured: all.length,
      ready: all.filter((r) => r.readyMs !== null).length,
      applied: applied.length,
      violations: this.violationCount,
      frameToControlMs: f2c.length ? { p50: sortedPercentile(f2c, 0.5), p95: sortedPercentile(f2c, 0.95), max: f2c[f2c.length - 1] } : null,
      partsMs: full.length
        ? {
            capture: median(full.map((r) => r.capturedMs - r.captureStartMs)),
            toSend: median(full.map((r) => r.sentMs! - r.capturedMs)),
            roundTrip: median(full.map((r) => r.readyMs! - r.sentMs!)),
            waitApply: median(full.map((r) => r.appliedMs! - r.readyMs!)),
            worker: median(full.map((r) => r.workerMs!)),
          }
        : null,
    };
  }

  reset(): void {
    this.records.clear();
    this.violationList.length = 0;
    this.violationCount = 0;
    this.controlTicks = 0;
  }
}
