import { describe, expect, it } from 'vitest';
import { verifyReplay } from '../scoring/replay.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { NO_CONTROLS } from '../sim/world.ts';
import { type LapEvent, segmentAutopilot, Session } from './session.ts';

describe('driving session', () => {
  it('emits each lap with a replay that verifies', () => {
    const s = new Session({ track: resolveTrack('oval'), theme: 'dusk', now: () => '2026-01-01T00:00:00.000Z' });
    s.driver = 'expert';
    const laps: LapEvent[] = [];
    s.onLap((e) => laps.push(e));
    while (laps.length < 2) s.tick({ human: NO_CONTROLS });
    expect(laps.map((l) => l.driver)).toEqual(['expert', 'expert']);
    for (const l of laps) {
      expect(l.replay.theme).toBe('dusk');
      const v = verifyReplay(l.replay);
      expect(v.ok).toBe(true);
    }
  });

  it('applies a requested reset on the next tick and counts it in the lap', () => {
    const s = new Session({ track: resolveTrack('oval'), theme: 'day' });
    s.driver = 'expert';
    while (s.world.laps.count < 2) s.tick({ human: NO_CONTROLS });
    s.requestReset();
    const applied = s.tick({ human: NO_CONTROLS });
    expect(applied.reset).toBe(true);
    expect(s.world.laps.resets).toBe(1);
  });

  it('records who drove each tick: a takeover makes a model lap assisted, with its intervention', () => {
    const s = new Session({ track: resolveTrack('oval'), theme: 'day' });
    const laps: LapEvent[] = [];
    s.onLap((e) => laps.push(e));
    s.driver = 'expert';
    while (s.world.laps.count < 0) s.tick({ human: NO_CONTROLS }); // over the line: lap 1 starts
    // The "model" drives like the expert; a human takes over once.
    s.driver = 'autopilot';
    let n = 0;
    while (laps.length < 1) {
      if (n === 300) {
        s.markIntervention();
        s.driver = 'human';
      }
      if (n === 330) s.driver = 'autopilot';
      n++;
      const c = s.expert.control(s.world);
      s.tick({ human: c, autopilot: c });
    }
    expect(laps[0].driver).toBe('assisted'); // one intervention in a 44 s lap: 86% autonomy, under 95%
    expect(laps[0].replay.interventions).toHaveLength(1);
    expect(laps[0].replay.claim.autonomyPct).toBeCloseTo(100 * (1 - 6 / (laps[0].lap.ticks / 60)), 9);
    const v = verifyReplay(laps[0].replay);
    expect(v.ok && v.driverClass).toBe('assisted');
    expect(v.ok && v.ranked).toBe(false);
  });

  it("keeps a 70-minute session's last lap verifiable: the replay is two laps long, not the session", () => {
    const s = new Session({ track: resolveTrack('oval'), theme: 'day' });
    s.driver = 'expert';
    let last: LapEvent | undefined;
    s.onLap((e) => {
      last = e;
    });
    const end = 70 * 60 * 60;
    while (s.world.tick < end || !last || last.lap.startTick + last.lap.ticks < end) {
      if (s.world.tick === 36_000) s.requestReset(); // a reset at 10 minutes, as a player would
      s.tick({ human: NO_CONTROLS });
    }
    expect(last!.lap.lap).toBeGreaterThan(90);
    expect(last!.replay.start.kind).toBe('lap');
    expect(last!.replay.ticks).toBeLessThan(2 * 60 * 60);
    const v = verifyReplay(JSON.parse(JSON.stringify(last!.replay)));
    expect(v).toMatchObject({ ok: true, driverClass: 'expert', ranked: true, lap: { ticks: last!.lap.ticks } });
  }, 60_000);

  it('starts over on a new track', () => {
    const s = new Session({ track: resolveTrack('oval'), theme: 'day' });
    for (let i = 0; i < 100; i++) s.tick({ human: { steer: 0, torque: 1 } });
    s.restart(resolveTrack('kidney'));
    expect(s.world.tick).toBe(0);
    expect(s.track.id).toBe('kidney');
  });

  it("gives a replay's segment the autopilot settings in force at its first tick and the changes after, at segment ticks", () => {
    const cruise = { kind: 'dynamics' as const, horizonS: 0.5, brakeHorizonS: 0.1 };
    const prop = { kind: 'proportional' as const, accelerate: 0.25, brake: 1.6 };
    const log = [
      { tick: 10, throttle: 'speed' as const, speedControl: cruise, governor: false },
      { tick: 2000, throttle: 'speed' as const, speedControl: prop, governor: false },
      { tick: 2600, throttle: 'speed' as const, speedControl: prop, governor: true },
      { tick: 5000, throttle: 'both' as const, speedControl: prop, governor: true },
    ];
    // Segment [2400, 4800): the settings of tick 2000 at its start, the governor on 200 ticks in.
    expect(segmentAutopilot(log, 2400, 4800)).toEqual({ throttle: 'speed', speedControl: prop, governor: false, changes: [{ tick: 200, throttle: 'speed', speedControl: prop, governor: true }] });
    // No change within [0, 1500): none listed; the model began at tick 10.
    expect(segmentAutopilot(log, 0, 1500)).toEqual({ throttle: 'speed', speedControl: cruise, governor: false });
    // The model first drove after the segment's start: its first settings stand for the start.
    expect(segmentAutopilot(log.slice(1), 1000, 2300)).toEqual({ throttle: 'speed', speedControl: prop, governor: false });
    expect(segmentAutopilot(log.slice(3), 1000, 2300)).toBeNull();
    expect(segmentAutopilot([], 0, 100)).toBeNull();
  });

  it("writes a switch made during a later lap at that lap's segment ticks (the segment starts a lap earlier)", () => {
    let governor = false;
    const s = new Session({ track: resolveTrack('oval'), theme: 'day', assists: () => ({ governor }), model: () => ({ id: 'm', name: 'net', autopilot: { throttle: 'speed', speedControl: { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.1 } } }) });
    const laps: LapEvent[] = [];
    s.onLap((e) => laps.push(e));
    s.driver = 'autopilot';
    let switchedAt = -1;
    while (laps.length < 2) {
      if (laps.length === 1 && switchedAt < 0 && s.world.tick - laps[0].lap.ticks > 600) {
        governor = true;
        switchedAt = s.world.tick;
      }
      const c = s.expert.control(s.world);
      s.tick({ human: c, autopilot: c });
    }
    const r = laps[1].replay;
    expect(r.start.kind).toBe('lap');
    const from = r.start.kind === 'lap' ? r.start.tick : 0;
    expect(r.driver.autopilot?.governor).toBe(false);
    expect(r.driver.autopilot?.changes).toEqual([{ tick: switchedAt - from, throttle: 'speed', speedControl: { kind: 'dynamics', horizonS: 0.5, brakeHorizonS: 0.1 }, governor: true }]);
    expect(verifyReplay(r).ok).toBe(true);
  });
});
