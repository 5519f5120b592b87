// Pixel layout conversion for the dash camera: WebGL reads RGBA with row 0 at the bottom; the
// model and the clip format want RGB with row 0 at the top.

/**
 * Copies an RGBA, bottom-up image into an RGB, top-down one. `src` holds width*height*4 bytes,
 * `dst` width*height*3; NOTE writes into dst (no allocation) and returns it.
 */
export function rgbaBottomUpToRgbTopDown(src: Uint8Array, width: number, height: number, dst: Uint8Array): Uint8Array {
  if (src.length < width * height * 4) throw new RangeError(`source holds ${src.length} bytes, ${width}x${height} RGBA needs ${width * height * 4}`);
  if (dst.length < width * height * 3) throw new RangeError(`destination holds ${dst.length} bytes, ${width}x${height} RGB needs ${width * height * 3}`);
  copyView(src, width * 4, 0, width, height, dst);
  return dst;
}

/**
 * Splits a strip of `dsts.length` views drawn side by side (RGBA, bottom-up, the first view at
 * the left: width viewWidth * dsts.length) into one RGB, top-down image per view. NOTE writes
 * into each dst (no allocation).
 */
export function rgbaStripToRgbViews(src: Uint8Array, viewWidth: number, height: number, dsts: readonly Uint8Array[]): void {
  const stripRow = viewWidth * dsts.length * 4;
  if (src.length < stripRow * height) throw new RangeError(`source holds ${src.length} bytes, a strip of ${dsts.length} ${viewWidth}x${height} views needs ${stripRow * height}`);
  dsts.forEach((dst, i) => {
    if (dst.length < viewWidth * height * 3) throw new RangeError(`destination ${i} holds ${dst.length} bytes, ${viewWidth}x${height} RGB needs ${viewWidth * height * 3}`);
    copyView(src, stripRow, i * viewWidth * 4, viewWidth, height, dst);
  });
}

/** Copies one view (at byte `offset` of each source row of `srcRow` bytes) as RGB, flipping rows. */
function copyView(src: Uint8Array, srcRow: number, offset: number, width: number, height: number, dst: Uint8Array): void {
  const dstRow = width * 3;
  for (let row = 0; row < height; row++) {
    let s = (height - 1 - row) * srcRow + offset;
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
}
