// The three.js meshes of one track: the road (asphalt, shoulders, markings, kerbs), the
// start/finish line and its gantry, the grass and the ring of hills on the horizon. Owns its
// geometries (dispose() frees them); materials belong to the MaterialSet.

import { BoxGeometry, BufferAttribute, BufferGeometry, DoubleSide, Group, Mesh, PlaneGeometry, type Material } from 'three';
import { mergeGeometries } from 'three/addons/utils/BufferGeometryUtils.js';
import { createRng } from '../core/rng.ts';
import { offsetPoint, pointAt, type Track } from '../sim/track.ts';
import { DRAW_ORDER } from './drawOrder.ts';
import type { WorldMaterials } from './materials.ts';
import { buildRoadGeometry, type Strip } from './roadGeometry.ts';

export interface TrackMesh {
  readonly group: Group;
  /** Centre of the track's bounds (sim coordinates) and the radius of the hills around it, m. */
  readonly centre: { readonly x: number; readonly y: number };
  readonly hillRadius: number;
  dispose(): void;
}

function stripGeometry(s: Strip): BufferGeometry {
  const g = new BufferGeometry();
  g.setAttribute('position', new BufferAttribute(s.positions, 3));
  g.setAttribute('uv', new BufferAttribute(s.uvs, 2));
  g.setIndex(new BufferAttribute(s.indices, 1));
  g.computeVertexNormals();
  g.computeBoundingSphere();
  return g;
}

/**
 * A closed band of hills at `radius` around (cx, cy) sim, seeded, facing inwards: a few sine
 * waves of random phase give a skyline that never repeats within one lap of the view.
 */
function hillRing(seed: string, ring: { cx: number; cy: number; radius: number; minH: number; maxH: number }): BufferGeometry {
  const { cx, cy, radius, minH, maxH } = ring;
  const rng = createRng(seed);
  const waves = Array.from({ length: 5 }, (_, k) => ({ f: k + 2 + rng.int(0, 3) * (k + 1), a: rng.range(0.4, 1) / (k + 1), p: rng.range(0, 2 * Math.PI) }));
  const norm = waves.reduce((sum, w) => sum + w.a, 0);
  const segments = 96;
  const pos = new Float32Array((segments + 1) * 2 * 3);
  const index: number[] = [];
  for (let k = 0; k <= segments; k++) {
    const a = (2 * Math.PI * k) / segments;
    let h = 0;
    for (const w of waves) h += w.a * Math.sin(w.f * a + w.p);
    const top = minH + ((h / norm + 1) / 2) * (maxH - minH);
    const x = cx + Math.cos(a) * radius;
    const y = cy + Math.sin(a) * radius;
    pos.set([x, -5, -y, x, top, -y], k * 6);
    if (k < segments) {
      const b = k * 2;
      index.push(b, b + 1, b + 2, b + 1, b + 3, b + 2);
    }
  }
  const g = new BufferGeometry();
  g.setAttribute('position', new BufferAttribute(pos, 3));
  g.setIndex(index);
  g.computeBoundingSphere();
  return g;
}

/** Builds the meshes of a track. */
export function createTrackMesh(track: Track, m: WorldMaterials): TrackMesh {
  const group = new Group();
  group.name = 'track';
  const geometries: BufferGeometry[] = [];
  const add = (g: BufferGeometry, mat: Material, name: string, receiveShadow = true, order: number = DRAW_ORDER.road): Mesh => {
    geometries.push(g);
    const mesh = new Mesh(g, mat);
    mesh.name = name;
    mesh.renderOrder = order;
    mesh.receiveShadow = receiveShadow;
    mesh.matrixAutoUpdate = false;
    mesh.updateMatrix();
    group.add(mesh);
    return mesh;
  };

  const road = buildRoadGeometry(track);
  add(stripGeometry(road.road), m.asphalt, 'road');
  add(stripGeometry(road.shoulders), m.gravel, 'shoulders');
  add(stripGeometry(road.markings), m.markings, 'markings');
  if (road.kerbs.indices.length > 0) add(stripGeometry(road.kerbs), m.kerb, 'kerbs');
  add(stripGeometry(road.startLine), m.startLine, 'start line');

  const { minX, maxX, minY, maxY } = road.bounds;
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  const extent = Math.hypot(maxX - minX, maxY - minY) / 2;
  const hillRadius = extent + 260;

  // Grass: one square out past the hills (fog hides its far edge), cut into ~60 m cells: software
  // GL (SwiftShader) loses depth precision on huge triangles clipped by the near plane, and the
  // road, 2 cm above, then vanishes under the grass in the low dash camera.
  const groundSize = hillRadius * 2.6;
  const cells = Math.ceil(groundSize / 60);
  const ground = new PlaneGeometry(groundSize, groundSize, cells, cells);
  ground.rotateX(-Math.PI / 2);
  ground.translate(cx, 0, -cy);
  // UVs in metres, like the road's, so the grass texture tiles at its own size.
  const uv = ground.getAttribute('uv');
  const pos = ground.getAttribute('position');
  for (let i = 0; i < uv.count; i++) uv.setXY(i, pos.getX(i), -pos.getZ(i));
  ground.computeBoundingSphere();
  add(ground, m.grass, 'grass', true, DRAW_ORDER.ground);

  add(hillRing(`hills:${track.id}`, { cx, cy, radius: hillRadius, minH: 18, maxH: 70 }), m.hills, 'hills', false, DRAW_ORDER.hills);
  add(hillRing(`far hills:${track.id}`, { cx, cy, radius: hillRadius * 1.45, minH: 50, maxH: 150 }), m.farHills, 'far hills', false, DRAW_ORDER.farHills);
  m.hills.side = DoubleSide;
  m.farHills.side = DoubleSide;

  // Start/finish gantry: two posts beside the road and a chequered banner across it.
  const half = track.width / 2;
  const start = pointAt(track, 0);
  const posts = [-1, 1].map((side) => {
    const p = offsetPoint(track, 0, side * (half + 2.2));
    const post = new BoxGeometry(0.4, 6.2, 0.4);
    post.rotateY(start.heading);
    post.translate(p.x, 3.1, -p.y);
    return post;
  });
  add(mergeGeometries(posts), m.metal, 'gantry posts').castShadow = true;
  for (const g of posts) g.dispose();
  const span = track.width + 4.8;
  const bannerGeo = new BoxGeometry(0.3, 1.1, span);
  // UVs in metres (the chequer material repeats per metre), so banner squares match the line's.
  const buv = bannerGeo.getAttribute('uv');
  for (let i = 0; i < buv.count; i++) buv.setXY(i, buv.getX(i) * span, buv.getY(i) * 1.2);
  const banner = add(bannerGeo, m.startLine, 'gantry banner');
  banner.position.set(start.x, 5.5, -start.y);
  banner.rotation.y = start.heading;
  banner.updateMatrix();
  banner.castShadow = true;

  return {
    group,
    centre: { x: cx, y: cy },
    hillRadius,
    dispose(): void {
      for (const g of geometries) g.dispose();
      group.removeFromParent();
    },
  };
}

