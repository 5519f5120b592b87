// Where the dash picture-in-picture goes on the main view (pure arithmetic, no WebGL).
import { describe, expect, it } from 'vitest';
import { DEFAULT_PIP, PIP_BORDER, pipRect } from './dashPip.ts';

const DASH = { width: 200, height: 66 };

describe('pipRect', () => {
  it('puts the default PiP in the top right, the dash aspect at 30% of the width, y counted from the bottom', () => {
    const r = pipRect({ w: 1000, h: 800 }, DASH, DEFAULT_PIP);
    expect(r.w).toBe(300);
    expect(r.h).toBe(99);
    const m = DEFAULT_PIP.marginPx + PIP_BORDER;
    expect(r.x).toBe(1000 - m - 300);
    expect(r.y).toBe(800 - m - 99);
  });

  it('places each corner the margin and border in', () => {
    const view = { w: 640, h: 480 };
    const m = 5 + PIP_BORDER;
    const at = (corner: typeof DEFAULT_PIP.corner) => pipRect(view, DASH, { corner, widthFraction: 0.25, marginPx: 5 });
    expect(at('bottom-left')).toMatchObject({ x: m, y: m, w: 160 });
    expect(at('top-left')).toMatchObject({ x: m, y: 480 - m - at('top-left').h });
    expect(at('bottom-right')).toMatchObject({ x: 640 - m - 160, y: m });
  });

  it('caps the height at 40% of a short view and keeps the dash aspect', () => {
    const r = pipRect({ w: 1000, h: 100 }, DASH, { ...DEFAULT_PIP, widthFraction: 0.5 });
    expect(r.h).toBe(40);
    expect(r.w).toBe(Math.round((40 * DASH.width) / DASH.height));
  });
});
