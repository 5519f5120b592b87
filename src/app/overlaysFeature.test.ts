// What the overlays ask the worker for, given the toggles, and how often: one request at a time
// per worker until the worker answers (not until the caller gives up), paced by its cost; the
// cost line says where each view came from.
import { describe, expect, it } from 'vitest';
import type { OverlayViews } from '../../workers/overlayApi.ts';
import { hudLayout } from '../hud/layout.ts';
import { costLine, createOverlayPacer, OVERLAY_WORKER_SHARE, overlayColumns, overlayRequest } from './overlaysFeature.ts';

describe('overlay requests', () => {
  it('asks for nothing when every overlay is off, and only for what is on', () => {
    expect(overlayRequest({ saliency: false, layers: false, gates: false }, 'vbp', -1)).toBeNull();
    expect(overlayRequest({ saliency: true, layers: false, gates: false }, 'vbp', 1)).toEqual({ saliency: 'vbp', featureChannels: 0, gates: false });
    expect(overlayRequest({ saliency: true, layers: false, gates: false }, 'gradcam', 1)).toEqual({ saliency: 'gradcam', gradcamLayer: 1, featureChannels: 0, gates: false });
    expect(overlayRequest({ saliency: false, layers: true, gates: true }, 'gradcam', 1)).toEqual({ saliency: null, featureChannels: 16, gates: true });
  });
});

describe('overlay columns', () => {
  type Box = { x: number; y: number; w: number; h: number };
  const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  it('stop above the model switch, the autopilot block and the steering panel; on a sideways phone they keep a minimum inside the layer', () => {
    for (const [w, h, view] of [[1280, 672, 672], [1024, 720, 720], [1920, 1032, 1032], [844, 192, 300]]) {
      const l = hudLayout(w, h, view);
      const pip = { x: l.minimapBox.x, y: l.minimapBox.y + l.minimapBox.h + 8, width: l.minimapBox.w, height: 60 };
      const { left, right } = overlayColumns(l, pip);
      const leftBox = { x: left.x, y: left.y, w: left.width, h: left.maxHeight };
      const rightBox = { x: right.x, y: right.y, w: right.width, h: right.maxHeight };
      if (l.compact) {
        // Too short for columns between the panels: at least a minimum, never past the layer's bottom.
        expect(left.y + left.maxHeight).toBeLessThanOrEqual(l.height);
        expect(right.y + right.maxHeight).toBeLessThanOrEqual(l.height);
        continue;
      }
      for (const panel of [l.modelSlot, l.autopilot, l.steering, l.speed, l.lap]) {
        expect(overlaps(leftBox, panel), `left column over a HUD rect at ${w}x${h}`).toBe(false);
        expect(overlaps(rightBox, panel), `right column over a HUD rect at ${w}x${h}`).toBe(false);
      }
      expect(left.maxHeight).toBeGreaterThan(100);
    }
  });
});

describe('overlay pacing', () => {
  const answer = (total: number): OverlayViews => ({ saliency: null, layers: [], gates: null, framesSeen: 1, from: { saliency: 'own', layers: null, gates: null }, waiting: false, ms: { saliency: total, layers: 0, gates: 0, total, waited: 0 } });
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

describe('the cost line', () => {
  const all = { saliency: true, layers: true, gates: true };
  const views = (from: OverlayViews['from'], waiting = false): OverlayViews => ({
    saliency: from.saliency ? { width: 2, height: 1, values: new Float32Array(2), method: 'vbp', shared: from.saliency === 'prediction' } : null,
    layers: [], gates: null, framesSeen: 9, from, waiting, ms: { saliency: 554.2, layers: 0, gates: 4537, total: 5091.2, waited: 3 },
  });
  it('says where each view came from, never "layers 0.0 ms" for a forward counted as saliency', () => {
    expect(costLine(all, views({ saliency: 'own', layers: 'saliency', gates: 'own' }), 'vbp')).toBe('vbp 554.2 ms · layers in vbp\'s forward · gates 4537.0 ms');
    expect(costLine(all, views({ saliency: 'prediction', layers: 'prediction', gates: 'prediction' }), 'vbp')).toBe('vbp 554.2 ms · layers 0.0 ms · gates 4537.0 ms, reusing the prediction\'s forward');
    expect(costLine(all, views({ saliency: 'own', layers: 'prediction', gates: 'prediction' }), 'vbp')).toBe('vbp 554.2 ms · layers 0.0 ms · gates 4537.0 ms (layers, gates: reusing the prediction\'s forward)');
    expect(costLine({ saliency: true, layers: true, gates: false }, views({ saliency: 'prediction', layers: null, gates: null }, true), 'vbp')).toBe('vbp 554.2 ms · layers waiting for the next prediction (vbp: reusing the prediction\'s forward)');
    expect(costLine({ saliency: false, layers: false, gates: true }, views({ saliency: null, layers: null, gates: 'own' }), 'gradcam')).toBe('gates 4537.0 ms');
  });
});
