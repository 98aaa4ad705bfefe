// The register-tiled attention mix (shaders/attention_values_forward.wgsl) against a
// float64 reference of its header's formulas and, bit for bit, against the one-row
// kernel it replaced (tests/gpu/fixtures/attention_mix_rows.wgsl): every output still
// sums c ascending with one fma per c, so nothing may move. Sizes straddle the
// 8-row tile (T = 1, 7, 9, 17, 33, 130; 24 fills it), leave short 4-channel groups
// (hd 1, 3, 6, 10) and an odd number of them (a thread takes two: hd 10, 20);
// w holds NaN above the diagonal, which neither kernel may let through.
import { describe, expect, test } from 'vitest';
import { ceilDiv, type Program } from '../../src/gpu/program';
import { packUniform } from '../../src/gpu/uniform';
import { attention_mix, grid, MIX_PARAMS, withAttentionPrelude } from '../../src/kernels/attention';
import { assertClose } from '../../src/util/compare';
import { randn } from '../../src/util/random';
import rowsCode from './fixtures/attention_mix_rows.wgsl?raw';
import { gpu, runProgram } from './gpu';

interface Case {
  trans: boolean;
  project: boolean;
  xMerged: boolean;
  outMerged: boolean;
}

const CASES: Case[] = [
  { trans: false, project: false, xMerged: false, outMerged: false },
  { trans: true, project: false, xMerged: false, outMerged: false },
  { trans: false, project: true, xMerged: false, outMerged: false },
  { trans: true, project: true, xMerged: false, outMerged: false },
  { trans: false, project: false, xMerged: false, outMerged: true },
  { trans: true, project: false, xMerged: true, outMerged: false },
  { trans: false, project: false, xMerged: true, outMerged: true },
];

const EPS = 1e-6; // shaders/attention_common.wgsl

/** The one-row kernel: one thread per (row, 4-channel group), or per row with the projection. */
function mixRows(p: Program, out: GPUBuffer, w: GPUBuffer, x: GPUBuffer, y: GPUBuffer | null, s: Shape, c: Case) {
  const tpr = y ? 1 : ceilDiv(s.hd, 4);
  const total = s.B * s.H * s.T * tpr;
  const [gx, gy] = grid(total);
  const u = p.uniform(
    'attention mix rows sizes',
    packUniform(MIX_PARAMS, {
      T: s.T,
      hd: s.hd,
      trans: c.trans ? 1 : 0,
      project: y ? 1 : 0,
      tpr,
      gridX: gx,
      total,
      H: s.H,
      xMerged: c.xMerged ? 1 : 0,
      outMerged: c.outMerged ? 1 : 0,
    }),
  );
  const spec = {
    label: 'attention_mix_rows',
    code: withAttentionPrelude(rowsCode),
    access: ['read', 'read', 'read', 'write', 'uniform'] as const,
    uniforms: { Params: MIX_PARAMS },
    constants: { HD: s.hd },
  };
  p.add(spec, [w, x, y ?? x, out, u], [gx, gy]);
}

interface Shape {
  B: number;
  H: number;
  T: number;
  hd: number;
}

/** float64 mix of the header's formulas; x and out indexed in their own layouts. */
function reference(w: Float32Array, x: Float32Array, y: Float32Array, { B, H, T, hd }: Shape, c: Case): Float64Array {
  const at = (merged: boolean, b: number, h: number, r: number) =>
    merged ? ((b * T + r) * H + h) * hd : ((b * H + h) * T + r) * hd;
  const out = new Float64Array(B * H * T * hd);
  for (let b = 0; b < B; b++)
    for (let h = 0; h < H; h++)
      for (let r = 0; r < T; r++) {
        const g = new Float64Array(hd);
        const [lo, hi] = c.trans ? [r, T - 1] : [0, r];
        for (let k = lo; k <= hi; k++) {
          const wv = w[((b * H + h) * T + (c.trans ? k : r)) * T + (c.trans ? r : k)];
          for (let d = 0; d < hd; d++) g[d] += wv * x[at(c.xMerged, b, h, k) + d];
        }
        const o = at(c.outMerged, b, h, r);
        if (c.project) {
          let yg = 0;
          let yy = 0;
          for (let d = 0; d < hd; d++) (yg += y[o + d] * g[d]), (yy += y[o + d] * y[o + d]);
          for (let d = 0; d < hd; d++) g[d] -= (y[o + d] * yg) / (yy + EPS);
        }
        out.set(g, o);
      }
  return out;
}

describe('attention mix: register tile vs float64 reference and the one-row kernel', () => {
  const shapes: Shape[] = [
    { B: 1, H: 1, T: 1, hd: 4 },
    { B: 2, H: 3, T: 7, hd: 6 },
    { B: 1, H: 2, T: 9, hd: 3 },
    { B: 2, H: 2, T: 33, hd: 16 },
    { B: 1, H: 1, T: 17, hd: 1 },
    { B: 1, H: 3, T: 24, hd: 10 },
    { B: 2, H: 1, T: 24, hd: 20 },
    { B: 1, H: 2, T: 130, hd: 80 },
  ];
  for (const s of shapes)
    test(`B=${s.B} H=${s.H} T=${s.T} hd=${s.hd}, trans, project and merged layouts`, async () => {
      const ctx = await gpu();
      const { B, H, T, hd } = s;
      const n = B * H * T * hd;
      // Causal weights: NaN above the diagonal, never to be used.
      const w = randn(B * H * T * T, 1).map((v, i) => (i % T <= Math.floor(i / T) % T ? v : Number.NaN));
      const [x, y] = [randn(n, 2), randn(n, 3)];
      const b = { w: ctx.upload('w', w), x: ctx.upload('x', x), y: ctx.upload('y', y) };
      const outs = CASES.map(() => [ctx.storage('tiled', n), ctx.storage('rows', n)]);
      await runProgram(ctx, (p) => {
        for (const [i, c] of CASES.entries()) {
          const yb = c.project ? b.y : null;
          const layout = { H, xMerged: c.xMerged, outMerged: c.outMerged };
          attention_mix(p, outs[i][0], b.w, b.x, yb, B * H, T, hd, c.trans, layout);
          mixRows(p, outs[i][1], b.w, b.x, yb, s, c);
        }
      });
      for (const [i, c] of CASES.entries()) {
        const label = `${JSON.stringify(c)} B=${B} H=${H} T=${T} hd=${hd}`;
        const [tiled, rows] = [await ctx.read(outs[i][0]), await ctx.read(outs[i][1])];
        // f32 sums of up to T unit-scale products in a fixed order (as tests/gpu/attention.test.ts).
        assertClose(label, tiled, reference(w, x, y, s, c), { rtol: 1e-4, atol: 1e-5 });
        expect(Array.from(tiled), label).toEqual(Array.from(rows));
      }
      ctx.destroyAll([b.w, b.x, b.y, ...outs.flat()]);
    });
});
