// The growing batch source (growingBatchSource.ts) over stored clips whose every frame byte names
// its clip: fuzzed arrivals between epochs (new clips, validation clips offered again, clips still
// recording, another frame size) never put a validation clip's frame in a training batch, for the
// CNN (single frames) and the CNN+LSTM (runs); each epoch trains on every frame of the clips that
// had joined when it began, and a clip recorded during an epoch trains from the next.
import 'fake-indexeddb/auto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Meters, MetersPerSecond, Radians, Ticks } from '../core/units.ts';
import { type ClipStore, type LabelRow, openClipStore } from '../data/index.ts';
import { GrowingClipSet, type OfferedClip } from '../data/growingClipSet.ts';
import { createGrowingBatchSource } from './growingBatchSource.ts';
import { tinyConfig } from './testKit.ts';

const W = 16;
const H = 12;
const POOL = 10;
const FRAMES = 7;
/** Clip k's frames are all this byte (far apart, so nothing in between names another clip). */
const marker = (k: number): number => 20 + k * 20;

let store: ClipStore;
let ids: string[];
let metas: Map<string, OfferedClip>;

async function recordMarked(clips: ClipStore, k: number, width = W): Promise<string> {
  const w = await clips.startRecording({ name: `clip ${k}`, createdAt: k, trackId: 'oval', theme: 'day', simVersion: '1', frameWidth: width, frameHeight: H });
  for (let i = 0; i < FRAMES; i++) {
    const labels: LabelRow = {
      tick: (i * 3) as Ticks, steer: (k - 5) / 10, steerRad: 0 as Radians, speed: (5 + k) as MetersPerSecond, torque: 0.1, brake: 0,
      x: 0 as Meters, y: 0 as Meters, heading: 0 as Radians, lateralOffset: 0 as Meters, headingError: 0 as Radians, curvatureAhead: 0, lapProgress: 0, driver: 'expert',
    };
    w.append({ frames: [new Uint8Array(width * H * 3).fill(marker(k))], labels });
  }
  return (await w.finish()).id;
}

beforeAll(async () => {
  store = await openClipStore({ name: `growing-${Math.random()}`, storage: null });
  ids = [];
  for (let k = 0; k < POOL; k++) ids.push(await recordMarked(store, k));
  ids.push(await recordMarked(store, POOL, W * 2)); // another frame size: never joins
  metas = new Map((await store.list()).map((m) => [m.id, m]));
}, 60_000);

/** The clips (by pool index) whose frames a batch holds, checking every frame is one clip's. */
function clipsIn(frames: Uint8Array): Set<number> {
  const seen = new Set<number>();
  const fb = W * H * 3;
  for (let f = 0; f < frames.length / fb; f++) {
    const b = frames[f * fb];
    const k = (b - 20) / 20;
    expect(Number.isInteger(k) && k >= 0 && k < POOL).toBe(true);
    expect(frames.subarray(f * fb, (f + 1) * fb).every((x) => x === b)).toBe(true);
    seen.add(k);
  }
  return seen;
}

const configs = {
  cnn: tinyConfig({ sequence: { kind: 'cnn' }, training: { batchSize: 8 } }),
  lstm: tinyConfig({ sequence: { window: 3, runLength: 5 }, training: { batchSize: 8 } }),
};

describe('createGrowingBatchSource', () => {
  for (const [name, config] of Object.entries(configs)) {
    it(`${name}: never yields a validation clip's frame for training, whatever arrives between epochs; each epoch trains on every clip joined before it`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.shuffledSubarray([...Array(POOL).keys()], { minLength: 2, maxLength: POOL }),
          fc.integer({ min: 1, max: 3 }),
          // Per epoch after the first: clips (pool indices, POOL = the wide one) the library shows, some still recording.
          fc.array(fc.array(fc.record({ k: fc.integer({ min: 0, max: POOL }), recording: fc.boolean() }), { maxLength: 4 }), { minLength: 1, maxLength: 4 }),
          async (order, nVal, arrivals) => {
            const val = order.slice(0, Math.min(nVal, order.length - 1));
            const firstTrain = order.slice(val.length, val.length + 1);
            const set = new GrowingClipSet({ train: firstTrain.map((k) => ids[k]), val: val.map((k) => ids[k]), frameWidth: W, frameHeight: H });
            const shown: OfferedClip[] = [];
            const source = await createGrowingBatchSource({ source: store, clips: set, config, discover: async () => [...shown] });
            const expected = new Set(firstTrain);
            for (let epoch = 0; epoch <= arrivals.length; epoch++) {
              const seen = new Set<number>();
              let frames = 0;
              for await (const b of source.batches(epoch)) {
                for (const k of clipsIn(b.frames)) seen.add(k);
                frames += b.lengths.reduce((s, n) => s + n, 0);
                // Clips shown while the epoch trains join the next one.
                const arrive = arrivals[epoch] ?? [];
                shown.push(...arrive.map(({ k, recording }) => ({ ...metas.get(ids[k])!, complete: !recording })));
              }
              for (const k of val) expect(seen.has(k)).toBe(false);
              expect([...seen].sort()).toEqual([...expected].sort());
              if (name === 'cnn') expect(frames).toBe(expected.size * FRAMES);
              expect(source.exampleCount).toBe(expected.size * (FRAMES - (name === 'cnn' ? 0 : 2)));
              // What joins next: complete clips of the run's size shown so far, not validation ones.
              for (const c of shown) {
                const k = ids.indexOf(c.id);
                if (c.complete && k < POOL && !val.includes(k)) expected.add(k);
              }
            }
          },
        ),
        { numRuns: 25 },
      );
    }, 120_000);
  }

  it('reads the first clips for the normalisation, and grows its example count as clips join', async () => {
    const set = new GrowingClipSet({ train: [ids[0]], val: [ids[1]], frameWidth: W, frameHeight: H });
    const offers: [number, ...string[]][] = [];
    const shown = [metas.get(ids[1])!, metas.get(ids[POOL])!];
    const source = await createGrowingBatchSource({
      source: store, clips: set, config: configs.cnn, discover: async () => shown,
      onOffer: (epoch, r) => offers.push([epoch, ...r.joined, ...r.refused.map((x) => `${x.why}`)]),
    });
    expect((await source.targets()).length).toBe(FRAMES * 3);
    expect(source.exampleCount).toBe(FRAMES);
    for await (const b of source.batches(0)) clipsIn(b.frames);
    shown.push(metas.get(ids[2])!);
    for await (const b of source.batches(1)) clipsIn(b.frames);
    expect(source.exampleCount).toBe(2 * FRAMES);
    expect(source.clipIds).toEqual([ids[0], ids[2]]);
    for await (const b of source.batches(2)) clipsIn(b.frames);
    // Each refusal told once (not the run's own validation clip); epoch 2 found nothing new.
    expect(offers).toEqual([[0, 'frame-size'], [1, ids[2]]]);
    expect((await source.targets()).length).toBe(FRAMES * 3); // still the first clips'
  });
});
