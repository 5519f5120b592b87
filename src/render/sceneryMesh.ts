// The scenery of one track as instanced meshes: one draw call per part (trunks, crowns, poles,
// lamps, cones, buildings...) however many items there are. Low-poly models built at unit
// size, nose along +X (coords.ts), scaled per instance from the layout in scenery.ts.
// Owns its geometries and instance buffers; materials belong to the MaterialSet.

import {
  BoxGeometry,
  type BufferGeometry,
  Color,
  ConeGeometry,
  CylinderGeometry,
  Float32BufferAttribute,
  type Frustum,
  Group,
  IcosahedronGeometry,
  InstancedMesh,
  type Material,
  Matrix4,
  PlaneGeometry,
  Quaternion,
  Sphere,
  Vector3,
} from 'three';
import { mergeGeometries, mergeVertices } from 'three/addons/utils/BufferGeometryUtils.js';
import type { Track } from '../sim/track.ts';
import { DRAW_ORDER } from './drawOrder.ts';
import type { WorldMaterials } from './materials.ts';
import { layoutScenery, type SceneryItem, type SceneryKind } from './scenery.ts';
import type { Theme } from './themes.ts';

/** Height of the lamp poles' model, m (instances scale to their item's height). */
const POLE_HEIGHT = 7.5;
/** How far the arm reaches towards the road, m. */
const ARM_REACH = 1.7;
/** Diameter of the pool of light under a lamp at night, m. */
const POOL_SIZE = 13;

function pineGeometry(): BufferGeometry {
  const lower = new ConeGeometry(0.5, 0.6, 6, 1, false).deleteAttribute('uv');
  lower.translate(0, 0.5, 0);
  const upper = new ConeGeometry(0.36, 0.5, 6, 1, true).deleteAttribute('uv');
  upper.translate(0, 0.75, 0);
  return mergeGeometries([lower, upper]);
}

function trunkGeometry(height: number, radius: number): BufferGeometry {
  const g = new CylinderGeometry(radius * 0.7, radius, height, 4, 1, true);
  g.translate(0, height / 2, 0);
  return g;
}

function broadleafGeometry(): BufferGeometry {
  const g = mergeVertices(new IcosahedronGeometry(0.5, 0).deleteAttribute('uv').deleteAttribute('normal'));
  g.scale(1, 0.75, 1);
  g.translate(0, 0.68, 0);
  g.computeVertexNormals();
  return g;
}

function bushGeometry(): BufferGeometry {
  const g = mergeVertices(new IcosahedronGeometry(0.5, 0).deleteAttribute('uv').deleteAttribute('normal'));
  g.translate(0, 0.35, 0);
  g.computeVertexNormals();
  return g;
}

/** Pole and arm, at real size; the arm points along +X (towards the road). */
function poleGeometry(): BufferGeometry {
  const post = new CylinderGeometry(0.07, 0.11, POLE_HEIGHT, 6, 1, true);
  post.translate(0, POLE_HEIGHT / 2, 0);
  const arm = new BoxGeometry(ARM_REACH, 0.08, 0.08);
  arm.translate(ARM_REACH / 2, POLE_HEIGHT - 0.1, 0);
  return mergeGeometries([post.toNonIndexed(), arm.toNonIndexed()].map((g) => g.deleteAttribute('uv')));
}

function lampGeometry(): BufferGeometry {
  const g = new BoxGeometry(0.6, 0.14, 0.3);
  g.translate(ARM_REACH - 0.2, POLE_HEIGHT - 0.2, 0);
  return g;
}

/** A traffic cone with two white bands, coloured per vertex, at real size (0.75 m). */
function coneGeometry(): BufferGeometry {
  const body = new CylinderGeometry(0.035, 0.19, 0.7, 10, 6, true).toNonIndexed();
  body.translate(0, 0.38, 0);
  const base = new BoxGeometry(0.45, 0.04, 0.45).toNonIndexed();
  base.translate(0, 0.02, 0);
  const parts = [body, base].map((g) => g.deleteAttribute('uv'));
  const merged = mergeGeometries(parts);
  const pos = merged.getAttribute('position');
  const colors = new Float32Array(pos.count * 3);
  const orange = new Color(0xff5a14);
  const white = new Color(0xf4f4f4);
  const dark = new Color(0x222222);
  for (let i = 0; i < pos.count; i++) {
    const y = pos.getY(i);
    const c = y < 0.045 ? dark : (y > 0.38 && y < 0.47) || (y > 0.55 && y < 0.62) ? white : orange;
    colors.set([c.r, c.g, c.b], i * 3);
  }
  merged.setAttribute('color', new Float32BufferAttribute(colors, 3));
  return merged;
}

function buildingGeometry(): BufferGeometry {
  const g = new BoxGeometry(1, 1, 1);
  g.translate(0, 0.5, 0);
  return g;
}

function poolGeometry(): BufferGeometry {
  const g = new PlaneGeometry(1, 1);
  g.rotateX(-Math.PI / 2);
  return g;
}

interface Part {
  readonly mesh: InstancedMesh;
  /** Index into the layout of each instance. */
  readonly itemIndex: Int32Array;
  /** Every instance's matrix and colour; the mesh's own buffers hold the visible ones, packed. */
  readonly matrices: Float32Array;
  readonly colors: Float32Array;
  /** Shade of an item for a theme, or null to leave the material's colour alone. */
  readonly shade: ((theme: Theme, item: SceneryItem, out: Color) => void) | null;
}

export interface SceneryMesh {
  readonly group: Group;
  readonly count: number;
  /**
   * Packs each part's instances in the frustum to the front of its buffers and draws only those:
   * software GL pays for every triangle it clips, so this halves the dash camera's cost or better.
   * Pass null to draw everything (e.g. for shadow maps, which see beyond the camera).
   */
  cull(frustum: Frustum | null): void;
  /** Recolours the instances for a theme (foliage and building shades). */
  applyTheme(theme: Theme): void;
  dispose(): void;
}

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
  const parts: Part[] = [];

  // A bounding sphere per item (three.js coordinates), covering every part drawn for it.
  const spheres = new Float32Array(items.length * 4);
  items.forEach((it, i) => {
    const reach = it.kind === 'pole' ? POOL_SIZE / 2 + ARM_REACH : 0;
    const r = Math.hypot(Math.max(it.sx, it.sy) / 2 + reach, it.sz / 2);
    spheres.set([it.x, it.sz / 2, -it.y, r], i * 4);
  });
  const visible = new Uint8Array(items.length).fill(1);
  const sphere = new Sphere();

  const matrix = new Matrix4();
  const q = new Quaternion();
  const up = new Vector3(0, 1, 0);
  const p = new Vector3();
  const scale = new Vector3();
  /** A standard matrix: at the item, turned to its heading, scaled by (sx, sz, sy). */
  const itemMatrix = (it: SceneryItem, uniformXY: boolean): Matrix4 => {
    q.setFromAxisAngle(up, it.heading);
    p.set(it.x, 0, -it.y);
    if (it.kind === 'pole') scale.set(1, it.sz / POLE_HEIGHT, 1);
    else if (uniformXY) scale.set(it.sx, it.sz, it.sx);
    else scale.set(it.sx, it.sz, it.sy);
    return matrix.compose(p, q, scale);
  };

  const addPart = (
    geometry: BufferGeometry,
    material: Material | Material[],
    kind: SceneryKind,
    place: (it: SceneryItem) => Matrix4,
    shade: Part['shade'],
    castShadow: boolean,
  ): void => {
    const index: number[] = [];
    items.forEach((it, i) => {
      if (it.kind === kind) index.push(i);
    });
    if (index.length === 0) return;
    const mesh = new InstancedMesh(geometry, material, index.length);
    const matrices = new Float32Array(index.length * 16);
    index.forEach((item, k) => place(items[item]).toArray(matrices, k * 16));
    mesh.instanceMatrix.array.set(matrices);
    mesh.instanceMatrix.needsUpdate = true;
    const colors = new Float32Array(index.length * 3).fill(1);
    mesh.setColorAt(0, tmpColor.setRGB(1, 1, 1)); // creates instanceColor
    mesh.castShadow = castShadow && (opts.shadows ?? false);
    mesh.receiveShadow = false;
    // Culled per instance by cull(); the whole-mesh test would pass almost always anyway.
    mesh.frustumCulled = false;
    mesh.renderOrder = DRAW_ORDER.scenery;
    group.add(mesh);
    parts.push({ mesh, itemIndex: Int32Array.from(index), matrices, colors, shade });
  };

  const geometries = {
    pine: pineGeometry(),
    pineTrunk: trunkGeometry(0.35, 0.07),
    broadleaf: broadleafGeometry(),
    broadTrunk: trunkGeometry(0.5, 0.06),
    bush: bushGeometry(),
    pole: poleGeometry(),
    lamp: lampGeometry(),
    pool: poolGeometry(),
    cone: coneGeometry(),
    building: buildingGeometry(),
  };
  const g = geometries;
  const placePool = (it: SceneryItem): Matrix4 => {
    // The pool of light lies on the ground under the lamp head, whatever the pole's height.
    const reach = ARM_REACH - 0.2;
    p.set(it.x + Math.cos(it.heading) * reach, 0.06, -(it.y + Math.sin(it.heading) * reach));
    return matrix.compose(p, q.identity(), scale.set(POOL_SIZE, 1, POOL_SIZE));
  };
  addPart(g.pine, m.foliage, 'pine', (it) => itemMatrix(it, true), (t, it, c) => mix(t.foliage.pine[0], t.foliage.pine[1], it.tint, c), true);
  addPart(g.pineTrunk, m.trunk, 'pine', (it) => itemMatrix(it, true), null, false);
  addPart(g.broadleaf, m.foliage, 'broadleaf', (it) => itemMatrix(it, true), (t, it, c) => mix(t.foliage.broadleaf[0], t.foliage.broadleaf[1], it.tint, c), true);
  addPart(g.broadTrunk, m.trunk, 'broadleaf', (it) => itemMatrix(it, true), null, false);
  addPart(g.bush, m.foliage, 'bush', (it) => itemMatrix(it, false), (t, it, c) => mix(t.foliage.bush[0], t.foliage.bush[1], it.tint, c), false);
  addPart(g.pole, m.metal, 'pole', (it) => itemMatrix(it, false), null, true);
  addPart(g.lamp, m.lamp, 'pole', (it) => itemMatrix(it, false), null, false);
  addPart(g.pool, m.lampPool, 'pole', placePool, null, false);
  addPart(g.cone, m.cone, 'cone', (it) => itemMatrix({ ...it, sx: 1, sy: 1, sz: 1 }, false), null, false);
  addPart(g.building, [m.facade, m.facade, m.roof, m.roof, m.facade, m.facade], 'building', (it) => itemMatrix(it, false),
    (t, it, c) => mix(t.buildings[0], t.buildings[1], it.tint, c), true);

  /** Copies the visible instances to the front of each mesh's buffers. */
  const pack = (): void => {
    for (const part of parts) {
      const mats = part.mesh.instanceMatrix;
      const cols = part.mesh.instanceColor;
      const mArr = mats.array as Float32Array;
      const cArr = cols ? (cols.array as Float32Array) : null;
      let n = 0;
      for (let k = 0; k < part.itemIndex.length; k++) {
        if (!visible[part.itemIndex[k]]) continue;
        // Copied even when n === k: the slot may hold another instance from an earlier packing.
        for (let j = 0; j < 16; j++) mArr[n * 16 + j] = part.matrices[k * 16 + j];
        if (cArr) for (let j = 0; j < 3; j++) cArr[n * 3 + j] = part.colors[k * 3 + j];
        n++;
      }
      part.mesh.count = n;
      part.mesh.visible = n > 0;
      mats.clearUpdateRanges();
      mats.addUpdateRange(0, n * 16);
      mats.needsUpdate = true;
      if (cols) {
        cols.clearUpdateRanges();
        cols.addUpdateRange(0, n * 3);
        cols.needsUpdate = true;
      }
    }
  };

  const color = new Color();
  return {
    group,
    count: items.length,
    cull(frustum: Frustum | null): void {
      for (let i = 0; i < items.length; i++) {
        if (!frustum) {
          visible[i] = 1;
          continue;
        }
        sphere.center.set(spheres[i * 4], spheres[i * 4 + 1], spheres[i * 4 + 2]);
        sphere.radius = spheres[i * 4 + 3];
        visible[i] = frustum.intersectsSphere(sphere) ? 1 : 0;
      }
      pack();
    },
    applyTheme(theme: Theme): void {
      for (const part of parts) {
        for (let k = 0; k < part.itemIndex.length; k++) {
          if (part.shade) part.shade(theme, items[part.itemIndex[k]], color);
          else color.setRGB(1, 1, 1);
          color.toArray(part.colors, k * 3);
        }
      }
      pack();
    },
    dispose(): void {
      for (const part of parts) part.mesh.dispose();
      for (const geo of Object.values(geometries)) geo.dispose();
      group.removeFromParent();
    },
  };
}
