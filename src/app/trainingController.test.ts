// The training controller starts the peer replica only when the run asks for it (issue 15): in
// Node, the steering worker is the real worker API over test stores (no comlink thread), and
// every worker the controller starts is counted. A cached 'one' verdict starts no peer; a trial
// or 'two' starts one, which trains and is stopped at the end; 'one' never starts one.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { openTestStores, recordSyntheticClips, type TestStores } from '../../workers/steeringApi.fixtures.ts';
import type { TrainEvent } from '../../workers/steeringApi.ts';
import { deviceKey } from '../model/backendChoice.ts';
import { createConfig } from '../model/config.ts';
import { tinyConfig } from '../model/testKit.ts';
import { modelShapeKey, WORKER_VERDICTS_KEY, withVerdict } from '../model/workerChoice.ts';
import type { SteeringWorker } from './steeringClient.ts';

/** What the mocked startSteeringWorker hands out: the test sets the stores; every start is logged. */
const fake = vi.hoisted(() => ({
  stores: null as unknown,
  started: [] as { terminated: boolean; served: number }[],
}));

vi.mock('./steeringClient.ts', async () => {
  const { apiOver: over } = await import('../../workers/steeringApi.fixtures.ts');
  return {
    transferBytes: (b: Uint8Array) => b,
    startSteeringWorker: (): SteeringWorker => {
      const api = over(fake.stores as TestStores, () => Date.UTC(2026, 11, 5));
      const log = { terminated: false, served: 0 };
      fake.started.push(log);
      const remote = {
        ...api,
        servePeer: async (port: MessagePort) => {
          log.served++;
          return api.servePeer(port);
        },
      };
      return {
        api: remote as unknown as SteeringWorker['api'],
        within: (_ms, call) => call,
        onDeath: () => {},
        dead: false,
        terminate: () => {
          log.terminated = true;
        },
      };
    },
  };
});

const { TrainingController } = await import('./trainingController.ts');

const config = tinyConfig({ training: { epochs: 1 } });

async function setup(verdict?: 1 | 2) {
  const stores = await openTestStores('controller');
  fake.stores = stores;
  fake.started.length = 0;
  const ids = await recordSyntheticClips(stores.clips, [40, 40]);
  if (verdict) {
    const shapeKey = modelShapeKey('wasm', createConfig(config));
    await stores.settings.put(WORKER_VERDICTS_KEY, withVerdict(null, {
      deviceKey: deviceKey(), shapeKey, workers: verdict, ratio: verdict === 2 ? 1.5 : 0.8, oneExamplesPerS: 100, twoExamplesPerS: verdict === 2 ? 150 : 80,
      steps: { one: 3, two: 3 }, at: Date.UTC(2026, 11, 4),
    }));
  }
  return { stores, ids };
}

async function train(mode: 'one' | 'auto' | 'two', ids: string[]) {
  const controller = new TrainingController(() => 'wasm', () => {}, () => mode);
  const events: TrainEvent[] = [];
  controller.onEvent((e) => events.push(e));
  const out = await controller.train({ name: 'm', config, trainClipIds: ids, valClipIds: [], runId: `r${Math.random()}` });
  controller.dispose();
  expect(out.status).toBe('completed');
  return { workers: events.filter((e) => e.kind === 'workers'), events };
}

afterEach(() => {
  fake.started.length = 0;
});

describe('TrainingController: the peer worker starts only when the run uses it', () => {
  it("a cached 'one' verdict starts no peer worker", async () => {
    const { ids } = await setup(1);
    const { workers } = await train('auto', ids);
    expect(workers).toHaveLength(1);
    expect(workers[0]).toMatchObject({ workers: 1, ratio: 0.8 });
    expect(fake.started).toHaveLength(1); // the training worker alone (the old controller started a peer too)
  }, 60_000);

  it("a trial, a cached 'two' and the setting 'two' start one peer, which serves the run and is stopped at its end", async () => {
    for (const [mode, verdict] of [['auto', undefined], ['auto', 2], ['two', undefined]] as const) {
      const { ids } = await setup(verdict);
      const { workers, events } = await train(mode, ids);
      expect(fake.started).toHaveLength(2);
      expect(fake.started[1]).toMatchObject({ served: 1, terminated: true });
      expect(workers[0].workers).toBe(mode === 'auto' && !verdict ? null : 2);
      expect(events.some((e) => e.kind === 'backend' && /failed|did not start/.test(e.reason))).toBe(false);
    }
  }, 120_000);

  it("'one' starts no peer and times nothing", async () => {
    const { ids } = await setup();
    const { workers } = await train('one', ids);
    expect(workers).toEqual([]);
    expect(fake.started).toHaveLength(1);
  }, 60_000);
});
