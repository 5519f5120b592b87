// Property-based fuzzing of the two parsers in this layer's reach: replays (verifyReplayText)
// and track files (parseTrackJson). Random and mutated inputs, truncations, NaN/Infinity,
// deep nesting, wrong types, huge declared sizes: each ends within 2 s with a named reason and
// never throws. Run counts keep this file at a few seconds.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTrackJson, TrackFormatError, trackToFile } from '../sim/trackJson.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { createExpert } from '../sim/expert.ts';
import { createWorld, stepWorld } from '../sim/world.ts';
import { ReplayRecorder, verifyReplayText } from './replay.ts';

/** The first lap of the oval from the grid: the shortest replay the game makes (~2800 ticks). */
function firstLapReplay(): string {
  const track = resolveTrack('oval');
  const expert = createExpert(track);
  const rec = new ReplayRecorder();
  let w = createWorld(track);
  while (w.laps.completed.length < 1) {
    const c = expert.control(w);
    rec.push(w, c, 'expert');
    w = stepWorld(w, c);
  }
  return JSON.stringify(rec.replayOf(w, w.laps.completed[0], { theme: 'day', driver: { name: 'Expert' }, createdAt: '2026-12-04T00:00:00.000Z' }));
}
const VALID = firstLapReplay();
const REPLAY = JSON.parse(VALID) as Record<string, unknown>;
const TRACK = JSON.stringify(trackToFile(resolveTrack('oval')));
const stats = { replay: { cases: 0, slowestMs: 0, slowest: '' }, track: { cases: 0, slowestMs: 0, slowest: '' } };

/** Values JSON text can carry that break naive parsers: 1e999 reads back as Infinity. */
const nasty = fc.oneof(
  fc.constantFrom('1e999', '-1e999', 'null', '"NaN"', '[]', '{}', '-0', '4294967296', '1e308', '"default"', '"\\u0000"'),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.nat({ max: 200_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
);

/** A JSON path into the replay (or its claim/start/track) replaced by a nasty value, as text. */
function mutate(base: Record<string, unknown>, key: string, sub: string | null, value: string): string {
  const marker = '"__FUZZ__"';
  const copy = JSON.parse(JSON.stringify(base)) as Record<string, Record<string, unknown>>;
  if (sub && typeof copy[key] === 'object' && copy[key] !== null) copy[key][sub] = '__FUZZ__';
  else (copy as Record<string, unknown>)[key] = '__FUZZ__';
  return JSON.stringify(copy).replace(marker, value);
}

function timed<T>(which: keyof typeof stats, f: () => T, input = ''): T {
  const t0 = performance.now();
  const out = f();
  const ms = performance.now() - t0;
  stats[which].cases++;
  if (ms > stats[which].slowestMs) {
    stats[which].slowestMs = ms;
    stats[which].slowest = `${input.length} chars: ${input.slice(0, 60)}`;
  }
  expect(ms).toBeLessThan(2000);
  return out;
}

function checkVerdict(text: string): void {
  const v = timed('replay', () => verifyReplayText(text), text);
  if (!v.ok) {
    expect(v.code).not.toBe('error'); // a fault of the verifier, not a refusal
    expect(v.reason.length).toBeGreaterThan(8);
  }
}

describe('fuzz: replays', () => {
  it('random text and random JSON', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue().map((v) => JSON.stringify(v) ?? '')), checkVerdict), { numRuns: 150 });
  });

  it('one field of a valid replay replaced by a nasty value', () => {
    const keys = Object.keys(REPLAY);
    const subs = ['lapStart', 'ticks', 'scoreS', 'driverClass', 'autonomyPct', 'endHash', 'sectorTicks', 'kind', 'tick', 'car', 'id', 'file', 'governor', 'name', 'modelSha256', 'autopilot', 'speedControl', 'horizonS', null];
    fc.assert(fc.property(fc.constantFrom(...keys), fc.constantFrom(...subs), nasty, (key, sub, value) => checkVerdict(mutate(REPLAY, key, sub, value))), { numRuns: 80 });
  });

  it("the autopilot's settings changes of any shape", () => {
    const control = fc.oneof(fc.constant({ kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.1 }), fc.record({ kind: fc.constantFrom('proportional', 'dynamics', 'pid'), accelerate: fc.double(), brake: fc.double(), horizonS: fc.double(), brakeHorizonS: fc.double() }, { requiredKeys: [] }), fc.jsonValue({ maxDepth: 2 }));
    const change = fc.record({ tick: fc.oneof(fc.integer({ min: -5, max: 4000 }), fc.double(), fc.jsonValue({ maxDepth: 1 })), throttle: fc.constantFrom('speed', 'torque', 'both', 'nitro'), speedControl: control, governor: fc.oneof(fc.boolean(), fc.jsonValue({ maxDepth: 1 })) }, { requiredKeys: [] });
    fc.assert(fc.property(fc.oneof(fc.array(change, { maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })), (changes) => {
      const driver = { name: 'net', autopilot: { throttle: 'speed', speedControl: { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.1 }, changes } };
      checkVerdict(JSON.stringify({ ...REPLAY, driver }));
    }), { numRuns: 80 });
  });

  it('truncated and byte-flipped replays', () => {
    fc.assert(fc.property(fc.nat({ max: VALID.length }), fc.nat({ max: VALID.length - 1 }), fc.integer({ min: 32, max: 126 }), (cut, at, ch) => {
      checkVerdict(VALID.slice(0, cut));
      checkVerdict(VALID.slice(0, at) + String.fromCharCode(ch) + VALID.slice(at + 1));
    }), { numRuns: 30 });
  });

  it('huge declared sizes and oversize text are refused by the caps', () => {
    fc.assert(fc.property(fc.integer({ min: 216_001, max: 2 ** 40 }), fc.integer({ min: 9, max: 2 ** 31 }), (ticks, substeps) => {
      checkVerdict(mutate(REPLAY, 'ticks', null, String(ticks)));
      checkVerdict(JSON.stringify({ ...REPLAY, car: { substeps } }));
    }), { numRuns: 40 });
    const big = timed('replay', () => verifyReplayText(' '.repeat(3 * 1024 * 1024)));
    expect(big).toMatchObject({ ok: false, code: 'too-large' });
  });

  it('reports its figures', () => {
    console.log(`fuzz replay: ${stats.replay.cases} cases, slowest ${stats.replay.slowestMs.toFixed(1)} ms (${stats.replay.slowest})`);
    expect(stats.replay.cases).toBeGreaterThan(300);
  });
});

function checkTrack(text: string): void {
  timed('track', () => {
    try {
      parseTrackJson(text);
    } catch (e) {
      expect(e).toBeInstanceOf(TrackFormatError);
      expect((e as TrackFormatError).field.length).toBeGreaterThan(0);
    }
  }, text);
}

describe('fuzz: track files', () => {
  const base = JSON.parse(TRACK) as Record<string, unknown>;
  it('random text, random JSON and nasty fields', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 200 }), fc.jsonValue().map((v) => JSON.stringify(v) ?? '')), checkTrack), { numRuns: 100 });
    fc.assert(fc.property(fc.constantFrom(...Object.keys(base)), nasty, (key, value) => checkTrack(mutate(base, key, null, value))), { numRuns: 60 });
  });

  it('random control points, up to the 5000-point cap and past it', () => {
    const point = fc.tuple(fc.double({ min: -2000, max: 2000, noNaN: true }), fc.double({ min: -2000, max: 2000, noNaN: true }));
    fc.assert(fc.property(fc.array(point, { minLength: 0, maxLength: 300 }), fc.double({ min: 0, max: 40 }), (pts, width) => {
      checkTrack(JSON.stringify({ ...base, width, controlPoints: pts }));
    }), { numRuns: 50 });
    const many = Array.from({ length: 5000 }, (_, i) => [300 * Math.cos((2 * Math.PI * i) / 5000), 200 * Math.sin((2 * Math.PI * i) / 5000)]);
    checkTrack(JSON.stringify({ ...base, controlPoints: many }));
    checkTrack(JSON.stringify({ ...base, controlPoints: [...many, [0, 0]] }));
    checkTrack(' '.repeat(600 * 1024));
    console.log(`fuzz track: ${stats.track.cases} cases, slowest ${stats.track.slowestMs.toFixed(1)} ms (${stats.track.slowest})`);
  });
});
