import { describe, expect, test } from 'vitest';
import { Program } from '../../src/gpu/program';
import type { NormalisedMechanism, ProbsParams } from '../../src/kernels/attention';
import * as K from '../../src/kernels/attention';
import {
  heads_merge_backward,
  heads_merge_forward,
  qkv_split_backward,
  qkv_split_forward,
} from '../../src/kernels/heads';
import { rope_backward, rope_forward, rope_table } from '../../src/kernels/rope';
import * as R from '../../src/reference/attention';
import * as RH from '../../src/reference/heads';
import * as RR from '../../src/reference/rope';
import { assertClose, type Tolerance } from '../../src/util/compare';
import { randn } from '../../src/util/random';
import { gpu, noGpuErrors } from './gpu';

type Scheme = 'rope' | 'alibi' | 'nope';

// Probabilities: f32 logits carry ~1e-7 relative error times the scale c_i (lssa's
// c reaches 19 at T=1024), which exp/softplus turn into ~4e-6 relative error in A.
const TOL_ATT: Tolerance = { rtol: 1e-4, atol: 1e-6 };
// O = A.V and dA = dO.V: sums of up to T (or hd) unit-scale products in f32.
const TOL_MIX: Tolerance = { rtol: 1e-4, atol: 1e-5 };
// dQKV: two f32 sums in a row (dA -> dS -> dQ) over up to T terms, the second with
// ds of either sign (cancellation), and lssa's projection. Gradients are small
// (~1e-2), observed max abs error 1.7e-6 at T=1024: atol leaves a 10x margin.
const TOL_GRAD: Tolerance = { rtol: 1e-3, atol: 2e-5 };

/** Full causal attention sub-layer: split -> rope? -> probs -> values -> merge, and its backward. */
async function runCase(
  mechanism: NormalisedMechanism,
  scheme: Scheme,
  B: number,
  H: number,
  T: number,
  hd: number,
  seed: number,
) {
  const ctx = await gpu();
  const C = H * hd;
  const n = B * H * T * hd;
  // lssacap trains at T = 5 here, so rows past it exercise its frozen scale.
  const params: ProbsParams = { mechanism, alibi: scheme === 'alibi', trainLength: mechanism === 'lssacap' ? 5 : 64 };
  const qkv = randn(B * T * 3 * C, seed);
  const dout = randn(B * T * C, seed + 1);
  const bufs: GPUBuffer[] = [];
  const up = (name: string, a: Float32Array) => (bufs.push(ctx.upload(name, a)), bufs[bufs.length - 1]);
  const st = (name: string, f: number) => (bufs.push(ctx.storage(name, f)), bufs[bufs.length - 1]);
  const bQkv = up('qkv', qkv),
    bDout = up('dout', dout);
  const [bq, bk, bv, bqr, bkr, by, bOut] = ['q', 'k', 'v', 'qr', 'kr', 'y', 'out'].map((s) => st(s, n));
  const bAtt = st('att', B * H * T * T),
    bRs = st('rowstat', B * H * T),
    bDatt = st('datt', B * H * T * T);
  const [bdy, bdv, bdqr, bdkr, bdq, bdk] = ['dy', 'dv', 'dqr', 'dkr', 'dq', 'dk'].map((s) => st(s, n));
  const bDqkv = st('dqkv', B * T * 3 * C);

  const p = new Program(ctx);
  const rope = scheme === 'rope';
  const table = rope ? rope_table(p, T, hd) : null;
  qkv_split_forward(p, { q: bq, k: bk, v: bv, qkv: bQkv, B, T, H, hd });
  if (table) {
    rope_forward(p, bqr, bq, B * H, T, hd, table);
    rope_forward(p, bkr, bk, B * H, T, hd, table);
  }
  const [qIn, kIn] = rope ? [bqr, bkr] : [bq, bk];
  const shape = { B, H, T, hd };
  K.attention_probs_forward(p, { ...shape, att: bAtt, rowstat: bRs, q: qIn, k: kIn, params });
  K.attention_values_forward(p, { ...shape, out: by, att: bAtt, v: bv });
  heads_merge_forward(p, bOut, by, B, T, H, hd);
  heads_merge_backward(p, bdy, bDout, B, T, H, hd);
  K.attention_values_backward(p, { ...shape, datt: bDatt, dv: bdv, dout: bdy, att: bAtt, v: bv });
  const [dqIn, dkIn] = rope ? [bdqr, bdkr] : [bdq, bdk];
  K.attention_probs_backward(p, {
    ...shape,
    dq: dqIn,
    dk: dkIn,
    datt: bDatt,
    att: bAtt,
    rowstat: bRs,
    q: qIn,
    k: kIn,
    params,
  });
  if (table) {
    rope_backward(p, bdq, bdqr, B * H, T, hd, table);
    rope_backward(p, bdk, bdkr, B * H, T, hd); // exercises the table-less path too
  }
  qkv_split_backward(p, { dqkv: bDqkv, dq: bdq, dk: bdk, dv: bdv, B, T, H, hd });
  await noGpuErrors(ctx, () => p.run());

  // float64 reference on the same f32 inputs.
  const q = new Float64Array(n),
    k = new Float64Array(n),
    v = new Float64Array(n);
  RH.qkv_split_forward(q, k, v, qkv, B, T, H, hd);
  const qr = new Float64Array(n),
    kr = new Float64Array(n);
  if (rope) {
    RR.rope_forward(qr, q, B * H, T, hd);
    RR.rope_forward(kr, k, B * H, T, hd);
  } else {
    qr.set(q);
    kr.set(k);
  }
  const att = new Float64Array(B * H * T * T),
    rs = new Float64Array(B * H * T);
  R.attention_probs_forward(att, rs, qr, kr, B, H, T, hd, params);
  const y = new Float64Array(n),
    out = new Float64Array(B * T * C);
  R.attention_values_forward(y, att, v, B, H, T, hd);
  RH.heads_merge_forward(out, y, B, T, H, hd);
  const dy = new Float64Array(n);
  RH.heads_merge_backward(dy, dout, B, T, H, hd);
  const datt = new Float64Array(B * H * T * T),
    dv = new Float64Array(n);
  R.attention_values_backward(datt, dv, dy, att, v, B, H, T, hd);
  const dq = new Float64Array(n),
    dk = new Float64Array(n);
  R.attention_probs_backward(dq, dk, datt, att, rs, qr, kr, B, H, T, hd, params);
  if (rope) {
    const t = new Float64Array(n);
    RR.rope_backward(t, dq, B * H, T, hd);
    dq.set(t);
    RR.rope_backward(t, dk, B * H, T, hd);
    dk.set(t);
  }
  const dqkv = new Float64Array(B * T * 3 * C);
  RH.qkv_split_backward(dqkv, dq, dk, dv, B, T, H, hd);

  const gAtt = await ctx.read(bAtt);
  const gDatt = await ctx.read(bDatt);
  const label = `${mechanism}/${scheme} B=${B} H=${H} T=${T} hd=${hd}`;
  assertClose(`${label} att`, gAtt, att, TOL_ATT);
  if (R.isNormalised(mechanism)) assertClose(`${label} rowstat`, await ctx.read(bRs), rs, { rtol: 1e-5, atol: 1e-6 });
  assertClose(`${label} out`, await ctx.read(bOut), out, TOL_MIX);
  assertClose(`${label} datt`, gDatt, datt, TOL_MIX);
  assertClose(`${label} dqkv`, await ctx.read(bDqkv), dqkv, TOL_GRAD);
  // Structure: exact zeros above the diagonal; rows summing to 1 (normalised only).
  for (let r = 0; r < B * H * T; r++) {
    const i = r % T;
    let sum = 0;
    for (let j = 0; j < T; j++) {
      if (j > i) {
        if (gAtt[r * T + j] !== 0 || gDatt[r * T + j] !== 0)
          throw new Error(`${label}: non-zero above the diagonal at row ${r} col ${j}`);
      } else sum += gAtt[r * T + j];
    }
    // f32 row of up to T terms, each rounded once.
    if (R.isNormalised(mechanism) && Math.abs(sum - 1) > 1e-5 * Math.max(1, Math.sqrt(T)))
      throw new Error(`${label}: row ${r} sums to ${sum}`);
  }
  p.destroy();
  ctx.destroyAll(bufs);
  return { att, gAtt };
}

describe('attention kernels vs float64 reference', () => {
  for (const mechanism of K.NORMALISED_MECHANISMS)
    for (const scheme of ['rope', 'alibi', 'nope'] as Scheme[])
      test(`${mechanism} + ${scheme}: forward and backward at T = 1, 7, 64`, async () => {
        // T=7 and 64 are not multiples of the 16-wide datt tile / all exceed the 64-thread row split (64 = edge);
        // hd 8 and 16 split the 64 mix threads into 8 and 4 slices.
        await runCase(mechanism, scheme, 2, 3, 1, 8, 101);
        await runCase(mechanism, scheme, 2, 2, 7, 16, 102);
        await runCase(mechanism, scheme, 2, 3, 64, 8, 103);
        await runCase(mechanism, scheme, 2, 2, 64, 16, 104);
      });

  // Long rows: many 64-column passes per row, lssa's scale c_i up to 19.2.
  test('softmax + rope at T = 1024', async () => {
    await runCase('softmax', 'rope', 1, 1, 1024, 16, 201);
  });
  test('lssa + alibi at T = 1024 (and T = 130, hd = 80 for the multi-chunk mix)', async () => {
    await runCase('lssa', 'alibi', 1, 1, 1024, 16, 202);
    await runCase('lssa', 'rope', 1, 2, 130, 80, 203);
  });

  test('mechanisms really differ (guards against a constant being ignored)', async () => {
    const a = await runCase('taylor', 'nope', 1, 1, 7, 8, 301);
    const b = await runCase('softmax', 'nope', 1, 1, 7, 8, 301);
    let diff = 0;
    for (let i = 0; i < a.gAtt.length; i++) diff = Math.max(diff, Math.abs(a.gAtt[i] - b.gAtt[i]));
    expect(diff).toBeGreaterThan(1e-3);
  });

  test('rope rejects an odd head width; probs reject hd > 256', async () => {
    const ctx = await gpu();
    const p = new Program(ctx);
    const b = ctx.storage('x', 64);
    expect(() => rope_forward(p, b, b, 1, 2, 3)).toThrow();
    const params: ProbsParams = { mechanism: 'softmax', alibi: false, trainLength: 1 };
    expect(() =>
      K.attention_probs_forward(p, { att: b, rowstat: b, q: b, k: b, B: 1, H: 1, T: 1, hd: 300, params }),
    ).toThrow();
    p.destroy();
    ctx.destroy(b);
  });
});
