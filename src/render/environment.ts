// Sky, sun (or moon), stars, fog and the world's lights, set by the theme. The sky dome follows
// the camera so it is always around it; the sun's shadow camera (when shadows are on) follows
// the car. Owns its geometries, materials and lights.

import {
  BackSide,
  BufferAttribute,
  BufferGeometry,
  CircleGeometry,
  Color,
  DirectionalLight,
  Fog,
  Group,
  HemisphereLight,
  Mesh,
  MeshBasicMaterial,
  Points,
  PointsMaterial,
  type Scene,
  SphereGeometry,
  Vector3,
} from 'three';
import { createRng } from '../core/rng.ts';
import { DRAW_ORDER } from './drawOrder.ts';
import type { Theme } from './themes.ts';

export interface Environment {
  /** Call before each render: centres the sky on the camera and the sun's shadow on the car. */
  follow(eyeX: number, eyeY: number, eyeZ: number, carX: number, carZ: number): void;
  applyTheme(theme: Theme): void;
  /** Sizes the dome to fit inside the camera's far plane. */
  setRadius(radius: number): void;
  setShadows(on: boolean): void;
  dispose(): void;
}

const STAR_COUNT = 700;
const FACING = new Vector3(0, 0, 1);
const toCentre = new Vector3();

export function createEnvironment(scene: Scene): Environment {
  const sky = new Group();
  sky.name = 'sky';
  const domeGeo = new SphereGeometry(1, 20, 12);
  domeGeo.deleteAttribute('uv');
  domeGeo.setAttribute('color', new BufferAttribute(new Float32Array(domeGeo.getAttribute('position').count * 3), 3));
  const domeMat = new MeshBasicMaterial({ vertexColors: true, side: BackSide, fog: false, depthWrite: false });
  const dome = new Mesh(domeGeo, domeMat);
  dome.renderOrder = DRAW_ORDER.sky;
  sky.add(dome);

  const discGeo = new CircleGeometry(1, 24);
  const discMat = new MeshBasicMaterial({ fog: false, depthWrite: false });
  const disc = new Mesh(discGeo, discMat);
  disc.renderOrder = DRAW_ORDER.skyDetail;
  sky.add(disc);

  // Stars: seeded points on the upper hemisphere of the unit sphere.
  const rng = createRng('stars');
  const starPos = new Float32Array(STAR_COUNT * 3);
  for (let i = 0; i < STAR_COUNT; i++) {
    const z = rng.range(0.05, 1);
    const a = rng.range(0, 2 * Math.PI);
    const r = Math.sqrt(1 - z * z);
    starPos.set([r * Math.cos(a) * 0.98, z * 0.98, r * Math.sin(a) * 0.98], i * 3);
  }
  const starGeo = new BufferGeometry();
  starGeo.setAttribute('position', new BufferAttribute(starPos, 3));
  const starMat = new PointsMaterial({ color: 0xdde6ff, size: 1.6, sizeAttenuation: false, fog: false, depthWrite: false });
  const stars = new Points(starGeo, starMat);
  stars.renderOrder = DRAW_ORDER.skyDetail;
  sky.add(stars);
  sky.traverse((o) => {
    o.layers.enableAll();
    o.frustumCulled = false;
  });
  scene.add(sky);

  const hemi = new HemisphereLight();
  hemi.layers.enableAll();
  const sun = new DirectionalLight();
  sun.layers.enableAll();
  sun.shadow.mapSize.set(1024, 1024);
  const sc = sun.shadow.camera;
  sc.left = -45;
  sc.right = 45;
  sc.top = 45;
  sc.bottom = -45;
  sc.near = 1;
  sc.far = 300;
  sun.shadow.bias = -0.0008;
  scene.add(hemi, sun, sun.target);

  let sunDir = { x: 0, y: 1, z: 0 };
  let radius = 1400;
  /** Apparent radius of the sun's disc, in metres at a dome radius of 1400 m. */
  let discSize = 0;

  const placeDisc = (): void => {
    // The disc sits on the dome just inside it, facing the centre.
    const r = radius * 0.96;
    disc.position.set(sunDir.x * r, sunDir.y * r, sunDir.z * r);
    // Face the dome's centre (the group is never rotated, so local = world orientation).
    disc.quaternion.setFromUnitVectors(FACING, toCentre.set(-sunDir.x, -sunDir.y, -sunDir.z));
    disc.scale.setScalar(Math.max(1e-3, (discSize / 1400) * radius));
  };

  return {
    follow(eyeX, eyeY, eyeZ, carX, carZ): void {
      sky.position.set(eyeX, eyeY, eyeZ);
      sun.target.position.set(carX, 0, carZ);
      sun.position.set(carX + sunDir.x * 120, sunDir.y * 120, carZ + sunDir.z * 120);
    },
    applyTheme(theme: Theme): void {
      // Dome colours: horizon up to ~10 degrees, then eased to the zenith; below the horizon the
      // horizon colour (the fog hides where ground and sky meet).
      const pos = domeGeo.getAttribute('position');
      const col = domeGeo.getAttribute('color') as BufferAttribute;
      const zenith = new Color(theme.sky.zenith);
      const horizon = new Color(theme.sky.horizon);
      const c = new Color();
      for (let i = 0; i < pos.count; i++) {
        const h = Math.max(0, pos.getY(i));
        const t = Math.min(1, Math.max(0, (h - 0.03) / 0.6)) ** 0.7;
        c.copy(horizon).lerp(zenith, t);
        col.setXYZ(i, c.r, c.g, c.b);
      }
      col.needsUpdate = true;

      const e = theme.sun.elevation;
      const a = theme.sun.azimuth;
      // Azimuth is CCW from east in sim coordinates: sim (cos a, sin a) -> three (cos a, _, -sin a).
      sunDir = { x: Math.cos(e) * Math.cos(a), y: Math.sin(e), z: -Math.cos(e) * Math.sin(a) };
      discMat.color.setHex(theme.sun.disc);
      discSize = theme.sun.discSize;
      disc.visible = discSize > 0;
      placeDisc();
      stars.visible = theme.stars;

      hemi.color.setHex(theme.hemisphere.sky);
      hemi.groundColor.setHex(theme.hemisphere.ground);
      hemi.intensity = theme.hemisphere.intensity;
      sun.color.setHex(theme.sun.color);
      sun.intensity = theme.sun.intensity;

      scene.fog = new Fog(theme.fog.color, theme.fog.near, theme.fog.far);
      scene.background = new Color(theme.fog.color);
    },
    setRadius(r: number): void {
      radius = r;
      dome.scale.setScalar(r);
      stars.scale.setScalar(r);
      placeDisc();
    },
    setShadows(on: boolean): void {
      sun.castShadow = on;
    },
    dispose(): void {
      scene.remove(sky, hemi, sun, sun.target);
      for (const o of [domeGeo, domeMat, discGeo, discMat, starGeo, starMat]) o.dispose();
      sun.dispose();
      hemi.dispose();
    },
  };
}
