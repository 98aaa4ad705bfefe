// FNV-1a, 32 bits: not cryptographic; it tells damaged data from whole. Shared
// by the link check (over a text's UTF-16 code units) and the weights blocks
// (over bytes).

/** The hash of a sequence of units (bytes, or code units), each folded in whole. */
export function fnv1a(units: ArrayLike<number>): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < units.length; i++) h = Math.imul(h ^ units[i], 0x01000193) >>> 0;
  return h;
}

/** A text's UTF-16 code units, as fnv1a reads a text. */
export const codeUnits = (s: string): Uint16Array => Uint16Array.from({ length: s.length }, (_, i) => s.charCodeAt(i));
