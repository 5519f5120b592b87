// Fixtures of the worker API's tests (steeringApi, trainingWorkers and trainingFailure tests):
// fresh stores under a unique name, expert clips recorded from the model layer's synthetic
// sequences (frames that draw their own labels) at the tiny model's 16x12, and the API over them.
import type { Meters, MetersPerSecond, Radians, Ticks } from '../src/core/units.ts';
import { type ClipStore, type LabelRow, type ModelStore, openClipStore, openModelStore, openSettingsStore, type SettingsStore } from '../src/data/index.ts';
import { syntheticSequence } from '../src/model/testKit.ts';
import { createSteeringApi, type SteeringApi } from './steeringApi.ts';

export const W = 16;
export const H = 12;

export interface TestStores {
  clips: ClipStore;
  models: ModelStore;
  settings: SettingsStore;
}

/** Clip, model and settings stores under one new name; the model store behind `modelFactory` if given (e.g. a quota-limited IndexedDB). */
export async function openTestStores(prefix: string, modelFactory?: IDBFactory): Promise<TestStores> {
  const name = `${prefix}-${Math.random()}`;
  const clips = await openClipStore({ name, storage: null });
  const models = await openModelStore({ name, ...(modelFactory ? { factory: modelFactory } : {}) });
  const settings = await openSettingsStore({ name });
  return { clips, models, settings };
}

/** Records one expert clip per entry of `frames`, that many frames each (clip i from seed i, named `clip i`); their ids. */
export async function recordSyntheticClips(clips: ClipStore, frames: readonly number[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [seed, count] of frames.entries()) {
    const seq = syntheticSequence({ count, width: W, height: H, seed });
    const w = await clips.startRecording({ name: `clip ${seed}`, createdAt: 0, trackId: 'oval', theme: 'day', simVersion: '1', frameWidth: W, frameHeight: H });
    for (let i = 0; i < count; i++) {
      const labels: LabelRow = {
        tick: (i * 3) as Ticks, steer: seq.targets[i * 3], steerRad: 0 as Radians, speed: seq.targets[i * 3 + 1] as MetersPerSecond,
        torque: seq.targets[i * 3 + 2], brake: 0, x: 0 as Meters, y: 0 as Meters, heading: 0 as Radians, lateralOffset: 0 as Meters,
        headingError: 0 as Radians, curvatureAhead: 0, lapProgress: 0, driver: 'expert',
      };
      w.append({ frames: [seq.frames.subarray(i * W * H * 3, (i + 1) * W * H * 3)], labels });
    }
    ids.push((await w.finish()).id);
  }
  return ids;
}

/** The worker API over `stores`, with the clock `now` (ms since epoch). */
export function apiOver(stores: TestStores, now: () => number): SteeringApi {
  return createSteeringApi({ clips: async () => stores.clips, models: async () => stores.models, settings: async () => stores.settings, now });
}
