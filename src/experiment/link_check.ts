// A link's integrity check: `k=<length>-<checksum>` of everything else the
// link encodes, placed FIRST in the parameters, so a link cut anywhere after
// its first character (chat apps and e-mail clients cut long links) or
// altered by hand is refused whole instead of half-loading: with the check
// first, no prefix of a sealed link can pass as whole. Links without `k`
// (made before the check existed) still open, read
// field by field as before.

import { codeUnits, fnv1a } from '../util/fnv1a';

/** The check's parameter. */
export const CHECK_KEY = 'k';

/** Parameters that are no part of what a link shares (`engine=main` is a test switch added to any link). */
const NOT_CONTENT = new Set([CHECK_KEY, 'engine']);

/**
 * What the page says of a link that is not whole, cut or altered alike: a cut
 * inside an escape (`%2C` cut to `%`) re-serializes to the original length,
 * so the two cannot always be told apart, and the cure is the same.
 */
export const LINK_INCOMPLETE = 'This link is incomplete; it was probably cut off when copied. Ask for the whole link.';

/**
 * The text the check covers: the link's parameters (but the check and test
 * switches) re-serialized, so a browser or chat app that re-escapes a
 * character (`%20` for `+`) does not break an intact link.
 */
function canonical(q: URLSearchParams): string {
  const c = new URLSearchParams();
  for (const [k, v] of q) if (!NOT_CONTENT.has(k)) c.append(k, v);
  return c.toString();
}

function checkOf(text: string): string {
  return `${text.length}-${fnv1a(codeUnits(text)).toString(36)}`;
}

/** The same parameters with the check first. */
export function sealLink(q: URLSearchParams): URLSearchParams {
  const out = new URLSearchParams();
  out.set(CHECK_KEY, checkOf(canonical(q)));
  for (const [k, v] of q) if (!NOT_CONTENT.has(k)) out.append(k, v);
  return out;
}

export type LinkIntegrity = 'sealed' | 'unsealed' | 'incomplete' | 'altered';

/** Whether a link is whole: sealed and matching, unsealed (an older link), cut short, or changed. */
export function linkIntegrity(q: URLSearchParams): LinkIntegrity {
  const k = q.get(CHECK_KEY);
  if (k === null) return 'unsealed';
  const m = /^(\d{1,9})-([0-9a-z]{1,7})$/.exec(k);
  if (!m) return 'incomplete';
  const text = canonical(q);
  if (text.length !== Number(m[1])) return 'incomplete';
  return fnv1a(codeUnits(text)).toString(36) === m[2] ? 'sealed' : 'altered';
}
