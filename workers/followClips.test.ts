// A training run told to follow new clips (TrainRequest.followClipsSince, issue 15 "overlap the
// phases"), in the worker API in Node: clips created since the given time join the training at
// the next epoch (the saved model lists them), the validation clips never train, and a run not
// told so trains on its chosen clips only.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { tinyConfig } from '../src/model/testKit.ts';
import { apiOver, openTestStores, recordSyntheticClips } from './steeringApi.fixtures.ts';
import type { TrainEvent } from './steeringApi.ts';

describe('a training run that follows new clips', () => {
  it('takes the clips created since the given time from the next epoch on, never the validation ones', async () => {
    const stores = await openTestStores('follow');
    const [a, v, c] = await recordSyntheticClips(stores.clips, [40, 40, 40]); // every clip created at 0
    const api = apiOver(stores, () => 1_000);
    await api.init({ backend: 'cpu' });
    const run = async (follow: number | undefined) => {
      const events: TrainEvent[] = [];
      const out = await api.train({
        name: 'f', config: tinyConfig({ training: { epochs: 2 } }), trainClipIds: [a], valClipIds: [v], runId: `f${follow}`,
        ...(follow === undefined ? {} : { followClipsSince: follow }),
      }, (e) => events.push(e));
      expect(out.status).toBe('completed');
      const meta = (await stores.models.list()).find((m) => m.id === out.modelId)!;
      const epochs = events.filter((e) => e.kind === 'epoch').map((e) => (e as { examples: number }).examples);
      return { clipIds: meta.clipIds, epochs, notes: events.filter((e) => e.kind === 'preparing').map((e) => (e as { message: string }).message) };
    };

    const later = await run(1); // nothing created since: the chosen clips only
    expect([...later.clipIds].sort()).toEqual([a, v].sort());
    expect(later.epochs[1]).toBe(later.epochs[0]);

    const followed = await run(0);
    expect([...followed.clipIds].sort()).toEqual([a, v, c].sort());
    expect(followed.epochs).toEqual([2 * later.epochs[0], 2 * later.epochs[0]]); // a and c from the start
    expect(followed.notes).toContain('Epoch 1: 1 new clip joins the training');

    const plain = await run(undefined);
    expect([...plain.clipIds].sort()).toEqual([a, v].sort());
  }, 120_000);
});
