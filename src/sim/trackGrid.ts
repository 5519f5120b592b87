// The track's spatial index and the nearest-segment search the simulation runs every tick.
//
// The answer is defined by `nearestSegmentReference`: the nearest of the segments the grid
// lists for the point's cell (ties to the lowest index), or of every segment when the cell
// lists none. `nearestSegment` finds exactly that answer, bit for bit, in a fraction of the
// time, starting from the previous tick's segment; see its comment for why it is exact.
// Arrays only: this file knows nothing of Track, so track.ts can build on it.

/** How far from a segment the grid still lists it; beyond this a query falls back to a full scan. */
export const GRID_REACH = 30;
const GRID_CELL = 10;

/** The arc windows (segments each way) the fast search may scan, smallest first. */
const WINDOWS = [2, 4, 8, 16, 32];
const LEVELS = WINDOWS.length;

export interface TrackGrid {
  readonly cell: number;
  readonly minX: number;
  readonly minY: number;
  readonly cols: number;
  readonly rows: number;
  /** CSR layout: segments of cell c are items[starts[c] .. starts[c + 1]), in increasing order. */
  readonly starts: Int32Array;
  readonly items: Int32Array;
  /** Distance from a segment within which every point's cell lists it (GRID_REACH + half the width), m. */
  readonly reach: number;
  /** Midpoint of each segment. */
  readonly midX: Float64Array;
  readonly midY: Float64Array;
  /** At least half the longest segment: every point of segment i is within it of its midpoint, m. */
  readonly halfLen: number;
  /**
   * clearance[i * LEVELS + l]: a lower bound on the distance from segment i's midpoint to the
   * midpoint of any segment more than WINDOWS[l] segments away from i along the loop, m.
   * Computed on the first hinted search (NOTE the search fills it in): a track that is built and
   * never driven (a rejected candidate of the generator, a preview) does not pay for it.
   */
  clearance: Float64Array | null;
}

/** The polyline a grid indexes: sample i to sample i + 1 is segment i, the last closes the loop. */
export interface Polyline {
  readonly n: number;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly grid: TrackGrid;
}

/** A search result. Written in place (the search runs every tick and allocates nothing). */
export interface SegmentHit {
  /** Segment index. */
  seg: number;
  /** Squared distance to it. */
  d2: number;
  /** Fraction along it of the nearest point, 0..1. */
  f: number;
}

/** Segments apart along the loop, 0..n/2. */
function arcApart(n: number, i: number, j: number): number {
  const a = i > j ? i - j : j - i;
  return a < n - a ? a : n - a;
}

export function buildGrid(xs: Float64Array, ys: Float64Array, width: number): TrackGrid {
  const n = xs.length;
  const reach = GRID_REACH + width / 2;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    minX = Math.min(minX, xs[i]);
    maxX = Math.max(maxX, xs[i]);
    minY = Math.min(minY, ys[i]);
    maxY = Math.max(maxY, ys[i]);
  }
  minX -= reach;
  minY -= reach;
  const cols = Math.ceil((maxX + reach - minX) / GRID_CELL) + 1;
  const rows = Math.ceil((maxY + reach - minY) / GRID_CELL) + 1;
  const cellsOf = (i: number, visit: (c: number) => void): void => {
    const j = (i + 1) % n;
    const c0 = Math.floor((Math.min(xs[i], xs[j]) - reach - minX) / GRID_CELL);
    const c1 = Math.floor((Math.max(xs[i], xs[j]) + reach - minX) / GRID_CELL);
    const r0 = Math.floor((Math.min(ys[i], ys[j]) - reach - minY) / GRID_CELL);
    const r1 = Math.floor((Math.max(ys[i], ys[j]) + reach - minY) / GRID_CELL);
    for (let r = Math.max(0, r0); r <= Math.min(rows - 1, r1); r++) {
      for (let c = Math.max(0, c0); c <= Math.min(cols - 1, c1); c++) visit(r * cols + c);
    }
  };
  const counts = new Int32Array(cols * rows + 1);
  for (let i = 0; i < n; i++) cellsOf(i, (c) => counts[c + 1]++);
  for (let c = 0; c < cols * rows; c++) counts[c + 1] += counts[c];
  const items = new Int32Array(counts[cols * rows]);
  const fill = counts.slice(0, cols * rows);
  for (let i = 0; i < n; i++) cellsOf(i, (c) => { items[fill[c]++] = i; });

  const midX = new Float64Array(n);
  const midY = new Float64Array(n);
  let halfLen = 0;
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    midX[i] = (xs[i] + xs[j]) / 2;
    midY[i] = (ys[i] + ys[j]) / 2;
    const ex = xs[j] - xs[i];
    const ey = ys[j] - ys[i];
    halfLen = Math.max(halfLen, Math.sqrt(ex * ex + ey * ey) / 2);
  }
  return { cell: GRID_CELL, minX, minY, cols, rows, starts: counts, items, reach, midX, midY, halfLen, clearance: null };
}

/** The grid's clearance table (see TrackGrid.clearance), computed once. */
function clearanceOf(g: TrackGrid, n: number): Float64Array {
  if (g.clearance) return g.clearance;
  const { midX, midY, starts, items } = g;
  // A segment the cell of i's midpoint does not list is more than `reach` from that midpoint,
  // so its own midpoint is more than reach - halfLen away: that caps every clearance.
  const clearance = new Float64Array(n * LEVELS).fill(g.reach - g.halfLen);
  for (let i = 0; i < n; i++) {
    const cell = Math.floor((midY[i] - g.minY) / g.cell) * g.cols + Math.floor((midX[i] - g.minX) / g.cell);
    for (let k = starts[cell]; k < starts[cell + 1]; k++) {
      const j = items[k];
      const apart = arcApart(n, i, j);
      if (apart <= WINDOWS[0]) continue;
      const dx = midX[j] - midX[i];
      const dy = midY[j] - midY[i];
      const d = Math.sqrt(dx * dx + dy * dy);
      for (let l = 0; l < LEVELS && apart > WINDOWS[l]; l++) {
        if (d < clearance[i * LEVELS + l]) clearance[i * LEVELS + l] = d;
      }
    }
  }
  g.clearance = clearance;
  return clearance;
}

/** Squared distance from (x, y) to segment i, and the fraction along it. Writes into `out`. */
export function projectOnSegment(line: Polyline, i: number, x: number, y: number, out: SegmentHit): void {
  const j = i + 1 === line.n ? 0 : i + 1;
  const ax = line.xs[i];
  const ay = line.ys[i];
  const ex = line.xs[j] - ax;
  const ey = line.ys[j] - ay;
  const len2 = ex * ex + ey * ey;
  let f = ((x - ax) * ex + (y - ay) * ey) / len2;
  if (f < 0) f = 0;
  else if (f > 1) f = 1;
  const px = ax + f * ex - x;
  const py = ay + f * ey - y;
  out.seg = i;
  out.d2 = px * px + py * py;
  out.f = f;
}

const probe: SegmentHit = { seg: -1, d2: 0, f: 0 };

/** The defining search: the nearest listed segment (ties to the lowest index), else a full scan. */
export function nearestSegmentReference(line: Polyline, x: number, y: number, out: SegmentHit): SegmentHit {
  const g = line.grid;
  const c = Math.floor((x - g.minX) / g.cell);
  const r = Math.floor((y - g.minY) / g.cell);
  let best = -1;
  let bestD2 = Infinity;
  let bestF = 0;
  if (c >= 0 && c < g.cols && r >= 0 && r < g.rows) {
    const cell = r * g.cols + c;
    for (let k = g.starts[cell]; k < g.starts[cell + 1]; k++) {
      const i = g.items[k];
      projectOnSegment(line, i, x, y, probe);
      if (probe.d2 < bestD2 || (probe.d2 === bestD2 && i < best)) {
        bestD2 = probe.d2;
        best = i;
        bestF = probe.f;
      }
    }
  }
  if (best < 0) {
    // Far from the road: scan every segment (rare, and only while the car is lost).
    for (let i = 0; i < line.n; i++) {
      projectOnSegment(line, i, x, y, probe);
      if (probe.d2 < bestD2) {
        bestD2 = probe.d2;
        best = i;
        bestF = probe.f;
      }
    }
  }
  out.seg = best;
  out.d2 = bestD2;
  out.f = bestF;
  return out;
}

/**
 * Slack in every bound below, m: far above the rounding of distances at coordinates under
 * FAST_LIMIT (~1e-9 m), so a segment is ruled out only if its computed squared distance is
 * surely larger than one already found.
 */
const SLACK = 1e-4;
/** Beyond this |coordinate| (m) the reference search runs (no car gets that far in a replay's ticks). */
const FAST_LIMIT = 1e7;
/** Steps of the walk from the hint towards a closer segment, each way. */
const HINT_WALK = 8;

/** Whether the sorted items[lo..hi) hold i. */
function listed(items: Int32Array, lo: number, hi: number, i: number): boolean {
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid] < i) lo = mid + 1;
    else hi = mid;
  }
  return lo < items.length && items[lo] === i;
}

/**
 * Exactly `nearestSegmentReference`'s answer, found faster. `hint` is a segment likely near the
 * answer (the car's segment on the previous tick), or -1.
 *
 * Why it is exact. A walk from the hint finds a segment s at distance d, so the answer is at
 * most d away; then one of two scans finds it, ruling out only segments provably farther:
 * 1. If d <= reach - 1 m, the answer's segment and every segment tied with it are within reach
 *    of the point, so the point's cell lists them all: the reference's answer is then the
 *    global nearest with ties to the lowest index. (The clearance cap, reach - halfLen, only
 *    lets a window prove itself for d below about reach / 2 anyway; the check says it plainly.) A segment j more than W segments away from s
 *    along the loop has its midpoint at least clearance(s, W) - |p - m_s| from the point, so its
 *    distance is at least that minus halfLen; if that exceeds d, the window s - W .. s + W holds
 *    the answer and every tie, and is scanned (smallest W that proves it).
 * 2. Otherwise the cell's list (or, if it lists none, every segment) is scanned, skipping a
 *    segment only when its midpoint is farther than the best distance so far + halfLen: such a
 *    segment is farther than the best. The walk's d bounds the grid scan only if the cell lists
 *    s (it is then a candidate of the reference too).
 * Within a scan the comparison is the reference's (lower squared distance, ties to the lowest
 * index), and the squared distance and fraction come from the same projectOnSegment.
 */
export function nearestSegment(line: Polyline, x: number, y: number, hint: number, out: SegmentHit): SegmentHit {
  if (!(Math.abs(x) < FAST_LIMIT && Math.abs(y) < FAST_LIMIT)) return nearestSegmentReference(line, x, y, out); // also NaN
  const g = line.grid;
  const n = line.n;
  const { midX, midY } = g;
  const spread = g.halfLen + SLACK;
  let seedD2 = Infinity;
  let seed = -1;
  if (hint >= 0 && hint < n && Number.isInteger(hint)) {
    projectOnSegment(line, hint, x, y, probe);
    seed = hint;
    seedD2 = probe.d2;
    for (let dir = 0; dir < 2; dir++) {
      const step = dir === 0 ? 1 : n - 1; // forward, then backward
      for (let k = 0; k < HINT_WALK; k++) {
        const next = (seed + step) % n;
        projectOnSegment(line, next, x, y, probe);
        if (!(probe.d2 < seedD2)) break;
        seed = next;
        seedD2 = probe.d2;
      }
    }
    // 1. The arc window around the seed, if the clearance proves it holds the answer.
    const limit = g.reach - 1;
    if (seedD2 <= limit * limit) {
      const d = Math.sqrt(seedD2);
      const mx = x - midX[seed];
      const my = y - midY[seed];
      const need = Math.sqrt(mx * mx + my * my) + g.halfLen + d + SLACK;
      const clearance = g.clearance ?? clearanceOf(g, n);
      for (let l = 0; l < LEVELS; l++) {
        const w = WINDOWS[l];
        if (2 * w + 1 >= n) break;
        if (clearance[seed * LEVELS + l] > need) return scanWindow(line, x, y, seed, w, seedD2, out);
      }
    }
  }

  // 2. The cell's list (or every segment), pruned.
  const c = Math.floor((x - g.minX) / g.cell);
  const r = Math.floor((y - g.minY) / g.cell);
  let lo = 0;
  let hi = 0;
  if (c >= 0 && c < g.cols && r >= 0 && r < g.rows) {
    const cell = r * g.cols + c;
    lo = g.starts[cell];
    hi = g.starts[cell + 1];
  }
  let bound = Infinity; // squared distance from the point beyond which a midpoint's segment cannot compete
  if (seed >= 0 && (hi === lo || listed(g.items, lo, hi, seed))) {
    const b = Math.sqrt(seedD2) + spread;
    bound = b * b;
  }
  let best = -1;
  let bestD2 = Infinity;
  let bestF = 0;
  const all = hi === lo;
  const end = all ? n : hi;
  for (let k = all ? 0 : lo; k < end; k++) {
    const i = all ? k : g.items[k];
    const dx = x - midX[i];
    const dy = y - midY[i];
    if (dx * dx + dy * dy > bound) continue;
    projectOnSegment(line, i, x, y, probe);
    // In a full scan the order is increasing, so this is the reference's strict "<" there too.
    if (probe.d2 < bestD2 || (probe.d2 === bestD2 && i < best)) {
      bestD2 = probe.d2;
      best = i;
      bestF = probe.f;
      const b = Math.sqrt(bestD2) + spread;
      if (b * b < bound) bound = b * b;
    }
  }
  if (best < 0) return nearestSegmentReference(line, x, y, out); // only if every distance was NaN (a degenerate segment)
  out.seg = best;
  out.d2 = bestD2;
  out.f = bestF;
  return out;
}

/** The nearest of segments seed - w .. seed + w (ties to the lowest index); seedD2 is the seed's. */
function scanWindow(line: Polyline, x: number, y: number, seed: number, w: number, seedD2: number, out: SegmentHit): SegmentHit {
  const n = line.n;
  const { midX, midY, halfLen } = line.grid;
  let best = -1;
  let bestD2 = Infinity;
  let bestF = 0;
  let b = Math.sqrt(seedD2) + halfLen + SLACK;
  let bound = b * b;
  for (let k = -w; k <= w; k++) {
    const i = seed + k < 0 ? seed + k + n : seed + k >= n ? seed + k - n : seed + k;
    const dx = x - midX[i];
    const dy = y - midY[i];
    if (dx * dx + dy * dy > bound) continue;
    projectOnSegment(line, i, x, y, probe);
    if (probe.d2 < bestD2 || (probe.d2 === bestD2 && i < best)) {
      bestD2 = probe.d2;
      best = i;
      bestF = probe.f;
      b = Math.sqrt(bestD2) + halfLen + SLACK;
      if (b * b < bound) bound = b * b;
    }
  }
  if (best < 0) return nearestSegmentReference(line, x, y, out); // only if every distance was NaN (a degenerate segment)
  out.seg = best;
  out.d2 = bestD2;
  out.f = bestF;
  return out;
}
