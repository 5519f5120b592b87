// The verification worker pool: re-simulating a replay is CPU work, so it runs in piscina worker
// threads, never on the event loop. Each lap gets a wall-time cap (the verifier's) and a memory
// cap per thread; a full queue refuses at once (503). The worker also gzips the verified text.

import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { PackedOutcome, ServerCaps } from './verify.ts';

export class VerifyBusyError extends Error {}

export interface VerifyPool {
  readonly threads: number;
  verify(text: string): Promise<PackedOutcome>;
  close(): Promise<void>;
}

export function createVerifyPool(opts: { threads: number; timeoutMs: number; maxQueue: number; maxBytes: number }): VerifyPool {
  const threads = opts.threads > 0 ? opts.threads : Math.max(1, availableParallelism());
  // The verifier's own wall-time cap; the abort below is the backstop for a stuck thread.
  // rankedOnly: a modified car or an unhashed custom track is refused before any simulation.
  const caps: ServerCaps = { maxBytes: opts.maxBytes, maxWallMs: opts.timeoutMs, rankedOnly: true };
  // The abort counts from enqueueing (piscina has no start-of-run signal), so it is a generous
  // backstop for a thread that stopped answering, not the per-lap cap (the verifier's maxWallMs).
  const backstopMs = Math.max(60_000, 4 * opts.timeoutMs);
  const pool = new Piscina({
    filename: new URL('./verifyWorker.mjs', import.meta.url).href,
    // All threads from the start: the first laps after a quiet spell do not wait for a thread to load the simulation.
    minThreads: threads,
    maxThreads: threads,
    maxQueue: opts.maxQueue,
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 },
  });
  return {
    threads,
    async verify(text) {
      if (pool.queueSize >= opts.maxQueue) throw new VerifyBusyError('the verification queue is full; retry in a few seconds');
      try {
        return (await pool.run({ text, caps }, { signal: AbortSignal.timeout(backstopMs) })) as PackedOutcome;
      } catch (e) {
        const err = e as Error;
        if (err.name === 'AbortError' || err.name === 'TimeoutError') return { ok: false, code: 'time-cap', reason: `verification did not finish within ${backstopMs} ms and was stopped` };
        if (/queue/i.test(err.message)) throw new VerifyBusyError('the verification queue is full; retry in a few seconds');
        throw err;
      }
    },
    close: () => pool.destroy(),
  };
}
