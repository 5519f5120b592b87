// The browser's ImageCodec: JPEG through OffscreenCanvas (works on the main thread and in
// workers). Encoding goes RGB -> RGBA ImageData -> convertToBlob; decoding goes Blob ->
// createImageBitmap (no colour-space conversion, so pixel values are the file's) ->
// getImageData -> RGB. Not usable in Node; tests use imageCodecPpm.ts.

import { DataError, describeError } from './dataErrors.ts';
import type { ImageCodec, RgbImage } from './imageCodec.ts';

export interface BrowserCodecOptions {
  /** JPEG quality 0..1; default 0.92. */
  readonly quality?: number;
}

export function browserImageCodec(options: BrowserCodecOptions = {}): ImageCodec {
  const quality = options.quality ?? 0.92;
  let canvas: OffscreenCanvas | null = null;
  let ctx: OffscreenCanvasRenderingContext2D | null = null;

  /** One canvas, resized as needed (owned by this codec). */
  function context(width: number, height: number): OffscreenCanvasRenderingContext2D {
    if (typeof OffscreenCanvas === 'undefined') {
      throw new DataError('invalid-input', 'this browser has no OffscreenCanvas, so it cannot encode or decode JPEG images');
    }
    if (!canvas || !ctx) {
      canvas = new OffscreenCanvas(width, height);
      ctx = canvas.getContext('2d', { willReadFrequently: true });
      if (!ctx) throw new DataError('invalid-input', 'cannot get a 2D canvas to encode or decode images');
    }
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    return ctx;
  }

  return {
    mimeType: 'image/jpeg',

    async encode(image: RgbImage): Promise<Uint8Array> {
      const { width, height, rgb } = image;
      const c = context(width, height);
      const rgba = new Uint8ClampedArray(width * height * 4);
      for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) {
        rgba[q] = rgb[p];
        rgba[q + 1] = rgb[p + 1];
        rgba[q + 2] = rgb[p + 2];
        rgba[q + 3] = 255;
      }
      c.putImageData(new ImageData(rgba, width, height), 0, 0);
      const blob = await canvas!.convertToBlob({ type: 'image/jpeg', quality });
      return new Uint8Array(await blob.arrayBuffer());
    },

    async decode(bytes: Uint8Array): Promise<RgbImage> {
      let bitmap: ImageBitmap;
      try {
        bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>]), {
          colorSpaceConversion: 'none',
          premultiplyAlpha: 'none',
        });
      } catch (e) {
        throw new DataError('bad-archive', `not an image this browser can decode (${describeError(e)})`, { cause: e });
      }
      try {
        const { width, height } = bitmap;
        const c = context(width, height);
        c.clearRect(0, 0, width, height);
        c.drawImage(bitmap, 0, 0);
        const rgba = c.getImageData(0, 0, width, height).data;
        const rgb = new Uint8Array(width * height * 3);
        for (let p = 0, q = 0; q < rgba.length; p += 3, q += 4) {
          rgb[p] = rgba[q];
          rgb[p + 1] = rgba[q + 1];
          rgb[p + 2] = rgba[q + 2];
        }
        return { width, height, rgb };
      } finally {
        bitmap.close();
      }
    },
  };
}
