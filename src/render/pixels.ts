// Pixel layout conversion for the dash camera: WebGL reads RGBA with row 0 at the bottom; the
// model and the clip format want RGB with row 0 at the top.

/**
 * Copies an RGBA, bottom-up image into an RGB, top-down one. `src` holds width*height*4 bytes,
 * `dst` width*height*3; NOTE writes into dst (no allocation) and returns it.
 */
export function rgbaBottomUpToRgbTopDown(src: Uint8Array, width: number, height: number, dst: Uint8Array): Uint8Array {
  if (src.length < width * height * 4) throw new RangeError(`source holds ${src.length} bytes, ${width}x${height} RGBA needs ${width * height * 4}`);
  if (dst.length < width * height * 3) throw new RangeError(`destination holds ${dst.length} bytes, ${width}x${height} RGB needs ${width * height * 3}`);
  const srcRow = width * 4;
  const dstRow = width * 3;
  for (let row = 0; row < height; row++) {
    let s = (height - 1 - row) * srcRow;
    let d = row * dstRow;
    const end = d + dstRow;
    while (d < end) {
      dst[d] = src[s];
      dst[d + 1] = src[s + 1];
      dst[d + 2] = src[s + 2];
      d += 3;
      s += 4;
    }
  }
  return dst;
}
