// The overlays' pure painting: saliency opacity follows the map, the feature grid places each
// channel's pixels in its own cell, step means and ranges.
import { describe, expect, it } from 'vitest';
import { featureGridRgba, gridLayout, heatRgba, stepMeans, valueRange } from './overlayPaint.ts';

describe('overlay painting', () => {
  it('makes saliency opaque where the map is high and transparent where it is zero', () => {
    const px = heatRgba({ width: 3, height: 1, values: [0, 0.25, 1], method: 'vbp' });
    expect([px[3], px[7], px[11]]).toEqual([0, Math.round(215 * 0.5), 215]);
    expect(px[9]).toBe(255); // green channel rises with the value
    expect(px[1]).toBe(64);
  });

  it('lays channels out in a grid near the asked aspect, one pixel apart', () => {
    const g = gridLayout({ channels: 12, width: 10, height: 3 }, 3);
    expect(g.cols * g.rows).toBeGreaterThanOrEqual(12);
    expect(g.width).toBe(g.cols * 11 - 1);
    expect(g.height).toBe(g.rows * 4 - 1);
    expect(g.width / g.height).toBeGreaterThan(1.5);
    expect(g.width / g.height).toBeLessThan(6);
  });

  it('puts channel c\'s pixels in cell c', () => {
    const m = { layer: 'conv1', width: 2, height: 2, channels: 3, totalChannels: 8, pixels: Uint8Array.from([1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24]) };
    const g = gridLayout(m, 100); // one row of three cells
    expect(g).toEqual({ cols: 3, rows: 1, width: 8, height: 2 });
    const px = featureGridRgba(m, g);
    const at = (x: number, y: number) => px[(y * g.width + x) * 4];
    expect([at(0, 0), at(1, 0), at(0, 1), at(1, 1)]).toEqual([1, 2, 3, 4]);
    expect([at(3, 0), at(4, 1), at(6, 0), at(7, 1)]).toEqual([11, 14, 21, 24]);
    expect(at(2, 0)).toBe(20); // the gap
  });

  it('averages units per step and widens ranges to include gate bounds', () => {
    expect(stepMeans([1, 3, 5, 7], 2, 2)).toEqual([2, 6]);
    expect(valueRange([[0.2, 0.4]], [0, 1])).toEqual([0, 1]);
    expect(valueRange([[-2, 3]])).toEqual([-2, 3]);
    expect(valueRange([[5, 5]])).toEqual([4.5, 5.5]);
  });
});
