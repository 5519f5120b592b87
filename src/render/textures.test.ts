import { describe, expect, it } from 'vitest';
import { ROAD_V_PERIOD } from './roadGeometry.ts';
import { chequerTexels, facadeTexels, linearTexels, radialTexels, stripeTexels, surfaceTexels, valueNoise } from './textures.ts';
import { THEME_NAMES, THEMES, type SurfaceStyle } from './themes.ts';

/** Mean absolute difference between two columns of an RGBA image. */
function columnGap(img: { width: number; height: number; data: Uint8Array }, a: number, b: number): number {
  let sum = 0;
  for (let y = 0; y < img.height; y++) for (let c = 0; c < 3; c++) sum += Math.abs(img.data[(y * img.width + a) * 4 + c] - img.data[(y * img.width + b) * 4 + c]);
  return sum / (img.height * 3);
}

describe('surface textures', () => {
  const smooth: SurfaceStyle = { ...THEMES.day.grass, grain: 0, speckle: 0 };

  it('tile without a seam: across the wrap the noise steps no more than between any neighbours', () => {
    const size = 64;
    for (const cells of [3, 4, 16]) {
      const n = valueNoise(size, cells, `seam ${cells}`);
      let inner = 0;
      let seam = 0;
      for (let y = 0; y < size; y++) {
        for (let x = 0; x + 1 < size; x++) inner = Math.max(inner, Math.abs(n[y * size + x + 1] - n[y * size + x]), Math.abs(n[x * size + y] - n[(x + 1) * size + y]));
        seam = Math.max(seam, Math.abs(n[y * size] - n[y * size + size - 1]), Math.abs(n[y] - n[(size - 1) * size + y]));
      }
      expect(seam, `${cells} cells`).toBeLessThanOrEqual(inner * 1.01);
    }
    // And the colours built on it stay as smooth across the edge as inside.
    const img = surfaceTexels(smooth, 'seam', size);
    const innerColour = Math.max(...Array.from({ length: size - 2 }, (_, x) => columnGap(img, x, x + 1)));
    expect(columnGap(img, size - 1, 0)).toBeLessThanOrEqual(innerColour * 1.01 + 0.5);
  });

  it('are the same for the same seed and differ between themes', () => {
    const a = surfaceTexels(THEMES.day.asphalt, 'day:asphalt');
    expect(surfaceTexels(THEMES.day.asphalt, 'day:asphalt').data).toEqual(a.data);
    const means = THEME_NAMES.map((t) => {
      const d = surfaceTexels(THEMES[t].asphalt, `${t}:asphalt`).data;
      let sum = 0;
      for (let i = 0; i < d.length; i += 4) sum += d[i] + d[i + 1] + d[i + 2];
      return sum / (d.length / 4);
    });
    expect(new Set(means.map((m) => Math.round(m))).size).toBe(THEME_NAMES.length);
  });

  it('tile the road seamlessly along the lap (their tile sizes divide the road period)', () => {
    for (const t of THEME_NAMES) {
      expect(ROAD_V_PERIOD % THEMES[t].asphalt.tileM, t).toBe(0);
      expect(ROAD_V_PERIOD % THEMES[t].gravel.tileM, t).toBe(0);
    }
  });
});

describe('small textures', () => {
  it('stripes, chequer, radial disc and facade have the sizes and colours they claim', () => {
    const s = stripeTexels(0xff0000, 0x00ff00, 8);
    expect([s.width, s.height]).toEqual([2, 8]);
    expect(Array.from(s.data.subarray(0, 4))).toEqual([255, 0, 0, 255]);
    expect(Array.from(s.data.subarray(7 * 8, 7 * 8 + 4))).toEqual([0, 255, 0, 255]);
    const c = chequerTexels();
    expect(c.data[0]).toBeGreaterThan(200);
    expect(c.data[4]).toBeLessThan(50);
    const r = radialTexels(33);
    expect(r.data[(16 * 33 + 16) * 4]).toBe(255);
    expect(r.data[0]).toBe(0);
    const f = facadeTexels('x', 1);
    let lit = 0;
    for (let i = 0; i < f.lit.data.length; i += 4) lit += f.lit.data[i] > 0 ? 1 : 0;
    expect(lit).toBeGreaterThan(0);
    expect(facadeTexels('x', 0).lit.data.every((v, i) => i % 4 === 3 || v === 0)).toBe(true);
  });
});

describe('linearTexels', () => {
  it('decodes sRGB bytes to linear bytes and keeps alpha', () => {
    const img = { width: 4, height: 1, data: Uint8Array.from([0, 255, 188, 7, 128, 10, 255, 200, 30, 60, 90, 255, 1, 2, 3, 4]) };
    const out = linearTexels(img);
    expect(Array.from(out.data.subarray(0, 4))).toEqual([0, 255, 128, 7]); // sRGB 188 is half intensity
    expect(out.data[4]).toBe(55); // sRGB 0.502 -> 0.216
    expect(out.data[7]).toBe(200);
    expect(out.data[15]).toBe(4);
    expect(img.data[2]).toBe(188); // the input is left alone
  });
});
