import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DEFAULT_CAR, type CarParams } from '../sim/car.ts';
import { createExpert } from '../sim/expert.ts';
import { buildTrack, type Track } from '../sim/track.ts';
import { trackHashId, trackToFile } from '../sim/trackJson.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { createWorld, stepWorld, type World } from '../sim/world.ts';
import { decodeControls, encodeControls, ReplayRecorder, verifyReplay, verifyReplayText } from './replay.ts';
import type { TickDriver } from './rules.ts';

const META = { theme: 'day', driver: { name: 'Expert' }, createdAt: '2026-11-26T00:00:00.000Z' };

/** Drives `laps` laps with the expert, recorded; `who(tick)` names the tick's driver. */
function drive(track: Track, laps: number, opts: { params?: CarParams; who?: (t: number) => TickDriver; resetAt?: number; interventions?: number[] } = {}): { world: World; rec: ReplayRecorder } {
  const expert = createExpert(track, { seed: 2, steerNoise: 0.05 });
  const rec = new ReplayRecorder();
  let world = createWorld(track, opts.params ? { params: opts.params } : {});
  while (world.laps.completed.length < laps) {
    const c = world.tick === opts.resetAt ? { steer: 0, torque: 0, reset: true } : expert.control(world);
    if (opts.interventions?.includes(world.tick)) rec.intervention();
    rec.push(world, c, opts.who?.(world.tick) ?? 'expert');
    world = stepWorld(world, c);
  }
  return { world, rec };
}

const expectRefused = (r: ReturnType<typeof verifyReplay>, code: string, text: RegExp): void => {
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.code).toBe(code);
    expect(r.reason).toMatch(text);
  }
};

describe('replays v2', () => {
  const oval = resolveTrack('oval');
  const run = drive(oval, 2, { resetAt: 900 });
  const lap1 = run.rec; // packs lap 2 only right after its last tick: re-drive for lap 1 below
  const replay = lap1.replayOf(run.world, run.world.laps.completed[1], META);

  it('round-trips controls exactly, and refuses controls for another tick count', () => {
    const pairs = new Int16Array([0, 32767, -32767, 5, 1234, -1, 7, 8]);
    expect(Array.from(decodeControls(encodeControls(pairs), 4))).toEqual(Array.from(pairs));
    expect(() => decodeControls(encodeControls(pairs), 5)).toThrow(/hold 4 ticks/);
    expect(() => decodeControls(encodeControls(pairs), 3)).toThrow(/inflates to more than 12 bytes/);
  });

  it('reproduces lap 2 from the start of lap 1 (a warm-up lap), through JSON', () => {
    expect(replay.start.kind).toBe('lap');
    expect(replay.ticks).toBe(run.world.laps.completed[0].ticks + run.world.laps.completed[1].ticks);
    const r = verifyReplayText(JSON.stringify(replay));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.lap.ticks).toBe(run.world.laps.completed[1].ticks);
      expect(r).toMatchObject({ driverClass: 'expert', ranked: true, track: { id: 'oval', name: 'Oval', custom: false }, car: { modified: false } });
    }
  });

  it('verifies the first lap from the grid, including a reset', () => {
    const { world, rec } = drive(oval, 1, { resetAt: 900 });
    const first = rec.replayOf(world, world.laps.completed[0], META);
    expect(first.start).toEqual({ kind: 'grid' });
    expect(first.resets).toEqual([900]);
    expect(verifyReplay(first)).toMatchObject({ ok: true, lap: { resets: 1 } });
  });

  it('refuses one changed control, a changed time, a removed reset, another sim version', () => {
    const pairs = decodeControls(replay.controls, replay.ticks);
    pairs[2 * 4000] += 3000;
    expect(verifyReplay({ ...replay, controls: encodeControls(pairs) }).ok).toBe(false);
    expectRefused(verifyReplay({ ...replay, claim: { ...replay.claim, ticks: replay.claim.ticks - 60, scoreS: replay.claim.scoreS - 1 } }), 'mismatch', /claimed/);
    expect(replay.resets).toEqual([900 - (replay.start.kind === 'lap' ? replay.start.tick : 0)]); // lap 1's reset is in the warm-up
    expect(verifyReplay({ ...replay, resets: [] }).ok).toBe(false);
    expectRefused(verifyReplay({ ...replay, simVersion: 99 }), 'sim-version', /simulation version 99/);
  });

  it('refuses a flying start faster than the car can go, or no warm-up lap', () => {
    const start = replay.start.kind === 'lap' ? replay.start : null;
    if (!start) throw new Error('lap start expected');
    expectRefused(verifyReplay({ ...replay, start: { ...start, car: { ...start.car, vx: 60 } } }), 'schema', /top speed/);
    // The warm-up lap cannot be skipped: a segment that is only the claimed lap completes none.
    const pairs = decodeControls(replay.controls, replay.ticks).slice(2 * replay.claim.lapStart);
    const short = { ...replay, ticks: replay.claim.ticks, controls: encodeControls(pairs), drivers: [[0, 'expert']], claim: { ...replay.claim, lapStart: 0 } };
    expectRefused(verifyReplay(short), 'no-lap', /no lap/);
  });

  it('refuses the old format with a clear message', () => {
    const v1 = readFileSync('src/scoring/fixtures/oval-expert.v1.replay.json', 'utf8');
    expectRefused(verifyReplayText(v1), 'old-format', /old replay format/);
  });

  it('refuses an inline track under a preset id (the shrunk oval)', () => {
    const file = trackToFile(oval);
    const shrunk = { ...file, controlPoints: file.controlPoints.map(([x, y]) => [x * 0.6, y * 0.6] as [number, number]) };
    expectRefused(verifyReplay({ ...replay, track: { id: 'oval', file: shrunk } }), 'track', /may not claim the preset or seed id 'oval'/);
    expectRefused(verifyReplay({ ...replay, track: { id: '1234', file: shrunk } }), 'track', /preset or seed id/);
  });

  it('ranks a custom track only under the hash of its file', () => {
    const file = trackToFile(oval);
    const custom = buildTrack({ id: 'my-oval', name: 'My oval', width: file.width, controlPoints: file.controlPoints.map(([x, y]) => [x * 1.5, y * 1.5] as [number, number]) });
    const { world, rec } = drive(custom, 1);
    const r = rec.replayOf(world, world.laps.completed[0], META);
    const id = trackHashId(trackToFile(custom));
    expect(r.track.id).toBe(id);
    expect(verifyReplay(r)).toMatchObject({ ok: true, ranked: true, track: { id, custom: true } });
    const moved = { ...r.track.file!, controlPoints: r.track.file!.controlPoints.map(([x, y]) => [x * 0.9, y * 0.9] as [number, number]) };
    expectRefused(verifyReplay({ ...r, track: { id, file: moved } }), 'track', /does not match its file's hash/);
    expect(verifyReplay({ ...r, track: { id: 'my-oval', file: r.track.file } })).toMatchObject({ ok: true, ranked: false, unranked: [expect.stringMatching(/not its hash/)] });
  });

  it('verifies a modified car as modified, never ranked, and the import refuses it before simulating', () => {
    const params = { ...DEFAULT_CAR, power: DEFAULT_CAR.power * 2 };
    const { world, rec } = drive(oval, 1, { params });
    const r = rec.replayOf(world, world.laps.completed[0], META);
    expect(r.car).toEqual({ power: params.power });
    const v = verifyReplay(r);
    expect(v).toMatchObject({ ok: true, ranked: false, car: { modified: true, changes: [{ param: 'power', value: 120000, default: 60000 }] } });
    // rankedOnly: refused on the car alone, even with controls that would not decode.
    expectRefused(verifyReplay({ ...r, controls: 'AAAA' }, { rankedOnly: true }), 'unranked', /modified car \(power 60000 -> 120000\)/);
    expectRefused(verifyReplay({ ...r, car: { power: params.power * 2 } }), 'car', /car\.power: must be within 30000\.\.120000/);
  });

  it('refuses oversized sub-steps at once, and names the work and time caps', () => {
    const t0 = performance.now();
    expectRefused(verifyReplay({ ...replay, car: { substeps: 1e8 } }), 'car', /substeps: must be an integer within 1\.\.8/);
    expect(performance.now() - t0).toBeLessThan(100);
    expectRefused(verifyReplay({ ...replay, car: { substeps: 8 } }, { maxWork: replay.ticks * 4 }), 'work-cap', /work cap: 5\d+ ticks x 8 sub-steps/);
    let clock = 0;
    expectRefused(verifyReplay(replay, { now: () => (clock += 400), maxWallMs: 1000 }), 'time-cap', /time cap: verification passed 1000 ms/);
  });

  it('derives autopilot laps from the driver record: self-declared autonomy and a human lap claimed by the model are refused', () => {
    const { world, rec } = drive(oval, 1, { who: (t) => (t >= 1000 && t < 1100 ? 'human' : 'model'), interventions: [1000] });
    const r = rec.replayOf(world, world.laps.completed[0], { ...META, driver: { name: 'net', modelId: 'm1', modelSha256: 'a'.repeat(64) } });
    expect(r.interventions).toEqual([1000]);
    expect(r.claim.driverClass).toBe('assisted');
    expect(verifyReplay(r)).toMatchObject({ ok: true, driverClass: 'assisted', ranked: false, interventions: 1 });
    // Claiming 100% autonomy, or the autopilot class, is refused.
    expectRefused(verifyReplay({ ...r, claim: { ...r.claim, autonomyPct: 100 } }), 'claim', /claims 100\.00% autonomy/);
    expectRefused(verifyReplay({ ...r, claim: { ...r.claim, driverClass: 'autopilot' } }), 'claim', /claims a autopilot lap, but the driver record makes it assisted/);
    // Hiding the takeover from the intervention list is refused.
    expectRefused(verifyReplay({ ...r, interventions: [] }), 'drivers', /took over from the model at tick 1000/);
    // A lap a human drove, claimed for the model.
    const human = drive(oval, 1, { who: () => 'human' });
    const h = human.rec.replayOf(human.world, human.world.laps.completed[0], META);
    expectRefused(verifyReplay({ ...h, claim: { ...h.claim, driverClass: 'autopilot' } }), 'claim', /makes it human/);
    // A lap the model drove alone is an autopilot lap, ranked with its weights' hash.
    const m = drive(oval, 1, { who: () => 'model' });
    const mr = m.rec.replayOf(m.world, m.world.laps.completed[0], { ...META, driver: { name: 'net', modelSha256: 'b'.repeat(64) } });
    expect(verifyReplay(mr)).toMatchObject({ ok: true, driverClass: 'autopilot', autonomyPct: 100, ranked: true });
    expect(verifyReplay({ ...mr, driver: { name: 'net' } })).toMatchObject({ ok: true, ranked: false });
  });

  it("carries the autopilot's throttle and speed controller (informative), and refuses bad ones with the field and reason", () => {
    const m = drive(oval, 1, { who: () => 'model' });
    const autopilot = { throttle: 'speed' as const, speedControl: { kind: 'dynamics' as const, horizonS: 0.5, brakeHorizonS: 0.1 } };
    const r = m.rec.replayOf(m.world, m.world.laps.completed[0], { ...META, driver: { name: 'net', modelSha256: 'b'.repeat(64), autopilot } });
    expect(r.driver.autopilot).toEqual(autopilot);
    expect(verifyReplay(r)).toMatchObject({ ok: true, driverClass: 'autopilot', ranked: true });
    const bad = (a: unknown) => verifyReplay({ ...r, driver: { ...r.driver, autopilot: a as typeof autopilot } });
    expect(bad({ ...autopilot, speedControl: { ...autopilot.speedControl, softBrakeMps: 1 } })).toMatchObject({ ok: true, ranked: true });
    expectRefused(bad({ ...autopilot, throttle: 'nitro' }), 'schema', /driver\.autopilot\.throttle: must be "speed", "torque" or "both"/);
    expectRefused(bad({ ...autopilot, speedControl: { kind: 'pid', horizonS: 1, brakeHorizonS: 1 } }), 'schema', /speedControl\.kind: must be "proportional" or "dynamics"/);
    expectRefused(bad({ ...autopilot, speedControl: { kind: 'dynamics', horizonS: 0, brakeHorizonS: 0.1 } }), 'schema', /speedControl\.horizonS: must be above 0 and at most 100/);
    expectRefused(bad({ ...autopilot, speedControl: { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.1, softBrakeMps: -1 } }), 'schema', /speedControl\.softBrakeMps: must be 0 to 100/);
    expectRefused(bad({ ...autopilot, speedControl: { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.1, softBrakeMps: '1' } }), 'schema', /speedControl\.softBrakeMps/);
    expectRefused(bad({ ...autopilot, speedControl: { kind: 'proportional', accelerate: 0.25 } }), 'schema', /speedControl\.brake: must be a finite number/);
    expectRefused(bad('fast'), 'schema', /driver\.autopilot: must be an object/);
  });

  it('carries the settings the player changed during the lap, at segment ticks, and refuses bad changes with the field and reason', () => {
    const m = drive(oval, 1, { who: () => 'model' });
    const cruise = { kind: 'dynamics' as const, horizonS: 0.5, brakeHorizonS: 0.1 };
    const prop = { kind: 'proportional' as const, accelerate: 0.25, brake: 1.6 };
    const autopilot = { throttle: 'speed' as const, speedControl: cruise, governor: false, changes: [{ tick: 600, throttle: 'speed' as const, speedControl: prop, governor: false }, { tick: 900, throttle: 'both' as const, speedControl: prop, governor: true }] };
    const r = m.rec.replayOf(m.world, m.world.laps.completed[0], { ...META, driver: { name: 'net', modelSha256: 'b'.repeat(64), autopilot } });
    expect(verifyReplay(r)).toMatchObject({ ok: true, driverClass: 'autopilot' });
    const bad = (changes: unknown) => verifyReplay({ ...r, driver: { ...r.driver, autopilot: { ...autopilot, changes: changes as typeof autopilot.changes } } });
    const [a, b] = autopilot.changes;
    expectRefused(bad([b, a]), 'schema', /driver\.autopilot\.changes\[1\]\.tick: ticks must be strictly ascending/);
    expectRefused(bad([{ ...a, tick: 0 }]), 'schema', /changes\[0\]\.tick: must be an integer from 1 to/);
    expectRefused(bad([{ ...a, tick: r.ticks }]), 'schema', /changes\[0\]\.tick: must be an integer from 1 to \d+/);
    expectRefused(bad([{ ...a, speedControl: { kind: 'dynamics', horizonS: -1, brakeHorizonS: 0.1 } }]), 'schema', /changes\[0\]\.speedControl\.horizonS: must be above 0/);
    expectRefused(bad([{ ...a, governor: 'yes' }]), 'schema', /changes\[0\]\.governor: must be true or false/);
    expectRefused(bad({ 600: a }), 'schema', /driver\.autopilot\.changes: must be an array of at most 20000 changes/);
    expectRefused(bad(Array.from({ length: 20_001 }, (_, i) => ({ ...a, tick: i + 1 }))), 'schema', /at most 20000 changes/);
    expectRefused(verifyReplay({ ...r, driver: { ...r.driver, autopilot: { ...autopilot, governor: 1 as unknown as boolean } } }), 'schema', /driver\.autopilot\.governor: must be true or false/);
  });

  it('refuses a controls bomb before inflating it past the segment size', () => {
    const bomb = encodeControls(new Int16Array(50_000_000)); // 100 MB of zeros, ~100 KB deflated
    expectRefused(verifyReplay({ ...replay, controls: bomb }), 'controls', /more than 5\d+ ticks of controls can take/);
    expectRefused(verifyReplay({ ...replay, ticks: 200_000, claim: { ...replay.claim }, controls: bomb }), 'controls', /inflates to more than 800000 bytes/);
  });
});
