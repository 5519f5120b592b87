// Where the scenery stands: trees, bushes, lamp poles, cones and buildings around a track, placed
// by a seeded RNG from the track's id (the same track always gets the same scenery) and always
// off the road by a margin. Pure data in sim coordinates; sceneryMesh.ts turns it into
// instanced meshes.

import { createRng, type Rng } from '../core/rng.ts';
import { nearestPoint, offsetPoint, type Track } from '../sim/track.ts';

export type SceneryKind = 'pine' | 'broadleaf' | 'bush' | 'pole' | 'cone' | 'building';
export const SCENERY_KINDS: readonly SceneryKind[] = ['pine', 'broadleaf', 'bush', 'pole', 'cone', 'building'];

export interface SceneryItem {
  readonly kind: SceneryKind;
  /** Where it stands, sim coordinates, m. */
  readonly x: number;
  readonly y: number;
  /** Rotation about the vertical, rad CCW (buildings face the road; poles lean their arm over it). */
  readonly heading: number;
  /**
   * Size, m: along its heading (sx), across it (sy), and height (sz). For models built at unit
   * size these are scale factors of their unit footprint and height.
   */
  readonly sx: number;
  readonly sy: number;
  readonly sz: number;
  /** 0..1: picks a shade within the theme's palette for this kind. */
  readonly tint: number;
}

/** Nothing stands closer than this to the road's edge (beyond its footprint), m. */
export const SCENERY_MARGIN = 2;

/** Extra clearance per kind beyond SCENERY_MARGIN, m: a spun-off car should rarely hit a tree. */
const KIND_MARGIN: Record<SceneryKind, number> = {
  pine: 5,
  broadleaf: 5,
  bush: 1.5,
  pole: 0.5,
  cone: 0,
  building: 16,
};

/** Radius of an item's footprint on the ground, m. */
export function sceneryFootprint(item: Pick<SceneryItem, 'kind' | 'sx' | 'sy'>): number {
  if (item.kind === 'building') return Math.hypot(item.sx, item.sy) / 2;
  if (item.kind === 'pole') return 0.25; // the post: its arm reaches over the verge 7 m up
  return Math.max(item.sx, item.sy) / 2;
}

/**
 * Exact distance from (x, y) to the centreline. The track's grid answers exactly within its reach;
 * farther out it may overestimate, so then every segment is scanned.
 */
export function distanceToCentreline(track: Track, x: number, y: number): number {
  const near = Math.abs(nearestPoint(track, x, y).lateral);
  if (near < 25) return near;
  let best = Infinity;
  const n = track.n;
  for (let i = 0; i < n; i++) {
    const j = i + 1 === n ? 0 : i + 1;
    const ax = track.xs[i], ay = track.ys[i];
    const ex = track.xs[j] - ax, ey = track.ys[j] - ay;
    let f = ((x - ax) * ex + (y - ay) * ey) / (ex * ex + ey * ey);
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    const dx = ax + f * ex - x, dy = ay + f * ey - y;
    best = Math.min(best, dx * dx + dy * dy);
  }
  return Math.sqrt(best);
}

export interface SceneryOptions {
  /** Multiplies the number of trees and bushes (1 = default density). */
  readonly density?: number;
}

/** Scenery for a track: deterministic for the track's id, never on the road. */
export function layoutScenery(track: Track, opts: SceneryOptions = {}): SceneryItem[] {
  const density = opts.density ?? 1;
  const root = createRng(`scenery:${track.id}`);
  const half = track.width / 2;
  const items: SceneryItem[] = [];
  const buildings: SceneryItem[] = [];

  const clearOfRoad = (item: SceneryItem): boolean =>
    distanceToCentreline(track, item.x, item.y) - sceneryFootprint(item) >= half + SCENERY_MARGIN + KIND_MARGIN[item.kind];
  const clearOfBuildings = (item: SceneryItem): boolean => {
    const r = sceneryFootprint(item);
    return buildings.every((b) => Math.hypot(b.x - item.x, b.y - item.y) > r + sceneryFootprint(b) + 1);
  };
  /** A point `lateral` metres to the side of the road at arc length s (side chosen at random). */
  const beside = (rng: Rng, lateral: number): { x: number; y: number; heading: number; side: number } => {
    const side = rng.next() < 0.5 ? -1 : 1;
    const p = offsetPoint(track, rng.range(0, track.length), side * lateral);
    return { ...p, side };
  };

  // Buildings first (they are big): aligned with the road, facing it, set back behind the trees.
  {
    const rng = root.fork('building');
    const want = Math.round(track.length / 110);
    for (let attempt = 0; attempt < want * 6 && buildings.length < want; attempt++) {
      const sx = rng.range(9, 24);
      const sy = rng.range(8, 16);
      const p = beside(rng, half + rng.range(30, 75));
      const b: SceneryItem = { kind: 'building', x: p.x, y: p.y, heading: p.heading, sx, sy, sz: rng.range(5, 20), tint: rng.next() };
      if (clearOfRoad(b) && clearOfBuildings(b)) buildings.push(b);
    }
    items.push(...buildings);
  }

  // Trees: most in a band along the road (what the cameras see), the rest scattered wide. Each
  // track has its own mix of pines and broadleaves.
  {
    const rng = root.fork('trees');
    const pineShare = rng.range(0.2, 0.8);
    const want = Math.round(track.length * 0.4 * density);
    const { minX, maxX, minY, maxY } = boundsOf(track, 160);
    let placed = 0;
    for (let attempt = 0; attempt < want * 4 && placed < want; attempt++) {
      let x: number, y: number;
      if (rng.next() < 0.7) {
        const p = beside(rng, half + 7 + 60 * rng.next() ** 1.5);
        x = p.x;
        y = p.y;
      } else {
        x = rng.range(minX, maxX);
        y = rng.range(minY, maxY);
      }
      const pine = rng.next() < pineShare;
      const height = pine ? rng.range(6, 14) : rng.range(5, 11);
      const crown = pine ? height * rng.range(0.32, 0.42) : height * rng.range(0.55, 0.75);
      const t: SceneryItem = { kind: pine ? 'pine' : 'broadleaf', x, y, heading: rng.range(0, 2 * Math.PI), sx: crown, sy: crown, sz: height, tint: rng.next() };
      if (clearOfRoad(t) && clearOfBuildings(t)) {
        items.push(t);
        placed++;
      }
    }
  }

  // Bushes close to the verge: near detail that moves fast across the dash camera.
  {
    const rng = root.fork('bush');
    const want = Math.round(track.length * 0.12 * density);
    let placed = 0;
    for (let attempt = 0; attempt < want * 3 && placed < want; attempt++) {
      const p = beside(rng, half + rng.range(4, 16));
      const r = rng.range(0.8, 2.2);
      const b: SceneryItem = { kind: 'bush', x: p.x, y: p.y, heading: rng.range(0, 2 * Math.PI), sx: r * 2, sy: r * 1.6, sz: r * 1.1, tint: rng.next() };
      if (clearOfRoad(b) && clearOfBuildings(b)) {
        items.push(b);
        placed++;
      }
    }
  }

  // Lamp poles at a regular spacing on one side (the side swaps on some tracks), arm over the road.
  {
    const rng = root.fork('pole');
    const spacing = rng.range(36, 52);
    const side = rng.next() < 0.5 ? -1 : 1;
    const count = Math.floor(track.length / spacing);
    for (let k = 0; k < count; k++) {
      const lateral = side * (half + 3.5);
      const p = offsetPoint(track, k * spacing + spacing / 2, lateral);
      // Heading points the arm at the road: from the pole towards the centreline.
      const heading = p.heading + (side > 0 ? -Math.PI / 2 : Math.PI / 2);
      const pole: SceneryItem = { kind: 'pole', x: p.x, y: p.y, heading, sx: 1.2, sy: 0.2, sz: rng.range(7, 8), tint: rng.next() };
      if (clearOfRoad(pole) && clearOfBuildings(pole)) items.push(pole);
    }
  }

  // Cones: a short row on the outside of each bend's entry (bends under 90 m radius).
  {
    const rng = root.fork('cone');
    const n = track.n;
    let last = -Infinity;
    for (let i = 0; i < n; i++) {
      const k = track.curvatures[i];
      const s = i * track.ds;
      if (Math.abs(k) < 1 / 90 || s - last < 80) continue;
      last = s;
      const outside = k > 0 ? -1 : 1; // a left-hand bend's outside is the right
      const rows = rng.int(3, 5);
      for (let c = 0; c < rows; c++) {
        const p = offsetPoint(track, s - 30 + c * 4, outside * (half + 3 + rng.range(0, 0.4)));
        const cone: SceneryItem = { kind: 'cone', x: p.x, y: p.y, heading: rng.range(0, 2 * Math.PI), sx: 0.45, sy: 0.45, sz: 0.75, tint: rng.next() };
        if (clearOfRoad(cone)) items.push(cone);
      }
    }
  }

  return items;
}

/** Bounds of the centreline grown by `margin`, sim coordinates, m. */
export function boundsOf(track: Track, margin: number): { minX: number; maxX: number; minY: number; maxY: number } {
  let minX = Infinity, maxX = -Infinity, minY = Infinity, maxY = -Infinity;
  for (let i = 0; i < track.n; i++) {
    minX = Math.min(minX, track.xs[i]);
    maxX = Math.max(maxX, track.xs[i]);
    minY = Math.min(minY, track.ys[i]);
    maxY = Math.max(maxY, track.ys[i]);
  }
  return { minX: minX - margin, maxX: maxX + margin, minY: minY - margin, maxY: maxY + margin };
}
