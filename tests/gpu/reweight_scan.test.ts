import { describe, expect, test } from 'vitest';
import { Program } from '../../src/gpu/program';
import { nonapprox_backward, nonapprox_forward } from '../../src/kernels/nonapprox';
import { reweight_backward, reweight_forward } from '../../src/kernels/reweight';
import { taylor_linear_forward } from '../../src/kernels/taylor_linear';
import * as naRef from '../../src/reference/nonapprox';
import * as rwRef from '../../src/reference/reweight';
import { taylor_quadratic_forward } from '../../src/reference/taylor_linear';
import { assertClose } from '../../src/util/compare';
import { Rng, randn } from '../../src/util/random';
import { gpu, noGpuErrors } from './gpu';

const isPow2 = (n: number): boolean => (n & (n - 1)) === 0;
const maxAbs = (a: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
};

/**
 * att [3, T, T] in f32: head 0 random softmax rows, head 1 near one-hot rows
 * (two peaks that can both survive), head 2 uniform rows fl(1/i1).
 */
function reweightInputs(T: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const a = new Float32Array(3 * T * T);
  for (let bh = 0; bh < 3; bh++) {
    for (let i = 0; i < T; i++) {
      const row = (bh * T + i) * T;
      if (bh === 2) {
        for (let j = 0; j <= i; j++) a[row + j] = 1 / (i + 1);
        continue;
      }
      const x = Array.from({ length: i + 1 }, () => rng.normal() * (bh === 0 ? 2 : 1));
      if (bh === 1) {
        x[rng.int(i + 1)] += 14;
        x[rng.int(i + 1)] += 13 + rng.normal();
      }
      const mx = Math.max(...x);
      const e = x.map((v) => Math.exp(v - mx));
      const s = e.reduce((p, v) => p + v, 0);
      for (let j = 0; j <= i; j++) a[row + j] = e[j] / s;
    }
  }
  return a;
}

describe('reweight kernels', () => {
  const cases: [number, number][] = [];
  for (const T of [1, 7, 64]) for (const p of [1, 3, 7, 15, 50]) cases.push([T, p]);
  cases.push([1024, 15], [1024, 50]);
  for (const [T, p] of cases) {
    test(`forward and backward BH=3 T=${T} p=${p}`, async () => {
      const ctx = await gpu();
      const BH = 3;
      const n = BH * T * T;
      const att = reweightInputs(T, 100 + T + p);
      const dout = randn(n, 200 + T);
      const bAtt = ctx.upload('att', att);
      const bDout = ctx.upload('dout', dout);
      // Start outputs from garbage so the j > i zeros must be written.
      const bOut = ctx.upload('out', randn(n, 7));
      const bDatt = ctx.upload('datt', randn(n, 8));
      const prog = new Program(ctx);
      reweight_forward(prog, bOut, bAtt, BH, T, p);
      reweight_backward(prog, bDatt, bDout, bAtt, bOut, BH, T, p);
      await noGpuErrors(ctx, () => prog.run());
      const out = new Float64Array(n);
      rwRef.reweight_forward(out, att, BH, T, p);
      const datt = new Float64Array(n);
      rwRef.reweight_backward(datt, dout, att, out, BH, T, p);
      const gOut = await ctx.read(bOut);
      const gDatt = await ctx.read(bDatt);
      expect(gOut.every(Number.isFinite)).toBe(true);
      expect(gDatt.every(Number.isFinite)).toBe(true);
      // A' entries are in [0, 1]. pow = exp2(p log2 u) in f32 and the f32
      // rounding of i*A (relative 6e-8, amplified by i*A / r and then by p)
      // give relative errors up to ~p * 1e-6 on the survivors.
      assertClose('out', gOut, out, { rtol: 2e-5 * p, atol: 1e-6 });
      // Uniform rows fl(1/i) of non-power-of-2 length are not exactly
      // uniform: r = i fl(1/i) - 1 is 0 or +-1 ulp depending on rounding
      // (f32 on the GPU, exact here), and the gradient there is either the
      // pass-through or ~p / r. Those rows are compared on the forward only
      // (same output either way) and checked finite above.
      const gMasked = Float64Array.from(gDatt);
      for (let i = 3; i < T; i++) {
        if (isPow2(i + 1)) continue;
        const row = (2 * T + i) * T;
        gMasked.fill(0, row, row + T);
        datt.fill(0, row, row + T);
      }
      // Gradients scale like i p / m: same relative budget as the forward,
      // plus the cancellation in (dout_j - c) of an f32 sum over up to 1024
      // terms, measured against the largest gradient (seen: <= 1.3e-6 of it).
      assertClose('datt', gMasked, datt, { rtol: 2e-5 * p, atol: 1e-5 * Math.max(1, maxAbs(datt)) });
      prog.destroy();
      ctx.destroyAll([bAtt, bDout, bOut, bDatt]);
    });
  }
});

describe('nonapprox kernels', () => {
  const cases: [number, number, number][] = [];
  for (const T of [1, 7, 64, 1000]) for (const hd of [16, 5]) cases.push([T, hd, 2]);
  cases.push([64, 16, 40]); // scores up to ~100: exp overflows f32 without the running max
  for (const [T, hd, kStd] of cases) {
    test(`forward and backward B=1 H=3 T=${T} hd=${hd} kStd=${kStd}`, async () => {
      const ctx = await gpu();
      const B = 1,
        H = 3;
      const n = B * H * T * hd;
      const z = randn(n, 1 + T + hd, 2);
      const q = z.map((x) => x / (1 + Math.exp(-x))); // q arrives after SiLU
      const k = randn(n, 2 + T + hd, kStd);
      const v = randn(n, 3 + T + hd);
      const dout = randn(n, 4 + T + hd);
      const bufs = [q, k, v, dout].map((a, i) => ctx.upload(`in${i}`, a));
      const [bQ, bK, bV, bDout] = bufs;
      const bOut = ctx.storage('out', n);
      const bStats = ctx.storage('stats', B * H * T * 2);
      const bDq = ctx.storage('dq', n),
        bDk = ctx.storage('dk', n),
        bDv = ctx.storage('dv', n);
      const prog = new Program(ctx);
      const fwd = { out: bOut, stats: bStats, q: bQ, k: bK, v: bV, B, H, T, hd };
      nonapprox_forward(prog, fwd);
      nonapprox_backward(prog, { ...fwd, dq: bDq, dk: bDk, dv: bDv, dout: bDout });
      await noGpuErrors(ctx, () => prog.run());
      const out = new Float64Array(n);
      const stats = new Float64Array(B * H * T * 2);
      naRef.nonapprox_forward(out, stats, q, k, v, B, H, T, hd);
      const dq = new Float64Array(n),
        dk = new Float64Array(n),
        dv = new Float64Array(n);
      naRef.nonapprox_backward(dq, dk, dv, dout, out, stats, q, k, v, B, H, T, hd);
      // s carries f32 error ~ 1e-7 |q||k| / sqrt(hd), i.e. up to ~1e-5 with
      // kStd = 40; weights inherit it relatively, outputs (means of unit v)
      // absolutely (seen: <= 3e-6).
      const sErr = 2e-7 * kStd * Math.sqrt(hd);
      assertClose('out', await ctx.read(bOut), out, { rtol: 1e-4, atol: 1e-5 + sErr });
      // M is s itself; Z >= 1 is a sum of up to T terms of size <= 1.
      assertClose('stats', await ctx.read(bStats), stats, { rtol: 1e-4 + sErr, atol: 1e-5 + sErr });
      // The reverse scan carries f32 suffix sums over up to T terms, and ds
      // cancels v.R against P: errors are measured against each tensor's
      // largest entry (seen: <= 1.5e-5 of it, at T = 1000 and at kStd = 40).
      for (const [name, buf, want] of [
        ['dv', bDv, dv],
        ['dq', bDq, dq],
        ['dk', bDk, dk],
      ] as const) {
        assertClose(name, await ctx.read(buf), want, { rtol: 1e-3, atol: 5e-5 * Math.max(1e-3, maxAbs(want)) });
      }
      prog.destroy();
      ctx.destroyAll([...bufs, bOut, bStats, bDq, bDk, bDv]);
    });
  }
});

describe('taylor linear-form kernel', () => {
  const cases: [number, number][] = [
    [1, 16],
    [7, 16],
    [64, 16],
    [300, 16],
    [7, 5],
    [300, 5],
  ];
  for (const [T, hd] of cases) {
    test(`matches the quadratic reference B=1 H=3 T=${T} hd=${hd}`, async () => {
      const ctx = await gpu();
      const B = 1,
        H = 3;
      const n = B * H * T * hd;
      const q = randn(n, 30 + T, 1.2);
      const k = randn(n, 31 + T, 1.2);
      const v = randn(n, 32 + T);
      const bufs = [q, k, v].map((a, i) => ctx.upload(`in${i}`, a));
      const bOut = ctx.storage('out', n);
      const prog = new Program(ctx);
      taylor_linear_forward(prog, { out: bOut, q: bufs[0], k: bufs[1], v: bufs[2], B, H, T, hd });
      await noGpuErrors(ctx, () => prog.run());
      const want = new Float64Array(n);
      taylor_quadratic_forward(want, q, k, v, B, H, T, hd);
      // The running sums add up to T f32 terms, and the feature dot products
      // cancel (sum_f |f(q)_f f(k)_f| exceeds 1 + s + s^2/2 by ~10x for these
      // q, k). Outputs are means of unit v; seen: <= 3e-6 absolute.
      assertClose('out', await ctx.read(bOut), want, { rtol: 1e-3, atol: 1e-5 });
      prog.destroy();
      ctx.destroyAll([...bufs, bOut]);
    });
  }

  test('refuses ALiBi and head widths above 16', async () => {
    const ctx = await gpu();
    const prog = new Program(ctx);
    const b = ctx.storage('x', 16);
    const a = { out: b, q: b, k: b, v: b, B: 1, H: 1, T: 1, hd: 4 };
    expect(() => taylor_linear_forward(prog, { ...a, alibi: true })).toThrow(/ALiBi is not supported/);
    expect(() => taylor_linear_forward(prog, { ...a, hd: 17 })).toThrow(/head width/);
    prog.destroy();
    ctx.destroy(b);
  });
});
