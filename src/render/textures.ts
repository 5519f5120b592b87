// Procedural texture pixels: tileable surfaces (asphalt, grass, gravel), kerb stripes, the start
// line's chequer and building facades. Pure and seeded (no DOM, no three.js), so each theme's
// textures are the same on every machine; materials.ts uploads them.

import { createRng } from '../core/rng.ts';
import type { SurfaceStyle } from './themes.ts';

/** RGBA8 pixels, sRGB, row 0 first. */
export interface TexelImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

function rgbOf(hex: number): [number, number, number] {
  return [(hex >> 16) & 255, (hex >> 8) & 255, hex & 255];
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

/**
 * Tileable value noise over a size x size image with `cells` cells across: random values on a
 * wrapped lattice, blended with smoothstep. Returns values in [0, 1].
 */
export function valueNoise(size: number, cells: number, seed: string): Float32Array {
  const rng = createRng(seed);
  const lattice = new Float32Array(cells * cells);
  for (let i = 0; i < lattice.length; i++) lattice[i] = rng.next();
  const out = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const fy = (y / size) * cells;
    const y0 = Math.floor(fy);
    const ty = smooth(fy - y0);
    const r0 = (y0 % cells) * cells;
    const r1 = ((y0 + 1) % cells) * cells;
    for (let x = 0; x < size; x++) {
      const fx = (x / size) * cells;
      const x0 = Math.floor(fx);
      const tx = smooth(fx - x0);
      const c0 = x0 % cells;
      const c1 = (x0 + 1) % cells;
      const top = lattice[r0 + c0] + (lattice[r0 + c1] - lattice[r0 + c0]) * tx;
      const bottom = lattice[r1 + c0] + (lattice[r1 + c1] - lattice[r1 + c0]) * tx;
      out[y * size + x] = top + (bottom - top) * ty;
    }
  }
  return out;
}

/** A tileable surface: base colour, soft blotches of the patch colour, grain and speckles. */
export function surfaceTexels(style: SurfaceStyle, seed: string, size = 128): TexelImage {
  const data = new Uint8Array(size * size * 4);
  const coarse = valueNoise(size, style.patchScale, `${seed}:coarse`);
  const detail = valueNoise(size, style.patchScale * 3, `${seed}:detail`);
  const mottle = valueNoise(size, 16, `${seed}:mottle`);
  const rng = createRng(`${seed}:grain`);
  const base = rgbOf(style.base);
  const patch = rgbOf(style.patch);
  const speck = rgbOf(style.speckleColor);
  const threshold = 1 - style.patchCover;
  for (let i = 0; i < size * size; i++) {
    const n = coarse[i] * 0.7 + detail[i] * 0.3;
    const p = smooth(Math.min(1, Math.max(0, (n - threshold + 0.06) / 0.12)));
    const shade = 1 + style.grain * ((rng.next() - 0.5) * 1.2 + (mottle[i] - 0.5) * 0.8);
    const isSpeck = rng.next() < style.speckle;
    for (let c = 0; c < 3; c++) {
      const v = isSpeck ? speck[c] : base[c] + (patch[c] - base[c]) * p;
      data[i * 4 + c] = Math.max(0, Math.min(255, Math.round(v * shade)));
    }
    data[i * 4 + 3] = 255;
  }
  return { width: size, height: size, data };
}

/** Two-colour stripes along v (kerbs): the first half of the image a, the second b. */
export function stripeTexels(a: number, b: number, length = 32): TexelImage {
  const data = new Uint8Array(2 * length * 4);
  const ca = rgbOf(a);
  const cb = rgbOf(b);
  for (let y = 0; y < length; y++) {
    const c = y < length / 2 ? ca : cb;
    for (let x = 0; x < 2; x++) data.set([c[0], c[1], c[2], 255], (y * 2 + x) * 4);
  }
  return { width: 2, height: length, data };
}

/** A 2x2 black-and-white chequer (the start/finish line; repeat it with nearest filtering). */
export function chequerTexels(): TexelImage {
  const w = [245, 245, 245, 255];
  const k = [20, 20, 22, 255];
  return { width: 2, height: 2, data: Uint8Array.from([...w, ...k, ...k, ...w]) };
}

/**
 * A building facade, 4 floors of 4 windows on a light wall (the instance colour tints the wall),
 * and the matching glow map: black, with a seeded share of windows lit warm.
 */
export function facadeTexels(seed: string, litShare = 0.45, size = 64): { color: TexelImage; lit: TexelImage } {
  const color = new Uint8Array(size * size * 4);
  const lit = new Uint8Array(size * size * 4);
  const rng = createRng(`${seed}:facade`);
  const cell = size / 4;
  const litCells = Array.from({ length: 16 }, () => rng.next() < litShare);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      const cx = x % cell;
      const cy = y % cell;
      const window = cx >= cell * 0.22 && cx < cell * 0.78 && cy >= cell * 0.2 && cy < cell * 0.72;
      const grain = 0.94 + 0.06 * rng.next();
      if (window) {
        color.set([Math.round(70 * grain), Math.round(82 * grain), Math.round(96 * grain), 255], i);
        const on = litCells[Math.floor(y / cell) * 4 + Math.floor(x / cell)];
        lit.set(on ? [255, 214, 140, 255] : [0, 0, 0, 255], i);
      } else {
        const v = Math.round(236 * grain);
        color.set([v, v, v, 255], i);
        lit.set([0, 0, 0, 255], i);
      }
    }
  }
  return { color: { width: size, height: size, data: color }, lit: { width: size, height: size, data: lit } };
}

/** A soft disc: white at the centre fading to black at the rim (smoothstep), alpha opaque. */
export function radialTexels(size = 64): TexelImage {
  const data = new Uint8Array(size * size * 4);
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const r = Math.min(1, Math.hypot(x - c, y - c) / c);
      const v = Math.round(255 * smooth(1 - r));
      data.set([v, v, v, 255], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}

/** sRGB byte -> linear byte, rounded. */
const SRGB_TO_LINEAR = Uint8Array.from({ length: 256 }, (_, v) => {
  const c = v / 255;
  const lin = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  return Math.round(lin * 255);
});

/**
 * The same image with its colour channels converted from sRGB to linear bytes (alpha kept). A
 * linear texture samples about twice as fast as an sRGB one on software GL (no decode per texel);
 * the cost is coarser steps in the darkest tones, invisible under these textures' grain.
 */
export function linearTexels(img: TexelImage): TexelImage {
  const data = new Uint8Array(img.data.length);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = SRGB_TO_LINEAR[img.data[i]];
    data[i + 1] = SRGB_TO_LINEAR[img.data[i + 1]];
    data[i + 2] = SRGB_TO_LINEAR[img.data[i + 2]];
    data[i + 3] = img.data[i + 3];
  }
  return { width: img.width, height: img.height, data };
}
