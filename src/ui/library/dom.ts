// Small DOM helpers the library's views share: building elements and painting RGB frames.

type Attrs = Record<string, string | number | boolean | null | undefined>;

/** An element with attributes (false/null/undefined left out, true as "") and children. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v === null || v === undefined) continue;
    e.setAttribute(k, v === true ? '' : String(v));
  }
  e.append(...children);
  return e;
}

/**
 * Paints an RGB frame (width x height x 3, row 0 at the top) into a canvas of that size; CSS
 * scales it up (image-rendering: pixelated in library.css). `scratch` is reused between calls
 * of the same size. NOTE resizes the canvas.
 */
export function paintRgb(canvas: HTMLCanvasElement, rgb: Uint8Array, width: number, height: number, scratch?: { image: ImageData | null }): void {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  if (canvas.width !== width) canvas.width = width;
  if (canvas.height !== height) canvas.height = height;
  let image = scratch?.image ?? null;
  if (!image || image.width !== width || image.height !== height) {
    image = ctx.createImageData(width, height);
    image.data.fill(255); // alpha
    if (scratch) scratch.image = image;
  }
  const px = image.data;
  for (let i = 0, j = 0; i < width * height * 3; i += 3, j += 4) {
    px[j] = rgb[i];
    px[j + 1] = rgb[i + 1];
    px[j + 2] = rgb[i + 2];
  }
  ctx.putImageData(image, 0, 0);
}

/** The message a failure shows the player: a DataError's sentence, or whatever the error says. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  return String(e);
}
