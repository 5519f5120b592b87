// The one mapping between simulation coordinates and three.js world coordinates.
//
// Sim: x east, y north, metres, on flat ground; heading counter-clockwise from +x; + lateral = left.
// three: Y up, right-handed. A sim point (x, y) at height h maps to three (x, h, -y), so
// east = +X, north = -Z, up = +Y. A heading h is a rotation of h about +Y (CCW seen from above),
// which turns an object's local +X (its nose) to the sim direction (cos h, sin h), and its
// local -Z to the car's left. Every model in src/render is built nose along +X, left along -Z.

/** three's X of a sim point. */
export function threeX(simX: number): number {
  return simX;
}

/** three's Z of a sim point (north is -Z). */
export function threeZ(simY: number): number {
  return -simY;
}

/** three's rotation about +Y for a sim heading (identity: both are CCW seen from above). */
export function threeYaw(heading: number): number {
  return heading;
}
