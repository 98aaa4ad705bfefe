// The attention prelude (shaders/attention_common.wgsl) is written once and
// prepended to every attention kernel, and its TypeScript twins
// (src/kernels/attention_constants.ts) say the same thing.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { KERNELS as ATTENTION } from '../../src/kernels/attention';
import {
  formConstants,
  KERNEL_FORM,
  KERNEL_ROW_NORMALISED,
  LAST_NORMALISED,
  MAXHD,
  MECH_ID,
  NORMALISED_MECHANISMS,
  ROW_NORMALISED,
} from '../../src/kernels/attention_constants';
import { KERNELS as FUSED } from '../../src/kernels/attention_fused';
import { LSSA_EPS } from '../../src/reference/attention';
import { stripComments } from './wgsl_structs';

const SHADERS = new URL('../../shaders/', import.meta.url);
const read = (f: string) => readFileSync(new URL(f, SHADERS), 'utf8');
const PRELUDE = read('attention_common.wgsl');

/** `const NAME: type = value;` of the prelude, as a number. */
function wgslConst(name: string): number {
  const m = new RegExp(`const\\s+${name}\\s*:\\s*\\w+\\s*=\\s*([-0-9.e]+)u?\\s*;`).exec(PRELUDE);
  if (!m) throw new Error(`attention_common.wgsl has no const ${name}`);
  return Number(m[1]);
}

describe('attention prelude and its TypeScript twins', () => {
  test('MAXHD, EPS and LAST_NORMALISED agree', () => {
    expect(wgslConst('MAXHD')).toBe(MAXHD);
    expect(wgslConst('LAST_NORMALISED')).toBe(LAST_NORMALISED);
    expect(Math.fround(wgslConst('EPS'))).toBe(Math.fround(LSSA_EPS));
  });

  test('mechanism ids: the MECH override comment is MECH_ID, and phi has one case per id', () => {
    const m = /override\s+MECH\s*:\s*u32\s*=\s*0u\s*;\s*\/\/\s*(.*)/.exec(PRELUDE);
    if (!m) throw new Error('attention_common.wgsl declares no MECH override');
    const ids = Object.fromEntries(
      m[1].split(',').map((s) => {
        const [id, name] = s.trim().split(/\s+/);
        return [name, Number(id)];
      }),
    );
    expect(ids).toEqual(MECH_ID);
    expect(Object.keys(MECH_ID)).toEqual(NORMALISED_MECHANISMS.filter((m) => KERNEL_FORM[m].phi === m));
    const phi = /fn phi\([^)]*\)[^{]*\{([\s\S]*?)\n\}/.exec(PRELUDE)?.[1] ?? '';
    const cases = [...phi.matchAll(/case (\d+)u/g)].map((c) => Number(c[1]));
    expect([...cases, 'default']).toEqual([...Object.values(MECH_ID).slice(0, -1), 'default']);
  });

  test('the three lssa variants each change one of its ingredients, as override constants the prelude declares', () => {
    for (const name of ['QKNORM', 'LENSCALE'])
      expect(new RegExp(`override\\s+${name}\\s*:\\s*u32\\s*=\\s*0u`).test(PRELUDE), name).toBe(true);
    const lssa = formConstants('lssa');
    const diff = (m: 'softplus' | 'lssacap' | 'lssmax') => {
      const f = formConstants(m);
      return (Object.keys(f) as (keyof typeof f)[]).filter((k) => f[k] !== lssa[k]);
    };
    expect(lssa).toEqual({ MECH: 1, QKNORM: 1, LENSCALE: 1 });
    expect(diff('lssmax')).toEqual(['MECH']); // exp for softplus
    expect(diff('lssacap')).toEqual(['LENSCALE']); // frozen past T
    expect(diff('softplus')).toEqual(['QKNORM', 'LENSCALE']); // the plain scaled logit
    expect(formConstants('softplus')).toEqual({ ...formConstants('softmax'), MECH: 1 });
  });

  test('row-normalised mechanisms: the kernels see ROW_NORMALISED less lssar (lssa re-weighted)', () => {
    expect(KERNEL_ROW_NORMALISED).toEqual(['softmax', 'lssa', 'taylor', 'softplus', 'lssacap', 'lssmax']);
    expect(ROW_NORMALISED.filter((m) => !(KERNEL_ROW_NORMALISED as readonly string[]).includes(m))).toEqual(['lssar']);
    expect(KERNEL_ROW_NORMALISED.every((m) => ROW_NORMALISED.includes(m))).toBe(true);
  });

  test('every attention kernel is compiled after the prelude', () => {
    const kernels = [...ATTENTION, ...FUSED];
    expect(kernels.length).toBe(9);
    for (const k of kernels) expect(k.code.startsWith(PRELUDE), k.label).toBe(true);
    const files = readdirSync(SHADERS).filter((f) => f.startsWith('attention_') && /\bfn\s+main\b/.test(read(f)));
    for (const f of files)
      expect(
        kernels.some((k) => k.code.includes(read(f))),
        f,
      ).toBe(true);
  });

  test('no other shader redefines the prelude', () => {
    const again = [
      /\bfn\s+phi\s*\(/,
      /\bfn\s+log1p_small\b/,
      /\bfn\s+alibi_slope\b/,
      /\bconst\s+EPS\b/,
      /\bconst\s+MAXHD\b/,
      /\boverride\s+MECH\b/,
      /\boverride\s+ALIBI\b/,
      /exp2\(\s*-8\.0/,
      /MECH\s*<=\s*2u/,
    ];
    const hits = readdirSync(SHADERS)
      .filter((f) => f.endsWith('.wgsl') && f !== 'attention_common.wgsl')
      .flatMap((f) => again.filter((re) => re.test(stripComments(read(f)))).map((re) => `${f}: ${re}`));
    expect(hits).toEqual([]);
  });
});
