// How frames become image files and back, for formats that carry images (the Udacity
// layout's JPEGs). Injected, because JPEG needs the browser: imageCodecBrowser.ts in the app
// and the worker, imageCodecPpm.ts (lossless) in Node tests and tools.

/** An RGB image, width x height x 3 bytes, row 0 at the top. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

export interface ImageCodec {
  /** MIME type of what encode() writes (files keep the .jpg name the Udacity layout expects). */
  readonly mimeType: string;
  encode(image: RgbImage): Promise<Uint8Array>;
  /** Rejects if the bytes are not an image it can read. */
  decode(bytes: Uint8Array): Promise<RgbImage>;
}
