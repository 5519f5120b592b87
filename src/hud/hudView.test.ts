import { describe, expect, it } from 'vitest';
import { createExpert } from '../sim/expert.ts';
import { INITIAL_LAPS, type LapRecord, type LapState } from '../sim/laps.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { createWorld, stepWorld, type World } from '../sim/world.ts';
import {
  disagreementColor, formatDelta, formatLapTime, ghostGapSeconds, type HudExtras, hudView, LAST_LAP_HOLD_TICKS, MAX_GHOSTS,
} from './hudView.ts';

const track = resolveTrack('oval');
const base = createWorld(track);
const X: HudExtras = { fps: 60 };

function lap(n: number, ticks: number, sectorTicks: number[]): LapRecord {
  return { lap: n, startTick: 0, ticks, sectorTicks, offRoadTicks: 0, excursions: 0, resets: 0 };
}

/** A world at `tick` with the given lap state (the car where it starts). */
function at(tick: number, laps: Partial<LapState>): World {
  return { ...base, tick, laps: { ...INITIAL_LAPS, ...laps } };
}

describe('time formatting', () => {
  it('formats lap times from ticks as m:ss.mmm, truncating', () => {
    expect(formatLapTime(0)).toBe('0:00.000');
    expect(formatLapTime(1)).toBe('0:00.016');
    expect(formatLapTime(60)).toBe('0:01.000');
    expect(formatLapTime(3723)).toBe('1:02.050');
    expect(formatLapTime(60 * 600 + 59)).toBe('10:00.983');
    expect(formatLapTime(null)).toBe('--');
    expect(formatLapTime(-5)).toBe('--');
    expect(formatLapTime(Number.NaN)).toBe('--');
  });

  it('formats deltas with a sign, past a minute as m:ss.mmm', () => {
    expect(formatDelta(21)).toBe('+0.350');
    expect(formatDelta(-72)).toBe('-1.200');
    expect(formatDelta(-1)).toBe('-0.016');
    expect(formatDelta(0)).toBe('\u00b10.000');
    expect(formatDelta(3741)).toBe('+1:02.350');
    expect(formatDelta(null)).toBe('');
  });
});

describe('disagreement colour', () => {
  it('green when human and model agree, amber when they differ, red when they fight', () => {
    expect(disagreementColor(0)).toBe(0x3ddc84);
    expect(disagreementColor(0.05)).toBe(0x3ddc84);
    expect(disagreementColor(0.2)).toBe(0xffc23d);
    expect(disagreementColor(0.4)).toBe(0xff4d5e);
    expect(disagreementColor(2)).toBe(0xff4d5e);
    const mid = disagreementColor(0.3);
    expect(mid).not.toBe(0xffc23d);
    expect(mid).not.toBe(0xff4d5e);
    expect((mid >> 8) & 0xff).toBeGreaterThan(0x4d); // green channel between the stops
    expect((mid >> 8) & 0xff).toBeLessThan(0xc2);
    expect(disagreementColor(Number.NaN)).toBe(0x3ddc84);
  });
});

describe('hudView', () => {
  it('before the start line: lap 0, a zero clock, no last or best lap, sectors pending', () => {
    const v = hudView(base, X);
    expect(v.text).toMatchObject({ speed: '0', lap: '0', lapTime: '0:00.000', lastLap: '--', bestLap: '--', fps: '60', totalLaps: '' });
    expect(v.sectors.map((s) => s.state)).toEqual(['pending', 'pending', 'pending']);
    expect(v.runningDeltaTicks).toBeNull();
    expect(v.recording).toBeNull();
    expect(v.autopilot).toBeNull();
    expect(v.text.autopilot).toBeNull();
  });

  it('speed in km/h from the car, and which way it goes', () => {
    const fwd = hudView({ ...base, car: { ...base.car, vx: 25, vy: 0 } }, X);
    expect(fwd.speedKmh).toBeCloseTo(90, 9);
    expect(fwd.text.speed).toBe('90');
    expect(fwd.reversing).toBe(false);
    const back = hudView({ ...base, car: { ...base.car, vx: -3, vy: 4 } }, X);
    expect(back.speedKmh).toBeCloseTo(18, 9);
    expect(back.reversing).toBe(true);
  });

  it('splits applied torque into throttle and brake', () => {
    expect(hudView({ ...base, applied: { steer: 0, torque: 0.6 } }, X)).toMatchObject({ throttle: 0.6, brake: 0 });
    expect(hudView({ ...base, applied: { steer: 0, torque: -0.3 } }, X)).toMatchObject({ throttle: 0, brake: 0.3 });
  });

  it('human steering defaults to the applied steering; the model is compared when present', () => {
    const w = { ...base, applied: { steer: 0.4, torque: 0 } };
    const solo = hudView(w, X);
    expect(solo.steer).toMatchObject({ human: 0.4, model: null, disagreement: null, driver: 'human' });
    const shadow = hudView(w, { ...X, modelSteer: -0.1 });
    expect(shadow.steer.disagreement).toBeCloseTo(0.5, 12);
    expect(shadow.steer.color).toBe(disagreementColor(0.5));
    const auto = hudView(w, {
      ...X, humanSteer: 0, modelSteer: 0.4, autopilot: { latencyMs: 7.25, rateHz: 29.6, backend: 'webgl', autonomy: 0.9876, interventions: 2 },
    });
    expect(auto.steer).toMatchObject({ human: 0, model: 0.4, driver: 'model' });
    expect(auto.text.autopilot).toEqual({ latency: '7.3 ms', rate: '30 Hz', backend: 'webgl', autonomy: '98.8%', interventions: '2', model: '' });
    const named = hudView(w, { ...X, autopilot: { latencyMs: 7, rateHz: 20, backend: 'wasm', autonomy: 1, interventions: 0, model: 'starter' } });
    expect(named.text.autopilot?.model).toBe('starter');
  });

  it('gives the live gap to a ghost: + behind it, - ahead, across the start line too', () => {
    // The expert drives the same lap twice, one 60 ticks later: the later car is about 1 s behind.
    const expert = createExpert(track);
    let w: World = base;
    const worlds: World[] = [w];
    for (let i = 0; i < 60 * 12; i++) {
      w = stepWorld(w, expert.control(w));
      worlds.push(w);
    }
    const gap = ghostGapSeconds(worlds[600], worlds[660]);
    expect(gap).toBeGreaterThan(0.7);
    expect(gap).toBeLessThan(1.3);
    expect(ghostGapSeconds(worlds[660], worlds[600])).toBeCloseTo(-gap!, 1);
    expect(ghostGapSeconds(worlds[600], worlds[600])).toBe(0);
    expect(hudView(worlds[600], { ...X, ghostGapS: 0.4234 }).text.ghostGap).toBe('+0.42 s');
    expect(hudView(worlds[600], { ...X, ghostGapS: -1.1 }).text.ghostGap).toBe('-1.10 s');
    expect(hudView(worlds[600], X).text.ghostGap).toBe('');
  });

  it('times the current lap from its start tick', () => {
    const v = hudView(at(1000, { lapStartTick: 250, sectorStartTick: 250, count: 0, best: 0 }), X);
    expect(v.lap).toMatchObject({ number: 1, currentTicks: 750 });
    expect(v.text.lapTime).toBe('0:12.500');
    expect(v.sectors.map((s) => s.state)).toEqual(['live', 'pending', 'pending']);
    expect(v.sectors[0].text).toBe('0:12.500');
  });

  it('compares finished sectors with the fastest lap so far', () => {
    const completed = [lap(1, 3000, [1000, 1100, 900]), lap(2, 2900, [950, 1050, 900])];
    const w = at(10000, { lapStartTick: 8000, sectorStartTick: 9900, sectorTicks: [940, 1060], completed, count: 32, best: 32 });
    const v = hudView(w, X);
    expect(v.lap).toMatchObject({ number: 3, lastTicks: 2900, bestTicks: 2900, lastDeltaTicks: -100 });
    expect(v.text.lastLap).toBe('0:48.333');
    expect(v.text.lastDelta).toBe('-1.666');
    expect(v.text.bestLap).toBe('0:48.333');
    expect(v.sectors.map((s) => s.state)).toEqual(['faster', 'slower', 'live']);
    expect(v.sectors.map((s) => s.deltaTicks)).toEqual([-10, 10, null]);
    expect(v.sectors[0].deltaText).toBe('-0.166');
    expect(v.sectors[1].deltaText).toBe('+0.166');
    expect(v.sectors[2].ticks).toBe(100);
    expect(v.runningDeltaTicks).toBe(0);
    expect(v.text.runningDelta).toBe('\u00b10.000');
  });

  it('uses the stored reference when it beats the session, and ignores one that does not fit the track', () => {
    const completed = [lap(1, 3000, [1000, 1100, 900])];
    const w = at(5000, { lapStartTick: 3000, sectorStartTick: 4000, sectorTicks: [1000], completed, count: 16, best: 16 });
    const stored = hudView(w, { ...X, referenceLap: { ticks: 2700, sectorTicks: [900, 1000, 800] } });
    expect(stored.lap.bestTicks).toBe(2700);
    expect(stored.lap.lastDeltaTicks).toBe(300);
    expect(stored.sectors[0]).toMatchObject({ state: 'slower', deltaTicks: 100, deltaText: '+1.666' });
    expect(stored.runningDeltaTicks).toBe(100);
    const misfit = hudView(w, { ...X, referenceLap: { ticks: 2000, sectorTicks: [1000, 1000] } });
    expect(misfit.lap.bestTicks).toBe(3000);
    expect(misfit.sectors[0]).toMatchObject({ state: 'even', deltaTicks: 0 });
  });

  it('keeps the finished lap\'s sectors up for a moment after the line', () => {
    const completed = [lap(1, 3000, [1000, 1100, 900]), lap(2, 2950, [1010, 1040, 900])];
    const justOver = at(6000 + 10, { lapStartTick: 6000, sectorStartTick: 6000, sectorTicks: [], completed, count: 24, best: 24 });
    const v = hudView(justOver, X);
    expect(v.sectorsOf).toBe('last');
    expect(v.sectors.map((s) => s.state)).toEqual(['slower', 'faster', 'even']);
    expect(v.sectors.map((s) => s.deltaTicks)).toEqual([10, -60, 0]);
    expect(v.lap.lastDeltaTicks).toBe(-50);
    const later = hudView({ ...justOver, tick: 6000 + LAST_LAP_HOLD_TICKS }, X);
    expect(later.sectorsOf).toBe('current');
    expect(later.sectors.map((s) => s.state)).toEqual(['live', 'pending', 'pending']);
  });

  it('first lap: no best before it, so no last-lap delta', () => {
    const completed = [lap(1, 3000, [1000, 1100, 900])];
    const v = hudView(at(3010, { lapStartTick: 3000, sectorStartTick: 3000, completed, count: 12, best: 12 }), X);
    expect(v.lap.lastDeltaTicks).toBeNull();
    expect(v.text.lastDelta).toBe('');
    expect(v.sectors.map((s) => s.state)).toEqual(['done', 'done', 'done']);
  });

  it('follows a real lap driven by the expert', () => {
    const expert = createExpert(track, { seed: 3 });
    let w = base;
    while (w.laps.completed.length === 0 && w.tick < 20000) w = stepWorld(w, expert.control(w));
    expect(w.laps.completed.length).toBe(1);
    for (let i = 0; i < 5; i++) w = stepWorld(w, expert.control(w));
    const v = hudView(w, X);
    expect(v.text.lap).toBe('2');
    expect(v.text.lastLap).toBe(formatLapTime(w.laps.completed[0].ticks));
    expect(v.text.lapTime).toBe(formatLapTime(5));
    expect(v.sectors.every((s) => s.state === 'done')).toBe(true);
    expect(v.sectors.reduce((a, s) => a + (s.ticks ?? 0), 0)).toBe(w.laps.completed[0].ticks);
    expect(Number(v.text.speed)).toBeGreaterThan(30);
    expect(v.wrongWay).toBe(false);
    expect(v.offRoad).toBe(false);
  });

  it('warns when moving against the track, not when merely turned around at rest', () => {
    const h = base.trackPos.heading;
    const against = { ...base, car: { ...base.car, heading: h + Math.PI, vx: 10, vy: 0 } };
    expect(hudView(against, X).wrongWay).toBe(true);
    const reversingBack = { ...base, car: { ...base.car, heading: h, vx: -4, vy: 0 } };
    expect(hudView(reversingBack, X).wrongWay).toBe(true);
    const parked = { ...base, car: { ...base.car, heading: h + Math.PI, vx: 0.5, vy: 0 } };
    expect(hudView(parked, X).wrongWay).toBe(false);
    const sideways = { ...base, car: { ...base.car, heading: h + Math.PI / 2, vx: 10, vy: 0 } };
    expect(hudView(sideways, X).wrongWay).toBe(false);
  });

  it('passes off-road, fps, ghosts (capped) and recording through', () => {
    const ghosts = Array.from({ length: MAX_GHOSTS + 2 }, (_, i) => ({ x: i, y: 0, heading: 0 }));
    const v = hudView({ ...base, offRoad: true }, { fps: 143.6, ghosts, recording: { elapsedS: 12.34, frames: 740, bytes: 18_240_000 }, totalLaps: 5 });
    expect(v.offRoad).toBe(true);
    expect(v.text.fps).toBe('144');
    expect(v.ghosts).toHaveLength(MAX_GHOSTS);
    expect(v.text.recording).toBe('12.3 s \u00b7 740 fr \u00b7 18.2 MB');
    expect(v.text.totalLaps).toBe('5');
    expect(v.car).toEqual({ x: base.car.x, y: base.car.y, heading: base.car.heading });
    expect(hudView(base, { fps: Number.NaN }).text.fps).toBe('0');
  });
});
