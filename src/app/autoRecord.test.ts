import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { type CameraSpec, openClipStore } from '../data/index.ts';
import type { Meters, Radians } from '../core/units.ts';
import type { World } from '../sim/world.ts';
import { autoRecord, type AutoRecordPlan } from './autoRecord.ts';

const W = 8;
const H = 4;
const render = (w: World, cam: CameraSpec) => new Uint8Array(W * H * 3).fill((w.tick + cam.lateralM * 10) & 255);
const centre: CameraSpec = { id: 'center', lateralM: 0 as Meters, yawRad: 0 as Radians };
const plan = (over: Partial<AutoRecordPlan> = {}): AutoRecordPlan => ({
  minutes: 0.5, trackIds: ['oval', '12'], themes: ['day', 'night'], steerNoise: 0.05, weaveRate: 0.2,
  cameras: [centre], rateHz: 20, frameWidth: W, frameHeight: H, seed: 1, ...over,
});

describe('auto-record', () => {
  it('records the planned minutes split over every track and theme', async () => {
    const store = await openClipStore({ name: `auto-${Math.random()}`, storage: null });
    const prepared: string[] = [];
    const progress: number[] = [];
    const r = await autoRecord(plan(), {
      store, render, now: () => 0, prepare: (t, th) => prepared.push(`${t}/${th}`), onProgress: (p) => progress.push(p.fraction), sliceMs: 5,
    });
    expect(prepared).toEqual(['oval/day', 'oval/night', '12/day', '12/night']);
    expect(r.clips).toHaveLength(4);
    expect(r.clips.reduce((s, c) => s + c.frameCount, 0)).toBe(600);
    expect(r.clips.every((c) => c.complete)).toBe(true);
    expect(progress[progress.length - 1]).toBeCloseTo(1, 6);
    const labels = await store.labels(r.clips[0].id);
    expect(new Set(labels.driver)).toEqual(new Set([1])); // expert
    // The expert drives: steering varies and the car stays near the road.
    expect(Math.max(...labels.steer) - Math.min(...labels.steer)).toBeGreaterThan(0.1);
    expect(Math.max(...Array.from(labels.lateralOffset, Math.abs))).toBeLessThan(12);
    store.close();
  });

  it('keeps what it recorded when cancelled', async () => {
    const store = await openClipStore({ name: `auto-${Math.random()}`, storage: null });
    const ctl = new AbortController();
    const r = await autoRecord(plan({ minutes: 5, trackIds: ['oval'], themes: ['day'] }), {
      store, render, now: () => 0, prepare: () => {}, sliceMs: 5,
      onProgress: (p) => {
        if (p.frames > 100) ctl.abort();
      },
      signal: ctl.signal,
    });
    expect(r.cancelled).toBe(true);
    expect(r.clips).toHaveLength(1);
    expect(r.clips[0].frameCount).toBeGreaterThan(100);
    expect(r.clips[0].frameCount).toBeLessThan(6000);
    expect((await store.list()).length).toBe(1);
    store.close();
  });

  it('records side cameras with recovery labels', async () => {
    const store = await openClipStore({ name: `auto-${Math.random()}`, storage: null });
    const cams: CameraSpec[] = [centre, { id: 'left', lateralM: 1 as Meters, yawRad: 0 as Radians }, { id: 'right', lateralM: -1 as Meters, yawRad: 0 as Radians }];
    const r = await autoRecord(plan({ minutes: 0.1, trackIds: ['oval'], themes: ['day'], cameras: cams, steerNoise: 0, weaveRate: 0 }), {
      store, render, now: () => 0, prepare: () => {}, onProgress: () => {}, sliceMs: 5,
    });
    const labels = await store.labels(r.clips[0].id);
    const left = labels.cameraSteer.left!;
    const right = labels.cameraSteer.right!;
    for (let i = 0; i < labels.count; i++) {
      expect(left[i]).toBeLessThan(labels.steer[i]); // shifted left: steer back right
      expect(right[i]).toBeGreaterThan(labels.steer[i]);
    }
    store.close();
  });
});
