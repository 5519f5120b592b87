// One DAgger round with fakes: the learner drives the rollout, its clips join the training set,
// and the model is fine-tuned from its own weights with its own config.
import { describe, expect, it } from 'vitest';
import type { ClipMeta } from '../data/index.ts';
import { CENTER_CAMERA } from '../data/index.ts';
import type { TrainRequest } from '../../workers/steeringApi.ts';
import type { AutoRecordPlan, Learner } from './autoRecord.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { daggerRoundPlan, improveRound } from './improve.ts';

const recording = { cameras: [CENTER_CAMERA], rateHz: 20, frameWidth: 200, frameHeight: 66 };

describe('improveRound', () => {
  it('rolls the model out with the expert labelling, then fine-tunes it on the aggregate', async () => {
    const plans: AutoRecordPlan[] = [];
    const trains: TrainRequest[] = [];
    const learners: string[] = [];
    const learner: Learner = { reset: async () => {}, drive: async () => ({ steering: 0, speed: 10 }) };
    const r = await improveRound({
      model: { id: 'm1', name: 'My model + DAgger 1', config: { seed: 3, training: { epochs: 20, batchSize: 32 } } },
      round: 2, trackIds: ['3', '11'], themes: ['day'], minutes: 1, trainClipIds: ['a', 'b'], valClipIds: ['v'], recording, epochs: 2,
    }, {
      learner: async (id) => {
        learners.push(id);
        return learner;
      },
      record: async (plan, l) => {
        expect(l).toBe(learner);
        plans.push(plan);
        return { clips: [{ id: 'd1' } as ClipMeta, { id: 'd2' } as ClipMeta], cancelled: false, error: null, learner: { interventions: 1, seconds: 60, autonomyPct: 90 } };
      },
      train: async (req) => {
        trains.push(req);
        return { status: 'completed', modelId: 'm2', epochsDone: 2, backend: 'cpu', rmse: null, baselineRmse: null };
      },
    });
    expect(learners).toEqual(['m1']);
    expect(plans[0]).toMatchObject({ trackIds: ['3', '11'], themes: ['day'], minutes: 1, steerNoise: 0, weaveRate: 0, namePrefix: 'DAgger round 2' });
    expect(r.rollout.autonomyPct).toBe(90);
    expect(r.trainClipIds).toEqual(['a', 'b', 'd1', 'd2']);
    expect(trains[0]).toMatchObject({
      name: 'My model + DAgger 2', fromModelId: 'm1', trainClipIds: ['a', 'b', 'd1', 'd2'], valClipIds: ['v'],
      config: { seed: 3, training: { epochs: 2, batchSize: 32 } },
    });
    expect(r.outcome.modelId).toBe('m2');
  });

  it('fine-tunes at the learning rate asked for, keeping a cosine schedule\'s floor at or below it', async () => {
    const trains: TrainRequest[] = [];
    const deps = {
      learner: async () => ({ reset: async () => {}, drive: async () => ({ steering: 0, speed: 10 }) }),
      record: async () => ({ clips: [{ id: 'd1' } as ClipMeta], cancelled: false, error: null }),
      train: async (req: TrainRequest) => {
        trains.push(req);
        return { status: 'completed' as const, modelId: 'm2', epochsDone: 1, backend: 'cpu' as const, rmse: null, baselineRmse: null };
      },
    };
    const config = { seed: 1, training: { epochs: 20, learningRate: 1e-3, schedule: { kind: 'cosine', minLearningRate: 5e-4 } } };
    const base = { model: { id: 'm', name: 'm', config }, round: 1, trackIds: ['3'], themes: ['day'], minutes: 1, trainClipIds: [], valClipIds: ['v'], recording };
    await improveRound({ ...base, epochs: 1, learningRate: 3e-4 }, deps);
    await improveRound(base, deps);
    expect(trains[0].config).toMatchObject({ seed: 1, training: { epochs: 1, learningRate: 3e-4, schedule: { kind: 'cosine', minLearningRate: 3e-4 } } });
    expect(trains[1].config).toBe(config); // nothing asked: the model's own config
    // A head-only round says so in the fine-tune's config; a later round on that model updates everything again.
    await improveRound({ ...base, trainable: 'speed-head' }, deps);
    expect(trains[2].config).toMatchObject({ training: { epochs: 20, trainable: 'speed-head' } });
    await improveRound({ ...base, model: { ...base.model, config: trains[2].config as typeof config } }, deps);
    expect((trains[3].config as typeof config).training).toEqual(config.training);
  });

  it('refuses a round with nothing to drive, and a cancelled rollout trains nothing', async () => {
    const deps = {
      learner: async () => ({ reset: async () => {}, drive: async () => ({ steering: 0, speed: 10 }) }),
      record: async () => ({ clips: [], cancelled: true, error: null }),
      train: async () => {
        throw new Error('must not train');
      },
    };
    const base = { model: { id: 'm', name: 'm', config: {} }, round: 1, themes: ['day'], minutes: 1, trainClipIds: [], valClipIds: [], recording };
    await expect(improveRound({ ...base, trackIds: [] }, deps)).rejects.toThrow(/at least one track/);
    await expect(improveRound({ ...base, trackIds: ['3'] }, deps)).rejects.toThrow(/cancelled/);
  });

  it('themes half: drives half the tracks and themes, the other half on the next round, and moves on through a long list', () => {
    const train = { where: 'train', themes: 'half' } as const;
    const tracks = ['oval', 'kidney', 'hairpins', 'twister', '3', '11', '42', '77'];
    const themes = ['day', 'dusk', 'overcast', 'night'];
    // bench:autonomy's rounds on its 8 default tracks: round 1 the odd places, round 2 the even ones.
    expect(daggerRoundPlan(tracks, themes, 1, train)).toEqual({ trackIds: ['kidney', 'twister', '11', '77'], themes: ['dusk', 'night'] });
    expect(daggerRoundPlan(tracks, themes, 2, train)).toEqual({ trackIds: ['oval', 'hairpins', '3', '42'], themes: ['day', 'overcast'] });
    expect(daggerRoundPlan(tracks, themes, 3, train)).toEqual(daggerRoundPlan(tracks, themes, 1, train));
    // Twenty tracks: ten per half, four a round, the next four of the half two rounds later.
    const many = Array.from({ length: 20 }, (_, i) => String(i));
    expect(daggerRoundPlan(many, ['day'], 1, train).trackIds).toEqual(['1', '3', '5', '7']);
    expect(daggerRoundPlan(many, ['day'], 3, train).trackIds).toEqual(['9', '11', '13', '15']);
    expect(daggerRoundPlan(many, ['day'], 5, train).trackIds).toEqual(['17', '19', '1', '3']);
    // One track or one theme: every round drives it.
    expect(daggerRoundPlan(['oval'], ['night'], 2, train)).toEqual({ trackIds: ['oval'], themes: ['night'] });
    expect(daggerRoundPlan([], ['day'], 1, train).trackIds).toEqual([]);
  });

  it('drives generated tracks no earlier round drove by default, every theme, whatever the model was trained on', () => {
    const themes = ['day', 'dusk', 'overcast', 'night'];
    const halfThemes = { themes: 'half' } as const;
    expect(daggerRoundPlan(['oval'], themes, 1, halfThemes)).toEqual({ trackIds: ['5100', '5101', '5102', '5103'], themes: ['dusk', 'night'] });
    expect(daggerRoundPlan(['oval', 'kidney', '3'], themes, 2, halfThemes)).toEqual({ trackIds: ['5200', '5201', '5202', '5203'], themes: ['day', 'overcast'] });
    const seen = new Set<string>();
    for (let round = 1; round <= 9; round++) {
      for (const id of daggerRoundPlan([], themes, round, halfThemes).trackIds) {
        expect(seen.has(id), `round ${round} drives ${id} again`).toBe(false);
        seen.add(id);
        expect(resolveTrack(id).id).toBe(id);
      }
    }
    expect(seen.size).toBe(36);
    // The default, every theme each round: half as many tracks, so as many clips (bench:autonomy's rounds).
    expect(daggerRoundPlan(['oval'], themes, 1)).toEqual({ trackIds: ['5100', '5101'], themes });
    expect(daggerRoundPlan(['oval'], themes, 2, { themes: 'all' })).toEqual({ trackIds: ['5200', '5201'], themes });
    expect(daggerRoundPlan(['oval'], ['day'], 2)).toEqual(daggerRoundPlan(['oval'], ['day'], 2, halfThemes));
    // Never a validation or held-out track of the benchmark.
    for (const id of ['5', '1234', '9', '2048', '101', '202', '303', '404', '505', '606', '707', '808']) expect(seen.has(id)).toBe(false);
  });
});
