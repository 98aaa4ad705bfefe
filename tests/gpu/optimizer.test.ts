import { describe, expect, test } from 'vitest';
import type { GpuContext } from '../../src/gpu/context';
import { Program } from '../../src/gpu/program';
import {
  ADAMW_HYPER_FLOATS,
  type AdamWConfig,
  adamw_update,
  adamwHyper,
  global_norm_squared,
} from '../../src/kernels/adamw';
import * as ref from '../../src/reference/adamw';
import { learningRate } from '../../src/train/schedule';
import { assertClose } from '../../src/util/compare';
import { randn } from '../../src/util/random';
import { gpu, noGpuErrors } from './gpu';

// Sum of n positive f32 squares: a few dozen roundings of 6e-8 along any path
// of the fixed tree (no cancellation), so 1e-5 relative is generous.
const NORM_TOL = { rtol: 1e-5, atol: 0 };
// Each step is a handful of f32 ops per element (moments, sqrt, two divisions,
// the parameter write) plus hyper-parameters rounded to f32 and an f32 global
// norm in the clip scale: ~1e-6 relative per step (measured: params pass at
// 1e-6/1e-7, so 10x headroom). atol is for values near zero: params of unit
// scale; m cancels b1*m against (1-b1)*g with terms up to ~1.5 (unclipped
// gradients up to ~12), leaving a few ulps of the terms (measured 4.7e-7);
// v is a sum of positives and needs only a floor.
const PARAM_TOL = { rtol: 1e-5, atol: 1e-6 };
const M_TOL = { rtol: 1e-5, atol: 2e-6 };
const V_TOL = { rtol: 1e-5, atol: 1e-9 };

const bits = (a: Float32Array) => new Uint32Array(a.buffer, a.byteOffset, a.length);

async function gpuNorm(ctx: GpuContext, g: Float32Array, statsIndex: number): Promise<Float32Array> {
  const sentinel = Float32Array.from([-1, -2, -3, -4]);
  const bStats = ctx.upload('stats', sentinel);
  const bG = ctx.upload('grads', g);
  const p = new Program(ctx);
  global_norm_squared(p, bStats, statsIndex, bG, g.length);
  await noGpuErrors(ctx, () => p.run());
  const out = await ctx.read(bStats);
  p.destroy();
  ctx.destroyAll([bStats, bG]);
  for (let i = 0; i < 4; i++) if (i !== statsIndex) expect(out[i]).toBe(sentinel[i]); // only its slot
  return out;
}

describe('global_norm_squared', () => {
  // 255/257 straddle one workgroup; 100003 is many partials; 300007 > 1024*256
  // makes each thread loop (grid-stride) and the final stage fold >256 partials.
  for (const n of [1, 255, 257, 100003, 300007]) {
    test(`n=${n}`, async () => {
      const ctx = await gpu();
      const g = randn(n, 10 + n, 0.3);
      const idx = n % 4;
      const got = await gpuNorm(ctx, g, idx);
      const want = new Float64Array(4);
      ref.global_norm_squared(want, idx, g, n);
      assertClose('norm^2', [got[idx]], [want[idx]], NORM_TOL);
    });
  }
  test('n=0 writes 0; and bitwise deterministic', async () => {
    const ctx = await gpu();
    expect((await gpuNorm(ctx, new Float32Array(0), 1))[1]).toBe(0);
    const g = randn(100003, 5);
    const a = await gpuNorm(ctx, g, 0);
    const b = await gpuNorm(ctx, g, 0);
    expect(bits(a)[0]).toBe(bits(b)[0]);
  });
});

interface Case {
  n: number;
  nDecay: number;
  gradClip: number;
}

const BASE: Omit<AdamWConfig, 'gradClip'> = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };
const SCHED = { lr: 1e-2, warmupSteps: 2, steps: 5, minLrRatio: 0.1 };
const STEPS = 4;

/** STEPS steps on the GPU (norm + update recorded once, hyper rewritten per step). */
async function runGpu(ctx: GpuContext, c: Case, p0: Float32Array, grads: Float32Array[]) {
  const cfg = { ...BASE, gradClip: c.gradClip };
  const bP = ctx.upload('params', p0);
  const bG = ctx.storage('grads', c.n);
  const bM = ctx.storage('m', c.n);
  const bV = ctx.storage('v', c.n);
  const bStats = ctx.storage('stats', 4);
  const hyper = ctx.createBuffer(
    'adamw hyper',
    ADAMW_HYPER_FLOATS * 4,
    GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  );
  const q = ctx.device.queue;
  // New storage is zeroed by WebGPU; writing makes the moments' start explicit.
  q.writeBuffer(bM, 0, new Float32Array(c.n));
  q.writeBuffer(bV, 0, new Float32Array(c.n));
  const p = new Program(ctx);
  const norm = global_norm_squared(p, bStats, 3, bG, c.n);
  adamw_update(p, {
    params: bP,
    grads: bG,
    m: bM,
    v: bV,
    hyper,
    norm,
    stats: bStats,
    n: c.n,
    nDecay: c.nDecay,
  });
  await noGpuErrors(ctx, () => {
    for (let t = 0; t < STEPS; t++) {
      q.writeBuffer(bG, 0, grads[t]);
      q.writeBuffer(hyper, 0, adamwHyper(t + 1, learningRate(t, SCHED), cfg));
      p.run();
    }
  });
  const out = {
    params: await ctx.read(bP),
    m: await ctx.read(bM),
    v: await ctx.read(bV),
    norm: (await ctx.read(bStats))[3],
  };
  p.destroy();
  ctx.destroyAll([bP, bG, bM, bV, bStats, hyper]);
  return out;
}

function runRef(c: Case, p0: Float32Array, grads: Float32Array[]) {
  const cfg = { ...BASE, gradClip: c.gradClip };
  const params = Float64Array.from(p0);
  const m = new Float64Array(c.n);
  const v = new Float64Array(c.n);
  const stats = new Float64Array(4);
  const scales: number[] = [];
  for (let t = 0; t < STEPS; t++) {
    ref.global_norm_squared(stats, 3, grads[t], c.n);
    scales.push(ref.clipScale(stats[3], c.gradClip));
    ref.adamw_update(
      params,
      grads[t],
      m,
      v,
      ref.adamwHyper(t + 1, learningRate(t, SCHED), cfg),
      stats,
      3,
      c.n,
      c.nDecay,
    );
  }
  return { params, m, v, norm: stats[3], scales };
}

describe('adamw_update', () => {
  // n straddles the 256-wide workgroup; 300007 > 1024*256 exercises the
  // grid-stride loop. Clip 1 is active for every size (norms of unit normals
  // are >= 1 here, except n = 1 where the clip is set below |g|); 1e6 is
  // inactive; 0 is off. nDecay sits mid-arena, not on a workgroup boundary.
  const cases: Case[] = [
    { n: 1, nDecay: 1, gradClip: 0.1 },
    { n: 1, nDecay: 0, gradClip: 0 },
    { n: 1000, nDecay: 613, gradClip: 1 },
    { n: 1000, nDecay: 613, gradClip: 1e6 },
    { n: 70001, nDecay: 40000, gradClip: 1 },
    { n: 70001, nDecay: 40000, gradClip: 0 },
    { n: 300007, nDecay: 262145, gradClip: 1 },
  ];
  for (const c of cases) {
    test(`n=${c.n} nDecay=${c.nDecay} gradClip=${c.gradClip}`, async () => {
      const ctx = await gpu();
      const p0 = randn(c.n, 1);
      // Gradient scale changes per step so the clip scale differs between steps.
      const grads = Array.from({ length: STEPS }, (_, t) => randn(c.n, 100 + t, 0.5 + t));
      const got = await runGpu(ctx, c, p0, grads);
      const want = runRef(c, p0, grads);
      const active = want.scales.some((s) => s < 1);
      expect(active).toBe(c.gradClip > 0 && c.gradClip < 1e6); // the case tests what it says
      assertClose('norm^2', [got.norm], [want.norm], NORM_TOL);
      assertClose('m', got.m, want.m, M_TOL);
      assertClose('v', got.v, want.v, V_TOL);
      assertClose('params', got.params, want.params, PARAM_TOL);
    });
  }

  test('two runs are bitwise equal', async () => {
    const ctx = await gpu();
    const c = { n: 70001, nDecay: 40000, gradClip: 1 };
    const p0 = randn(c.n, 2);
    const grads = Array.from({ length: STEPS }, (_, t) => randn(c.n, 200 + t));
    const a = await runGpu(ctx, c, p0, grads);
    const b = await runGpu(ctx, c, p0, grads);
    for (const k of ['params', 'm', 'v'] as const) expect(bits(a[k])).toEqual(bits(b[k]));
    expect(Object.is(a.norm, b.norm)).toBe(true);
  });
});
