// What the overlays ask the worker for, given the toggles, and how often: one request at a time
// per worker until the worker answers (not until the caller gives up), paced by its cost.
import { describe, expect, it } from 'vitest';
import type { OverlayViews } from '../../workers/overlayApi.ts';
import { createOverlayPacer, OVERLAY_WORKER_SHARE, overlayRequest } from './overlaysFeature.ts';

describe('overlay requests', () => {
  it('asks for nothing when every overlay is off, and only for what is on', () => {
    expect(overlayRequest({ saliency: false, layers: false, gates: false }, 'vbp', -1)).toBeNull();
    expect(overlayRequest({ saliency: true, layers: false, gates: false }, 'vbp', 1)).toEqual({ saliency: 'vbp', featureChannels: 0, gates: false });
    expect(overlayRequest({ saliency: true, layers: false, gates: false }, 'gradcam', 1)).toEqual({ saliency: 'gradcam', gradcamLayer: 1, featureChannels: 0, gates: false });
    expect(overlayRequest({ saliency: false, layers: true, gates: true }, 'gradcam', 1)).toEqual({ saliency: null, featureChannels: 16, gates: true });
  });
});

describe('overlay pacing', () => {
  const answer = (total: number): OverlayViews => ({ saliency: null, layers: [], gates: null, framesSeen: 1, ms: { saliency: total, layers: 0, gates: 0, total } });
  /** A request the test answers by hand. */
  function pending() {
    let resolve!: (v: OverlayViews | null) => void;
    let reject!: (e: Error) => void;
    const call = new Promise<OverlayViews | null>((res, rej) => [resolve, reject] = [res, rej]);
    return { call, resolve, reject };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('asks again only after the worker answered, however long it takes, then after its cost / share', async () => {
    let now = 0;
    const pacer = createOverlayPacer(() => now);
    const worker = {};
    const other = {};
    expect(pacer.canStart(worker)).toBe(true);
    const slow = pending();
    pacer.started(worker, slow.call);
    now = 10_000; // long past any caller's deadline: the worker still computes this one
    await settle();
    expect(pacer.canStart(worker)).toBe(false);
    expect(pacer.canStart(other)).toBe(true); // a new worker (the old one died) is not held up
    slow.resolve(answer(6000));
    await settle();
    expect(pacer.canStart(worker)).toBe(false);
    now = 10_000 + 6000 / OVERLAY_WORKER_SHARE - 1;
    expect(pacer.canStart(worker)).toBe(false);
    now += 1;
    expect(pacer.canStart(worker)).toBe(true);
    // A failed request frees the slot at once; a toggle skips the wait.
    const failing = pending();
    pacer.started(worker, failing.call);
    expect(pacer.canStart(worker)).toBe(false);
    failing.reject(new Error('no'));
    await settle();
    expect(pacer.canStart(worker)).toBe(true);
    const quick = pending();
    pacer.started(worker, quick.call);
    quick.resolve(answer(50));
    await settle();
    expect(pacer.canStart(worker)).toBe(false);
    pacer.hurry();
    expect(pacer.canStart(worker)).toBe(true);
  });
});
