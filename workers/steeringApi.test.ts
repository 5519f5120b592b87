import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { syntheticSequence, tinyConfig } from '../src/model/testKit.ts';
import { tf } from '../src/model/tfSetup.ts';
import { apiOver, H, openTestStores, recordSyntheticClips, W } from './steeringApi.fixtures.ts';
import type { TrainEvent } from './steeringApi.ts';

async function setup() {
  const stores = await openTestStores('steer');
  // Two clips whose frames draw their own labels (the model layer's synthetic sequences).
  const ids = await recordSyntheticClips(stores.clips, [60, 60]);
  return { api: apiOver(stores, () => 1_000), ids, ...stores };
}

describe('steering worker API (in Node)', () => {
  it('trains on stored clips, saves the model, loads it for driving and predicts', async () => {
    const { api, ids } = await setup();
    await api.init({ backend: 'cpu' });
    const events: TrainEvent[] = [];
    const config = tinyConfig({ training: { epochs: 2 } });
    const out = await api.train({ name: 'tiny', config, trainClipIds: [ids[0]], valClipIds: [ids[1]], runId: 'run-1' }, (e) => events.push(e));
    expect(out.status).toBe('completed');
    expect(out.modelId).toBeTruthy();
    expect(out.epochsDone).toBe(2);
    expect(out.rmse?.steering).toBeGreaterThan(0);
    expect(events.some((e) => e.kind === 'step')).toBe(true);
    expect(events.filter((e) => e.kind === 'epoch')).toHaveLength(2);
    const list = await api.listModels();
    expect(list.map((m) => m.name)).toEqual(['tiny']);
    expect(await api.listCheckpoints()).toEqual([]); // cleared after the run

    const loaded = await api.loadModel(out.modelId!, { width: W, height: H });
    expect(loaded).toMatchObject({ kind: 'cnn_lstm', window: 3 });
    const frame = syntheticSequence({ count: 1, width: W, height: H }).frames;
    const before = tf.memory().numTensors;
    let last;
    for (let i = 0; i < 50; i++) last = await api.predict(frame.slice());
    expect(tf.memory().numTensors).toBe(before);
    expect(api.memory()).toMatchObject({ tensors: before, backend: 'cpu' });
    expect(last!.warm).toBe(true);
    expect(Number.isFinite(last!.steering)).toBe(true);
    await expect(api.predict(new Uint8Array(10))).rejects.toThrow(/bytes/);
    // The worker's own dash camera: Node has no OffscreenCanvas, so the scene is refused with the
    // reason (the page then renders the frames), and a pose cannot be predicted from.
    const scene = { track: { id: 'oval', name: 'Oval', width: 10, controlPoints: [[0, 0], [100, 0], [100, 100], [0, 100]] as [number, number][] }, theme: 'day' as const, width: W, height: H, sceneryDensity: 1, shadows: false, pixelRatio: 0.5 };
    expect(await api.setDashScene(scene)).toEqual({ ok: false, reason: 'this browser has no OffscreenCanvas' });
    await expect(api.predictPose({ x: 0, y: 0, heading: 0, steerAngle: 0, speed: 0 }, 0, false)).rejects.toThrow(/no dash camera/);
  });

  it("fine-tunes a saved model with the request's training settings and the model's own net and data settings", async () => {
    const { api, ids } = await setup();
    await api.init({ backend: 'cpu' });
    const base = await api.train({ name: 'base', config: tinyConfig({ training: { epochs: 3 } }), trainClipIds: [ids[0]], valClipIds: [ids[1]], runId: 'run-base' }, () => {});
    expect(base.epochsDone).toBe(3);
    // The request asks for one epoch, and (as a whole default config would) for the speed input,
    // which the saved net does not have: the epochs apply, the net and its data stay the model's.
    const request = tinyConfig({ training: { epochs: 1 }, input: { speed: true }, heads: { speedAheadS: 1 } });
    const tuned = await api.train({ name: 'tuned', config: request, fromModelId: base.modelId!, trainClipIds: [ids[0]], valClipIds: [ids[1]], runId: 'run-tune' }, () => {});
    expect(tuned.status).toBe('completed');
    expect(tuned.epochsDone).toBe(1);
    const loaded = await api.loadModel(tuned.modelId!, { width: W, height: H });
    expect(loaded).toMatchObject({ kind: 'cnn_lstm', window: 3 });
    const p = await api.predict(syntheticSequence({ count: 1, width: W, height: H }).frames.slice());
    expect(Number.isFinite(p.steering)).toBe(true); // no speed asked for: the net does not read it
  });

  it('a fine-tune reports its base model alone on the same held-out clips (before), a run from scratch does not', async () => {
    const { api, ids } = await setup();
    await api.init({ backend: 'cpu' });
    const base = await api.train({ name: 'base', config: tinyConfig({ training: { epochs: 2 } }), trainClipIds: [ids[0]], valClipIds: [ids[1]], runId: 'b' }, () => {});
    expect(base.before).toBeUndefined();
    const tuned = await api.train({ name: 't', config: tinyConfig({ training: { epochs: 1 } }), fromModelId: base.modelId!, trainClipIds: [ids[0]], valClipIds: [ids[1]], runId: 't' }, () => {});
    // The base's saved weights (its best epoch) on the same clip and targets: the base's own figure.
    expect(tuned.before?.rmse.steering).toBeCloseTo(base.rmse!.steering, 5);
    expect(tuned.before?.baselineRmse.steering).toBeCloseTo(tuned.baselineRmse!.steering, 6);
    expect(tuned.before?.rmse.steering).not.toBeCloseTo(tuned.rmse!.steering, 6); // the fine-tune changed it
  });

  it('exports a model as a zip and imports it back; refuses a broken zip', async () => {
    const { api, ids } = await setup();
    await api.init({ backend: 'cpu' });
    const out = await api.train({ name: 'm', config: tinyConfig({ training: { epochs: 1 } }), trainClipIds: ids, valClipIds: [], runId: 'r' }, () => {});
    const zip = await api.exportModel(out.modelId!);
    const meta = await api.importModel(zip);
    expect(meta.name).toBe('m');
    expect((await api.listModels())).toHaveLength(2);
    await expect(api.importModel(zip.slice(0, zip.length / 2))).rejects.toThrow();
    expect((await api.listModels())).toHaveLength(2);
  });

  it('cancels a run between steps and refuses clips of different sizes', async () => {
    const { api, ids, clips } = await setup();
    await api.init({ backend: 'cpu' });
    let steps = 0;
    const run = api.train({ name: 'c', config: tinyConfig({ training: { epochs: 50 } }), trainClipIds: ids, valClipIds: [], runId: 'c' }, (e) => {
      if (e.kind === 'step' && ++steps === 3) api.cancel();
    });
    const out = await run;
    expect(out.status).toBe('cancelled');
    const w = await clips.startRecording({ name: 'big', createdAt: 0, trackId: 'oval', theme: 'day', simVersion: '1', frameWidth: 20, frameHeight: 10 });
    const other = (await w.finish()).id;
    await expect(api.train({ name: 'x', config: tinyConfig(), trainClipIds: [ids[0], other], valClipIds: [], runId: 'x' }, () => {})).rejects.toThrow(/frame sizes/);
  });

  it('describes a config with its parameter count and refuses a bad one', async () => {
    const { api } = await setup();
    const d = api.describe(tinyConfig());
    expect(d.params.total).toBeGreaterThan(100);
    expect(d.macsPerFrame.total).toBeGreaterThan(d.params.total);
    const bad = tinyConfig();
    expect(() => api.describe({ ...bad, input: { ...bad.input, height: -1 } })).toThrow(/input\.height/);
  });

  it('trains with a peer worker API over a MessageChannel: says so, saves the model, and ends the peer with the run', async () => {
    const { api, ids } = await setup();
    const { api: peerApi } = await setup(); // another worker: its own stores, unused by the peer
    await api.init({ backend: 'cpu' });
    const { port1, port2 } = new MessageChannel();
    const served = peerApi.servePeer(port2);
    const events: TrainEvent[] = [];
    const out = await api.train({ name: 'two', config: tinyConfig({ training: { epochs: 2 } }), trainClipIds: ids, valClipIds: [], runId: 'two', peerPort: port1 }, (e) => events.push(e));
    expect(out.status).toBe('completed');
    expect(out.modelId).toBeTruthy();
    expect(events.some((e) => e.kind === 'backend' && /with two workers/.test(e.reason))).toBe(true);
    expect(events.some((e) => e.kind === 'backend' && /two-worker training failed/.test(e.reason))).toBe(false);
    await served; // the run closed the channel
    port2.close();
  });

  it('a run that updates only a head trains on one worker, and still ends the peer it was offered', async () => {
    const { api, ids } = await setup();
    const { api: peerApi } = await setup();
    await api.init({ backend: 'cpu' });
    const { port1, port2 } = new MessageChannel();
    const served = peerApi.servePeer(port2);
    const events: TrainEvent[] = [];
    const config = tinyConfig({ training: { epochs: 1, trainable: 'speed-head' } });
    const out = await api.train({ name: 'head', config, trainClipIds: ids, valClipIds: [], runId: 'head', peerPort: port1 }, (e) => events.push(e));
    expect(out.status).toBe('completed');
    expect(events.some((e) => e.kind === 'backend' && /two workers/.test(e.reason))).toBe(false);
    expect(events.some((e) => e.kind === 'workers')).toBe(false);
    await served;
    port2.close();
  });
});
