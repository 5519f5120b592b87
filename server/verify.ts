// The ONE adapter between the server and the replay verifier (src/scoring: verifyReplayText,
// issue 10's pure API with its caps). It runs inside the verification worker threads
// (verifyWorker.mjs) and returns plain data: what a board needs from a lap that reproduces,
// or the verifier's reason. Only ranked laps pass (default car, a preset, seed or hash-named
// track, a human, autopilot or expert lap); everything else is refused with the reason.

import { gzipSync } from 'node:zlib';
import { verifyReplayText, type VerifyCaps } from '../src/scoring/replay.ts';

export type ServerCaps = Pick<VerifyCaps, 'maxBytes' | 'maxWallMs' | 'rankedOnly'>;

export interface VerifiedLap {
  ok: true;
  trackId: string;
  driverClass: 'human' | 'autopilot' | 'expert';
  simVersion: number;
  theme: string;
  lapTicks: number;
  scoreS: number;
  penaltyS: number;
  autonomyPct: number;
  /** Autopilot laps: the model's declared name or id, and the SHA-256 of its weights. */
  modelName: string | null;
  weightsSha256: string | null;
  stateHash: string;
  /** Wall time of the re-simulation in the worker thread, ms. */
  verifyMs: number;
}

export type VerifyOutcome = VerifiedLap | { ok: false; code: string; reason: string };

/** Verifies one replay's JSON text under the caps, tick for tick. Never throws. */
export function verifyLapText(text: string, caps: Partial<ServerCaps> = {}): VerifyOutcome {
  const v = verifyReplayText(text, caps);
  if (!v.ok) return { ok: false, code: v.code, reason: v.reason };
  if (!v.ranked || v.driverClass === 'assisted') return { ok: false, code: 'unranked', reason: `it reproduces, but it is not ranked: ${v.unranked.join('; ') || v.driverClass}` };
  const autopilot = v.driverClass === 'autopilot';
  return {
    ok: true,
    trackId: v.track.id,
    driverClass: v.driverClass,
    simVersion: v.replay.simVersion,
    theme: v.theme.slice(0, 32),
    lapTicks: v.lap.ticks,
    scoreS: v.lap.scoreS,
    penaltyS: v.lap.penaltyS,
    autonomyPct: v.autonomyPct,
    modelName: autopilot ? (v.driver.modelId ?? v.driver.name).slice(0, 80) : null,
    weightsSha256: autopilot ? v.driver.modelSha256 ?? null : null,
    stateHash: v.endHash,
    verifyMs: v.verifyMs,
  };
}

/** A verified lap with its replay text gzipped for storage (done in the worker thread, off the event loop). */
export type PackedOutcome = (VerifiedLap & { replayGz: Uint8Array }) | { ok: false; code: string; reason: string };

/** The worker pool's task: verify, then gzip the exact text that was verified. */
export function verifyAndPack({ text, caps }: { text: string; caps?: Partial<ServerCaps> }): PackedOutcome {
  const v = verifyLapText(text, caps);
  if (!v.ok) return v;
  const gz = gzipSync(text, { level: 9 });
  return { ...v, replayGz: new Uint8Array(gz.buffer, gz.byteOffset, gz.length) };
}
