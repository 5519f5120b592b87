// Per-vertex colour, so parts of different colours merge into one geometry and one draw call.
import { type BufferGeometry, Color, Float32BufferAttribute } from 'three';

/** Paints every vertex of `g` one colour (mutates `g`) and returns it. */
export function painted(g: BufferGeometry, hex: number): BufferGeometry {
  const c = new Color(hex);
  const n = g.getAttribute('position').count;
  const colors = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) colors.set([c.r, c.g, c.b], i * 3);
  g.setAttribute('color', new Float32BufferAttribute(colors, 3));
  return g;
}
