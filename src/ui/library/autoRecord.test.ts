import { describe, expect, it } from 'vitest';
import type { AutoRecordFormValues } from './autoRecord.ts';
import { autoRecordProblems, estimateAutoRecord, parseAutoRecordForm, sideCameraSpecs, startHint } from './autoRecord.ts';

const FORM: AutoRecordFormValues = {
  minutes: '2',
  tracksKind: 'list',
  presets: ['oval', 'kidney'],
  extraTracks: '12345, 777',
  randomCount: '3',
  themes: ['day', 'night'],
  steerNoiseG: '0.05',
  weaveRatePerS: '0.1',
  speedNoise: '0.12',
  sideCameras: true,
  sideLateralM: '0.6',
  sideYawDeg: '5',
  frameSize: '200x66',
  rateHz: '20',
  seed: '42',
};

function problemsOf(change: Partial<AutoRecordFormValues>): readonly string[] {
  const r = parseAutoRecordForm({ ...FORM, ...change });
  return r.ok ? [] : r.problems;
}

describe('parseAutoRecordForm', () => {
  it('builds a typed request from good values', () => {
    const r = parseAutoRecordForm(FORM);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.request).toEqual({
      minutes: 2,
      tracks: { kind: 'list', ids: ['oval', 'kidney', '12345', '777'] },
      themes: ['day', 'night'],
      steerNoiseG: 0.05,
      weaveRatePerS: 0.1,
      speedNoise: 0.12,
      sideCameras: { lateralM: 0.6, yawRad: (5 * Math.PI) / 180 },
      frameWidth: 200,
      frameHeight: 66,
      rateHz: 20,
      seed: 42,
    });
  });
  it('takes the current track, or N random ones, and no side cameras', () => {
    const cur = parseAutoRecordForm({ ...FORM, tracksKind: 'current', sideCameras: false, sideLateralM: 'junk' });
    expect(cur.ok && cur.request.tracks).toEqual({ kind: 'current' });
    expect(cur.ok && cur.request.sideCameras).toBeNull();
    const rnd = parseAutoRecordForm({ ...FORM, tracksKind: 'random', randomCount: '5' });
    expect(rnd.ok && rnd.request.tracks).toEqual({ kind: 'random', count: 5 });
  });
  it('accepts the ends of every range', () => {
    for (const change of [
      { minutes: '0.1' }, { minutes: '60' }, { steerNoiseG: '0' }, { steerNoiseG: '0.3' }, { weaveRatePerS: '0.5' }, { speedNoise: '0' }, { speedNoise: '0.3' },
      { sideYawDeg: '0' }, { sideYawDeg: '30' }, { sideLateralM: '2' }, { rateHz: '10' }, { rateHz: '30' }, { frameSize: '64x21' },
    ]) {
      expect(problemsOf(change), JSON.stringify(change)).toEqual([]);
    }
  });
  it('refuses out-of-range values, saying which and why', () => {
    expect(problemsOf({ minutes: '0.05' })).toEqual(['Minutes must be 0.1..60, got 0.05']);
    expect(problemsOf({ minutes: '61' })).toEqual(['Minutes must be 0.1..60, got 61']);
    expect(problemsOf({ minutes: '' })).toEqual(['Minutes must be a number']);
    expect(problemsOf({ steerNoiseG: '0.31' })).toEqual(['Steering noise must be 0..0.3 g, got 0.31 g']);
    expect(problemsOf({ weaveRatePerS: '-0.1' })).toEqual(['Weave rate must be 0..0.5 per s, got -0.1 per s']);
    expect(problemsOf({ speedNoise: '0.4' })).toEqual(['Speed noise must be 0..0.3, got 0.4']);
    expect(problemsOf({ speedNoise: '' })).toEqual(['Speed noise must be a number']);
    expect(problemsOf({ sideLateralM: '3' })).toEqual(['Side camera offset must be 0.1..2 m, got 3 m']);
    expect(problemsOf({ sideYawDeg: '45' })).toEqual(['Side camera yaw must be 0..30°, got 45°']);
    expect(problemsOf({ rateHz: '25' })[0]).toMatch(/^Rate must be 10, 12, 15, 20, 30 Hz/);
    expect(problemsOf({ frameSize: '320x240' })[0]).toMatch(/^Frame size 320x240 is not offered/);
    expect(problemsOf({ seed: '1.5' })[0]).toMatch(/^Seed must be a whole number/);
  });
  it('refuses bad track and theme choices', () => {
    expect(problemsOf({ presets: [], extraTracks: '' })).toEqual(['Choose at least one track: tick a preset or type a seed']);
    expect(problemsOf({ extraTracks: 'nowhere, -3' })).toEqual(["Not a preset or a seed (0..4294967295): 'nowhere', '-3'"]);
    expect(problemsOf({ tracksKind: 'random', randomCount: '0' })[0]).toMatch(/^Random tracks must be a whole number 1..50/);
    expect(problemsOf({ tracksKind: 'random', randomCount: '2.5' })).toHaveLength(1);
    expect(problemsOf({ themes: [] })).toEqual(['Choose at least one theme']);
    expect(problemsOf({ themes: ['day', 'sunset'] })[0]).toMatch(/^Unknown theme 'sunset'/);
  });
  it('lists every problem at once', () => {
    expect(problemsOf({ minutes: '100', themes: [], rateHz: '7' })).toHaveLength(3);
  });
  it('checks themes against the ones the app offers', () => {
    expect(parseAutoRecordForm({ ...FORM, themes: ['fog'] }, { themes: ['fog'] }).ok).toBe(true);
  });
  it('drops a preset typed again in the seed box', () => {
    const r = parseAutoRecordForm({ ...FORM, extraTracks: 'oval 9' });
    expect(r.ok && r.request.tracks).toEqual({ kind: 'list', ids: ['oval', 'kidney', '9'] });
  });
});

describe('autoRecordProblems on a typed request', () => {
  it('catches a duplicate track the app built itself', () => {
    const r = parseAutoRecordForm(FORM);
    if (!r.ok) throw new Error('form should parse');
    expect(autoRecordProblems({ ...r.request, tracks: { kind: 'list', ids: ['oval', 'oval'] } })).toEqual(['A track is listed twice']);
  });
});

describe('sideCameraSpecs and estimateAutoRecord', () => {
  it('mirrors the right camera', () => {
    const r = parseAutoRecordForm(FORM);
    if (!r.ok) throw new Error('form should parse');
    const cams = sideCameraSpecs(r.request);
    expect(cams.map((c) => c.id)).toEqual(['center', 'left', 'right']);
    expect(cams[1].lateralM).toBe(0.6);
    expect(cams[2].lateralM).toBe(-0.6);
    expect(cams[2].yawRad).toBeCloseTo(-(5 * Math.PI) / 180, 12);
    expect(sideCameraSpecs({ sideCameras: null }).map((c) => c.id)).toEqual(['center']);
  });
  it('counts steps, bytes and clips like the store does', () => {
    const r = parseAutoRecordForm({ ...FORM, sideCameras: false });
    if (!r.ok) throw new Error('form should parse');
    const e = estimateAutoRecord(r.request);
    expect(e.steps).toBe(2 * 60 * 20);
    expect(e.bytes).toBe(2400 * (200 * 66 * 3 + 15 * 8));
    expect(e.clips).toBe(4 * 2);
  });
});

describe('where clips start', () => {
  it('maps the select value to the request, and leaves it absent (the engine default) without the field', () => {
    for (const mode of ['standing', 'spread', 'rolling'] as const) {
      const r = parseAutoRecordForm({ ...FORM, start: mode });
      expect(r.ok && r.request.start).toBe(mode);
    }
    const old = parseAutoRecordForm(FORM);
    expect(old.ok).toBe(true);
    expect(old.ok && 'start' in old.request).toBe(false);
  });
  it('refuses anything but the three modes, naming the value', () => {
    expect(problemsOf({ start: 'teleport' })).toEqual(["Clips start must be 'standing', 'spread', 'rolling', got 'teleport'"]);
    expect(problemsOf({ start: '' })).toEqual(["Clips start must be 'standing', 'spread', 'rolling', got ''"]);
    const r = parseAutoRecordForm(FORM);
    if (!r.ok) throw new Error('form should parse');
    expect(autoRecordProblems({ ...r.request, start: 'Spread' as never })).toEqual(["Clips start must be 'standing', 'spread', 'rolling', got 'Spread'"]);
  });
  it('suggests spreading when clips from the grid would be shorter than 6 s each, and only then', () => {
    // 0.3 min over 2 tracks x 2 themes: 4 clips of 4.5 s.
    const short = { ...FORM, minutes: '0.3', presets: ['oval', 'kidney'], extraTracks: '' };
    const hintOf = (change: Partial<AutoRecordFormValues>): string | null => {
      const r = parseAutoRecordForm({ ...short, ...change });
      if (!r.ok) throw new Error(r.problems.join('; '));
      return startHint(r.request);
    };
    expect(hintOf({})).toBe('Each clip is about 4.5 s from a standing start, mostly the launch: "spread around the lap" shows more of each track.');
    expect(hintOf({ start: 'standing' })).toMatch(/^Each clip is about 4\.5 s/);
    expect(hintOf({ start: 'spread' })).toBeNull();
    expect(hintOf({ start: 'rolling' })).toBeNull();
    // 0.4 min over 4 clips is 6 s each: long enough.
    expect(hintOf({ minutes: '0.4' })).toBeNull();
    expect(hintOf({ minutes: '0.39' })).toMatch(/about 5\.9 s/);
    // One theme: spreading starts each track's only clip on the grid anyway, so no hint.
    expect(hintOf({ themes: ['day'], minutes: '0.1' })).toBeNull();
    // 30 random tracks x 2 themes over 5 minutes: 5 s each.
    expect(hintOf({ tracksKind: 'random', randomCount: '30', minutes: '5' })).toMatch(/about 5\.0 s/);
  });
});
