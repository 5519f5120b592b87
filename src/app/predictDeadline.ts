// How long the app waits for a prediction before it counts the driving worker as dead (it is
// then terminated and a new one started: autopilotController.ts). A fixed 5 s was too tight
// where predictions are slow but steady: WebGPU on a software adapter (SwiftShader) under load
// answered in ~1 s and now and then in over 5 s, and each restart made it worse (a new worker
// builds its shader pipelines again in its first predictions, which missed the deadline again:
// 6 restarts in 252 ticks in e2e/overlaysWebgpu.spec.ts). The deadline now follows the answers:
// 5 s, or FACTOR times the slowest of the last RECENT answers if longer; the first FIRST_COUNT
// predictions after a model is loaded get at least FIRST_MS; never more than MAX_MS, so a worker
// that stopped answering is still found.

/** The deadline of a machine whose predictions are quick, ms. */
export const BASE_MS = 5000;
const FACTOR = 8;
const RECENT = 16;
const FIRST_MS = 30_000;
const FIRST_COUNT = 3;
const MAX_MS = 60_000;

export class PredictDeadline {
  private recent: number[] = [];
  private first = FIRST_COUNT;

  /** A model was loaded (in a new worker or the same one): its first predictions may build shaders. */
  loaded(): void {
    this.first = FIRST_COUNT;
  }

  /** A prediction came back after `ms` (the round trip). */
  answered(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) return;
    this.recent.push(ms);
    if (this.recent.length > RECENT) this.recent.shift();
    if (this.first > 0) this.first--;
  }

  /** The deadline for the next prediction, ms. */
  get ms(): number {
    const slowest = this.recent.reduce((a, b) => Math.max(a, b), 0);
    let d = Math.max(BASE_MS, FACTOR * slowest);
    if (this.first > 0) d = Math.max(d, FIRST_MS);
    return Math.min(MAX_MS, d);
  }
}
