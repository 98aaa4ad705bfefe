// Bytes as base64 text and back (btoa/atob: browsers and Node), shared by the
// results links (base64url on top) and the weights blocks of results files.

/** Characters per String.fromCharCode call: large arrays would overflow the argument list. */
const CHUNK = 0x8000;

export function bytesToBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

/** The bytes of base64 text; throws atob's own error on text that is not base64 (callers word their own). */
export function base64ToBytes(s: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}
