// The order opaque things are drawn in: what covers most of the picture first, so the depth test
// rejects the pixels it hides before they are shaded. Software GL (SwiftShader) pays for every
// shaded pixel: drawing the sky last instead of first saves a full-screen pass, and the grass
// under the road is never shaded. Transparent things (ghosts, shadows, light pools) come after
// all of these whatever their order.

export const DRAW_ORDER = {
  car: -4,
  scenery: -3,
  /** Asphalt, shoulders, kerbs, markings, start line and gantry. */
  road: -2,
  ground: -1,
  hills: 0,
  farHills: 1,
  /** The dome writes no depth, so the sun and the stars drawn after it stay in front. */
  sky: 2,
  skyDetail: 3,
} as const;
