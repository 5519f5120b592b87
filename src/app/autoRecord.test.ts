import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { type CameraSpec, openClipStore } from '../data/index.ts';
import type { Meters, Radians } from '../core/units.ts';
import type { World } from '../sim/world.ts';
import { createExpert } from '../sim/expert.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { autoRecord, type AutoRecordPlan, DEMO_PACE, spreadStartS } from './autoRecord.ts';

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

describe('auto-record labels', () => {
  it('labels a noisy expert\'s steps with what it means to do there (clean), or with what it applied', async () => {
    const rows = async (labels: 'clean' | 'applied') => {
      const store = await openClipStore({ name: `labels-${Math.random()}`, storage: null });
      const worlds: World[] = [];
      const keep = (w: World, cam: CameraSpec) => (worlds.push(w), render(w, cam));
      const r = await autoRecord(plan({ minutes: 0.5, trackIds: ['kidney'], themes: ['day'], steerNoise: 0.15, weaveRate: 0.3, speedNoise: 0.2, labels }), {
        store, render: keep, now: () => 0, prepare: () => {}, onProgress: () => {}, sliceMs: 5,
      });
      const l = await store.labels(r.clips[0].id);
      store.close();
      return { l, worlds };
    };
    const clean = await rows('clean');
    const applied = await rows('applied');
    // The same noise drives the same path: only the labels differ.
    expect(Array.from(clean.l.x)).toEqual(Array.from(applied.l.x));
    const teacher = createExpert(resolveTrack('kidney'), { pace: DEMO_PACE });
    let apart = 0;
    for (let i = 0; i < clean.l.count; i++) {
      const meant = teacher.control(clean.worlds[i]);
      expect(clean.l.steer[i]).toBe(meant.steer);
      expect(clean.l.torque[i]).toBe(meant.torque);
      expect(applied.l.steer[i]).toBe(applied.worlds[i].applied.steer);
      expect(applied.l.torque[i]).toBe(applied.worlds[i].applied.torque);
      if (Math.abs(clean.l.steer[i] - applied.l.steer[i]) > 0.02) apart++;
    }
    expect(apart).toBeGreaterThan(clean.l.count / 4);
  });
});

describe('auto-record pace', () => {
  it('drives and labels at the plan\'s pace: slower through the bends, and so is the speed it labels', async () => {
    const run = async (pace: number) => {
      const store = await openClipStore({ name: `pace-${Math.random()}`, storage: null });
      const r = await autoRecord(plan({ minutes: 0.5, trackIds: ['kidney'], themes: ['day'], steerNoise: 0, weaveRate: 0, pace, start: 'rolling' }), {
        store, render, now: () => 0, prepare: () => {}, onProgress: () => {}, sliceMs: 5,
      });
      const l = await store.labels(r.clips[0].id);
      store.close();
      const mean = (xs: Float64Array) => xs.reduce((a, b) => a + b, 0) / xs.length;
      return { speed: mean(l.speed), target: mean(l.speedTarget) };
    };
    const normal = await run(0.72);
    const calm = await run(0.5);
    expect(calm.speed).toBeLessThan(0.9 * normal.speed);
    expect(calm.target).toBeLessThan(0.9 * normal.target);
    // The label is the calm expert's own speed 1 s on: close to the speed it drives.
    expect(Math.abs(calm.target - calm.speed)).toBeLessThan(0.1 * calm.speed);
  });
});

describe('auto-record start', () => {
  const firstSteps = async (start: 'standing' | 'rolling' | undefined) => {
    const store = await openClipStore({ name: `start-${Math.random()}`, storage: null });
    const r = await autoRecord(plan({ minutes: 0.2, trackIds: ['oval'], themes: ['day'], steerNoise: 0, weaveRate: 0, ...(start ? { start } : {}) }), {
      store, render, now: () => 0, prepare: () => {}, onProgress: () => {}, sliceMs: 5,
    });
    const l = await store.labels(r.clips[0].id);
    store.close();
    return l;
  };

  it('records the launch from rest by default, labelled with the speed the expert reaches 1 s on', async () => {
    const l = await firstSteps(undefined);
    expect(l.speed[0]).toBeLessThan(0.5);
    // Off the line the label runs well ahead of the speedometer: it teaches the model to pull away.
    expect(l.speedTarget[0] - l.speed[0]).toBeGreaterThan(3);
    expect(l.torque[0]).toBeGreaterThan(0.5);
  });

  it("'rolling' starts recording once the expert rolls at 10 m/s", async () => {
    const l = await firstSteps('rolling');
    expect(l.speed[0]).toBeGreaterThanOrEqual(10);
  });

  it("'spread' starts a track's first clip on the grid and its others moving, around the lap, elsewhere for another seed", async () => {
    const starts = async (seed: number) => {
      const store = await openClipStore({ name: `spread-${Math.random()}`, storage: null });
      const first: { s: number; speed: number }[] = [];
      let fresh = false;
      const r = await autoRecord(plan({ minutes: 0.2, trackIds: ['kidney'], themes: ['day', 'dusk', 'overcast', 'night'], steerNoise: 0, weaveRate: 0, start: 'spread', seed }), {
        store, now: () => 0, onProgress: () => {}, sliceMs: 5,
        prepare: () => {
          fresh = true;
        },
        render: (w, cam) => {
          if (fresh) first.push({ s: w.trackPos.s, speed: w.car.vx });
          fresh = false;
          return render(w, cam);
        },
      });
      const length = resolveTrack('kidney').length;
      const speeds = await Promise.all(r.clips.map(async (c) => (await store.labels(c.id)).speed[0]));
      store.close();
      return { s: first.map((f) => f.s / length), speeds };
    };
    const a = await starts(1);
    expect(a.s).toHaveLength(4);
    expect(a.speeds[0]).toBeLessThan(0.5); // the launch, on the grid
    for (const v of a.speeds.slice(1)) expect(v).toBeGreaterThan(8); // after the expert's warm-up
    // Clips 1-3 start in three different quarters of the lap (the grid is near 1.0).
    const quarters = a.s.slice(1).map((f) => Math.floor(f * 4) % 4);
    expect(new Set(quarters).size).toBe(3);
    const b = await starts(2);
    for (let j = 1; j < 4; j++) expect(Math.abs(b.s[j] - a.s[j])).toBeGreaterThan(0.05);
    expect(spreadStartS(1000, 0, 4, 7)).toBeUndefined();
    expect(spreadStartS(1000, 3, 4, 0)).toBe(750);
  });
});

describe('DAgger rollouts (a learner steers, the expert labels)', () => {
  it('records the states the learner visits, labelled with the expert\'s controls there, and counts its interventions', async () => {
    const store = await openClipStore({ name: `dagger-${Math.random()}`, storage: null });
    // A poor learner: a slight constant left turn, so the car drifts off the expert's line.
    let resets = 0;
    const frames: number[] = [];
    const learner = {
      reset: async () => {
        resets++;
      },
      drive: async (f: Uint8Array) => {
        frames.push(f.length);
        return { steering: 0.08, speed: 15 };
      },
    };
    const r = await autoRecord(plan({ minutes: 1, trackIds: ['oval'], themes: ['day'], steerNoise: 0, weaveRate: 0, namePrefix: 'DAgger round 1' }), {
      store, render, now: () => 0, prepare: () => {}, onProgress: () => {}, sliceMs: 5, learner,
    });
    expect(r.clips).toHaveLength(1);
    expect(r.clips[0].name).toMatch(/^DAgger round 1 on /);
    const l = await store.labels(r.clips[0].id);
    expect(frames.length).toBe(l.count); // one prediction per recorded step, from its centre frame
    // The learner's states: the car wanders far from the centreline, where the expert never goes...
    const lateral = Array.from(l.lateralOffset);
    expect(Math.max(...lateral.map(Math.abs))).toBeGreaterThan(3);
    // ...and the labels are the expert's corrections there (steer back toward the line), not the applied 0.08.
    let corrective = 0;
    let far = 0;
    for (let i = 0; i < l.count; i++) {
      if (Math.abs(lateral[i]) < 2) continue;
      far++;
      if (Math.sign(l.steer[i]) === -Math.sign(lateral[i])) corrective++;
    }
    expect(far).toBeGreaterThan(20);
    expect(corrective / far).toBeGreaterThan(0.8);
    expect(Array.from(l.steer).filter((s) => Math.abs(s - 0.08) < 1e-6).length).toBeLessThan(l.count / 10);
    // The expert's own run from the same start stays on its line.
    const expertRun = await autoRecord(plan({ minutes: 1, trackIds: ['oval'], themes: ['day'], steerNoise: 0, weaveRate: 0 }), {
      store, render, now: () => 0, prepare: () => {}, onProgress: () => {}, sliceMs: 5,
    });
    const le = await store.labels(expertRun.clips[0].id);
    expect(Math.max(...lateral.map(Math.abs))).toBeGreaterThan(2 * Math.max(...Array.from(le.lateralOffset, Math.abs)));
    expect(r.learner!.seconds).toBeCloseTo(60, 0);
    expect(r.learner!.autonomyPct).toBeLessThanOrEqual(100);
    expect(resets).toBe(1 + r.learner!.interventions);
    expect(expertRun.learner).toBeUndefined();
    store.close();
  });

  it('lets the learner\'s speed work the pedals: its rollout goes at the learner\'s speed, labelled with the expert\'s torque there', async () => {
    const store = await openClipStore({ name: `dagger-speed-${Math.random()}`, storage: null });
    // A timid learner: it wants 5 m/s where the expert would go 20 and more.
    const learner = { reset: async () => {}, drive: async () => ({ steering: 0, speed: 5 }) };
    const r = await autoRecord(plan({ minutes: 0.5, trackIds: ['oval'], themes: ['day'], steerNoise: 0, weaveRate: 0 }), {
      store, render, now: () => 0, prepare: () => {}, onProgress: () => {}, sliceMs: 5, learner,
    });
    const l = await store.labels(r.clips[0].id);
    const late = Array.from(l.speed).slice(l.count / 3);
    // The car slows to what the learner asks (the expert's pedals would have kept it above 10 m/s)...
    expect(Math.max(...late)).toBeLessThan(8);
    // ...and the torque labels are the expert's there: accelerate.
    const torques = Array.from(l.torque).slice(l.count / 3);
    expect(torques.filter((t) => t > 0.2).length / torques.length).toBeGreaterThan(0.8);
    store.close();
  });

  it('drives a learner\'s rollout by the learner\'s own throttle rule when it has one (the autopilot\'s, as deployed)', async () => {
    const store = await openClipStore({ name: `dagger-throttle-${Math.random()}`, storage: null });
    const seen: number[] = [];
    // The same timid speed head, but a throttle rule that floors the pedal: the car goes fast anyway.
    const learner = {
      reset: async () => {},
      drive: async () => ({ steering: 0, speed: 5, torque: 0.7 }),
      throttle: (out: { torque?: number }, v: number) => {
        seen.push(v);
        return out.torque ?? 0;
      },
    };
    const r = await autoRecord(plan({ minutes: 0.5, trackIds: ['oval'], themes: ['day'], steerNoise: 0, weaveRate: 0 }), {
      store, render, now: () => 0, prepare: () => {}, onProgress: () => {}, sliceMs: 5, learner,
    });
    const l = await store.labels(r.clips[0].id);
    expect(Math.max(...Array.from(l.speed).slice(l.count / 3))).toBeGreaterThan(10);
    expect(seen.length).toBeGreaterThan(l.count);
    store.close();
  });
});
