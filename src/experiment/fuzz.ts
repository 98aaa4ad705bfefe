// Hostile and mutated share links for the fuzz tests (Node and in-page):
// seeded, so a failure names a reproducible link.
import { Rng } from '../util/random';
import { FIELDS } from './fields';
import { sealLink } from './link_check';
import { PRESETS, presetExperiment } from './presets';
import { encodeExperiment } from './url';

const NASTY = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '%',
  '%E0%A4%A',
  '\u0000',
  '\uD800',
  '1e309',
  '-1',
  '-0',
  'NaN',
  'Infinity',
  '999999999999999999999',
  '0x10',
  '1.5',
  '',
  ' ',
  '+',
  ',',
  ':',
  '#',
  '&',
  '=',
  '{"a":'.repeat(50),
  '['.repeat(200),
  'true',
  'null',
  'undefined',
  '__proto__',
  'constructor',
  'a'.repeat(5000),
];

/** encodeURIComponent, except a lone surrogate becomes a raw malformed escape (itself a test). */
function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return '%ED%A0%80';
  }
}

/** `count` links: presets' links (some sealed) mutated, random field soup, and raw garbage. */
export function fuzzLinks(count: number, seed: number): string[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const presetLinks = PRESETS.map((p) => encodeExperiment(presetExperiment(p)).toString());
  // The same links as the lab makes them, with their integrity check: mutated, each must be refused whole.
  const sealedLinks = PRESETS.map((p) => sealLink(encodeExperiment(presetExperiment(p))).toString());
  const out: string[] = [];
  while (out.length < count) {
    const kind = rng.int(6);
    if (kind === 0) {
      // A preset link with characters deleted, duplicated or replaced.
      let s = pick(rng.int(4) ? presetLinks : sealedLinks);
      for (let k = 0, n = 1 + rng.int(6); k < n; k++) {
        const i = rng.int(s.length + 1);
        const op = rng.int(3);
        if (op === 0) s = s.slice(0, i) + s.slice(i + 1 + rng.int(5));
        else if (op === 1) s = s.slice(0, i) + s.slice(i, i + 1 + rng.int(20)) + s.slice(i);
        else s = s.slice(0, i) + pick(NASTY) + s.slice(i + 1);
      }
      out.push(s);
    } else if (kind === 1) {
      // Real keys with hostile values.
      const parts = Array.from({ length: 1 + rng.int(8) }, () => `${pick(FIELDS).key}=${enc(pick(NASTY))}`);
      out.push(parts.join('&'));
    } else if (kind === 2) {
      // Runs with broken specs, labels with markup, huge run lists.
      const runs = Array.from(
        { length: rng.int(40) },
        () => `run=${pick(FIELDS).key}:${enc(pick(NASTY))},${pick(NASTY)}`,
      );
      out.push(`v=${pick(['1', '2', '0', 'x', ''])}&${runs.join('&')}&x=${enc(pick(NASTY))}`);
    } else if (kind === 3) {
      // Results parameter garbage and teacher-mode garbage.
      out.push(
        `v=1&res=${pick(['', 'AAAA', '!!!', 'x'.repeat(1000), 'eJzLSM3JyQcABiwCFQ'])}&teacher=${enc(pick(NASTY))}`,
      );
    } else if (kind === 4) {
      // Raw random bytes as text.
      out.push(Array.from({ length: rng.int(300) }, () => String.fromCharCode(rng.int(0x3000))).join(''));
    } else {
      // Classroom sweep garbage: seeds, seats and seat, each sometimes sane.
      const sane = ['1+2+3', '3', '2', '7'];
      const part = (k: string) => (rng.int(3) ? `&${k}=${enc(pick(rng.int(2) ? NASTY : sane))}` : '');
      out.push(`v=1&L=2${part('seeds')}${part('seats')}${part('seat')}`);
    }
  }
  return out;
}
