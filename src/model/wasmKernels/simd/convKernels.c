// Convolutions for the training kernels (Conv2D, Conv2DBackpropFilter, Conv2DBackpropInput), in
// wasm SIMD. Built by `npm run build:simd` (simd/build.mjs: clang, wasm32, -msimd128) into four
// binaries, committed so neither the game nor its tests need clang; simdConv.test.ts checks they
// are this file's build.
//
// The module imports the wasm backend's own memory (env.memory) and works on its tensors in
// place: every pointer argument is a byte offset into that heap, allocated there by the caller.
// It has no data and no stack of its own: nothing here takes an address of a local, so nothing
// is written outside the buffers it is given (the test checks the module declares no data).
//
// Layouts are NHWC. "Padded" images carry the convolution's zero border, so the loops never
// test bounds. Each kernel is a register tile of 4 x 8 multiply-adds (4 taps or 4 pixels, 8
// output lanes as two f32x4), the shape of a small GEMM micro-kernel.
#include <wasm_simd128.h>

// MAC(acc, p, q) = acc + p * q. Built with -DRELAXED (convKernelsFma.wasm, convKernelsSharedFma.wasm,
// clang 19 with -mrelaxed-simd) it is relaxed SIMD's madd, one fused multiply-add where the CPU has
// FMA (x86 with FMA3, arm64), else a multiply and an add; engines without relaxed SIMD refuse that
// module, and simdConv.ts then starts the plain build. The products are rounded once instead of
// twice, so the two builds differ in the last bits; each one's own results are the same every run.
#ifdef RELAXED
#define MAC(acc, p, q) wasm_f32x4_relaxed_madd((p), (q), (acc))
#else
#define MAC(acc, p, q) wasm_f32x4_add((acc), wasm_f32x4_mul((p), (q)))
#endif

#define EXPORT(name) __attribute__((export_name(#name)))

static inline v128_t lane(v128_t v, int i) {
  switch (i) {
    case 0: return wasm_i32x4_shuffle(v, v, 0, 0, 0, 0);
    case 1: return wasm_i32x4_shuffle(v, v, 1, 1, 1, 1);
    case 2: return wasm_i32x4_shuffle(v, v, 2, 2, 2, 2);
    default: return wasm_i32x4_shuffle(v, v, 3, 3, 3, 3);
  }
}

/**
 * a..h += p[i * stride] * w0 for i = 0..7: one f32x4 of weights against 8 scalars a stride
 * apart (8 pixels of a 4-lane chunk). A macro over the caller's accumulators, so they stay in
 * registers (a struct of them could go through memory, and the module has none of its own).
 */
#define MULADD8(p, stride, w0) do { \
    a = MAC(a, wasm_f32x4_splat((p)[0]), w0); \
    b = MAC(b, wasm_f32x4_splat((p)[(stride)]), w0); \
    c = MAC(c, wasm_f32x4_splat((p)[2 * (stride)]), w0); \
    d = MAC(d, wasm_f32x4_splat((p)[3 * (stride)]), w0); \
    e = MAC(e, wasm_f32x4_splat((p)[4 * (stride)]), w0); \
    f = MAC(f, wasm_f32x4_splat((p)[5 * (stride)]), w0); \
    g = MAC(g, wasm_f32x4_splat((p)[6 * (stride)]), w0); \
    h = MAC(h, wasm_f32x4_splat((p)[7 * (stride)]), w0); \
  } while (0)

/** a0..d1 += (pa, pb, pc, pd) x (w0, w1): the 4 x 8 tile's update, 4 broadcast values by 8 lanes. */
#define MULADD4X2(pa, pb, pc, pd, w0, w1) do { \
    a0 = MAC(a0, pa, w0); a1 = MAC(a1, pa, w1); \
    b0 = MAC(b0, pb, w0); b1 = MAC(b1, pb, w1); \
    c0 = MAC(c0, pc, w0); c1 = MAC(c1, pc, w1); \
    d0 = MAC(d0, pd, w0); d1 = MAC(d1, pd, w1); \
  } while (0)

/** Stores the first m (1..4) lanes of v at o. */
static inline void store_lanes(float* o, v128_t v, int m) {
  if (m >= 4) { wasm_v128_store(o, v); return; }
  o[0] = wasm_f32x4_extract_lane(v, 0);
  if (m > 1) o[1] = wasm_f32x4_extract_lane(v, 1);
  if (m > 2) o[2] = wasm_f32x4_extract_lane(v, 2);
}

/** dst[N][Hp][Wp][CP] = src[N][H][W][C] at (top, left), zeros elsewhere (border and channels C..CP). */
EXPORT(pad_nhwc)
void pad_nhwc(const float* src, float* dst, int N, int H, int W, int C, int Hp, int Wp, int CP, int top, int left) {
  const int total = N * Hp * Wp * CP;
  for (int i = 0; i < total; i++) dst[i] = 0.0f;
  for (int n = 0; n < N; n++) {
    for (int y = 0; y < H; y++) {
      const float* s = src + ((n * H + y) * W) * C;
      float* d = dst + ((n * Hp + y + top) * Wp + left) * CP;
      for (int x = 0; x < W; x++, s += C, d += CP) {
        for (int c = 0; c < C; c++) d[c] = s[c];
      }
    }
  }
}

/** dst[N][H][W][C] = src[N][Hp][Wp][CP] from (top, left): the inverse of pad_nhwc. */
EXPORT(crop_nhwc)
void crop_nhwc(const float* src, float* dst, int N, int H, int W, int C, int Hp, int Wp, int CP, int top, int left) {
  for (int n = 0; n < N; n++) {
    for (int y = 0; y < H; y++) {
      const float* s = src + ((n * Hp + y + top) * Wp + left) * CP;
      float* d = dst + ((n * H + y) * W) * C;
      for (int x = 0; x < W; x++, s += CP, d += C) {
        for (int c = 0; c < C; c++) d[c] = s[c];
      }
    }
  }
}

/**
 * The forward convolution: out[n][oy][ox][co] = sum over (kh, kw, ci) of
 * x[n][oy*SH + kh][ox*SW + kw][ci] * w[kh][kw*Ci + ci][co], x padded [N][Hp][Wp][Ci], w packed as
 * [KH][KW*Ci][CoP] with CoP a multiple of 8 (zeros past Co), out [N][OH][OW][Co]. A tile is 4
 * consecutive output pixels of one row by 8 output channels; a filter row's taps run contiguously
 * in x.
 */
EXPORT(conv_fwd)
void conv_fwd(const float* x, const float* w, float* out, int N, int Hp, int Wp, int Ci, int KH, int KW, int SH, int SW, int OH, int OW, int Co, int CoP) {
  const int KWC = KW * Ci;
  const int sx = SW * Ci;
  for (int n = 0; n < N; n++) {
    for (int oy = 0; oy < OH; oy++) {
      float* orow = out + ((n * OH + oy) * OW) * Co;
      for (int cb = 0; cb < Co; cb += 8) {
        const int m = Co - cb < 8 ? Co - cb : 8;
        int ox = 0;
        // A chunk of 4 lanes or fewer: 8 pixels by one f32x4, so no lanes are computed for nothing.
        for (; m <= 4 && ox + 8 <= OW; ox += 8) {
          v128_t a = wasm_f32x4_splat(0.0f), b = a, c = a, d = a, e = a, f = a, g = a, h = a;
          for (int kh = 0; kh < KH; kh++) {
            const float* xr = x + ((n * Hp + oy * SH + kh) * Wp + ox * SW) * Ci;
            const float* wr = w + (kh * KWC) * CoP + cb;
            for (int t = 0; t < KWC; t++, wr += CoP) {
              const v128_t w0 = wasm_v128_load(wr);
              MULADD8(xr + t, sx, w0);
            }
          }
          float* o = orow + ox * Co + cb;
          store_lanes(o, a, m); store_lanes(o + Co, b, m); store_lanes(o + 2 * Co, c, m); store_lanes(o + 3 * Co, d, m);
          store_lanes(o + 4 * Co, e, m); store_lanes(o + 5 * Co, f, m); store_lanes(o + 6 * Co, g, m); store_lanes(o + 7 * Co, h, m);
        }
        for (; ox + 4 <= OW; ox += 4) {
          v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
          for (int kh = 0; kh < KH; kh++) {
            const float* xr = x + ((n * Hp + oy * SH + kh) * Wp + ox * SW) * Ci;
            const float* wr = w + (kh * KWC) * CoP + cb;
            for (int t = 0; t < KWC; t++, wr += CoP) {
              const v128_t w0 = wasm_v128_load(wr), w1 = wasm_v128_load(wr + 4);
              const v128_t xa = wasm_f32x4_splat(xr[t]), xb = wasm_f32x4_splat(xr[t + sx]);
              const v128_t xc = wasm_f32x4_splat(xr[t + 2 * sx]), xd = wasm_f32x4_splat(xr[t + 3 * sx]);
              MULADD4X2(xa, xb, xc, xd, w0, w1);
            }
          }
          float* o = orow + ox * Co + cb;
          store_lanes(o, a0, m); if (m > 4) store_lanes(o + 4, a1, m - 4); o += Co;
          store_lanes(o, b0, m); if (m > 4) store_lanes(o + 4, b1, m - 4); o += Co;
          store_lanes(o, c0, m); if (m > 4) store_lanes(o + 4, c1, m - 4); o += Co;
          store_lanes(o, d0, m); if (m > 4) store_lanes(o + 4, d1, m - 4);
        }
        for (; ox < OW; ox++) {
          v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0;
          for (int kh = 0; kh < KH; kh++) {
            const float* xr = x + ((n * Hp + oy * SH + kh) * Wp + ox * SW) * Ci;
            const float* wr = w + (kh * KWC) * CoP + cb;
            for (int t = 0; t < KWC; t++, wr += CoP) {
              const v128_t xa = wasm_f32x4_splat(xr[t]);
              a0 = MAC(a0, xa, wasm_v128_load(wr));
              a1 = MAC(a1, xa, wasm_v128_load(wr + 4));
            }
          }
          float* o = orow + ox * Co + cb;
          store_lanes(o, a0, m); if (m > 4) store_lanes(o + 4, a1, m - 4);
        }
      }
    }
  }
}

/**
 * The filter gradient: dwp[kh][kw*Ci + ci][co] += sum over (n, oy, ox) of
 * x[n][oy*SH + kh][ox*SW + kw][ci] * dy[n][oy][ox][co], x padded [N][Hp][Wp][Ci], dy [N][OH][OW]
 * rows of ldy floats (ldy a multiple of 4 and at least Co), dwp rows of CoP floats (a multiple
 * of 8; the caller zeroes it and crops lanes past Co). A tile is 4 consecutive taps of one filter
 * row (kw*Ci + ci runs contiguously in x) by 8 output channels. The output rows (n, oy) are taken
 * a block at a time, about 256 pixels, so the block's dy and x stay in cache while every tile
 * passes over them; each tile adds its block's sum to dwp.
 */
EXPORT(conv_dw)
void conv_dw(const float* x, const float* dy, float* dwp, int N, int Hp, int Wp, int Ci, int KH, int KW, int SH, int SW, int OH, int OW, int Co, int ldy, int CoP) {
  const int KWC = KW * Ci;
  const int sx = SW * Ci;
  const int rows = N * OH;
  const int block = OW >= 256 ? 1 : 256 / OW;
  for (int r0 = 0; r0 < rows; r0 += block) {
    const int r1 = r0 + block < rows ? r0 + block : rows;
    for (int kh = 0; kh < KH; kh++) {
      for (int cb = 0; cb < Co; cb += 8) {
        const int two = Co - cb > 4;
        int t = 0;
        // A chunk of 4 lanes or fewer: 8 taps (two f32x4 of x) by one f32x4 of dy.
        for (; !two && t + 8 <= KWC; t += 8) {
          float* o = dwp + (kh * KWC + t) * CoP + cb;
          v128_t a = wasm_v128_load(o), b = wasm_v128_load(o + CoP), c = wasm_v128_load(o + 2 * CoP), d = wasm_v128_load(o + 3 * CoP);
          v128_t e = wasm_v128_load(o + 4 * CoP), f = wasm_v128_load(o + 5 * CoP), g = wasm_v128_load(o + 6 * CoP), h = wasm_v128_load(o + 7 * CoP);
          for (int r = r0; r < r1; r++) {
            const int n = r / OH, oy = r - n * OH;
            const float* xp = x + ((n * Hp + oy * SH + kh) * Wp) * Ci + t;
            const float* dp = dy + r * OW * ldy + cb;
            for (int ox = 0; ox < OW; ox++, xp += sx, dp += ldy) {
              const v128_t g0 = wasm_v128_load(dp);
              const v128_t xv = wasm_v128_load(xp), xw = wasm_v128_load(xp + 4);
              a = MAC(a, lane(xv, 0), g0); b = MAC(b, lane(xv, 1), g0);
              c = MAC(c, lane(xv, 2), g0); d = MAC(d, lane(xv, 3), g0);
              e = MAC(e, lane(xw, 0), g0); f = MAC(f, lane(xw, 1), g0);
              g = MAC(g, lane(xw, 2), g0); h = MAC(h, lane(xw, 3), g0);
            }
          }
          wasm_v128_store(o, a); wasm_v128_store(o + CoP, b); wasm_v128_store(o + 2 * CoP, c); wasm_v128_store(o + 3 * CoP, d);
          wasm_v128_store(o + 4 * CoP, e); wasm_v128_store(o + 5 * CoP, f); wasm_v128_store(o + 6 * CoP, g); wasm_v128_store(o + 7 * CoP, h);
        }
        for (; t + 4 <= KWC; t += 4) {
          float* o = dwp + (kh * KWC + t) * CoP + cb;
          v128_t a0 = wasm_v128_load(o), a1 = wasm_v128_load(o + 4);
          v128_t b0 = wasm_v128_load(o + CoP), b1 = wasm_v128_load(o + CoP + 4);
          v128_t c0 = wasm_v128_load(o + 2 * CoP), c1 = wasm_v128_load(o + 2 * CoP + 4);
          v128_t d0 = wasm_v128_load(o + 3 * CoP), d1 = wasm_v128_load(o + 3 * CoP + 4);
          for (int r = r0; r < r1; r++) {
            const int n = r / OH, oy = r - n * OH;
            const float* xp = x + ((n * Hp + oy * SH + kh) * Wp) * Ci + t;
            const float* dp = dy + r * OW * ldy + cb;
            for (int ox = 0; ox < OW; ox++, xp += sx, dp += ldy) {
              const v128_t g0 = wasm_v128_load(dp), g1 = two ? wasm_v128_load(dp + 4) : g0;
              const v128_t xv = wasm_v128_load(xp);
              MULADD4X2(lane(xv, 0), lane(xv, 1), lane(xv, 2), lane(xv, 3), g0, g1);
            }
          }
          wasm_v128_store(o, a0); wasm_v128_store(o + 4, a1);
          wasm_v128_store(o + CoP, b0); wasm_v128_store(o + CoP + 4, b1);
          wasm_v128_store(o + 2 * CoP, c0); wasm_v128_store(o + 2 * CoP + 4, c1);
          wasm_v128_store(o + 3 * CoP, d0); wasm_v128_store(o + 3 * CoP + 4, d1);
        }
        for (; t < KWC; t++) {
          float* o = dwp + (kh * KWC + t) * CoP + cb;
          v128_t a0 = wasm_v128_load(o), a1 = wasm_v128_load(o + 4);
          for (int r = r0; r < r1; r++) {
            const int n = r / OH, oy = r - n * OH;
            const float* xp = x + ((n * Hp + oy * SH + kh) * Wp) * Ci + t;
            const float* dp = dy + r * OW * ldy + cb;
            for (int ox = 0; ox < OW; ox++, xp += sx, dp += ldy) {
              const v128_t xa = wasm_f32x4_splat(*xp);
              a0 = MAC(a0, xa, wasm_v128_load(dp));
              if (two) a1 = MAC(a1, xa, wasm_v128_load(dp + 4));
            }
          }
          wasm_v128_store(o, a0); wasm_v128_store(o + 4, a1);
        }
      }
    }
  }
}

/**
 * The input gradient, added into dxp (padded [N][Hp][Wp][CiP], zeroed by the caller):
 * dxp[n][oy*SH + kh][ox*SW + kw][ci] += sum over co of dy[n][oy][ox][co] * wt[kh][kw][co][ci],
 * wt the filter with its last two axes swapped and ci padded to CiP (a multiple of 4, zeros past
 * Ci). dy rows are ldy floats. A tile is 4 consecutive output pixels of one row by 8 input channels.
 */
EXPORT(conv_dx)
void conv_dx(const float* dy, const float* wt, float* dxp, int N, int Hp, int Wp, int CiP, int KH, int KW, int SH, int SW, int OH, int OW, int Co, int ldy) {
  const int sx = SW * CiP;
  for (int n = 0; n < N; n++) {
    for (int oy = 0; oy < OH; oy++) {
      const float* drow = dy + ((n * OH + oy) * OW) * ldy;
      for (int kh = 0; kh < KH; kh++) {
        float* xrow = dxp + ((n * Hp + oy * SH + kh) * Wp) * CiP;
        for (int kw = 0; kw < KW; kw++) {
          const float* wk = wt + ((kh * KW + kw) * Co) * CiP;
          for (int cb = 0; cb < CiP; cb += 8) {
            const int two = CiP - cb >= 8;
            int ox = 0;
            // A chunk of 4 lanes: 8 pixels by one f32x4.
            for (; !two && ox + 8 <= OW; ox += 8) {
              v128_t a = wasm_f32x4_splat(0.0f), b = a, c = a, d = a, e = a, f = a, g = a, h = a;
              const float* gp = drow + ox * ldy;
              const float* w = wk + cb;
              for (int co = 0; co < Co; co++, w += CiP) {
                const v128_t w0 = wasm_v128_load(w);
                MULADD8(gp + co, ldy, w0);
              }
              float* o = xrow + (ox * SW + kw) * CiP + cb;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a)); o += sx;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), b)); o += sx;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), c)); o += sx;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), d)); o += sx;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), e)); o += sx;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), f)); o += sx;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), g)); o += sx;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), h));
            }
            for (; ox + 4 <= OW; ox += 4) {
              v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
              const float* g = drow + ox * ldy;
              const float* w = wk + cb;
              for (int co = 0; co < Co; co++, w += CiP) {
                const v128_t w0 = wasm_v128_load(w), w1 = two ? wasm_v128_load(w + 4) : w0;
                const v128_t ga = wasm_f32x4_splat(g[co]), gb = wasm_f32x4_splat(g[co + ldy]);
                const v128_t gc = wasm_f32x4_splat(g[co + 2 * ldy]), gd = wasm_f32x4_splat(g[co + 3 * ldy]);
                MULADD4X2(ga, gb, gc, gd, w0, w1);
              }
              float* o = xrow + (ox * SW + kw) * CiP + cb;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a0));
              if (two) wasm_v128_store(o + 4, wasm_f32x4_add(wasm_v128_load(o + 4), a1));
              o += sx;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), b0));
              if (two) wasm_v128_store(o + 4, wasm_f32x4_add(wasm_v128_load(o + 4), b1));
              o += sx;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), c0));
              if (two) wasm_v128_store(o + 4, wasm_f32x4_add(wasm_v128_load(o + 4), c1));
              o += sx;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), d0));
              if (two) wasm_v128_store(o + 4, wasm_f32x4_add(wasm_v128_load(o + 4), d1));
            }
            for (; ox < OW; ox++) {
              v128_t a0 = wasm_f32x4_splat(0.0f), a1 = a0;
              const float* g = drow + ox * ldy;
              const float* w = wk + cb;
              for (int co = 0; co < Co; co++, w += CiP) {
                const v128_t ga = wasm_f32x4_splat(g[co]);
                a0 = MAC(a0, ga, wasm_v128_load(w));
                if (two) a1 = MAC(a1, ga, wasm_v128_load(w + 4));
              }
              float* o = xrow + (ox * SW + kw) * CiP + cb;
              wasm_v128_store(o, wasm_f32x4_add(wasm_v128_load(o), a0));
              if (two) wasm_v128_store(o + 4, wasm_f32x4_add(wasm_v128_load(o + 4), a1));
            }
          }
        }
      }
    }
  }
}

/**
 * A conv or dense layer's bias: out[r][c] = x[r][c] + b[c] for rows of C floats (out may be x).
 * The same bits as the backend's broadcasting Add, which runs this case as a scalar loop.
 */
EXPORT(bias_add)
void bias_add(const float* x, const float* b, float* out, int rows, int C) {
  for (int r = 0; r < rows; r++, x += C, out += C) {
    int c = 0;
    for (; c + 4 <= C; c += 4) wasm_v128_store(out + c, wasm_f32x4_add(wasm_v128_load(x + c), wasm_v128_load(b + c)));
    for (; c < C; c++) out[c] = x[c] + b[c];
  }
}

/**
 * The bias gradient: out[c] = sum over r of x[r][c], rows of C floats, summed in float64 in acc
 * (C doubles of scratch, 8-byte aligned) and rounded once: float32 sums over tens of thousands of
 * rows would lose digits. The backend's Sum over every axis but the last transposes first.
 */
EXPORT(col_sum)
void col_sum(const float* x, float* out, double* acc, int rows, int C) {
  for (int c = 0; c < C; c++) acc[c] = 0.0;
  for (int r = 0; r < rows; r++, x += C) {
    int c = 0;
    for (; c + 2 <= C; c += 2) {
      const v128_t pair = wasm_f64x2_promote_low_f32x4(wasm_v128_load64_zero(x + c));
      wasm_v128_store(acc + c, wasm_f64x2_add(wasm_v128_load(acc + c), pair));
    }
    for (; c < C; c++) acc[c] += (double)x[c];
  }
  for (int c = 0; c < C; c++) out[c] = (float)acc[c];
}

/**
 * A training batch's frames (heapFrames.ts): dst[i] = table[src[i]] for n bytes, the caller's
 * table holding each byte value scaled to -1..1 as the JS loop scales it (b / 127.5 - 1 in
 * float64, rounded once to float32), so the values are the same bits.
 */
EXPORT(bytes_to_floats)
void bytes_to_floats(const unsigned char* src, const float* table, float* dst, int n) {
  for (int i = 0; i < n; i++) dst[i] = table[src[i]];
}

/**
 * The 2x2 box resize of `count` RGB byte frames of h x w (both even) to h/2 x w/2 values: each
 * one table[the sum of its box's 4 bytes], the caller's table (0..1020) holding the JS box
 * resize's value for that sum (areaResize.ts: sum / 4 / 127.5 - 1, rounded once), so the same bits.
 */
EXPORT(box2_bytes)
void box2_bytes(const unsigned char* src, const float* table, float* dst, int count, int h, int w) {
  const int inRow = w * 3, rows = count * (h / 2), cols = w / 2;
  for (int r = 0; r < rows; r++) {
    const unsigned char* a = src + 2 * r * inRow;
    const unsigned char* b = a + inRow;
    for (int u = 0; u < cols; u++, a += 6, b += 6, dst += 3) {
      dst[0] = table[a[0] + a[3] + b[0] + b[3]];
      dst[1] = table[a[1] + a[4] + b[1] + b[4]];
      dst[2] = table[a[2] + a[5] + b[2] + b[5]];
    }
  }
}

// The optimisers' updates (heapUpdate.ts): the float32 operations of optimizers.ts adamInJs and
// sgdInJs in their order, four lanes at a time. Each product and sum is rounded on its own, as
// the tf ops round it (no fused multiply-add, whatever the build), so the weights and slots are
// the same bits as the tf ops' (optimizers.test.ts compares them).
#pragma clang fp contract(off)

/** Adam: m' = m b1 + g' c1, v' = v b2 + (g' g') c2, w' = w - (m' / (sqrt(v') + eps)) lr, with g' = g scale. */
EXPORT(adam_update)
void adam_update(const float* w, const float* g, const float* m, const float* v, float* wOut, float* mOut, float* vOut, int n,
                 float b1, float c1, float b2, float c2, float eps, float lr, float scale) {
  const v128_t B1 = wasm_f32x4_splat(b1), C1 = wasm_f32x4_splat(c1), B2 = wasm_f32x4_splat(b2), C2 = wasm_f32x4_splat(c2);
  const v128_t EPS = wasm_f32x4_splat(eps), LR = wasm_f32x4_splat(lr), S = wasm_f32x4_splat(scale);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t gi = wasm_f32x4_mul(wasm_v128_load(g + i), S);
    const v128_t mi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(m + i), B1), wasm_f32x4_mul(gi, C1));
    const v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(v + i), B2), wasm_f32x4_mul(wasm_f32x4_mul(gi, gi), C2));
    wasm_v128_store(mOut + i, mi);
    wasm_v128_store(vOut + i, vi);
    const v128_t step = wasm_f32x4_mul(wasm_f32x4_div(mi, wasm_f32x4_add(wasm_f32x4_sqrt(vi), EPS)), LR);
    wasm_v128_store(wOut + i, wasm_f32x4_sub(wasm_v128_load(w + i), step));
  }
  for (; i < n; i++) {
    const float gi = g[i] * scale;
    const float mi = m[i] * b1 + gi * c1;
    const float vi = v[i] * b2 + (gi * gi) * c2;
    mOut[i] = mi;
    vOut[i] = vi;
    wOut[i] = w[i] - (mi / (__builtin_sqrtf(vi) + eps)) * lr;
  }
}

/** SGD with momentum: vel' = vel mom + g', w' = w - d lr, d = vel' (or g' + vel' mom with Nesterov), g' = g scale. */
EXPORT(sgd_update)
void sgd_update(const float* w, const float* g, const float* vel, float* wOut, float* velOut, int n, float mom, float lr, float scale, int nesterov) {
  const v128_t M = wasm_f32x4_splat(mom), LR = wasm_f32x4_splat(lr), S = wasm_f32x4_splat(scale);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t gi = wasm_f32x4_mul(wasm_v128_load(g + i), S);
    const v128_t vi = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(vel + i), M), gi);
    wasm_v128_store(velOut + i, vi);
    const v128_t d = nesterov ? wasm_f32x4_add(gi, wasm_f32x4_mul(vi, M)) : vi;
    wasm_v128_store(wOut + i, wasm_f32x4_sub(wasm_v128_load(w + i), wasm_f32x4_mul(d, LR)));
  }
  for (; i < n; i++) {
    const float gi = g[i] * scale;
    const float vi = vel[i] * mom + gi;
    velOut[i] = vi;
    const float d = nesterov ? gi + vi * mom : vi;
    wOut[i] = w[i] - d * lr;
  }
}

/**
 * Relu's gradient (reluGrad.ts): out = dy * step(x), step(x) = 1 where x > 0, NaN where x is
 * NaN, else 0: one pass in place of the tf ops' Step, Cast and Multiply, with their bits.
 */
EXPORT(relu_grad)
void relu_grad(const float* dy, const float* x, float* out, int n) {
  const v128_t one = wasm_f32x4_splat(1.0f), zero = wasm_f32x4_splat(0.0f);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t xi = wasm_v128_load(x + i);
    v128_t s = wasm_v128_bitselect(one, zero, wasm_f32x4_gt(xi, zero));
    s = wasm_v128_bitselect(xi, s, wasm_f32x4_ne(xi, xi));
    wasm_v128_store(out + i, wasm_f32x4_mul(wasm_v128_load(dy + i), s));
  }
  for (; i < n; i++) {
    const float xi = x[i];
    const float s = xi > 0.0f ? 1.0f : (xi != xi ? xi : 0.0f);
    out[i] = dy[i] * s;
  }
}

/** The sum of the squares of n floats, in float64 (a gradient's norm, squared: optimizers.ts clipAndApply). */
EXPORT(sum_squares)
double sum_squares(const float* x, int n) {
  v128_t lo = wasm_f64x2_splat(0.0), hi = wasm_f64x2_splat(0.0);
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const v128_t v = wasm_v128_load(x + i);
    const v128_t a = wasm_f64x2_promote_low_f32x4(v), b = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
    lo = wasm_f64x2_add(lo, wasm_f64x2_mul(a, a));
    hi = wasm_f64x2_add(hi, wasm_f64x2_mul(b, b));
  }
  double s = wasm_f64x2_extract_lane(lo, 0) + wasm_f64x2_extract_lane(lo, 1) + wasm_f64x2_extract_lane(hi, 0) + wasm_f64x2_extract_lane(hi, 1);
  for (; i < n; i++) s += (double)x[i] * (double)x[i];
  return s;
}
