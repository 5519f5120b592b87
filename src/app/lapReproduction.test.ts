// A lap reproduces when the model drives exactly as recorded, and the first differing tick is
// named when it does not. The "model" here is the expert program (the fixture laps were driven
// by it and labelled as a model's), so the lockstep loop can be checked without tfjs.

import { describe, expect, it } from 'vitest';
import { driveReplay } from '../../server/testLaps.ts';
import { createExpert } from '../sim/expert.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { type Replay, ReplayRecorder } from '../scoring/replay.ts';
import { type Controls, createWorld, stepWorld, type World } from '../sim/world.ts';
import { Autopilot, CRUISE_SPEED_CONTROL, PROPORTIONAL_SPEED_CONTROL } from './autopilot.ts';
import { driveReproduction, type ReproductionModel } from './lapReproduction.ts';
import { replayAutopilotOptions } from './watchModel.ts';
import { type LapEvent, Session } from './session.ts';

const replay = driveReplay({ driver: 'model', seed: 7, noise: 0.05 });

/** The expert as a lockstep model: its controls are fixed at each control tick, held between. */
function expertModel(perturbAt = -1): ReproductionModel & { predictions: number } {
  const expert = createExpert(resolveTrack('oval'), { seed: 7, steerNoise: 0.05 });
  const m = {
    predictions: 0,
    async predict() {
      m.predictions++;
    },
    controls(world: World): Controls {
      const c = expert.control(world);
      return world.tick === perturbAt ? { ...c, steer: c.steer + 0.01 } : c;
    },
    async reset() {},
  };
  return m;
}

describe('lap reproduction in lockstep', () => {
  it('reproduces a lap driven by the same model: same ticks, same final hash', async () => {
    const model = expertModel();
    const ticks: number[] = [];
    const v = await driveReproduction(replay, model, { every: 3, onTick: (_w, t) => void ticks.push(t) });
    expect(v.firstDiff).toBeNull();
    expect(v.endHashMatches).toBe(true);
    expect(v.lapTicks).toBe(replay.claim.ticks);
    expect(v.reproduces).toBe(true);
    expect(v.summary).toMatch(/^Reproduces on this machine: the same \d+ ticks/);
    expect(ticks).toHaveLength(replay.ticks);
    expect(model.predictions).toBe(Math.ceil(replay.ticks / 3));
  });

  it('names the first tick where the model steers differently, and keeps driving it', async () => {
    const v = await driveReproduction(replay, expertModel(500), { every: 3 });
    expect(v.reproduces).toBe(false);
    expect(v.firstDiff?.tick).toBe(500);
    expect(v.firstDiff?.lapTick).toBe(500 - replay.claim.lapStart);
    expect(Math.abs((v.firstDiff?.got.steer ?? 0) - (v.firstDiff?.expected.steer ?? 0))).toBeGreaterThan(0.005);
    expect(v.summary).toMatch(new RegExp(`^Differs at tick ${500 - replay.claim.lapStart} of the lap`));
    expect(v.ticks).toBeGreaterThan(500);
  });

  it('refuses to call a lap reproduced when only the claim was changed', async () => {
    const forged = { ...replay, claim: { ...replay.claim, endHash: '0'.repeat(replay.claim.endHash.length) } };
    const v = await driveReproduction(forged, expertModel(), { every: 3 });
    expect(v.firstDiff).toBeNull();
    expect(v.reproduces).toBe(false);
    expect(v.summary).toMatch(/final state hash does not/);
  });
});

describe('a model lap is driven again with the autopilot options it was driven with', () => {
  // A "model" whose outputs are fixed functions of the state (the expert's steering and the
  // speed it reaches 1 s on), turned into throttle by the Autopilot as the app does.
  const track = resolveTrack('oval');
  const outputs = (world: World) => {
    const expert = createExpert(track, { seed: 3 });
    return { steering: expert.control(world).steer, speed: expert.speedAhead(world, 60), torque: 0 };
  };
  const driven = (() => {
    const ap = new Autopilot({ timing: 'lockstep', speedControl: CRUISE_SPEED_CONTROL });
    const rec = new ReplayRecorder();
    let world = createWorld(track);
    while (world.laps.completed.length < 1 && world.tick < 60 * 300) {
      if (ap.isControlTick(world)) ap.receive(outputs(world), world.tick, 0, world.tick);
      const c = ap.modelControls(world);
      rec.push(world, c, 'model');
      world = stepWorld(world, c);
    }
    const { throttle, speedControl } = ap.opts;
    return rec.replayOf(world, world.laps.completed[0], { theme: 'day', createdAt: '2026-12-06T00:00:00.000Z', driver: { name: 'net', modelSha256: 'c'.repeat(64), autopilot: { throttle, speedControl } } });
  })();
  const reproduce = (replay: Replay) => {
    const ap = new Autopilot({ timing: 'lockstep', ...replayAutopilotOptions(replay) });
    return driveReproduction(replay, {
      async predict(world) {
        ap.receive(outputs(world), world.tick, 0, world.tick);
      },
      controls: (world) => ap.modelControls(world),
      async reset() {},
    }, { every: ap.every });
  };

  it('reproduces with the recorded speed controller; a lap without the record is taken as proportional, and then differs', async () => {
    expect(replayAutopilotOptions(driven)).toEqual({ governor: false, throttle: 'speed', speedControl: CRUISE_SPEED_CONTROL });
    expect((await reproduce(driven)).reproduces).toBe(true);
    const { autopilot: _dropped, ...older } = driven.driver;
    const old = { ...driven, driver: older };
    expect(replayAutopilotOptions(old)).toEqual({ governor: false, throttle: 'speed', speedControl: PROPORTIONAL_SPEED_CONTROL });
    const v = await reproduce(old);
    expect(v.reproduces).toBe(false);
    expect(v.firstDiff).not.toBeNull();
  });

  it('reproduces a lap in which the player switched the speed controller: the replay records when, the watch switches there', async () => {
    // The app's way: a Session whose model ticks come from the Autopilot; the player switches
    // Settings > Speed control from Cruise to Proportional 15 s in, and the governor on at 25 s.
    const ap = new Autopilot({ timing: 'lockstep', speedControl: CRUISE_SPEED_CONTROL });
    const session = new Session({
      track, theme: 'day', now: () => '2026-12-06T00:00:00.000Z',
      assists: () => ({ governor: ap.opts.governor }),
      model: () => ({ id: 'm', name: 'net', sha256: 'c'.repeat(64), autopilot: { throttle: ap.opts.throttle, speedControl: ap.opts.speedControl } }),
    });
    session.driver = 'autopilot';
    const laps: LapEvent[] = [];
    session.onLap((e) => laps.push(e));
    while (laps.length < 1 && session.world.tick < 60 * 300) {
      const world = session.world;
      if (world.tick === 900) ap.opts = { ...ap.opts, speedControl: PROPORTIONAL_SPEED_CONTROL };
      if (world.tick === 1500) ap.opts = { ...ap.opts, governor: true };
      if (ap.isControlTick(world)) ap.receive(outputs(world), world.tick, 0, world.tick);
      session.tick({ human: { steer: 0, torque: 0 }, autopilot: ap.modelControls(world) });
    }
    const lap = laps[0].replay;
    expect(lap.start.kind).toBe('grid'); // segment ticks are world ticks here
    expect(lap.driver.autopilot).toEqual({
      throttle: 'speed', speedControl: CRUISE_SPEED_CONTROL, governor: false,
      changes: [
        { tick: 900, throttle: 'speed', speedControl: PROPORTIONAL_SPEED_CONTROL, governor: false },
        { tick: 1500, throttle: 'speed', speedControl: PROPORTIONAL_SPEED_CONTROL, governor: true },
      ],
    });
    expect(replayAutopilotOptions(lap, 899).speedControl).toEqual(CRUISE_SPEED_CONTROL);
    expect(replayAutopilotOptions(lap, 1499)).toEqual({ governor: false, throttle: 'speed', speedControl: PROPORTIONAL_SPEED_CONTROL });
    expect(replayAutopilotOptions(lap, 1500).governor).toBe(true);

    const watch = (replay: Replay, followChanges: boolean) => {
      const w = new Autopilot({ timing: 'lockstep', ...replayAutopilotOptions(replay) });
      return driveReproduction(replay, {
        async predict(world) {
          w.receive(outputs(world), world.tick, 0, world.tick);
        },
        atTick(t) {
          if (followChanges) w.opts = { ...w.opts, ...replayAutopilotOptions(replay, t) };
        },
        controls: (world) => w.modelControls(world),
        async reset() {},
      }, { every: w.every });
    };
    expect((await watch(lap, true)).reproduces).toBe(true);
    const v = await watch(lap, false); // the settings of the lap's start throughout: not the lap driven
    expect(v.reproduces).toBe(false);
    expect(v.firstDiff?.tick).toBeGreaterThanOrEqual(900);
  });
});
