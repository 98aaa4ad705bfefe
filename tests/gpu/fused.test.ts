// The fused kernels against the composition of the float64 references of the
// kernels they replace (src/reference/fused.ts), in headless Chromium. Sizes
// straddle the 64x32 matmul workgroup tile, its 16x8 register tile and the
// 64-row workgroups of the row kernels; shapes with IC or OC not a multiple
// of 4 take the unfused fallbacks, which must give the same results.
import { describe, expect, test } from 'vitest';
import { attention_values_backward, attention_values_forward } from '../../src/kernels/attention';
import {
  heads_merge_backward,
  heads_merge_forward,
  qkv_split_backward,
  qkv_split_forward,
} from '../../src/kernels/heads';
import { matmul_backward_dgelu, matmul_forward_gelu } from '../../src/kernels/matmul';
import { qkv_split_rope_backward, qkv_split_rope_forward } from '../../src/kernels/qkv_split_rope';
import { residual_rmsnorm_forward } from '../../src/kernels/rmsnorm';
import { rope_backward, rope_forward, rope_table } from '../../src/kernels/rope';
import * as ref from '../../src/reference/fused';
import { assertClose } from '../../src/util/compare';
import { randn } from '../../src/util/random';
import { gpu, runProgram as run } from './gpu';

// f32 accumulation over K terms of unit-scale products: error ~ sqrt(K) * 6e-8 * |terms|
// (as tests/gpu/matmul.test.ts); GELU and its derivative are Lipschitz (|gelu'| < 1.2,
// |gelu''| < 0.8), so they carry the gemm's error over at about the same size.
const GEMM = { rtol: 1e-4, atol: 1e-4 };

describe('matmul with GELU in its store', () => {
  // [N, IC, OC]: fused when IC and OC are multiples of 4; (9, 6, 8) and (5, 8, 6) fall back.
  const shapes: [number, number, number][] = [
    [1, 4, 4],
    [37, 12, 20],
    [65, 64, 256],
    [130, 20, 36],
    [9, 6, 8],
    [5, 8, 6],
  ];
  for (const [N, IC, OC] of shapes) {
    test(`matmul_forward_gelu and matmul_backward_dgelu N=${N} IC=${IC} OC=${OC}`, async () => {
      const ctx = await gpu();
      // Forward: x[N, IC] . W1[OC, IC]^T -> pre, gelu(pre).
      const x = randn(N * IC, 1);
      const w1 = randn(OC * IC, 2, 0.5);
      // Backward of the layer after it, y = gelu(pre) . W2[OC2, OC]^T: dpre and dW2.
      const OC2 = IC;
      const w2 = randn(OC2 * OC, 3, 0.5);
      const dy = randn(N * OC2, 4);
      const dw0 = randn(OC2 * OC, 5); // parameter gradients accumulate
      const b = {
        x: ctx.upload('x', x),
        w1: ctx.upload('w1', w1),
        w2: ctx.upload('w2', w2),
        dy: ctx.upload('dy', dy),
        dw: ctx.upload('dw', dw0),
        pre: ctx.storage('pre', N * OC),
        g: ctx.storage('g', N * OC),
        dg: ctx.storage('dg', N * OC),
        dpre: ctx.storage('dpre', N * OC),
      };
      await run(ctx, (p) => {
        matmul_forward_gelu(p, b.pre, b.g, b.x, b.w1, N, IC, OC);
        const args = { dinp: b.dg, dpre: b.dpre, pre: b.pre, dweight: b.dw, dout: b.dy, inp: b.g, weight: b.w2 };
        matmul_backward_dgelu(p, { ...args, N, IC: OC, OC: OC2 });
      });
      const pre = new Float64Array(N * OC);
      const g = new Float64Array(N * OC);
      ref.matmul_forward_gelu(pre, g, x, w1, N, IC, OC);
      assertClose('pre', await ctx.read(b.pre), pre, GEMM);
      assertClose('gelu(pre)', await ctx.read(b.g), g, GEMM);
      // The backward starts from the GPU's own forward (f32), so only the backward's error is measured.
      const preGpu = await ctx.read(b.pre);
      const gGpu = await ctx.read(b.g);
      const dpre = new Float64Array(N * OC);
      const dw = Float64Array.from(dw0);
      ref.matmul_backward_dgelu(dpre, dw, dy, gGpu, preGpu, w2, N, OC, OC2);
      assertClose('dpre', await ctx.read(b.dpre), dpre, GEMM);
      // f32 sum over N rows on top of an O(1) initial value.
      assertClose('dweight', await ctx.read(b.dw), dw, { rtol: 1e-4, atol: 1e-4 * Math.sqrt(N) });
      ctx.destroyAll(Object.values(b));
    });
  }
});

describe('residual add fused into RMSNorm', () => {
  // N straddles the 64-row workgroup; C is odd or not a multiple of anything.
  const shapes: [number, number][] = [
    [1, 5],
    [67, 33],
    [130, 64],
  ];
  for (const [N, C] of shapes) {
    test(`residual_rmsnorm_forward N=${N} C=${C}`, async () => {
      const ctx = await gpu();
      const a = randn(N * C, 1, 1.5);
      const c = randn(N * C, 2);
      const w = randn(C, 3, 0.5);
      const b = {
        a: ctx.upload('a', a),
        b: ctx.upload('b', c),
        w: ctx.upload('w', w),
        res: ctx.storage('res', N * C),
        out: ctx.storage('out', N * C),
        rstd: ctx.storage('rstd', N),
      };
      await run(ctx, (p) =>
        residual_rmsnorm_forward(p, { res: b.res, out: b.out, rstd: b.rstd, a: b.a, b: b.b, weight: b.w, N, C }),
      );
      const res = new Float64Array(N * C);
      const out = new Float64Array(N * C);
      const rstd = new Float64Array(N);
      ref.residual_rmsnorm_forward(res, out, rstd, a, c, w, N, C);
      // One f32 add: half an ulp of the sum.
      assertClose('res', await ctx.read(b.res), res, { rtol: 1.2e-7, atol: 1e-7 });
      // f32 sum of C squares then a few products: a few ulp of O(1) values (as rmsnorm_forward's test).
      assertClose('out', await ctx.read(b.out), out, { rtol: 1e-5, atol: 1e-6 });
      assertClose('rstd', await ctx.read(b.rstd), rstd, { rtol: 1e-5, atol: 1e-6 });
      ctx.destroyAll(Object.values(b));
    });
  }
});

describe('qkv split with RoPE applied on the way', () => {
  // [B, T, H, hd]: pair counts B*H*T*hd/2 of 3, 999 and 4,160 straddle the 256-thread workgroup.
  const shapes: [number, number, number, number][] = [
    [1, 3, 1, 2],
    [2, 37, 3, 6],
    [3, 65, 2, 16],
  ];
  for (const [B, T, H, hd] of shapes) {
    test(`qkv_split_rope_forward and _backward B=${B} T=${T} H=${H} hd=${hd}`, async () => {
      const ctx = await gpu();
      const n = B * H * T * hd;
      const C = H * hd;
      const qkv = randn(B * T * 3 * C, 1);
      const [dq, dk, dv] = [randn(n, 2), randn(n, 3), randn(n, 4)];
      const b = {
        qkv: ctx.upload('qkv', qkv),
        dq: ctx.upload('dq', dq),
        dk: ctx.upload('dk', dk),
        dv: ctx.upload('dv', dv),
        q: ctx.storage('q', n),
        k: ctx.storage('k', n),
        v: ctx.storage('v', n),
        q0: ctx.storage('q0', n),
        k0: ctx.storage('k0', n),
        v0: ctx.storage('v0', n),
        qr: ctx.storage('qr', n),
        kr: ctx.storage('kr', n),
        dq0: ctx.storage('dq0', n),
        dk0: ctx.storage('dk0', n),
        dqkv: ctx.storage('dqkv', B * T * 3 * C),
        dqkv0: ctx.storage('dqkv0', B * T * 3 * C),
      };
      const shape = { B, T, H, hd };
      await run(ctx, (p) => {
        const table = rope_table(p, T, hd);
        qkv_split_rope_forward(p, { ...shape, q: b.q, k: b.k, v: b.v, qkv: b.qkv, table });
        qkv_split_rope_backward(p, { ...shape, dqkv: b.dqkv, dq: b.dq, dk: b.dk, dv: b.dv, table });
        // The three kernels it replaces, each way.
        qkv_split_forward(p, { ...shape, q: b.q0, k: b.k0, v: b.v0, qkv: b.qkv });
        rope_forward(p, b.qr, b.q0, B * H, T, hd, table);
        rope_forward(p, b.kr, b.k0, B * H, T, hd, table);
        rope_backward(p, b.dq0, b.dq, B * H, T, hd, table);
        rope_backward(p, b.dk0, b.dk, B * H, T, hd, table);
        qkv_split_backward(p, { ...shape, dqkv: b.dqkv0, dq: b.dq0, dk: b.dk0, dv: b.dv });
      });
      const want = { q: new Float64Array(n), k: new Float64Array(n), v: new Float64Array(n) };
      ref.qkv_split_rope_forward(want.q, want.k, want.v, qkv, B, T, H, hd);
      const dqkv = new Float64Array(B * T * 3 * C);
      ref.qkv_split_rope_backward(dqkv, dq, dk, dv, B, T, H, hd);
      // Two f32 products and a sum with a float32-rounded (cos, sin): a few ulp of O(1) values.
      const ROT = { rtol: 1e-6, atol: 1e-6 };
      assertClose('rope(q)', await ctx.read(b.q), want.q, ROT);
      assertClose('rope(k)', await ctx.read(b.k), want.k, ROT);
      assertClose('v', await ctx.read(b.v), want.v, { rtol: 0, atol: 0 });
      assertClose('dqkv', await ctx.read(b.dqkv), dqkv, ROT);
      // The same products in the same order as the separate kernels: the same bits.
      expect(Array.from(await ctx.read(b.q))).toEqual(Array.from(await ctx.read(b.qr)));
      expect(Array.from(await ctx.read(b.k))).toEqual(Array.from(await ctx.read(b.kr)));
      expect(Array.from(await ctx.read(b.dqkv))).toEqual(Array.from(await ctx.read(b.dqkv0)));
      ctx.destroyAll(Object.values(b));
    });
  }
});

describe('attention values mixed straight into the merged heads layout', () => {
  // [B, H, T, hd]: hd 6 leaves a short 4-channel group; rows 37 and 65 straddle the 64-thread workgroup and the
  // 4-column blocks of the values backward.
  const shapes: [number, number, number, number][] = [
    [1, 1, 3, 2],
    [2, 3, 37, 6],
    [3, 2, 65, 16],
  ];
  for (const [B, H, T, hd] of shapes) {
    test(`attention_values_forward/_backward merged B=${B} H=${H} T=${T} hd=${hd}`, async () => {
      const ctx = await gpu();
      const n = B * H * T * hd;
      // Causal weights (rows need not sum to 1 for this test), values and the merged output's gradient.
      const att = randn(B * H * T * T, 1).map((x, i) => (i % T <= Math.floor(i / T) % T ? Math.abs(x) : 0));
      const [v, dout] = [randn(n, 2), randn(n, 3)];
      const b = {
        att: ctx.upload('att', att),
        v: ctx.upload('v', v),
        dout: ctx.upload('dout', dout),
        out: ctx.storage('out', n),
        datt: ctx.storage('datt', B * H * T * T),
        dv: ctx.storage('dv', n),
        y0: ctx.storage('y0', n),
        out0: ctx.storage('out0', n),
        dy0: ctx.storage('dy0', n),
        datt0: ctx.storage('datt0', B * H * T * T),
        dv0: ctx.storage('dv0', n),
      };
      const shape = { B, H, T, hd };
      await run(ctx, (p) => {
        attention_values_forward(p, { ...shape, out: b.out, outMerged: true, att: b.att, v: b.v });
        attention_values_backward(p, {
          ...shape,
          datt: b.datt,
          dv: b.dv,
          dout: b.dout,
          doutMerged: true,
          att: b.att,
          v: b.v,
        });
        // The passes they replace.
        attention_values_forward(p, { ...shape, out: b.y0, att: b.att, v: b.v });
        heads_merge_forward(p, b.out0, b.y0, B, T, H, hd);
        heads_merge_backward(p, b.dy0, b.dout, B, T, H, hd);
        attention_values_backward(p, { ...shape, datt: b.datt0, dv: b.dv0, dout: b.dy0, att: b.att, v: b.v });
      });
      const want = { out: new Float64Array(n), datt: new Float64Array(B * H * T * T), dv: new Float64Array(n) };
      ref.attention_values_forward_merged(want.out, att, v, B, H, T, hd);
      ref.attention_values_backward_merged(want.datt, want.dv, dout, att, v, B, H, T, hd);
      // f32 sums of up to T (or hd) unit-scale products in a fixed order.
      const SUM = { rtol: 1e-5, atol: 1e-5 };
      assertClose('out', await ctx.read(b.out), want.out, SUM);
      assertClose('datt', await ctx.read(b.datt), want.datt, SUM);
      assertClose('dv', await ctx.read(b.dv), want.dv, SUM);
      // Only the addresses change: the same bits as the separate passes.
      for (const [got, old] of [
        [b.out, b.out0],
        [b.datt, b.datt0],
        [b.dv, b.dv0],
      ] as const)
        expect(Array.from(await ctx.read(got))).toEqual(Array.from(await ctx.read(old)));
      ctx.destroyAll(Object.values(b));
    });
  }
});
