import { afterAll, describe, expect, test } from 'vitest';
import { Program } from '../../src/gpu/program';
import {
  attention_probs_forward,
  attention_values_forward,
  NORMALISED_MECHANISMS,
  type NormalisedMechanism,
  type ProbsParams,
} from '../../src/kernels/attention';
import { KERNEL_ROW_NORMALISED } from '../../src/kernels/attention_constants';
import {
  attention_fused_diagnostics,
  attention_fused_forward,
  attention_fused_map,
} from '../../src/kernels/attention_fused';
import { reweight_forward } from '../../src/kernels/reweight';
import { rope_forward, rope_table } from '../../src/kernels/rope';
import { attention_values_forward as refValues } from '../../src/reference/attention';
import * as F from '../../src/reference/attention_fused';
import { rope_forward as refRope } from '../../src/reference/rope';
import { compare, type Tolerance } from '../../src/util/compare';
import { randn } from '../../src/util/random';
import { gpu, noGpuErrors } from './gpu';
import { ropedReference } from './rope_reference';

type Scheme = 'rope' | 'alibi' | 'nope';
const SCHEMES: Scheme[] = ['rope', 'alibi', 'nope'];
const ROW_NORMALISED: readonly NormalisedMechanism[] = KERNEL_ROW_NORMALISED;

// Worst relative errors seen, per comparison (printed for the report).
const worst = new Map<string, number>();
afterAll(() =>
  console.log(
    'attention_fused worst rel errors:',
    JSON.stringify(Object.fromEntries([...worst].map(([k, v]) => [k, +v.toExponential(2)]))),
  ),
);

// Fused vs unfused and vs float64: the weights differ by f32 rounding (~1e-7
// relative times lssa's scale c_i <= 19); outputs are means of unit-scale v, summed
// in a different order (online rescaling, one division at the end). Re-weighting
// amplifies relative weight errors by about p (pow), as in run_attention.test.ts.
const outTol = (p: number): Tolerance => ({ rtol: 1e-4 * p, atol: 1e-5 * p });
// Entropy, sink and local focus are O(1) sums of weights (entropy <= ln L) with the
// same relative error budget; mean distance is a weighted sum of distances up to L,
// so its absolute budget scales with L.
const diagTol = (p: number, L: number): Tolerance[] => [
  { rtol: 1e-4 * p, atol: 2e-5 * p },
  { rtol: 1e-4 * p, atol: 1e-5 * p },
  { rtol: 1e-4 * p, atol: 1e-5 * p },
  { rtol: 1e-4 * p, atol: 1e-5 * p * L },
];
// Map cells are means of weights: the weights' own budget.
const mapTol = (p: number): Tolerance => ({ rtol: 1e-4 * p, atol: 1e-6 * p });

function check(
  report: string[],
  key: string,
  name: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  tol: Tolerance,
): void {
  const c = compare(name, got, want, tol);
  worst.set(key, Math.max(worst.get(key) ?? 0, c.maxRel));
  if (!c.ok) report.push(c.report);
}

/** The 4 diagnostics fields of a [.., 4] array as separate arrays. */
const field = (d: ArrayLike<number>, f: number): Float64Array =>
  Float64Array.from({ length: d.length / 4 }, (_, r) => d[r * 4 + f]);

function checkDiag(
  report: string[],
  key: string,
  name: string,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  p: number,
  L: number,
): void {
  const tols = diagTol(p, L);
  for (const [i, f] of ['entropy', 'sink', 'local', 'distance'].entries())
    check(report, `${key} diag`, `${name} ${f}`, field(got, i), field(want, i), tols[i]);
}

interface Case {
  mechanism: NormalisedMechanism;
  scheme: Scheme;
  rw: number | null;
  B: number;
  H: number;
  L: number;
  hd: number;
  seed: number;
  /** Map of head (b, h) at grid R, checked too. */
  map?: { b: number; h: number; R: number };
  /** Raw inputs (before RoPE) instead of seeded random ones. */
  qkv?: [Float32Array, Float32Array, Float32Array];
}

/**
 * Fused forward / diagnostics (/ map) vs the unfused training kernels (probs -> reweight
 * -> values) on the same GPU inputs, and vs the float64 reference chain. Returns the
 * reports of failed comparisons and the fused diagnostics.
 */
async function runCase(c: Case): Promise<{ report: string[]; diag: Float32Array; map?: Float32Array }> {
  const ctx = await gpu();
  const { B, H, L, hd } = c;
  const n = B * H * L * hd;
  const params: ProbsParams = { mechanism: c.mechanism, alibi: c.scheme === 'alibi', trainLength: 16 };
  const [q, k, v] = c.qkv ?? [randn(n, c.seed), randn(n, c.seed + 1), randn(n, c.seed + 2)];
  const bufs: GPUBuffer[] = [];
  const keep = (b: GPUBuffer) => (bufs.push(b), b);
  const bq = keep(ctx.upload('q', q)),
    bk = keep(ctx.upload('k', k)),
    bv = keep(ctx.upload('v', v));
  const st = (name: string, f: number) => keep(ctx.storage(name, f));
  const p = new Program(ctx);
  const rope = c.scheme === 'rope';
  const [qr, kr] = rope ? [st('qr', n), st('kr', n)] : [bq, bk];
  if (rope) {
    const table = rope_table(p, L, hd);
    rope_forward(p, qr, bq, B * H, L, hd, table);
    rope_forward(p, kr, bk, B * H, L, hd, table);
  }
  // Unfused: the training kernels.
  const att = st('att', B * H * L * L),
    attRw = c.rw === null ? att : st('att_rw', B * H * L * L);
  const outU = st('out_unfused', n);
  attention_probs_forward(p, { att, rowstat: st('rowstat', B * H * L), q: qr, k: kr, B, H, T: L, hd, params });
  if (c.rw !== null) reweight_forward(p, attRw, att, B * H, L, c.rw);
  attention_values_forward(p, { out: outU, att: attRw, v: bv, B, H, T: L, hd });
  // Fused.
  const outF = st('out_fused', n),
    diagF = st('diag', B * H * L * 4);
  const fused = { q: qr, k: kr, B, H, L, hd, params, reweightP: c.rw };
  attention_fused_forward(p, { ...fused, out: outF, v: bv });
  attention_fused_diagnostics(p, { ...fused, diag: diagF });
  const mapF = c.map ? st('map', c.map.R * c.map.R) : null;
  if (c.map) attention_fused_map(p, { ...fused, map: mapF!, ...c.map });
  await noGpuErrors(ctx, () => p.run());

  const gOutF = await ctx.read(outF),
    gOutU = await ctx.read(outU),
    gDiag = await ctx.read(diagF);
  const gA = Float64Array.from(await ctx.read(attRw));
  const gMap = mapF ? await ctx.read(mapF) : undefined;

  // float64 reference on the same f32 inputs (RoPE in float64).
  const [rq, rk] = ropedReference(q, k, rope, B * H, L, hd);
  const A = F.attention_fused_weights(rq, rk, B, H, L, hd, params, c.rw);
  const rOut = new Float64Array(n);
  refValues(rOut, A, v, B, H, L, hd);
  const rDiag = new Float64Array(B * H * L * 4),
    uDiag = new Float64Array(B * H * L * 4);
  F.diagnostics_from_weights(rDiag, A, B * H, L);
  F.diagnostics_from_weights(uDiag, gA, B * H, L); // of the unfused GPU weights

  const pp = c.rw ?? 1;
  const key = `${c.mechanism}${c.rw === null ? '' : '+rw'}`;
  const name = `${c.mechanism}/${c.scheme}/rw=${c.rw} B=${B} H=${H} L=${L} hd=${hd}`;
  const report: string[] = [];
  check(report, `${key} out vs unfused`, `${name} out vs unfused`, gOutF, gOutU, outTol(pp));
  check(report, `${key} out vs f64`, `${name} out vs f64`, gOutF, rOut, outTol(pp));
  checkDiag(report, key, `${name} diag vs f64`, gDiag, rDiag, pp, L);
  checkDiag(report, key, `${name} diag vs unfused weights`, gDiag, uDiag, pp, L);
  if (c.map) {
    const { b, h, R } = c.map;
    const rMap = new Float64Array(R * R),
      uMap = new Float64Array(R * R);
    F.map_from_weights(rMap, A, b * H + h, L, R);
    F.map_from_weights(uMap, gA, b * H + h, L, R);
    check(report, `${key} map`, `${name} map R=${R} vs f64`, gMap!, rMap, mapTol(pp));
    check(report, `${key} map`, `${name} map R=${R} vs unfused weights`, gMap!, uMap, mapTol(pp));
  }
  p.destroy();
  ctx.destroyAll(bufs);
  return { report, diag: gDiag, map: gMap };
}

const expectOk = (report: string[]) => expect(report, report.join('\n')).toEqual([]);

describe('fused attention vs the unfused kernels and the float64 chain', () => {
  for (const mechanism of NORMALISED_MECHANISMS)
    for (const scheme of SCHEMES)
      for (const rw of ROW_NORMALISED.includes(mechanism) ? [null, 15] : [null])
        test(`${mechanism} + ${scheme}, reweight ${rw ?? 'off'}: L = 1, 7, 64, 200`, async () => {
          const base = { mechanism, scheme, rw };
          // hd 6: not a multiple of 4 (and even, for RoPE); L = 200 spans 4 partial workgroups of 64.
          const report = [
            ...(await runCase({ ...base, B: 2, H: 3, L: 1, hd: 8, seed: 11 })).report,
            ...(await runCase({ ...base, B: 2, H: 2, L: 7, hd: 6, seed: 12 })).report,
            ...(await runCase({ ...base, B: 2, H: 3, L: 64, hd: 16, seed: 13 })).report,
            ...(await runCase({ ...base, B: 1, H: 2, L: 200, hd: 16, seed: 14 })).report,
          ];
          expectOk(report);
        });

  test('L = 1024: softmax + rope, lssa + alibi + reweight 15 (B = 1, H = 2, hd = 16)', async () => {
    expectOk(
      (await runCase({ mechanism: 'softmax', scheme: 'rope', rw: null, B: 1, H: 2, L: 1024, hd: 16, seed: 21 })).report,
    );
    expectOk(
      (
        await runCase({
          mechanism: 'lssa',
          scheme: 'alibi',
          rw: 15,
          B: 1,
          H: 2,
          L: 1024,
          hd: 16,
          seed: 22,
          map: { b: 0, h: 1, R: 64 },
        })
      ).report,
    );
  });

  test('maps: L = 100, R = 16 and L = 64, R = 64 (and R > L)', async () => {
    const cases: Case[] = [
      {
        mechanism: 'softmax',
        scheme: 'alibi',
        rw: 15,
        B: 2,
        H: 2,
        L: 100,
        hd: 16,
        seed: 31,
        map: { b: 1, h: 0, R: 16 },
      },
      { mechanism: 'lssa', scheme: 'rope', rw: null, B: 1, H: 3, L: 100, hd: 8, seed: 32, map: { b: 0, h: 2, R: 16 } },
      { mechanism: 'taylor', scheme: 'nope', rw: 15, B: 1, H: 2, L: 64, hd: 16, seed: 33, map: { b: 0, h: 1, R: 64 } },
      {
        mechanism: 'sigmoid',
        scheme: 'rope',
        rw: null,
        B: 1,
        H: 2,
        L: 64,
        hd: 16,
        seed: 34,
        map: { b: 0, h: 0, R: 64 },
      },
      { mechanism: 'relu', scheme: 'alibi', rw: null, B: 1, H: 2, L: 100, hd: 6, seed: 35, map: { b: 0, h: 1, R: 16 } },
      {
        mechanism: 'softmax',
        scheme: 'rope',
        rw: null,
        B: 1,
        H: 1,
        L: 10,
        hd: 8,
        seed: 36,
        map: { b: 0, h: 0, R: 16 },
      },
    ];
    const report: string[] = [];
    for (const c of cases) report.push(...(await runCase(c)).report);
    expectOk(report);
  });
});

describe('16x the training length', () => {
  /** Row i of lssa + re-weighting in float64, straight from the spec (independent of the reference chain). */
  function lssarRow(
    q: ArrayLike<number>,
    k: ArrayLike<number>,
    v: ArrayLike<number>,
    i: number,
    hd: number,
    p: number,
  ) {
    const norm = (x: ArrayLike<number>, o: number) =>
      Math.sqrt(Array.from({ length: hd }, (_, d) => x[o + d] ** 2).reduce((a, b) => a + b) + 1e-6);
    const c = Math.log(hd) * Math.log(i + 1),
      nq = norm(q, i * hd);
    const phi = Array.from({ length: i + 1 }, (_, j) => {
      let s = 0;
      for (let d = 0; d < hd; d++) s += q[i * hd + d] * k[j * hd + d];
      const x = (c * s) / (nq * norm(k, j * hd));
      return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
    });
    const Z = phi.reduce((a, b) => a + b);
    const o = i + 1 <= 3 ? 0 : 1;
    const r = phi.map((f) => Math.max((i + 1) * (f / Z) - o, 0));
    const m = Math.max(...r);
    const w = m > 0 ? r.map((x) => (x / m) ** p) : phi;
    const S = w.reduce((a, b) => a + b);
    const A = w.map((x) => x / S);
    const out = Array.from({ length: hd }, (_, d) => A.reduce((acc, a, j) => acc + a * v[j * hd + d], 0));
    const ent = -A.reduce((acc, a) => acc + (a > 0 ? a * Math.log(a) : 0), 0);
    const near = A.reduce((acc, a, j) => acc + (i - j <= 3 ? a : 0), 0);
    const dist = A.reduce((acc, a, j) => acc + a * (i - j), 0);
    return { out, diag: [ent, A[0], near, dist] };
  }

  const sampled =
    'lssa + rope + reweight 15 at L = 4096 (B = H = 1, hd = 16): sampled rows vs a float64 row computation';
  test(sampled, async () => {
    const ctx = await gpu();
    const L = 4096,
      hd = 16,
      n = L * hd,
      p = 15;
    const q = randn(n, 41),
      k = randn(n, 42),
      v = randn(n, 43);
    const params: ProbsParams = { mechanism: 'lssa', alibi: false, trainLength: 256 };
    const [bq, bk, bv, qr, kr, out] = [q, k, v, null, null, null].map((a) =>
      a ? ctx.upload('x', a) : ctx.storage('y', n),
    );
    const diag = ctx.storage('diag', L * 4);
    const prog = new Program(ctx);
    const table = rope_table(prog, L, hd);
    rope_forward(prog, qr, bq, 1, L, hd, table);
    rope_forward(prog, kr, bk, 1, L, hd, table);
    const fused = { q: qr, k: kr, B: 1, H: 1, L, hd, params, reweightP: p };
    attention_fused_forward(prog, { ...fused, out, v: bv });
    attention_fused_diagnostics(prog, { ...fused, diag });
    const t0 = performance.now();
    await noGpuErrors(ctx, () => prog.run());
    const gOut = await ctx.read(out),
      gDiag = await ctx.read(diag);
    console.log(`L = 4096 lssar forward + diagnostics: ${Math.round(performance.now() - t0)} ms`);
    const rq = new Float64Array(n),
      rk = new Float64Array(n);
    refRope(rq, q, 1, L, hd);
    refRope(rk, k, 1, L, hd);
    const report: string[] = [];
    for (const i of [0, 1, 2, 3, 1000, 2047, 4000, 4095]) {
      const want = lssarRow(rq, rk, v, i, hd, p);
      check(report, 'L=4096', `row ${i} out`, gOut.subarray(i * hd, (i + 1) * hd), want.out, outTol(p));
      checkDiag(report, 'L=4096', `row ${i}`, gDiag.subarray(i * 4, i * 4 + 4), want.diag, p, L);
    }
    for (let x = 0; x < gOut.length; x++) if (!Number.isFinite(gOut[x])) report.push(`out[${x}] = ${gOut[x]}`);
    prog.destroy();
    ctx.destroyAll([bq, bk, bv, qr, kr, out, diag]);
    expectOk(report);
  });
});

describe('diagnostics of hand-made heads (softmax, nope): known answers', () => {
  // Head 0: pure sink (every query matches only key 0). Head 1: self (query i matches
  // key i). Head 2: previous token (query i matches key i - 1). Head 3: q = 0, uniform.
  // One-hot q, k of norm a: matching logit a^2 / sqrt(hd) = 100, the rest 0, so the
  // off-target weights are e^-100 (below f32's normal range: 0 to the test's precision).
  const L = 41,
    hd = 41,
    H = 4;
  const a = Math.sqrt(100 * Math.sqrt(hd));
  const q = new Float32Array(H * L * hd),
    k = new Float32Array(H * L * hd),
    v = new Float32Array(H * L * hd);
  const at = (h: number, t: number, d: number) => (h * L + t) * hd + d;
  for (let t = 0; t < L; t++) {
    q[at(0, t, 0)] = a;
    k[at(0, t, t === 0 ? 0 : 1)] = t === 0 ? a : 0;
    q[at(1, t, t)] = a;
    k[at(1, t, t)] = a;
    q[at(2, t, Math.max(t - 1, 0))] = t === 0 ? 0 : a;
    k[at(2, t, t)] = a;
    for (let d = 0; d < hd; d++)
      v[at(0, t, d)] = v[at(1, t, d)] = v[at(2, t, d)] = v[at(3, t, d)] = Math.sin(t + 3 * d);
  }
  const want = new Float64Array(H * L * 4);
  for (let i = 0; i < L; i++) {
    want.set([0, 1, i <= 3 ? 1 : 0, i], (0 * L + i) * 4);
    want.set([0, i === 0 ? 1 : 0, 1, 0], (1 * L + i) * 4);
    want.set([0, i <= 1 ? 1 : 0, 1, i === 0 ? 0 : 1], (2 * L + i) * 4);
    want.set([Math.log(i + 1), 1 / (i + 1), Math.min(i + 1, 4) / (i + 1), i / 2], (3 * L + i) * 4);
  }
  for (const rw of [null, 15])
    test(`sink, self, previous-token and uniform heads, reweight ${rw ?? 'off'}`, async () => {
      const { report, diag, map } = await runCase({
        mechanism: 'softmax',
        scheme: 'nope',
        rw,
        B: 1,
        H,
        L,
        hd,
        seed: 0,
        qkv: [q, k, v],
        map: { b: 0, h: 1, R: L },
      });
      // One-hot rows re-weight to themselves and uniform rows keep A (all r = 0 or all equal).
      checkDiag(report, 'hand-made', `hand-made rw=${rw}`, diag, want, 1, L);
      // The self head's map at R = L is the identity.
      const eye = new Float64Array(L * L);
      for (let i = 0; i < L; i++) eye[i * L + i] = 1;
      check(report, 'hand-made', 'self head map', map!, eye, mapTol(1));
      expectOk(report);
    });
});

describe('memory and cost', () => {
  test('the fused wrappers allocate no scratch (only uniforms), at L = 1024', async () => {
    const ctx = await gpu();
    const B = 1,
      H = 2,
      L = 1024,
      hd = 16,
      n = B * H * L * hd;
    const bufs = ['q', 'k', 'v', 'out'].map((s) => ctx.storage(s, n));
    const diag = ctx.storage('diag', B * H * L * 4),
      map = ctx.storage('map', 64 * 64);
    const p = new Program(ctx);
    const scratch: number[] = [];
    const orig = p.scratch.bind(p);
    p.scratch = (label: string, floats: number) => (scratch.push(floats), orig(label, floats));
    const before = ctx.bytesInUse;
    const params: ProbsParams = { mechanism: 'lssa', alibi: true, trainLength: 64 };
    const fused = { q: bufs[0], k: bufs[1], B, H, L, hd, params, reweightP: 15 };
    attention_fused_forward(p, { ...fused, out: bufs[3], v: bufs[2] });
    attention_fused_diagnostics(p, { ...fused, diag });
    attention_fused_map(p, { ...fused, map, b: 0, h: 1, R: 64 });
    const grown = ctx.bytesInUse - before;
    for (const f of scratch) expect(f).toBeLessThanOrEqual(4 * n);
    expect(scratch).toEqual([]);
    expect(grown).toBeLessThanOrEqual(3 * 48); // three 48-byte uniforms (Params, with the window), nothing else
    expect(grown).toBeLessThan(4 * n * 4);
    p.destroy();
    ctx.destroyAll([...bufs, diag, map]);
  });

  test('argument checks', async () => {
    const ctx = await gpu();
    const b = ctx.storage('x', 16);
    const p = new Program(ctx);
    const sm: ProbsParams = { mechanism: 'softmax', alibi: false, trainLength: 8 };
    const a = { out: b, q: b, k: b, v: b, B: 1, H: 1, L: 2, hd: 2, params: sm, reweightP: null };
    expect(() => attention_fused_forward(p, { ...a, params: { ...sm, mechanism: 'relu' }, reweightP: 15 })).toThrow(
      /re-weighting/,
    );
    expect(() => attention_fused_forward(p, { ...a, reweightP: 0.5 })).toThrow(/p must be/);
    expect(() => attention_fused_forward(p, { ...a, hd: 300 })).toThrow(/head width/);
    expect(() => attention_fused_map(p, { ...a, map: b, b: 0, h: 0, R: 129 })).toThrow(/grid/);
    expect(() => attention_fused_map(p, { ...a, map: b, b: 1, h: 0, R: 4 })).toThrow(/outside/);
    p.destroy();
    ctx.destroy(b);
  });

  test('timing at L = 1024 (B = 1, H = 2, hd = 16): fused vs unfused forward (reported, not asserted)', async () => {
    const ctx = await gpu();
    const B = 1,
      H = 2,
      L = 1024,
      hd = 16,
      n = B * H * L * hd;
    const [q, k, v, out] = [1, 2, 3, 4].map((s) => ctx.upload('x', randn(n, s)));
    const att = ctx.storage('att', B * H * L * L),
      att2 = ctx.storage('att2', B * H * L * L),
      rs = ctx.storage('rs', B * H * L);
    const time = async (build: (p: Program) => void) => {
      const p = new Program(ctx);
      build(p);
      p.run(); // warm-up (pipeline compilation)
      await ctx.device.queue.onSubmittedWorkDone();
      let ms = Infinity; // best of 3: the machine is shared
      for (let r = 0; r < 3; r++) {
        const t0 = performance.now();
        p.run();
        await ctx.device.queue.onSubmittedWorkDone();
        ms = Math.min(ms, performance.now() - t0);
      }
      p.destroy();
      return ms;
    };
    const times: Record<string, number> = {};
    for (const [mech, rw] of [
      ['softmax', null],
      ['softmax', 15],
      ['lssa', 15],
    ] as const) {
      const params: ProbsParams = { mechanism: mech, alibi: false, trainLength: 64 };
      const fused = { q, k, B, H, L, hd, params, reweightP: rw };
      times[`${mech} rw=${rw} fused`] = await time((p) => attention_fused_forward(p, { ...fused, out, v }));
      times[`${mech} rw=${rw} unfused`] = await time((p) => {
        attention_probs_forward(p, { att, rowstat: rs, q, k, B, H, T: L, hd, params });
        if (rw !== null) reweight_forward(p, att2, att, B * H, L, rw);
        attention_values_forward(p, { out, att: rw !== null ? att2 : att, v, B, H, T: L, hd });
      });
      times[`${mech} rw=${rw} diagnostics`] = await time((p) =>
        attention_fused_diagnostics(p, { ...fused, diag: att2 }),
      );
    }
    console.log(
      'attention_fused timing (ms):',
      JSON.stringify(Object.fromEntries(Object.entries(times).map(([kk, t]) => [kk, Math.round(t)]))),
    );
    ctx.destroyAll([q, k, v, out, att, att2, rs]);
  });
});
