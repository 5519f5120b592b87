// Our SIMD conv module (simd/convKernels.c) on its own: the committed binaries are the source's
// build, and each kernel computes its sums and writes nothing outside the buffer it is given
// (the module works in the wasm backend's own heap, so a stray write would corrupt a tensor).
// The kernels inside the backend are checked against the cpu backend by convGradients.test.ts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../core/rng.ts';
// @ts-expect-error a plain .mjs build script, no types
import { buildSimd, SIMD_BUILDS } from './simd/build.mjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdConvFma, simdConvThreads, startSimdConv } from './simdConv.ts';
import { chunkCount, createConvHelper } from './simdHelper.ts';

const dir = new URL('./simd/', import.meta.url);
const BUILDS = SIMD_BUILDS as Record<string, { clang: string; flags: string[] }>;
const FILES = Object.keys(BUILDS);

function has(compiler: string): boolean {
  try {
    execFileSync(compiler, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('the committed SIMD binaries', () => {
  // CI installs the compilers (.ci/run), so there this always runs; elsewhere it needs them and lld.
  const missing = [...new Set(Object.values(BUILDS).map((b) => b.clang))].filter((c) => !has(c));
  it.skipIf(missing.length > 0 && !process.env.CI)('are the build of convKernels.c', () => {
    expect(missing, 'the compilers are installed (apt-get install clang lld clang-19 lld-19)').toEqual([]);
    const out = mkdtempSync(join(tmpdir(), 'simd-'));
    try {
      (buildSimd as (outDir: string) => void)(out);
      for (const f of FILES) expect(readFileSync(join(out, f)).equals(readFileSync(new URL(f, dir))), `${f} is stale: npm run build:simd`).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

interface Kernels {
  pad_nhwc(...a: number[]): void;
  crop_nhwc(...a: number[]): void;
  conv_fwd(...a: number[]): void;
  conv_dw(...a: number[]): void;
  conv_dx(...a: number[]): void;
  bytes_to_floats(...a: number[]): void;
  box2_bytes(...a: number[]): void;
  adam_update(...a: number[]): void;
  sgd_update(...a: number[]): void;
  relu_grad(...a: number[]): void;
  sum_squares(...a: number[]): number;
}

/** A module over a fresh memory filled with a pattern, and a bump allocator into it (byte offsets). */
async function rig(file: string): Promise<{ k: Kernels; f32: () => Float32Array; alloc: (n: number) => number; memory: WebAssembly.Memory }> {
  // The shared build imports a shared memory (a threaded backend's), the other an unshared one.
  const memory = file.includes('Shared') ? new WebAssembly.Memory({ initial: 64, maximum: 64, shared: true }) : new WebAssembly.Memory({ initial: 64 });
  const { instance } = await WebAssembly.instantiate(readFileSync(new URL(file, dir)), { env: { memory } });
  const f32 = (): Float32Array => new Float32Array(memory.buffer);
  f32().fill(-7.25);
  let next = 4096; // bytes; nothing below is ours, so nothing there may change either
  return {
    k: instance.exports as unknown as Kernels,
    memory,
    f32,
    alloc: (n: number) => {
      const at = next;
      next += 4 * n + 64; // a gap between buffers, which must keep the pattern
      return at;
    },
  };
}

const seeded = (seed: number, n: number): Float32Array => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
};

/** Every float outside [at, at + n) still holds the pattern, except in the listed inputs (left as written). */
function expectOnlyWritten(mem: Float32Array, written: readonly [number, number][]): void {
  const mine = new Uint8Array(mem.length);
  for (const [at, n] of written) mine.fill(1, at / 4, at / 4 + n);
  let strays = 0;
  for (let i = 0; i < mem.length; i++) if (!mine[i] && mem[i] !== -7.25) strays++;
  expect(strays, 'floats changed outside the buffers').toBe(0);
}

interface Geometry { n: number; hp: number; wp: number; ci: number; kh: number; kw: number; sh: number; sw: number; co: number }
const outSize = (g: Geometry) => ({ oh: Math.floor((g.hp - g.kh) / g.sh) + 1, ow: Math.floor((g.wp - g.kw) / g.sw) + 1 });

// Shapes that reach every path: whole 4-tap blocks and leftover taps, 8-lane blocks and leftover
// lanes (1..7), whole 4-pixel blocks and leftover pixels, strides 1 and 2 in either axis, and
// several blocks of output rows.
const GEOMETRIES: Geometry[] = [
  { n: 2, hp: 9, wp: 13, ci: 3, kh: 5, kw: 5, sh: 2, sw: 2, co: 12 },
  { n: 1, hp: 7, wp: 11, ci: 12, kh: 3, kw: 3, sh: 1, sw: 2, co: 18 },
  { n: 3, hp: 5, wp: 6, ci: 5, kh: 2, kw: 3, sh: 2, sw: 1, co: 5 },
  { n: 1, hp: 3, wp: 11, ci: 24, kh: 3, kw: 3, sh: 1, sw: 1, co: 32 },
  { n: 2, hp: 4, wp: 4, ci: 1, kh: 1, kw: 1, sh: 1, sw: 1, co: 3 },
  // 4-lane chunks: 8-pixel tiles (forward, dx) then 3 leftover pixels; an 8-tap and a 4-tap dW tile.
  { n: 2, hp: 6, wp: 13, ci: 4, kh: 3, kw: 3, sh: 1, sw: 1, co: 4 },
  // 114 output rows of 8 pixels: conv_dw's blocks of 32 rows, the last one short.
  { n: 3, hp: 40, wp: 10, ci: 2, kh: 3, kw: 3, sh: 1, sw: 1, co: 9 },
];

describe.each(FILES)('%s', (file) => {
  it.each(GEOMETRIES.map((g) => [JSON.stringify(g), g] as const))('conv_fwd, conv_dw and conv_dx on %s: the sums, and no write outside their output', async (_, g) => {
    const { k, f32, alloc } = await rig(file);
    const { oh, ow } = outSize(g);
    const ldy = (g.co + 3) & ~3;
    const cip = (g.ci + 3) & ~3;
    const x = seeded(1, g.n * g.hp * g.wp * g.ci);
    const dy = seeded(2, g.n * oh * ow * g.co);
    const w = seeded(3, g.kh * g.kw * g.ci * g.co);
    const cop = (g.co + 7) & ~7;
    const [xAt, dyAt, dwAt] = [alloc(x.length), alloc(g.n * oh * ow * ldy), alloc(g.kh * g.kw * g.ci * cop)];
    const [wtAt, dxAt] = [alloc(g.kh * g.kw * g.co * cip), alloc(g.n * g.hp * g.wp * cip)];
    const [wpAt, yAt] = [alloc(g.kh * g.kw * g.ci * cop), alloc(g.n * oh * ow * g.co)];
    const m = f32();
    m.set(x, xAt / 4);
    for (let p = 0; p < g.n * oh * ow; p++) {
      m.set(dy.subarray(p * g.co, (p + 1) * g.co), dyAt / 4 + p * ldy);
      m.fill(0, dyAt / 4 + p * ldy + g.co, dyAt / 4 + (p + 1) * ldy);
    }
    m.fill(0, wtAt / 4, wtAt / 4 + g.kh * g.kw * g.co * cip);
    for (let tap = 0; tap < g.kh * g.kw; tap++) {
      for (let ci = 0; ci < g.ci; ci++) for (let co = 0; co < g.co; co++) m[wtAt / 4 + (tap * g.co + co) * cip + ci] = w[(tap * g.ci + ci) * g.co + co];
    }
    m.fill(0, dxAt / 4, dxAt / 4 + g.n * g.hp * g.wp * cip);
    m.fill(0, wpAt / 4, wpAt / 4 + g.kh * g.kw * g.ci * cop);
    for (let t = 0; t < g.kh * g.kw * g.ci; t++) m.set(w.subarray(t * g.co, (t + 1) * g.co), wpAt / 4 + t * cop);
    k.conv_fwd(xAt, wpAt, yAt, g.n, g.hp, g.wp, g.ci, g.kh, g.kw, g.sh, g.sw, oh, ow, g.co, cop);
    m.fill(0, dwAt / 4, dwAt / 4 + g.kh * g.kw * g.ci * cop);
    k.conv_dw(xAt, dyAt, dwAt, g.n, g.hp, g.wp, g.ci, g.kh, g.kw, g.sh, g.sw, oh, ow, g.co, ldy, cop);
    k.conv_dx(dyAt, wtAt, dxAt, g.n, g.hp, g.wp, cip, g.kh, g.kw, g.sh, g.sw, oh, ow, g.co, ldy);
    const after = f32();
    expectOnlyWritten(after, [[xAt, x.length], [dyAt, g.n * oh * ow * ldy], [dwAt, g.kh * g.kw * g.ci * cop], [wtAt, g.kh * g.kw * g.co * cip], [dxAt, g.n * g.hp * g.wp * cip], [wpAt, g.kh * g.kw * g.ci * cop], [yAt, g.n * oh * ow * g.co]]);
    // Plain sums in float64, the reference.
    const dwRef = new Float64Array(w.length);
    const dxRef = new Float64Array(g.n * g.hp * g.wp * g.ci);
    const yRef = new Float64Array(g.n * oh * ow * g.co);
    for (let n = 0; n < g.n; n++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
      for (let kh = 0; kh < g.kh; kh++) for (let kw = 0; kw < g.kw; kw++) for (let ci = 0; ci < g.ci; ci++) {
        const xi = ((n * g.hp + oy * g.sh + kh) * g.wp + ox * g.sw + kw) * g.ci + ci;
        for (let co = 0; co < g.co; co++) {
          const d = dy[((n * oh + oy) * ow + ox) * g.co + co];
          dwRef[((kh * g.kw + kw) * g.ci + ci) * g.co + co] += x[xi] * d;
          dxRef[xi] += d * w[((kh * g.kw + kw) * g.ci + ci) * g.co + co];
          yRef[((n * oh + oy) * ow + ox) * g.co + co] += x[xi] * w[((kh * g.kw + kw) * g.ci + ci) * g.co + co];
        }
      }
    }
    // conv_dw adds to rows of cop floats; lanes past Co are scratch (the caller crops them).
    for (let t = 0; t < g.kh * g.kw * g.ci; t++) {
      for (let co = 0; co < g.co; co++) expect(after[dwAt / 4 + t * cop + co]).toBeCloseTo(dwRef[t * g.co + co], 4);
    }
    const y = after.subarray(yAt / 4, yAt / 4 + yRef.length);
    yRef.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 4));
    // conv_dx reads dy as rows of ldy floats too: the zero lanes past Co add nothing.
    for (let p = 0; p < g.n * g.hp * g.wp; p++) {
      for (let ci = 0; ci < g.ci; ci++) expect(after[dxAt / 4 + p * cip + ci]).toBeCloseTo(dxRef[p * g.ci + ci], 4);
      for (let ci = g.ci; ci < cip; ci++) expect(after[dxAt / 4 + p * cip + ci]).toBe(0);
    }
  });

  it('pad_nhwc and crop_nhwc invert each other and write only their output', async () => {
    const { k, f32, alloc } = await rig(file);
    const [n, h, w, c, hp, wp, cp, top, left] = [2, 3, 5, 3, 6, 8, 4, 1, 2];
    const src = seeded(9, n * h * w * c);
    const [srcAt, padAt, backAt] = [alloc(src.length), alloc(n * hp * wp * cp), alloc(src.length)];
    f32().set(src, srcAt / 4);
    k.pad_nhwc(srcAt, padAt, n, h, w, c, hp, wp, cp, top, left);
    k.crop_nhwc(padAt, backAt, n, h, w, c, hp, wp, cp, top, left);
    const m = f32();
    expectOnlyWritten(m, [[srcAt, src.length], [padAt, n * hp * wp * cp], [backAt, src.length]]);
    expect(m.subarray(backAt / 4, backAt / 4 + src.length)).toEqual(src);
    const padded = m.subarray(padAt / 4, padAt / 4 + n * hp * wp * cp);
    expect(padded.reduce((s, v) => s + Math.abs(v), 0)).toBeCloseTo(src.reduce((s, v) => s + Math.abs(v), 0), 3);
    expect(padded[((1 * hp + top) * wp + left) * cp + 2]).toBe(src[(1 * h * w) * c + 2]);
  });

  it('adam_update, sgd_update, relu_grad and sum_squares write only their outputs, tails included', async () => {
    const { k, f32, alloc } = await rig(file);
    const n = 23; // 5 lanes of 4 and a tail of 3
    const [w, g, m, v] = [seeded(1, n), seeded(2, n), seeded(3, n), seeded(4, n).map(Math.abs)];
    const ins = [w, g, m, v].map((a) => { const at = alloc(n); f32().set(a, at / 4); return at; });
    const outs = [alloc(n), alloc(n), alloc(n), alloc(n), alloc(n), alloc(n)];
    k.adam_update(...ins, outs[0], outs[1], outs[2], n, 0.9, 0.1, 0.999, 0.001, 1e-7, 0.01, 0.5);
    k.sgd_update(ins[0], ins[1], ins[2], outs[3], outs[4], n, 0.9, 0.01, 1, 1);
    k.relu_grad(ins[1], ins[0], outs[5], n);
    const squares = k.sum_squares(ins[1], n);
    expectOnlyWritten(f32(), [...ins, ...outs].map((at) => [at, n] as [number, number]));
    const mem = f32();
    const f = Math.fround;
    // The last lane of the tail, against the JS loops' float32 arithmetic.
    const i = n - 1, gi = f(g[i] * 0.5), mi = f(f(m[i] * f(0.9)) + f(gi * f(0.1)));
    const vi = f(f(v[i] * f(0.999)) + f(f(gi * gi) * f(0.001)));
    expect(mem[outs[1] / 4 + i]).toBe(mi);
    expect(mem[outs[2] / 4 + i]).toBe(vi);
    expect(mem[outs[0] / 4 + i]).toBe(f(w[i] - f(f(mi / f(f(Math.sqrt(vi)) + f(1e-7))) * f(0.01))));
    const vel = f(f(m[i] * f(0.9)) + g[i]);
    expect(mem[outs[4] / 4 + i]).toBe(vel);
    expect(mem[outs[3] / 4 + i]).toBe(f(w[i] - f(f(g[i] + f(vel * f(0.9))) * f(0.01))));
    expect(mem[outs[5] / 4 + i]).toBe(w[i] > 0 ? g[i] : g[i] * 0);
    expect(squares).toBeCloseTo(g.reduce((s, x) => s + x * x, 0), 12);
  });

  it('bytes_to_floats and box2_bytes look up their table and write only their output', async () => {
    const { k, f32, memory, alloc } = await rig(file);
    const [count, h, w] = [2, 4, 6];
    const n = count * h * w * 3;
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) % 256);
    const [srcAt, tableAt, scaledAt, boxAt] = [alloc(Math.ceil(n / 4)), alloc(1021), alloc(n), alloc(n / 4)];
    new Uint8Array(memory.buffer, srcAt, n).set(bytes);
    const table = Float32Array.from({ length: 1021 }, (_, i) => i * 0.5 - 3);
    f32().set(table, tableAt / 4);
    k.bytes_to_floats(srcAt, tableAt, scaledAt, n);
    k.box2_bytes(srcAt, tableAt, boxAt, count, h, w);
    const m = f32();
    expectOnlyWritten(m, [[srcAt, Math.ceil(n / 4)], [tableAt, 1021], [scaledAt, n], [boxAt, n / 4]]);
    expect(Array.from(m.subarray(scaledAt / 4, scaledAt / 4 + n))).toEqual(Array.from(bytes, (b) => table[b]));
    // Output (frame 1, row 1, column 2, green): its 2x2 box of input bytes.
    const at = (f: number, y: number, x: number, c: number): number => bytes[((f * h + y) * w + x) * 3 + c];
    const sum = at(1, 2, 4, 1) + at(1, 2, 5, 1) + at(1, 3, 4, 1) + at(1, 3, 5, 1);
    expect(m[boxAt / 4 + ((1 * (h / 2) + 1) * (w / 2) + 2) * 3 + 1]).toBe(table[sum]);
  });
});

describe.each(['convKernelsShared.wasm', 'convKernelsSharedFma.wasm'])('the helper thread (%s over a shared memory)', (shared) => {
  const bytes = (): ArrayBuffer => { const b = readFileSync(new URL(shared, dir)); return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength); };
  const g: Geometry = { n: 5, hp: 9, wp: 13, ci: 3, kh: 5, kw: 5, sh: 2, sw: 2, co: 12 };
  const { oh, ow } = outSize(g);
  const cop = 16, cip = 4, ldy = 12;

  it.each([5, 12])('shares %i images\' calls in chunks with this thread: forward and dx give one call\'s bits, dW\'s chunk sums add up to it', async (images) => {
    const { k, f32, alloc, memory } = await rig(shared);
    const helper = await createConvHelper(memory, bytes());
    if (typeof helper === 'string') throw new Error(helper);
    try {
      const n = images, chunks = chunkCount(n);
      const xImage = g.hp * g.wp * g.ci, yImage = oh * ow * g.co, dxImage = g.hp * g.wp * cip, block = g.kh * g.kw * g.ci * cop;
      const [xAt, wpAt, dyAt, wtAt] = [alloc(n * xImage), alloc(block), alloc(n * yImage), alloc(g.kh * g.kw * g.co * cip)];
      const [yWhole, ySplit, dxWhole, dxSplit, dwWhole, dwBlocks] = [alloc(n * yImage), alloc(n * yImage), alloc(n * dxImage), alloc(n * dxImage), alloc(block), alloc(chunks * block)];
      const m = f32();
      m.set(seeded(1, n * xImage), xAt / 4);
      m.set(seeded(2, block), wpAt / 4);
      m.set(seeded(3, n * yImage), dyAt / 4);
      m.set(seeded(4, g.kh * g.kw * g.co * cip), wtAt / 4);
      const fwd = (out: number) => [xAt, wpAt, out, n, g.hp, g.wp, g.ci, g.kh, g.kw, g.sh, g.sw, oh, ow, g.co, cop];
      const dx = (out: number) => [dyAt, wtAt, out, n, g.hp, g.wp, cip, g.kh, g.kw, g.sh, g.sw, oh, ow, g.co, ldy];
      const dw = (out: number) => [xAt, dyAt, out, n, g.hp, g.wp, g.ci, g.kh, g.kw, g.sh, g.sw, oh, ow, g.co, ldy, cop];
      k.conv_fwd(...fwd(yWhole));
      m.fill(0, dxWhole / 4, dxWhole / 4 + n * dxImage);
      k.conv_dx(...dx(dxWhole));
      m.fill(0, dwWhole / 4, dwWhole / 4 + block);
      k.conv_dw(...dw(dwWhole));
      // This thread's kernels, counted and slowed a little, so the helper takes some chunks too.
      let mine = 0;
      const slow = Object.fromEntries((['conv_fwd', 'conv_dw', 'conv_dx'] as const).map((op) => [op, (...a: number[]) => {
        mine++;
        const until = performance.now() + 0.5;
        while (performance.now() < until) { /* let the helper in */ }
        k[op](...a);
      }])) as unknown as Parameters<typeof helper.run>[0];
      const dwSums: Float32Array[] = [];
      for (let round = 0; round < 2; round++) {
        m.fill(0, dxSplit / 4, dxSplit / 4 + n * dxImage);
        m.fill(0, dwBlocks / 4, dwBlocks / 4 + chunks * block);
        const noRedo = () => { throw new Error('nothing failed'); };
        helper.run(slow, { op: 'conv_fwd', args: fwd(ySplit), countArg: 3, images: n, imageStrides: [4 * xImage, 0, 4 * yImage], chunkStrides: [] }, noRedo);
        helper.run(slow, { op: 'conv_dx', args: dx(dxSplit), countArg: 3, images: n, imageStrides: [4 * yImage, 0, 4 * dxImage], chunkStrides: [] }, noRedo);
        helper.run(slow, { op: 'conv_dw', args: dw(dwBlocks), countArg: 3, images: n, imageStrides: [4 * xImage, 4 * yImage, 0], chunkStrides: [0, 0, 4 * block] }, noRedo);
        const v = f32();
        const view = (at: number, len: number) => v.subarray(at / 4, at / 4 + len);
        expect(view(ySplit, n * yImage)).toEqual(view(yWhole, n * yImage));
        expect(view(dxSplit, n * dxImage)).toEqual(view(dxWhole, n * dxImage));
        const sum = Float32Array.from(view(dwBlocks, block));
        for (let b = 1; b < chunks; b++) view(dwBlocks + 4 * b * block, block).forEach((x, i) => { sum[i] += x; });
        view(dwWhole, block).forEach((x, i) => expect(sum[i]).toBeCloseTo(x, 4));
        dwSums.push(sum);
      }
      // The chunks' sums do not depend on which thread ran which chunk.
      expect(dwSums[1]).toEqual(dwSums[0]);
      expect(mine, 'this thread ran chunks').toBeGreaterThan(0);
      expect(mine, 'the helper ran chunks').toBeLessThan(6 * chunks);
      expect(helper.stopped).toBeNull();
    } finally {
      helper.dispose();
    }
  });

  it('redoes on this thread a chunk the helper failed, and stops the helper', async () => {
    const { k, memory } = await rig(shared);
    const helper = await createConvHelper(memory, bytes());
    if (typeof helper === 'string') throw new Error(helper);
    // Outputs far past the 4 MB memory: the helper's calls trap; this thread's stand-in records
    // the chunks it runs (its first one slowly, so the helper takes one meanwhile).
    const ran: number[] = [];
    const redone: number[] = [];
    const stand = { ...k, conv_fwd: (...a: number[]) => {
      const until = performance.now() + (ran.length === 0 ? 50 : 0);
      while (performance.now() < until) { /* the helper takes a chunk */ }
      ran.push((a[2] - 0x7ff00000) / 4);
    } } as unknown as Parameters<typeof helper.run>[0];
    helper.run(stand, { op: 'conv_fwd', args: [4096, 4096, 0x7ff00000, 8, 9, 13, 3, 5, 5, 2, 2, 3, 5, 12, 16], countArg: 3, images: 8, imageStrides: [0, 0, 4], chunkStrides: [] }, (chunk) => redone.push(chunk));
    expect(redone).toHaveLength(1);
    expect([...ran].sort((p, q) => p - q)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(ran[ran.length - 1]).toBe(redone[0]);
    expect(helper.stopped).toMatch(/failed a job \(conv_fwd, chunk \d\)/);
    // Stopped, it leaves every chunk to this thread.
    ran.length = 0;
    helper.run(stand, { op: 'conv_fwd', args: [4096, 4096, 0x7ff00000, 8, 9, 13, 3, 5, 5, 2, 2, 3, 5, 12, 16], countArg: 3, images: 8, imageStrides: [0, 0, 4], chunkStrides: [] }, () => { throw new Error('no helper'); });
    expect(ran).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('is refused an unshared memory', async () => {
    expect(await createConvHelper(new WebAssembly.Memory({ initial: 1 }), bytes())).toMatch(/not shared/);
  });
});

describe('startSimdConv', () => {
  const bytes = async (file: string): Promise<BufferSource> => readFileSync(new URL(file, dir));
  it('says why when the backend has no memory it can reach', async () => {
    expect(await startSimdConv({ wasm: {} } as unknown as BackendWasm, bytes, 1)).toMatch(/does not expose its memory/);
  });
  it('starts over an unshared memory on one thread', async () => {
    const backend = { wasm: { asm: { memory: new WebAssembly.Memory({ initial: 2 }) } } } as unknown as BackendWasm;
    expect(await startSimdConv(backend, bytes, 1)).toBeNull();
    expect(simdConvThreads(backend)).toBe(1);
  });
  it('starts over a threaded backend\'s shared memory (emscripten\'s wasmMemory) with a helper thread', async () => {
    const memory = new WebAssembly.Memory({ initial: 2, maximum: 4, shared: true });
    const backend = { wasm: { wasmMemory: memory } } as unknown as BackendWasm;
    expect(await startSimdConv(backend, bytes, 2)).toBeNull();
    expect(simdConvThreads(backend)).toBe(2);
    const oneThread = { wasm: { wasmMemory: memory } } as unknown as BackendWasm;
    expect(await startSimdConv(oneThread, bytes, 1)).toBeNull();
    expect(simdConvThreads(oneThread)).toBe(1);
  });
  it('starts the relaxed-SIMD build where the engine takes it (these tests run with relaxed SIMD: vite.config.ts), else the plain one', async () => {
    expect(WebAssembly.validate(readFileSync(new URL('convKernelsFma.wasm', dir))), 'this process has relaxed SIMD').toBe(true);
    const unshared = (): BackendWasm => ({ wasm: { asm: { memory: new WebAssembly.Memory({ initial: 2 }) } } }) as unknown as BackendWasm;
    const fma = unshared();
    expect(await startSimdConv(fma, bytes, 1)).toBeNull();
    expect(simdConvFma(fma)).toBe(true);
    // An engine without relaxed SIMD refuses the Fma build: here, bytes that do not compile.
    const asked: string[] = [];
    const refusing = async (file: string): Promise<BufferSource> => {
      asked.push(file);
      return file.endsWith('Fma.wasm') ? new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 255]) : bytes(file);
    };
    const plain = unshared();
    expect(await startSimdConv(plain, refusing, 1)).toBeNull();
    expect(simdConvFma(plain)).toBe(false);
    expect(simdConvThreads(plain)).toBe(1);
    expect(asked).toEqual(['convKernelsFma.wasm', 'convKernels.wasm']);
    const sharedMemory = new WebAssembly.Memory({ initial: 2, maximum: 4, shared: true });
    const threaded = { wasm: { wasmMemory: sharedMemory } } as unknown as BackendWasm;
    asked.length = 0;
    expect(await startSimdConv(threaded, refusing, 2)).toBeNull();
    expect([simdConvFma(threaded), simdConvThreads(threaded)]).toEqual([false, 2]);
    expect(asked).toEqual(['convKernelsSharedFma.wasm', 'convKernelsShared.wasm']);
  });
  it('says why when the module does not fit the memory', async () => {
    const backend = { wasm: { asm: { memory: new WebAssembly.Memory({ initial: 2 }) } } } as unknown as BackendWasm;
    const why = await startSimdConv(backend, async () => readFileSync(new URL('convKernelsSharedFma.wasm', dir)), 1);
    expect(why).toMatch(/did not start: convKernelsFma\.wasm: .*; convKernels\.wasm: /);
    expect(simdConvThreads(backend)).toBe(0);
  });
});
