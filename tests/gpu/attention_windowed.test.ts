// Windowed evaluation in the fused kernels (each query sees only its last W keys)
// against the float64 reference chain, which builds the windowed weights the slow way.
import { describe, expect, test } from 'vitest';
import { Program } from '../../src/gpu/program';
import type { NormalisedMechanism, ProbsParams } from '../../src/kernels/attention';
import { attention_fused_diagnostics, attention_fused_forward } from '../../src/kernels/attention_fused';
import { rope_forward, rope_table } from '../../src/kernels/rope';
import { attention_values_forward as refValues } from '../../src/reference/attention';
import * as F from '../../src/reference/attention_fused';
import { compare } from '../../src/util/compare';
import { randn } from '../../src/util/random';
import { gpu, noGpuErrors } from './gpu';
import { ropedReference } from './rope_reference';

interface Case {
  mechanism: NormalisedMechanism;
  scheme: 'rope' | 'alibi' | 'nope';
  rw: number | null;
  L: number;
  W: number;
}

/** Fused forward and diagnostics at window W: [out, diag] on the GPU, and the float64 ones. */
async function run(c: Case, seed: number) {
  const ctx = await gpu();
  const B = 1,
    H = 2,
    hd = 16;
  const { L } = c;
  const n = B * H * L * hd;
  const params: ProbsParams = { mechanism: c.mechanism, alibi: c.scheme === 'alibi', trainLength: 16, window: c.W };
  const [q, k, v] = [randn(n, seed), randn(n, seed + 1), randn(n, seed + 2)];
  const bufs = [ctx.upload('q', q), ctx.upload('k', k), ctx.upload('v', v)];
  const st = (name: string, f: number) => (bufs.push(ctx.storage(name, f)), bufs[bufs.length - 1]);
  const p = new Program(ctx);
  let [qr, kr] = [bufs[0], bufs[1]];
  if (c.scheme === 'rope') {
    [qr, kr] = [st('qr', n), st('kr', n)];
    const table = rope_table(p, L, hd);
    rope_forward(p, qr, bufs[0], B * H, L, hd, table);
    rope_forward(p, kr, bufs[1], B * H, L, hd, table);
  }
  const out = st('out', n),
    diag = st('diag', B * H * L * 4);
  const fused = { q: qr, k: kr, B, H, L, hd, params, reweightP: c.rw };
  attention_fused_forward(p, { ...fused, out, v: bufs[2] });
  attention_fused_diagnostics(p, { ...fused, diag });
  await noGpuErrors(ctx, () => p.run());
  const got = { out: await ctx.read(out), diag: await ctx.read(diag) };
  p.destroy();
  ctx.destroyAll(bufs);

  const [rq, rk] = ropedReference(q, k, c.scheme === 'rope', B * H, L, hd);
  const A = F.attention_fused_weights(rq, rk, B, H, L, hd, params, c.rw);
  const want = { out: new Float64Array(n), diag: new Float64Array(B * H * L * 4) };
  refValues(want.out, A, v, B, H, L, hd);
  F.diagnostics_from_weights(want.diag, A, B * H, L);
  return { got, want };
}

// As tests/gpu/attention_fused.test.ts: f32 weights carry ~1e-7 relative error times
// lssa's scale; re-weighting multiplies relative weight errors by about p. Diagnostics
// take mean distance (up to W) into the absolute budget.
const tol = (p: number, W = 1) => ({ rtol: 1e-4 * p, atol: 1e-5 * p * W });

describe('windowed fused attention vs float64', () => {
  // L = 200 spans 4 partial workgroups; W = 37 divides nothing; W = 3 puts every row in
  // re-weighting's o_i = 0 regime.
  const cases: Case[] = [
    { mechanism: 'softmax', scheme: 'rope', rw: null, L: 200, W: 37 },
    { mechanism: 'lssa', scheme: 'rope', rw: 15, L: 200, W: 37 },
    { mechanism: 'lssacap', scheme: 'alibi', rw: null, L: 200, W: 37 },
    { mechanism: 'lssmax', scheme: 'nope', rw: 15, L: 130, W: 64 },
    { mechanism: 'softplus', scheme: 'alibi', rw: null, L: 130, W: 3 },
    { mechanism: 'taylor', scheme: 'nope', rw: 15, L: 70, W: 3 },
    { mechanism: 'sigmoid', scheme: 'rope', rw: null, L: 70, W: 16 },
    { mechanism: 'relu', scheme: 'alibi', rw: null, L: 70, W: 16 },
  ];
  for (const [i, c] of cases.entries())
    test(`${c.mechanism} + ${c.scheme}, reweight ${c.rw ?? 'off'}: L = ${c.L}, W = ${c.W}`, async () => {
      const { got, want } = await run(c, 300 + 10 * i);
      const p = c.rw ?? 1;
      const report = [compare('out', got.out, want.out, tol(p))];
      for (const [f, name] of ['entropy', 'sink', 'local', 'distance'].entries()) {
        const pick = (d: ArrayLike<number>) => Float64Array.from({ length: d.length / 4 }, (_, r) => d[r * 4 + f]);
        report.push(compare(name, pick(got.diag), pick(want.diag), tol(p, f === 3 ? c.W : 1)));
      }
      const bad = report.filter((r) => !r.ok).map((r) => r.report);
      expect(bad, bad.join('\n')).toEqual([]);
    });

  test('a window of at least L is the full attention, bitwise; a shorter one differs', async () => {
    const c: Case = { mechanism: 'lssa', scheme: 'rope', rw: 15, L: 100, W: 100 };
    const wide = await run(c, 7);
    const full = await run({ ...c, W: 0 }, 7);
    expect(Array.from(wide.got.out)).toEqual(Array.from(full.got.out));
    const short = await run({ ...c, W: 10 }, 7);
    const diff = Math.max(...short.got.out.map((x, i) => Math.abs(x - full.got.out[i])));
    expect(diff).toBeGreaterThan(1e-2);
  });
});
