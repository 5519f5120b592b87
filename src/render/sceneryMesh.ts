// The scenery of one track as merged static meshes, one per material per 128 m tile: trunks,
// crowns, poles, lamps, cones and buildings are low-poly models built at unit size (nose along
// +X, coords.ts), placed and scaled from the layout in scenery.ts and baked into the tiles'
// vertex buffers. The cameras' frustum culling then skips whole tiles.
//
// Why not InstancedMesh: on software GL (SwiftShader, where this game is tested and where many
// players without a GPU run it) every instance costs about as much as a small draw call. Measured
// here, 500 instances of a 20-triangle model took 13 ms to render into the 200x66 dash target and
// read back, the same triangles merged took 4 ms. Merged tiles cost ~0.3 us per triangle drawn
// and nothing for tiles out of view; on a GPU both are negligible.
// Owns its geometries; materials belong to the MaterialSet.
import {
  BoxGeometry,
  BufferAttribute,
  BufferGeometry,
  Color,
  ConeGeometry,
  CylinderGeometry,
  Group,
  IcosahedronGeometry,
  type Material,
  Matrix3,
  Matrix4,
  Mesh,
  PlaneGeometry,
  Quaternion,
  Vector3,
} from 'three';
import { mergeGeometries, mergeVertices } from 'three/addons/utils/BufferGeometryUtils.js';
import type { Track } from '../sim/track.ts';
import { DRAW_ORDER } from './drawOrder.ts';
import type { WorldMaterials } from './materials.ts';
import { layoutScenery, type SceneryItem } from './scenery.ts';
import type { Theme } from './themes.ts';
import { painted } from './vertexColors.ts';

/** Height of the lamp poles' model, m (instances scale to their item's height). */
const POLE_HEIGHT = 7.5;
/** How far the arm reaches towards the road, m. */
const ARM_REACH = 1.7;
/** Diameter of the pool of light under a lamp at night, m. */
const POOL_SIZE = 13;

/**
 * Foliage is flat shaded (normals come from screen-space derivatives), so its models share
 * vertices between faces: fewer vertices is what software GL is fastest at.
 */
function welded(g: BufferGeometry): BufferGeometry {
  g.deleteAttribute('uv');
  g.deleteAttribute('normal');
  const w = mergeVertices(g);
  g.dispose();
  w.computeVertexNormals(); // unused by the flat-shaded material, kept for shadows and uniformity
  return w;
}

/** Two stacked cones (15 vertices, 18 triangles). */
function pineGeometry(): BufferGeometry {
  const lower = new ConeGeometry(0.5, 0.6, 6, 1, false);
  lower.translate(0, 0.5, 0);
  const upper = new ConeGeometry(0.36, 0.5, 6, 1, true);
  upper.translate(0, 0.75, 0);
  return welded(mergeGeometries([lower, upper]));
}

function trunkGeometry(height: number, radius: number): BufferGeometry {
  const g = new CylinderGeometry(radius * 0.7, radius, height, 4, 1, true);
  g.translate(0, height / 2, 0);
  return g;
}

/** A squashed icosahedron (12 vertices, 20 triangles). */
function broadleafGeometry(): BufferGeometry {
  const g = welded(new IcosahedronGeometry(0.5, 0));
  g.scale(1, 0.75, 1);
  g.translate(0, 0.68, 0);
  return g;
}

function bushGeometry(): BufferGeometry {
  const g = welded(new IcosahedronGeometry(0.5, 0));
  g.translate(0, 0.35, 0);
  return g;
}

/** Pole and arm, at real size; the arm points along +X (towards the road). */
function poleGeometry(): BufferGeometry {
  const post = new CylinderGeometry(0.07, 0.11, POLE_HEIGHT, 6, 1, true);
  post.translate(0, POLE_HEIGHT / 2, 0);
  const arm = new BoxGeometry(ARM_REACH, 0.08, 0.08);
  arm.translate(ARM_REACH / 2, POLE_HEIGHT - 0.1, 0);
  return mergeGeometries([post, arm].map((g) => g.deleteAttribute('uv')));
}

function lampGeometry(): BufferGeometry {
  const g = new BoxGeometry(0.6, 0.14, 0.3);
  g.translate(ARM_REACH - 0.2, POLE_HEIGHT - 0.2, 0);
  return g;
}

/**
 * A traffic cone at real size (0.75 m): stacked frustums of solid colour (orange, a white band,
 * orange, a white band, orange tip) on a dark square base, coloured per vertex.
 */
function coneGeometry(): BufferGeometry {
  const radiusAt = (y: number): number => 0.19 + ((0.035 - 0.19) * (y - 0.04)) / 0.7;
  const bands: [number, number, number][] = [[0.04, 0.38, 0xff5a14], [0.38, 0.47, 0xf4f4f4], [0.47, 0.55, 0xff5a14], [0.55, 0.62, 0xf4f4f4], [0.62, 0.74, 0xff5a14]];
  const parts = bands.map(([y0, y1, hex]) => {
    const g = new CylinderGeometry(radiusAt(y1), radiusAt(y0), y1 - y0, 6, 1, true);
    g.translate(0, (y0 + y1) / 2, 0);
    return painted(g, hex);
  });
  const base = new PlaneGeometry(0.45, 0.45);
  base.rotateX(-Math.PI / 2);
  base.translate(0, 0.04, 0);
  parts.push(painted(base, 0x222222));
  const merged = mergeGeometries(parts.map((g) => g.deleteAttribute('uv')));
  for (const g of parts) g.dispose();
  return merged;
}


/** A unit box standing on the ground, split into its four walls and its roof. */
function buildingGeometries(): { walls: BufferGeometry; roof: BufferGeometry } {
  const box = new BoxGeometry(1, 1, 1);
  box.translate(0, 0.5, 0);
  const index = box.getIndex() as BufferAttribute;
  const pick = (groups: number[]): BufferGeometry => {
    const g = box.clone();
    const ids: number[] = [];
    for (const k of groups) for (let i = 0; i < box.groups[k].count; i++) ids.push(index.getX(box.groups[k].start + i));
    g.setIndex(ids);
    g.clearGroups();
    return g;
  };
  // BoxGeometry's groups: +x, -x, +y (roof), -y (floor), +z, -z.
  const parts = { walls: pick([0, 1, 4, 5]), roof: pick([2]) };
  box.dispose();
  return parts;
}

function poolGeometry(): BufferGeometry {
  const g = new PlaneGeometry(1, 1);
  g.rotateX(-Math.PI / 2);
  return g;
}

/** Colours a piece for a theme. */
type ColourRule = (theme: Theme, item: SceneryItem, out: Color) => void;

interface Piece {
  readonly source: BufferGeometry;
  readonly matrix: Matrix4;
  readonly item: SceneryItem;
  /** Its colour per theme; null keeps the source's own vertex colours (or white). */
  readonly colour: ColourRule | null;
}

/** A range of a merged mesh's vertices that takes one colour per theme. */
interface Segment {
  readonly start: number;
  readonly count: number;
  readonly item: SceneryItem;
  readonly colour: ColourRule;
}

interface Batch {
  readonly mesh: Mesh;
  readonly segments: readonly Segment[];
}

/**
 * Bakes pieces into one geometry: positions and normals transformed by each piece's matrix,
 * uv copied if `uv`, colours from the source (or white) if `color`. Returns the colour segments.
 */
function bake(pieces: readonly Piece[], opts: { uv: boolean; color: boolean; normal: boolean }): { geometry: BufferGeometry; segments: Segment[] } {
  let vertices = 0;
  let indices = 0;
  for (const p of pieces) {
    vertices += p.source.getAttribute('position').count;
    indices += p.source.getIndex()?.count ?? p.source.getAttribute('position').count;
  }
  const pos = new Float32Array(vertices * 3);
  const nrm = opts.normal ? new Float32Array(vertices * 3) : null;
  const uv = opts.uv ? new Float32Array(vertices * 2) : null;
  const col = opts.color ? new Float32Array(vertices * 3).fill(1) : null;
  const idx = new Uint32Array(indices);
  const segments: Segment[] = [];
  const v = new Vector3();
  const normalMatrix = new Matrix3();
  let vo = 0;
  let io = 0;
  for (const p of pieces) {
    const sp = p.source.getAttribute('position');
    const sn = p.source.getAttribute('normal');
    const su = p.source.getAttribute('uv');
    const sc = p.source.getAttribute('color');
    normalMatrix.getNormalMatrix(p.matrix);
    for (let i = 0; i < sp.count; i++) {
      v.fromBufferAttribute(sp, i).applyMatrix4(p.matrix).toArray(pos, (vo + i) * 3);
      if (nrm) v.fromBufferAttribute(sn, i).applyMatrix3(normalMatrix).normalize().toArray(nrm, (vo + i) * 3);
      if (uv) {
        uv[(vo + i) * 2] = su.getX(i);
        uv[(vo + i) * 2 + 1] = su.getY(i);
      }
      if (col && sc && !p.colour) for (let c = 0; c < 3; c++) col[(vo + i) * 3 + c] = sc.getComponent(i, c);
    }
    const si = p.source.getIndex();
    if (si) for (let i = 0; i < si.count; i++) idx[io + i] = vo + si.getX(i);
    else for (let i = 0; i < sp.count; i++) idx[io + i] = vo + i;
    if (col && p.colour) segments.push({ start: vo, count: sp.count, item: p.item, colour: p.colour });
    vo += sp.count;
    io += si ? si.count : sp.count;
  }
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new BufferAttribute(pos, 3));
  if (nrm) geometry.setAttribute('normal', new BufferAttribute(nrm, 3));
  if (uv) geometry.setAttribute('uv', new BufferAttribute(uv, 2));
  if (col) geometry.setAttribute('color', new BufferAttribute(col, 3));
  geometry.setIndex(new BufferAttribute(idx, 1));
  geometry.computeBoundingSphere();
  return { geometry, segments };
}

export interface SceneryMesh {
  readonly group: Group;
  /** Number of items placed. */
  readonly count: number;
  /** Number of meshes (draw calls if all were in view). */
  readonly meshes: number;
  /** Recolours the scenery for a theme (foliage, trunks and building shades). */
  applyTheme(theme: Theme): void;
  dispose(): void;
}

/** Side of the square tiles the scenery is baked in, m. */
export const SCENERY_TILE = 128;

const tmpColor = new Color();
/** The colour a share t of the way from hex a to hex b. NOTE writes into out. */
function mix(a: number, b: number, t: number, out: Color): Color {
  return out.setHex(a).lerp(tmpColor.setHex(b), t);
}

/** Builds the scenery of a track (layout seeded from the track's id). */
export function createSceneryMesh(track: Track, m: WorldMaterials, opts: { density?: number; shadows?: boolean } = {}): SceneryMesh {
  const items = layoutScenery(track, { density: opts.density });
  const group = new Group();
  group.name = 'scenery';

  const building = buildingGeometries();
  const sources = {
    pine: pineGeometry(),
    pineTrunk: trunkGeometry(0.35, 0.07),
    broadleaf: broadleafGeometry(),
    broadTrunk: trunkGeometry(0.5, 0.06),
    bush: bushGeometry(),
    pole: poleGeometry(),
    lamp: lampGeometry(),
    pool: poolGeometry(),
    cone: coneGeometry(),
    walls: building.walls,
    roof: building.roof,
  };

  const q = new Quaternion();
  const up = new Vector3(0, 1, 0);
  const at = new Vector3();
  const scale = new Vector3();
  /** At the item, turned to its heading, scaled by (sx, sz, sy) (trees: round crowns). */
  const itemMatrix = (it: SceneryItem): Matrix4 => {
    q.setFromAxisAngle(up, it.heading);
    at.set(it.x, 0, -it.y);
    if (it.kind === 'pole') scale.set(1, it.sz / POLE_HEIGHT, 1);
    else if (it.kind === 'cone') scale.set(1, 1, 1);
    else if (it.kind === 'pine' || it.kind === 'broadleaf') scale.set(it.sx, it.sz, it.sx);
    else scale.set(it.sx, it.sz, it.sy);
    return new Matrix4().compose(at, q, scale);
  };
  /** The pool of light lies on the ground under the lamp head, whatever the pole's height. */
  const poolMatrix = (it: SceneryItem): Matrix4 => {
    const reach = ARM_REACH - 0.2;
    at.set(it.x + Math.cos(it.heading) * reach, 0.06, -(it.y + Math.sin(it.heading) * reach));
    return new Matrix4().compose(at, q.identity(), scale.set(POOL_SIZE, 1, POOL_SIZE));
  };

  const trunk: ColourRule = (t, _it, c) => void c.setHex(t.foliage.trunk);
  const metal: ColourRule = (_t, _it, c) => void c.setHex(0x8a9096);
  type Slot = 'foliage' | 'props' | 'lamps' | 'pools' | 'walls' | 'roofs';
  const piecesOf = (it: SceneryItem): [Slot, Piece][] => {
    const mx = itemMatrix(it);
    const piece = (source: BufferGeometry, colour: ColourRule | null, matrix = mx): Piece => ({ source, matrix, item: it, colour });
    switch (it.kind) {
      case 'pine':
        return [['foliage', piece(sources.pine, (t, i, c) => void mix(t.foliage.pine[0], t.foliage.pine[1], i.tint, c))], ['props', piece(sources.pineTrunk, trunk)]];
      case 'broadleaf':
        return [['foliage', piece(sources.broadleaf, (t, i, c) => void mix(t.foliage.broadleaf[0], t.foliage.broadleaf[1], i.tint, c))], ['props', piece(sources.broadTrunk, trunk)]];
      case 'bush':
        return [['foliage', piece(sources.bush, (t, i, c) => void mix(t.foliage.bush[0], t.foliage.bush[1], i.tint, c))]];
      case 'pole':
        return [['props', piece(sources.pole, metal)], ['lamps', piece(sources.lamp, null)], ['pools', piece(sources.pool, null, poolMatrix(it))]];
      case 'cone':
        return [['props', piece(sources.cone, null)]];
      case 'building':
        return [['walls', piece(sources.walls, (t, i, c) => void mix(t.buildings[0], t.buildings[1], i.tint, c))], ['roofs', piece(sources.roof, null)]];
    }
  };

  const slots: Record<Slot, { material: Material; uv: boolean; color: boolean; normal: boolean; shadow: boolean }> = {
    foliage: { material: m.foliage, uv: false, color: true, normal: true, shadow: true },
    props: { material: m.props, uv: false, color: true, normal: true, shadow: true },
    lamps: { material: m.lamp, uv: false, color: false, normal: true, shadow: false },
    pools: { material: m.lampPool, uv: true, color: false, normal: false, shadow: false },
    walls: { material: m.facade, uv: true, color: true, normal: true, shadow: true },
    roofs: { material: m.roof, uv: false, color: false, normal: true, shadow: true },
  };

  const tiles = new Map<string, Map<Slot, Piece[]>>();
  for (const it of items) {
    const key = `${Math.floor(it.x / SCENERY_TILE)},${Math.floor(it.y / SCENERY_TILE)}`;
    let tile = tiles.get(key);
    if (!tile) tiles.set(key, (tile = new Map()));
    for (const [slot, piece] of piecesOf(it)) {
      let list = tile.get(slot);
      if (!list) tile.set(slot, (list = []));
      list.push(piece);
    }
  }

  const batches: Batch[] = [];
  for (const tile of tiles.values()) {
    for (const [slot, pieces] of tile) {
      const spec = slots[slot];
      const { geometry, segments } = bake(pieces, spec);
      const mesh = new Mesh(geometry, spec.material);
      mesh.renderOrder = DRAW_ORDER.scenery;
      mesh.castShadow = spec.shadow && (opts.shadows ?? false);
      mesh.matrixAutoUpdate = false;
      group.add(mesh);
      batches.push({ mesh, segments });
    }
  }
  for (const g of Object.values(sources)) g.dispose();

  const color = new Color();
  return {
    group,
    count: items.length,
    meshes: batches.length,
    applyTheme(theme: Theme): void {
      for (const b of batches) {
        if (b.segments.length === 0) continue;
        const attr = b.mesh.geometry.getAttribute('color') as BufferAttribute;
        const arr = attr.array as Float32Array;
        for (const seg of b.segments) {
          seg.colour(theme, seg.item, color);
          for (let i = seg.start; i < seg.start + seg.count; i++) color.toArray(arr, i * 3);
        }
        attr.needsUpdate = true;
      }
    },
    dispose(): void {
      for (const b of batches) b.mesh.geometry.dispose();
      group.removeFromParent();
    },
  };
}
