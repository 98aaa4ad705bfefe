// The register-tiled fused kernels (shaders/attention_fused_forward_tiled.wgsl,
// attention_fused_diagnostics_tiled.wgsl) bit for bit against the one-row kernels they
// replace for hd <= 16 (shaders/attention_fused_forward.wgsl, attention_fused_diagnostics.wgsl,
// still the kernels for wider heads and for incremental sampling), and against the float64
// chain. Every mechanism x window (0; 3, narrower than the 4-row tile; 10) x L straddling
// the tile (1, 7, 9, 33, 130), in the forms of `combos` (ALiBi and re-weighting at hd 16, the
// widest tile; hd 1, 3, 4: a lone element, a short 4-channel group, one group); and the
// incremental-sampling form (query rows at qOff over a longer key cache).
import { describe, expect, test } from 'vitest';
import { Program } from '../../src/gpu/program';
import { NORMALISED_MECHANISMS, type ProbsParams } from '../../src/kernels/attention';
import { KERNEL_ROW_NORMALISED } from '../../src/kernels/attention_constants';
import {
  attention_fused_diagnostics,
  attention_fused_forward,
  FUSED_TILE_MAXHD,
  type FusedShape,
} from '../../src/kernels/attention_fused';
import * as F from '../../src/reference/attention_fused';
import { compare, type Tolerance } from '../../src/util/compare';
import { randn } from '../../src/util/random';
import { gpu, noGpuErrors } from './gpu';

const LS = [1, 7, 9, 33, 130];
const WINDOWS = [0, 3, 10];
const HDS = [1, 3, 4, FUSED_TILE_MAXHD];
const B = 1;
const H = 2;
const RW_P = 3;

// As in attention_fused.test.ts: f32 weights vs float64, re-weighting amplifying by about p.
const outTol = (p: number): Tolerance => ({ rtol: 1e-4 * p, atol: 1e-5 * p });
const diagTol = (p: number, L: number): Tolerance => ({ rtol: 1e-4 * p, atol: 2e-5 * p * L });

/** Indices where two f32 arrays differ in their bits (NaN included). */
function bitDiffs(a: Float32Array, b: Float32Array): number[] {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  const bad: number[] = [];
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) bad.push(i);
  return bad;
}

interface Run {
  name: string;
  shape: FusedShape;
  cache?: { qOff: number; rows: number };
}

/** Both kernels' forward and diagnostics of each run in one program; returns failure reports. */
async function compareKernels(runs: Run[], seed: number): Promise<string[]> {
  const ctx = await gpu();
  const p = new Program(ctx);
  const bufs: GPUBuffer[] = [];
  const keep = (b: GPUBuffer) => (bufs.push(b), b);
  const outs: { run: Run; q: Float32Array; k: Float32Array; v: Float32Array; got: GPUBuffer[] }[] = [];
  for (const [r, run] of runs.entries()) {
    const { L, hd } = run.shape;
    const rows = run.cache?.rows ?? L;
    const q = randn(B * H * L * hd, seed + 3 * r),
      k = randn(B * H * rows * hd, seed + 3 * r + 1),
      v = randn(B * H * rows * hd, seed + 3 * r + 2);
    const io = { q: keep(ctx.upload('q', q)), k: keep(ctx.upload('k', k)) };
    const bv = keep(ctx.upload('v', v));
    const got: GPUBuffer[] = [];
    for (const kernel of ['row', 'tile'] as const) {
      const shape = { ...run.shape, kernel };
      const out = keep(ctx.storage(`out ${kernel}`, B * H * L * hd));
      attention_fused_forward(p, { ...shape, ...io, v: bv, out, cache: run.cache });
      got.push(out);
      if (run.cache) continue; // the diagnostics never see a cache
      const diag = keep(ctx.storage(`diag ${kernel}`, B * H * L * 4));
      attention_fused_diagnostics(p, { ...shape, ...io, diag });
      got.push(diag);
    }
    outs.push({ run, q, k, v, got });
  }
  await noGpuErrors(ctx, () => p.run());
  const report: string[] = [];
  for (const { run, q, k, v, got } of outs) {
    const g = await Promise.all(got.map((b) => ctx.read(b)));
    const half = g.length / 2;
    for (let x = 0; x < half; x++) {
      const bad = bitDiffs(g[x], g[x + half]);
      const what = x === 0 ? 'out' : 'diag';
      if (bad.length)
        report.push(
          `${run.name} ${what}: ${bad.length} differ, first [${bad[0]}] ${g[x + half][bad[0]]} vs ${g[x][bad[0]]}`,
        );
    }
    if (run.cache) continue;
    const { L, hd, params, reweightP } = run.shape;
    const pp = reweightP ?? 1;
    const rOut = new Float64Array(B * H * L * hd),
      rDiag = new Float64Array(B * H * L * 4);
    F.attention_fused_forward(rOut, q, k, v, B, H, L, hd, params, reweightP);
    F.attention_fused_diagnostics(rDiag, q, k, B, H, L, hd, params, reweightP);
    for (const [name, a, b, tol] of [
      ['out', g[half], rOut, outTol(pp)],
      ['diag', g[half + 1], rDiag, diagTol(pp, L)],
    ] as const) {
      const c = compare(`${run.name} tiled ${name} vs f64`, a, b, tol);
      if (!c.ok) report.push(c.report);
    }
  }
  p.destroy();
  ctx.destroyAll(bufs);
  return report;
}

/**
 * The (ALiBi, re-weighting, hd) forms a mechanism is checked in: at hd 16 (the widest tile) plain,
 * with ALiBi and re-weighted (where the mechanism has it); at a short 4-channel group (hd 3) plain;
 * softmax and lssa (the query and key norms) also at every other head width, and softmax re-weighted
 * at hd 3. Each form is four pipelines to compile, the test's main cost on SwiftShader, so not the
 * whole grid.
 */
function combos(mechanism: ProbsParams['mechanism']) {
  const hd = FUSED_TILE_MAXHD;
  const out = [
    { alibi: false, reweightP: null as number | null, hd },
    { alibi: true, reweightP: null, hd },
  ];
  if (KERNEL_ROW_NORMALISED.includes(mechanism)) out.push({ alibi: false, reweightP: RW_P, hd });
  const widths = mechanism === 'softmax' || mechanism === 'lssa' ? HDS.filter((h) => h !== hd) : [3];
  out.push(...widths.map((w) => ({ alibi: false, reweightP: null, hd: w })));
  if (mechanism === 'softmax') out.push({ alibi: false, reweightP: RW_P, hd: 3 });
  return out;
}

const expectOk = (report: string[]) => expect(report, report.slice(0, 8).join('\n')).toEqual([]);

describe('tiled fused kernels: the one-row kernels bit for bit', () => {
  for (const [m, mechanism] of NORMALISED_MECHANISMS.entries())
    test(`${mechanism}: window x L ${LS.join(', ')} at the head widths and options that reach each path`, async () => {
      const report: string[] = [];
      for (const { alibi, reweightP, hd } of combos(mechanism)) {
        const runs: Run[] = [];
        for (const L of LS)
          for (const window of WINDOWS) {
            const params: ProbsParams = { mechanism, alibi, trainLength: 16, window };
            const name = `${mechanism} alibi=${alibi} rw=${reweightP} win=${window} L=${L} hd=${hd}`;
            runs.push({ name, shape: { B, H, L, hd, params, reweightP } });
          }
        report.push(...(await compareKernels(runs, 100 * m + hd)));
      }
      expectOk(report);
    });

  test('incremental sampling: query rows at qOff over a key cache (L = 1, 5, 9; window 0, 6)', async () => {
    const report: string[] = [];
    for (const mechanism of ['softmax', 'lssa', 'relu'] as const)
      for (const hd of [3, FUSED_TILE_MAXHD]) {
        const runs: Run[] = [];
        for (const L of [1, 5, 9])
          for (const window of [0, 6]) {
            const params: ProbsParams = { mechanism, alibi: true, trainLength: 16, window };
            const name = `${mechanism} cache L=${L} win=${window} hd=${hd}`;
            runs.push({ name, shape: { B, H, L, hd, params, reweightP: null }, cache: { qOff: 17, rows: 40 } });
          }
        report.push(...(await compareKernels(runs, 7 + hd)));
      }
    expectOk(report);
  });

  test(`the tiled kernels refuse hd > ${FUSED_TILE_MAXHD}`, async () => {
    const ctx = await gpu();
    const p = new Program(ctx);
    const params: ProbsParams = { mechanism: 'softmax', alibi: false, trainLength: 16 };
    const shape = { B, H, L: 4, hd: FUSED_TILE_MAXHD + 1, params, reweightP: null, kernel: 'tile' as const };
    const b = ctx.storage('x', B * H * 4 * (FUSED_TILE_MAXHD + 1));
    expect(() => attention_fused_diagnostics(p, { ...shape, q: b, k: b, diag: b })).toThrow(/hd <= 16/);
    p.destroy();
    ctx.destroyAll([b]);
  });
});
