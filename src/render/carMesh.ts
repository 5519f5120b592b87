// The car model: a low-poly saloon (extruded side profile, glasshouse, roof, lamps, a small
// wing) on four wheels whose front pair steers with the pose's steerAngle, a soft contact
// shadow, and for the player's car two headlights. Ghosts share its geometry with one
// translucent material.
//
// Built nose along +X, left along -Z, wheels on the ground at y = 0, origin at the centre of
// mass (front axle 1.15 m ahead, rear axle 1.45 m behind, as in sim/car.ts DEFAULT_CAR).
// The CarKit owns every geometry and material; a CarModel only owns its scene nodes.

import {
  BoxGeometry,
  type BufferGeometry,
  CylinderGeometry,
  ExtrudeGeometry,
  Group,
  type Material,
  Mesh,
  MeshBasicMaterial,
  MeshLambertMaterial,
  MeshPhongMaterial,
  Object3D,
  PlaneGeometry,
  Shape,
  SpotLight,
  type Texture,
} from 'three';
import { mergeGeometries } from 'three/addons/utils/BufferGeometryUtils.js';
import { DEFAULT_CAR } from '../sim/car.ts';
import { threeYaw } from './coords.ts';
import { DRAW_ORDER } from './drawOrder.ts';
import type { CarPose } from './pose.ts';
import { painted } from './vertexColors.ts';

const FRONT_AXLE = DEFAULT_CAR.frontAxle;
const REAR_AXLE = DEFAULT_CAR.rearAxle;
const TRACK_HALF = 0.84; // half the distance between left and right wheels, m (tyres peek out of the body)
const WHEEL_RADIUS = 0.33;

/** A closed side profile (x forward, y up), extruded across the car's width and centred. */
function profile(points: readonly (readonly [number, number])[], width: number, bevel: number): BufferGeometry {
  const shape = new Shape();
  shape.moveTo(points[0][0], points[0][1]);
  for (const [x, y] of points.slice(1)) shape.lineTo(x, y);
  shape.closePath();
  const g = new ExtrudeGeometry(shape, { depth: width - 2 * bevel, bevelEnabled: bevel > 0, bevelThickness: bevel, bevelSize: bevel, bevelSegments: 1, curveSegments: 1 });
  g.translate(0, 0, -(width - 2 * bevel) / 2);
  return g;
}


/** Merges parts after dropping their UVs and indices (ExtrudeGeometry has none, boxes do). */
function merge(parts: BufferGeometry[]): BufferGeometry {
  const flat = parts.map((g) => {
    g.deleteAttribute('uv');
    return g.index ? g.toNonIndexed() : g;
  });
  const merged = mergeGeometries(flat);
  for (const g of new Set([...parts, ...flat])) g.dispose();
  return merged;
}

export interface CarKit {
  readonly geometries: {
    /** The body below the windows, in the paint colour. */
    readonly paint: BufferGeometry;
    /** Roof and wing (paint colour too): above the driver's eye, so the cockpit view leaves them out. */
    readonly cabin: BufferGeometry;
    readonly glass: BufferGeometry;
    /** Head and tail lamps, coloured per vertex. */
    readonly lamps: BufferGeometry;
    /** Tyre and hub, coloured per vertex, axis along Z. */
    readonly wheel: BufferGeometry;
    /** Bumpers, skirts, plate, grille: coloured per vertex. */
    readonly trim: BufferGeometry;
    readonly shadow: BufferGeometry;
  };
  readonly materials: {
    readonly paint: MeshPhongMaterial;
    readonly glass: MeshPhongMaterial;
    readonly wheel: MeshLambertMaterial;
    readonly lamps: MeshBasicMaterial;
    readonly shadow: MeshBasicMaterial;
    readonly ghost: MeshLambertMaterial;
  };
  dispose(): void;
}

/**
 * Geometry and materials shared by every car (merged by material: a car is ten draw calls,
 * four of them wheels).
 * `radial` is a soft-disc texture (not owned).
 */
export function createCarKit(radial: Texture, paint = 0xd0202a): CarKit {
  const body = profile([[-2.12, 0.3], [2.1, 0.3], [2.18, 0.5], [2.08, 0.74], [1.0, 0.9], [-1.72, 0.92], [-2.14, 0.88], [-2.18, 0.55]], 1.8, 0.06);
  const glass = profile([[1.02, 0.9], [0.18, 1.34], [-1.0, 1.36], [-1.7, 0.95]], 1.58, 0);
  const roof = new BoxGeometry(1.12, 0.05, 1.5);
  roof.translate(-0.42, 1.36, 0);
  const wing = new BoxGeometry(0.34, 0.05, 1.6);
  wing.translate(-2.0, 1.1, 0);
  const wingPosts = [-0.6, 0.6].map((z) => new BoxGeometry(0.12, 0.16, 0.06).translate(-2.0, 1.0, z));
  const lamps: BufferGeometry[] = [];
  for (const side of [-1, 1]) {
    lamps.push(painted(new BoxGeometry(0.06, 0.12, 0.42).translate(2.2, 0.6, side * 0.6), 0xfff6d8));
    lamps.push(painted(new BoxGeometry(0.06, 0.1, 0.5).translate(-2.23, 0.72, side * 0.58), 0xff2a20));
  }
  // Trim: black bumpers, side skirts, number plate, grille and dashboard (vertex-coloured, like the wheels).
  const trim = [
    painted(new BoxGeometry(0.14, 0.2, 1.84).translate(-2.2, 0.36, 0), 0x161616),
    painted(new BoxGeometry(0.14, 0.2, 1.84).translate(2.2, 0.36, 0), 0x161616),
    painted(new BoxGeometry(2.3, 0.1, 1.86).translate(-0.15, 0.33, 0), 0x161616),
    painted(new BoxGeometry(0.03, 0.13, 0.52).translate(-2.28, 0.42, 0), 0xf2f0e6),
    painted(new BoxGeometry(0.14, 0.04, 1.3).translate(2.21, 0.62, 0), 0x222222),
    // Dashboard under the windscreen: hidden by the glass from outside, it frames the cockpit view.
    painted(new BoxGeometry(1.08, 0.02, 1.56).translate(0.44, 0.995, 0), 0x1c1c20), // on the bevelled deck
  ];
  const tyre = painted(new CylinderGeometry(WHEEL_RADIUS, WHEEL_RADIUS, 0.26, 14, 1).rotateX(Math.PI / 2), 0x1a1a1a);
  const hub = painted(new CylinderGeometry(0.19, 0.19, 0.28, 10, 1).rotateX(Math.PI / 2), 0xb8bcc2);
  const shadow = new PlaneGeometry(5.4, 2.8);
  shadow.rotateX(-Math.PI / 2);
  const geometries = {
    paint: body,
    cabin: merge([roof, wing, ...wingPosts]),
    glass,
    lamps: merge(lamps),
    wheel: merge([tyre, hub]),
    trim: merge(trim),
    shadow,
  };
  const materials = {
    paint: new MeshPhongMaterial({ color: paint, shininess: 60, specular: 0x555555 }),
    glass: new MeshPhongMaterial({ color: 0x1c2530, shininess: 90, specular: 0x9aa8b8 }),
    wheel: new MeshLambertMaterial({ vertexColors: true }),
    lamps: new MeshBasicMaterial({ vertexColors: true }),
    shadow: new MeshBasicMaterial({ color: 0x000000, alphaMap: radial, transparent: true, opacity: 0.55, depthWrite: false }),
    ghost: new MeshLambertMaterial({ color: 0x9ad8ff, emissive: 0x1a3040, transparent: true, opacity: 0.38, depthWrite: false }),
  };
  return {
    geometries,
    materials,
    dispose(): void {
      for (const g of Object.values(geometries)) g.dispose();
      for (const m of Object.values(materials)) m.dispose();
    },
  };
}

export interface CarModel {
  readonly group: Group;
  /** The player's headlights (empty for ghosts). */
  readonly headlights: readonly SpotLight[];
  /** Moves the model to a pose and turns its front wheels. */
  setPose(pose: CarPose): void;
  /** Puts every mesh of the model on one camera layer (lights stay visible to all cameras). */
  /**
   * Puts the model's meshes on camera layers: the cabin (roof, glass, wing) on its own, so a
   * camera inside the car can leave it out. Lights stay visible to every camera.
   */
  setLayers(body: number, cabin: number): void;
  /** Removes it from the scene (the kit keeps the shared resources). */
  dispose(): void;
}

/** A car in the kit's paint, or a translucent ghost. */
export function createCarModel(kit: CarKit, opts: { ghost?: boolean; shadows?: boolean } = {}): CarModel {
  const ghost = opts.ghost ?? false;
  const g = kit.geometries;
  const m = kit.materials;
  const pick = (mat: Material): Material => (ghost ? m.ghost : mat);
  const group = new Group();
  group.name = ghost ? 'ghost car' : 'car';
  const mesh = (geo: BufferGeometry, mat: Material, parent: Object3D = group): Mesh => {
    const x = new Mesh(geo, pick(mat));
    x.renderOrder = DRAW_ORDER.car;
    x.castShadow = !ghost && (opts.shadows ?? false);
    parent.add(x);
    return x;
  };

  mesh(g.paint, m.paint);
  const cabin = [mesh(g.cabin, m.paint), mesh(g.glass, m.glass)];
  mesh(g.lamps, m.lamps);
  mesh(g.trim, m.wheel);

  const frontPivots: Object3D[] = [];
  for (const [x, front] of [[FRONT_AXLE, true], [-REAR_AXLE, false]] as const) {
    for (const side of [-1, 1]) {
      const pivot = new Object3D();
      pivot.position.set(x, WHEEL_RADIUS, side * TRACK_HALF);
      group.add(pivot);
      mesh(g.wheel, m.wheel, pivot);
      if (front) frontPivots.push(pivot);
    }
  }

  if (!ghost) {
    const shadow = new Mesh(g.shadow, m.shadow);
    shadow.position.y = 0.05;
    group.add(shadow);
  }

  // Headlights: off (invisible) until a theme turns them on. Each aims ~40 m ahead and a little
  // outwards; a wide penumbra fades the cone's lower edge, so the road is lit far ahead rather
  // than in a bright pool just in front of the bumper. Decay 1 (not the physical 2): the grazing
  // angle already dims the far road, and trees beside it should not glow.
  const headlights: SpotLight[] = [];
  if (!ghost) {
    for (const side of [-1, 1]) {
      const light = new SpotLight(0xfff1d6, 0, 90, 0.38, 0.85, 1);
      light.position.set(2.0, 0.65, side * 0.62);
      light.target.position.set(40, -0.5, side * 4);
      light.visible = false;
      light.layers.enableAll();
      group.add(light, light.target);
      headlights.push(light);
    }
  }

  return {
    group,
    headlights,
    setPose(pose: CarPose): void {
      group.position.set(pose.x, 0, -pose.y); // sim (x, y) on the ground, coords.ts
      group.rotation.y = threeYaw(pose.heading);
      for (const p of frontPivots) p.rotation.y = pose.steerAngle;
    },
    setLayers(body: number, cabinLayer: number): void {
      group.traverse((o) => {
        if (!(o instanceof SpotLight)) o.layers.set(cabin.includes(o as Mesh) ? cabinLayer : body);
      });
    },
    dispose(): void {
      group.removeFromParent();
    },
  };
}
