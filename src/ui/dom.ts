// DOM helpers every panel shares: building elements, painting RGB frames, the sentence an
// error shows the player, saving bytes as a download, filling a select.

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
 * scales it up (image-rendering: pixelated). `scratch` is reused between calls
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

/** Saves bytes as a file through a temporary link; the object URL is revoked a minute later. */
export function downloadBytes(bytes: Uint8Array, fileName: string, type = 'application/zip'): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = el('a', { href: url, download: fileName, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Sets a select's options (value, label) unless they are already those. */
export function setOptions(select: HTMLSelectElement, options: readonly { value: string; label: string }[]): void {
  const same = select.options.length === options.length && options.every((o, i) => select.options[i].value === o.value && select.options[i].text === o.label);
  if (same) return;
  const keep = select.value;
  select.replaceChildren(...options.map((o) => el('option', { value: o.value }, o.label)));
  if (options.some((o) => o.value === keep)) select.value = keep;
}
