// Base64 for bytes, in chunks (String.fromCharCode has an argument limit), for JSON-carried
// binary: replay controls, model files through the test hook.

// Globals in every browser and in Node >= 16; declared here because core type-checks without DOM.
declare function btoa(data: string): string;
declare function atob(data: string): string;

export function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** Throws on text that is not base64 (atob's DOMException). */
export function fromBase64(text: string): Uint8Array {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}
