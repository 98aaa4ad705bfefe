// The non-finite record kept by the optimiser's own passes (issue 17): the
// norm's final stage checks the loss and the gradients, AdamW the parameters
// it writes. It must equal what the separate check it replaced recorded: the
// CPU reference of that check (src/reference/nonfinite.ts, which the old
// two-stage kernels matched exactly) run on the gradients and on the
// parameters the GPU step wrote.
import { describe, expect, test } from 'vitest';
import type { GpuContext } from '../../src/gpu/context';
import { Program } from '../../src/gpu/program';
import { ADAMW_HYPER_FLOATS, adamw_update, adamwHyper, global_norm_squared } from '../../src/kernels/adamw';
import {
  NO_LOSS,
  NONFINITE_A,
  NONFINITE_B,
  NONFINITE_LOSS,
  NONFINITE_STEP_BYTES,
  nonfiniteStep,
  readNonfinite,
} from '../../src/kernels/nonfinite';
import * as ref from '../../src/reference/nonfinite';
import { Rng, randn } from '../../src/util/random';
import { gpu, noGpuErrors } from './gpu';

const REC = 12;
const NORM = 2;
const CFG = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };

interface Step {
  stats: Uint32Array;
  params: Float32Array;
}

/** One optimiser step as the trainer records it: norm (with the record's first half), then AdamW. */
async function gpuStep(
  ctx: GpuContext,
  s0: Uint32Array,
  lossIndex: number,
  grads: Float32Array,
  p0: Float32Array,
  step: number,
  gradClip: number,
): Promise<Step> {
  const n = grads.length;
  const stats = ctx.upload('stats', s0);
  const bG = ctx.upload('grads', grads);
  const bP = ctx.upload('params', p0);
  const bM = ctx.storage('m', Math.max(1, n));
  const bV = ctx.storage('v', Math.max(1, n));
  const hyper = ctx.createBuffer('hyper', ADAMW_HYPER_FLOATS * 4, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  const su = ctx.createBuffer('step', NONFINITE_STEP_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
  ctx.device.queue.writeBuffer(hyper, 0, adamwHyper(step, 1e-2, { ...CFG, gradClip }));
  ctx.device.queue.writeBuffer(su, 0, nonfiniteStep(step));
  const p = new Program(ctx);
  const record = { index: REC, lossIndex, step: su };
  const norm = global_norm_squared(p, stats, NORM, bG, n, record);
  adamw_update(p, { params: bP, grads: bG, m: bM, v: bV, hyper, norm, stats, n, nDecay: n >> 1, record });
  await noGpuErrors(ctx, () => p.run());
  const out = { stats: new Uint32Array((await ctx.read(stats)).buffer), params: await ctx.read(bP) };
  p.destroy();
  ctx.destroyAll([stats, bG, bP, bM, bV, hyper, su]);
  return out;
}

interface Case {
  name: string;
  lossBad?: boolean;
  /** Planted in the gradients / the parameters before the step. */
  g?: [number, number][];
  p?: [number, number][];
  /** Finite gradients whose squares overflow their chunk's partial (a scan that finds nothing). */
  huge?: number[];
  pre?: [number, number, number];
  want: number | null; // `what`, or nothing recorded
}

/** An index in [lo, n) that is not a multiple of the 256-wide workgroup (nor of the 256-element chunk). */
function offGrid(rng: Rng, n: number, lo = 0): number {
  if (n === 1) return 0;
  for (;;) {
    const i = lo + rng.int(n - lo);
    if (i % 256 !== 0) return i;
  }
}

function cases(n: number, rng: Rng): Case[] {
  const late = offGrid(rng, n, n >> 1);
  const early = offGrid(rng, n, 0);
  const [a, b] = [Math.min(late, early), Math.max(late, early)];
  return [
    { name: 'all finite', want: null },
    { name: 'NaN gradient', g: [[b, NaN]], want: NONFINITE_A },
    {
      name: 'infinite gradient, later NaN',
      g: [
        [a, -Infinity],
        [b, NaN],
      ],
      want: NONFINITE_A,
    },
    { name: 'NaN parameter', p: [[b, NaN]], want: NONFINITE_B },
    {
      name: 'infinite parameters',
      p: [
        [b, Infinity],
        [a, -Infinity],
      ],
      want: NONFINITE_B,
    },
    { name: 'gradient outranks an earlier parameter', g: [[b, Infinity]], p: [[a, NaN]], want: NONFINITE_A },
    { name: 'overflowing chunk before a NaN gradient', huge: [a], g: [[b, NaN]], want: NONFINITE_A },
    { name: 'overflowing chunk only', huge: [b], want: null },
    { name: 'loss first', lossBad: true, g: [[a, NaN]], p: [[a, NaN]], want: NONFINITE_LOSS },
    { name: 'sticky over a gradient', pre: [3, 3, 7], g: [[a, NaN]], want: 3 },
    { name: 'sticky over a parameter', pre: [4, 2, 1], p: [[b, NaN]], want: 2 },
  ];
}

describe('the non-finite record kept by the optimiser against the separate check', () => {
  // 255/257 straddle a workgroup and a chunk; 70001 many; 300007 > 1024*256 makes AdamW's threads
  // loop (a thread's later hit) and the norm's chunks wider than 256.
  for (const n of [1, 255, 257, 70001, 300007]) {
    test(`n=${n}: first NaN / infinity of the loss, gradients, parameters; sticky`, async () => {
      const ctx = await gpu();
      const rng = new Rng(n + 5);
      for (const [k, c] of cases(n, rng).entries()) {
        const grads = randn(n, 10 * n + k);
        const p0 = randn(n, 10 * n + k + 1);
        for (const i of c.huge ?? []) grads[i] = 3e38;
        for (const [i, x] of c.g ?? []) grads[i] = x;
        for (const [i, x] of c.p ?? []) p0[i] = x;
        const s0 = new Uint32Array(16);
        new Float32Array(s0.buffer)[1] = c.lossBad ? NaN : 1.25;
        if (c.pre) s0.set(c.pre, REC);
        s0[15] = 0xabcdef; // a slot nothing may touch
        const label = `n=${n} ${c.name}`;
        const got = await gpuStep(ctx, s0, 1, grads, p0, 9, k % 2 ? 1 : 0);
        const want = s0.slice();
        ref.nonfinite_check(want, REC, 1, grads, got.params, n, 9);
        expect(readNonfinite(got.stats, REC), label).toEqual(readNonfinite(want, REC));
        // Everything else but the norm's slot is untouched (the index slot is read only with a step).
        for (let i = 0; i < 16; i++)
          if (i !== NORM && (i < REC || i > REC + 2)) expect(got.stats[i], `${label}: slot ${i}`).toBe(want[i]);
        const rec = readNonfinite(got.stats, REC);
        if (c.pre) expect(rec, label).toEqual({ step: c.pre[0], what: c.pre[1], index: c.pre[2] });
        else expect(rec?.what ?? null, label).toBe(c.want);
        // The case tests what it says: the planted index, not one the update made.
        const planted = c.want === NONFINITE_A ? c.g : c.want === NONFINITE_B ? c.p : undefined;
        if (rec && planted && !c.pre) expect(rec.index, label).toBe(Math.min(...planted.map(([i]) => i)));
      }
    });
  }

  test('NO_LOSS skips the loss slot; a huge finite parameter is not flagged', async () => {
    const ctx = await gpu();
    const s0 = new Uint32Array(16);
    new Float32Array(s0.buffer)[1] = NaN;
    const p0 = Float32Array.from([3.4e38, -3.4e38, 1e-45]);
    const got = await gpuStep(ctx, s0, NO_LOSS, new Float32Array(3), p0, 1, 0);
    expect(readNonfinite(got.stats, REC)).toBeNull();
  });

  test('a later step keeps the first record', async () => {
    const ctx = await gpu();
    const n = 1000;
    const p0 = randn(n, 3);
    p0[517] = NaN;
    const first = await gpuStep(ctx, new Uint32Array(16), 1, randn(n, 4), p0, 5, 0);
    expect(readNonfinite(first.stats, REC)).toEqual({ step: 5, what: NONFINITE_B, index: 517 });
    const g = randn(n, 6);
    g[3] = NaN;
    const second = await gpuStep(ctx, first.stats, 1, g, first.params, 6, 1);
    expect(readNonfinite(second.stats, REC)).toEqual({ step: 5, what: NONFINITE_B, index: 517 });
  });
});
