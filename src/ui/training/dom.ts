// Small DOM helpers the Training panel's views share: building elements, error sentences and
// saving bytes as a download.

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

/** The sentence a failure shows the player. */
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
