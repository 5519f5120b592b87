import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { tinyConfig } from '../src/model/testKit.ts';
import { apiOver, openTestStores, recordSyntheticClips } from './steeringApi.fixtures.ts';

describe('a saved model\'s metrics (workers/trainingRun.ts)', () => {
  it('keep the speedometer baseline of a model that reads the speed (the Training panel shows it), and none for one that does not', async () => {
    const stores = await openTestStores('metrics');
    const ids = await recordSyntheticClips(stores.clips, [60, 60]);
    const api = apiOver(stores, () => 1_000);
    await api.init({ backend: 'cpu' });
    const run = (name: string, speed: boolean) => api.train({
      name, config: tinyConfig({ training: { epochs: 1 }, input: { speed } }), trainClipIds: [ids[0]], valClipIds: [ids[1]], runId: name,
    }, () => {});
    const reads = await run('reads', true);
    const blind = await run('blind', false);
    expect(reads.speedometerRmse).toBeTypeOf('number'); // 0 here: the synthetic clips hold one speed
    expect(blind.speedometerRmse).toBeUndefined();
    const metrics = new Map((await api.listModels()).map((m) => [m.name, m.metrics as Record<string, unknown>]));
    expect(metrics.get('reads')?.speedometerRmse).toBe(reads.speedometerRmse);
    expect(metrics.get('blind')).not.toHaveProperty('speedometerRmse');
    expect(metrics.get('blind')?.valRmse).toBeTruthy(); // the rest as before
  });
});
