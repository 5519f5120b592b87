// Pure painting of the model overlays into RGBA pixels and plot geometry: the saliency heat map
// (transparent where the model does not look), the feature-map grid of one conv layer, and the
// scales of the gate and gradient plots. No DOM here, so Node tests can check the pixels.

/** The shapes the overlays draw (structurally the worker's OverlayViews; ui does not import model). */
export interface SaliencyLike {
  readonly width: number;
  readonly height: number;
  /** height x width, 0..1. */
  readonly values: ArrayLike<number>;
  readonly method: string;
}

export interface FeatureMapsLike {
  readonly layer: string;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly totalChannels: number;
  /** channels x height x width bytes. */
  readonly pixels: Uint8Array;
}

export interface GateTraceLike {
  readonly kind: string;
  readonly steps: number;
  readonly units: number;
  readonly series: Readonly<Record<string, ArrayLike<number>>>;
}

export interface OverlayViewsLike {
  readonly saliency: SaliencyLike | null;
  readonly layers: readonly FeatureMapsLike[];
  readonly gates: GateTraceLike | null;
  readonly framesSeen: number;
  readonly ms: { readonly saliency: number; readonly layers: number; readonly gates: number; readonly total: number };
}

export interface TimeGradLike {
  readonly epoch: number;
  readonly step: number;
  readonly norms: readonly number[];
}

/**
 * Saliency as RGBA (width x height x 4): a warm highlight whose opacity grows with the value
 * (the square root lifts the faint parts, as VisualBackProp's figures do). NOTE mutates `out`
 * when given one of the right size.
 */
export function heatRgba(map: SaliencyLike, out?: Uint8ClampedArray): Uint8ClampedArray {
  const n = map.width * map.height;
  const px = out && out.length === n * 4 ? out : new Uint8ClampedArray(n * 4);
  for (let i = 0; i < n; i++) {
    const v = Math.min(1, Math.max(0, map.values[i]));
    const s = Math.sqrt(v);
    px[i * 4] = 255;
    px[i * 4 + 1] = 64 + 191 * v;
    px[i * 4 + 2] = 32;
    px[i * 4 + 3] = 215 * s;
  }
  return px;
}

export interface GridLayout {
  readonly cols: number;
  readonly rows: number;
  readonly width: number;
  readonly height: number;
}

/** Channels of one layer in a grid of about `aspect` (width / height), one pixel apart. */
export function gridLayout(m: Pick<FeatureMapsLike, 'channels' | 'width' | 'height'>, aspect = 3): GridLayout {
  const c = Math.max(1, m.channels);
  let best = { cols: c, rows: 1, score: Infinity };
  for (let cols = 1; cols <= c; cols++) {
    const rows = Math.ceil(c / cols);
    const w = cols * (m.width + 1) - 1;
    const h = rows * (m.height + 1) - 1;
    const score = Math.abs(Math.log(w / h / aspect)) + (rows * cols - c) * 0.05;
    if (score < best.score) best = { cols, rows, score };
  }
  return { cols: best.cols, rows: best.rows, width: best.cols * (m.width + 1) - 1, height: best.rows * (m.height + 1) - 1 };
}

/** One layer's channels as a grey RGBA grid (gaps dark blue). */
export function featureGridRgba(m: FeatureMapsLike, g: GridLayout = gridLayout(m)): Uint8ClampedArray {
  const px = new Uint8ClampedArray(g.width * g.height * 4);
  for (let i = 0; i < g.width * g.height; i++) px.set([20, 24, 48, 255], i * 4);
  const hw = m.width * m.height;
  for (let c = 0; c < m.channels; c++) {
    const x0 = (c % g.cols) * (m.width + 1);
    const y0 = Math.floor(c / g.cols) * (m.height + 1);
    for (let y = 0; y < m.height; y++) {
      for (let x = 0; x < m.width; x++) {
        const v = m.pixels[c * hw + y * m.width + x];
        const o = ((y0 + y) * g.width + x0 + x) * 4;
        px[o] = v;
        px[o + 1] = v;
        px[o + 2] = v;
      }
    }
  }
  return px;
}

/** Per step t: the mean over units of a series (steps x units, row-major). */
export function stepMeans(v: ArrayLike<number>, steps: number, units: number): number[] {
  return Array.from({ length: steps }, (_, t) => {
    let s = 0;
    for (let j = 0; j < units; j++) s += v[t * units + j];
    return s / Math.max(1, units);
  });
}

/** The lowest and highest value of some series, widened to include `include` (e.g. 0 and 1 for gates). */
export function valueRange(series: readonly ArrayLike<number>[], include: readonly number[] = []): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    for (let i = 0; i < s.length; i++) {
      if (Number.isFinite(s[i])) {
        lo = Math.min(lo, s[i]);
        hi = Math.max(hi, s[i]);
      }
    }
  }
  for (const v of include) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!Number.isFinite(lo)) return [0, 1];
  return hi > lo ? [lo, hi] : [lo - 0.5, hi + 0.5];
}

/** Colours of the trace series. */
export const SERIES_COLORS: Readonly<Record<string, string>> = {
  input: '#4fc3f7',
  forget: '#ff8a65',
  output: '#aed581',
  update: '#ff8a65',
  reset: '#4fc3f7',
  cell: '#ce93d8',
  hidden: '#fff176',
};
