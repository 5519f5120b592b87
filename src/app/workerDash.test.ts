// The driving worker's own dash camera as the controller sees it: the page renders until the
// worker holds the scene the page draws now; every change of scene is sent again; a worker that
// cannot draw leaves the page rendering, said once with its reason.
import { describe, expect, it } from 'vitest';
import type { DashSceneResult } from '../../workers/steeringApi.ts';
import type { DashScene } from '../render/dashCamera.ts';
import { resolveTrack } from '../sim/tracks.ts';
import { type DashSceneParts, WorkerDash } from './workerDash.ts';

const parts = (over: Partial<DashSceneParts> = {}): DashSceneParts => ({ track: resolveTrack('oval'), theme: 'day', width: 200, height: 66, sceneryDensity: 1, shadows: false, pixelRatio: 0.5, ...over });

/** A fake worker whose setDashScene answers the test settles by hand. */
function fakeWorker() {
  const sent: DashScene[] = [];
  const settle: ((r: DashSceneResult) => void)[] = [];
  const setScene = (scene: DashScene): Promise<DashSceneResult> => {
    sent.push(scene);
    return new Promise((r) => settle.push(r));
  };
  return { sent, setScene, answer: async (r: DashSceneResult) => { settle.shift()!(r); await Promise.resolve(); } };
}

describe('WorkerDash', () => {
  it('renders on the page until the worker holds the scene, then in the worker; a new scene goes again', async () => {
    const notes: string[] = [];
    const d = new WorkerDash((t) => notes.push(t));
    const w = fakeWorker();
    expect(d.source(null, w.setScene)).toBe('page');
    expect(w.sent).toHaveLength(0);
    expect(d.source(parts(), w.setScene)).toBe('page');
    expect(d.source(parts(), w.setScene)).toBe('page'); // pending: not sent twice
    expect(w.sent).toHaveLength(1);
    // Plain data: the track as its file holds it, no typed arrays or grid.
    const track = resolveTrack('oval');
    expect(w.sent[0].track).toEqual({ id: 'oval', name: track.name, width: track.width, controlPoints: track.controlPoints.map((p) => [p[0], p[1]]) });
    expect(structuredClone(w.sent[0])).toEqual(w.sent[0]);
    await w.answer({ ok: true, key: 'k', softwareGl: true });
    expect(d.source(parts(), w.setScene)).toBe('worker');
    expect(d.ready).toBe(true);
    for (const change of [{ theme: 'night' as const }, { width: 100, height: 33 }, { sceneryDensity: 0.5 }, { shadows: true }, { pixelRatio: 1 }, { track: resolveTrack('kidney') }]) {
      expect(d.source(parts(change), w.setScene)).toBe('page');
      await w.answer({ ok: true, key: 'k', softwareGl: true });
      expect(d.source(parts(change), w.setScene)).toBe('worker');
    }
    expect(w.sent).toHaveLength(7);
    expect(notes).toEqual([]);
  });

  it('a worker that cannot draw leaves the page rendering, said once with the reason', async () => {
    const notes: string[] = [];
    const d = new WorkerDash((t) => notes.push(t));
    const w = fakeWorker();
    d.source(parts(), w.setScene);
    await w.answer({ ok: false, reason: 'this browser has no OffscreenCanvas' });
    expect(d.source(parts(), w.setScene)).toBe('page');
    expect(d.problem).toBe('this browser has no OffscreenCanvas');
    expect(w.sent).toHaveLength(1); // not asked again for the same scene
    d.source(parts({ theme: 'dusk' }), w.setScene);
    await w.answer({ ok: false, reason: 'no WebGL2' });
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(/OffscreenCanvas.*the page draws it/);
  });

  it('a frame the worker could not render sends the next ones through the page; a new worker is given the scene again', async () => {
    const d = new WorkerDash(() => {});
    const w = fakeWorker();
    d.source(parts(), w.setScene);
    await w.answer({ ok: true, key: 'k', softwareGl: true });
    const scene = d.current;
    expect(scene).not.toBeNull();
    d.failFrame({}, 'another scene'); // not the current one: ignored
    expect(d.source(parts(), w.setScene)).toBe('worker');
    d.failFrame(scene, "the worker's dash camera lost its GPU context");
    expect(d.source(parts(), w.setScene)).toBe('page');
    expect(d.problem).toMatch(/lost its GPU context/);
    d.forget();
    expect(d.source(parts(), w.setScene)).toBe('page');
    expect(w.sent).toHaveLength(2);
    await w.answer({ ok: true, key: 'k', softwareGl: true });
    expect(d.source(parts(), w.setScene)).toBe('worker');
  });
});
