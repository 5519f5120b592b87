// A lap reproduces when the model drives exactly as recorded, and the first differing tick is
// named when it does not. The "model" here is the expert program (the fixture laps were driven
// by it and labelled as a model's), so the lockstep loop can be checked without tfjs.

import { describe, expect, it } from 'vitest';
import { driveReplay } from '../../server/testLaps.ts';
import { createExpert } from '../sim/expert.ts';
import { resolveTrack } from '../sim/tracks.ts';
import type { Controls, World } from '../sim/world.ts';
import { driveReproduction, type ReproductionModel } from './lapReproduction.ts';

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
