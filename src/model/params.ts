// The parameter table: one row per tensor (name, shape, offset into the arena,
// init). Parameters, gradients and both Adam moments are each one arena
// buffer laid out by this table. Matrices (weight decay) come first, then
// vectors, so AdamW decays the prefix [0, nDecay).
import type { ModelConfig } from '../config';
import { deriveSeed, Rng } from '../util/random';

export type Init = { kind: 'normal'; std: number } | { kind: 'ones' } | { kind: 'zeros' };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
  decay: boolean;
}

export interface ParamEntry extends ParamSpec {
  offset: number; // floats
  size: number; // floats
}

export interface ParamTable {
  entries: ParamEntry[];
  byName: Map<string, ParamEntry>;
  /** Total floats in each arena (including alignment padding). */
  total: number;
  /** Elements [0, nDecay) receive weight decay. */
  nDecay: number;
}

/** Offsets are aligned to 64 floats (256 bytes), WebGPU's storage offset alignment. */
export const PARAM_ALIGN = 64;

export function mlpHidden(c: ModelConfig): number {
  return c.mlpRatio * c.nEmbd;
}

/** Width of the gated MLP that replaces mixing in `mlp` layers: 3*C*m ~= 4*C^2. */
export function gatedHidden(c: ModelConfig): number {
  return Math.round((4 * c.nEmbd) / 3);
}

export function paramSpecs(c: ModelConfig): ParamSpec[] {
  const C = c.nEmbd;
  const std = c.initStd;
  const resid = c.initStd / Math.sqrt(2 * c.nLayer);
  const mat = (name: string, shape: number[], s = std): ParamSpec => ({
    name,
    shape,
    init: { kind: 'normal', std: s },
    decay: true,
  });
  const vec = (name: string, n: number): ParamSpec => ({ name, shape: [n], init: { kind: 'ones' }, decay: false });
  const specs: ParamSpec[] = [mat('wte', [c.vocabSize, C])];
  if (!c.tiedEmbeddings) specs.push(mat('lm_head', [c.vocabSize, C]));
  for (let l = 0; l < c.nLayer; l++) {
    const m = c.layers[l];
    if (m === 'mlp') {
      const g = gatedHidden(c);
      specs.push(
        mat(`h${l}.mix.w_gate`, [g, C]),
        mat(`h${l}.mix.w_up`, [g, C]),
        mat(`h${l}.mix.w_down`, [C, g], resid),
      );
    } else {
      specs.push(mat(`h${l}.attn.w_qkv`, [3 * C, C]), mat(`h${l}.attn.w_o`, [C, C], resid));
    }
    specs.push(mat(`h${l}.mlp.w_fc`, [mlpHidden(c), C]), mat(`h${l}.mlp.w_proj`, [C, mlpHidden(c)], resid));
  }
  for (let l = 0; l < c.nLayer; l++) specs.push(vec(`h${l}.ln1.w`, C), vec(`h${l}.ln2.w`, C));
  specs.push(vec('lnf.w', C));
  // Decayed tensors first, table order otherwise kept.
  return [...specs.filter((s) => s.decay), ...specs.filter((s) => !s.decay)];
}

export function buildParamTable(specs: ParamSpec[]): ParamTable {
  const entries: ParamEntry[] = [];
  let offset = 0;
  let nDecay = 0;
  let seenNoDecay = false;
  for (const s of specs) {
    if (s.decay && seenNoDecay) throw new Error(`parameter ${s.name}: decayed tensors must precede the others`);
    if (!s.decay && !seenNoDecay) {
      nDecay = offset;
      seenNoDecay = true;
    }
    const size = s.shape.reduce((a, b) => a * b, 1);
    entries.push({ ...s, offset, size });
    offset += Math.ceil(size / PARAM_ALIGN) * PARAM_ALIGN;
  }
  if (!seenNoDecay) nDecay = offset;
  return { entries, byName: new Map(entries.map((e) => [e.name, e])), total: offset, nDecay };
}

/** Seeded, deterministic initial values (each tensor from its own sub-stream). */
export function initParams(table: ParamTable, seed: number): Float32Array {
  const out = new Float32Array(table.total);
  for (const e of table.entries) {
    if (e.init.kind === 'ones') out.fill(1, e.offset, e.offset + e.size);
    else if (e.init.kind === 'normal') {
      const rng = new Rng(deriveSeed(seed, e.name));
      for (let i = 0; i < e.size; i++) out[e.offset + i] = rng.normal() * e.init.std;
    }
  }
  return out;
}

export function paramCount(table: ParamTable): number {
  return table.entries.reduce((a, e) => a + e.size, 0);
}

export function entry(table: ParamTable, name: string): ParamEntry {
  const e = table.byName.get(name);
  if (!e) throw new Error(`no parameter named ${name}`);
  return e;
}
