// The 'speed' label by target: on steps the expert drove or labelled, the expert's speed 1 s on from
// that state; elsewhere (a person drove, a clip without the column) the measured speed ahead.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { MetersPerSecond } from '../core/units.ts';
import { openClipStore } from './clipStore.ts';
import { CENTER_CAMERA } from './clipTypes.ts';
import { createSequenceDataset, speedStep } from './sequenceDataset.ts';
import { recordSyntheticClip, syntheticLabels, syntheticStep } from './testKit.ts';

const shape = { frameWidth: 8, frameHeight: 4, cameras: [CENTER_CAMERA], seed: 0 };
const STEPS = 120;
const AHEAD_S = 1;

async function speedLabels(clipId: string, store: Awaited<ReturnType<typeof openClipStore>>, speedLabel?: 'ahead' | 'target'): Promise<Map<number, number>> {
  const ds = await createSequenceDataset(store, {
    clipIds: [clipId], windowLength: 1, batchSize: 16, labelFields: ['speed'], speedAheadS: AHEAD_S,
    ...(speedLabel ? { speedLabel } : {}),
  });
  const out = new Map<number, number>();
  for await (const b of ds.batches()) b.windows.forEach((w, i) => out.set(w.end, b.labels[i]));
  return out;
}

describe("the 'speed' label", () => {
  it("reads the expert's target on expert steps and the speed ahead on the others, with speedLabel 'target'", async () => {
    const store = await openClipStore({ factory: new IDBFactory(), storage: null });
    const meta = await recordSyntheticClip(store, { steps: STEPS, ...shape });
    const byTarget = await speedLabels(meta.id, store, 'target');
    const ahead = await speedLabels(meta.id, store);
    expect(byTarget.size).toBe(STEPS);
    let expertSteps = 0;
    for (let i = 0; i < STEPS; i++) {
      const row = syntheticLabels(i, shape);
      const later = syntheticLabels(speedStep(meta, i, AHEAD_S), shape).speed;
      expect(ahead.get(i)).toBeCloseTo(later, 4);
      if (row.driver === 'expert') {
        expertSteps++;
        expect(byTarget.get(i)).toBeCloseTo(row.speedTarget!, 4);
        expect(Math.abs(row.speedTarget! - later)).toBeGreaterThan(1e-3);
      } else {
        expect(byTarget.get(i)).toBeCloseTo(later, 4);
      }
    }
    expect(expertSteps).toBeGreaterThan(10);
    store.close();
  });

  it('falls back to the speed ahead where the target was not recorded (NaN: clips before schema 2)', async () => {
    const store = await openClipStore({ factory: new IDBFactory(), storage: null });
    const writer = await store.startRecording({
      name: 'no target', createdAt: 1, trackId: 'oval', theme: 'day', simVersion: 'test-1', rateHz: 20, ...shape,
    });
    for (let i = 0; i < STEPS; i++) {
      const step = syntheticStep(i, shape);
      writer.append({ frames: step.frames, labels: { ...step.labels, driver: 'expert', speedTarget: NaN as MetersPerSecond } });
    }
    const meta = await writer.finish();
    const byTarget = await speedLabels(meta.id, store, 'target');
    for (let i = 0; i < STEPS; i++) {
      expect(byTarget.get(i)).toBeCloseTo(syntheticLabels(speedStep(meta, i, AHEAD_S), shape).speed, 4);
    }
    store.close();
  });
});
