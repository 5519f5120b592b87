// The one mapping between simulation coordinates and three.js world coordinates.
//
// Sim: x east, y north, metres, on flat ground; heading counter-clockwise from +x; + lateral = left.
// three: Y up, right-handed. A sim point (x, y) at height h maps to three (x, h, -y), so
// east = +X, north = -Z, up = +Y. A heading h is a rotation of h about +Y (CCW seen from above),
// which turns an object's local +X (its nose) to the sim direction (cos h, sin h), and its
// local -Z to the car's left. Every model in src/render is built nose along +X, left along -Z.
// (The map is a proper rotation, so counter-clockwise seen from above stays counter-clockwise.)

/** Writes the three.js coordinates of sim point (x, y) at height h into out[offset..offset + 2]. */
export function toThree(x: number, y: number, h: number, out: { [i: number]: number }, offset = 0): void {
  out[offset] = x;
  out[offset + 1] = h;
  out[offset + 2] = -y;
}

/** three's rotation about +Y for a sim heading (the same angle: both turn CCW seen from above). */
export function threeYaw(heading: number): number {
  return heading;
}
