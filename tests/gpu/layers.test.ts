// Every non-attention layer kernel against its float64 reference, in headless Chromium.
import { describe, expect, test } from 'vitest';
import type { GpuContext } from '../../src/gpu/context';
import { grid1d, Program } from '../../src/gpu/program';
import * as k_ce from '../../src/kernels/crossentropy';
import * as k_enc from '../../src/kernels/encoder';
import * as k_gelu from '../../src/kernels/gelu';
import * as k_res from '../../src/kernels/residual';
import * as k_rms from '../../src/kernels/rmsnorm';
import * as k_silu from '../../src/kernels/silu';
import * as r_ce from '../../src/reference/crossentropy';
import * as r_enc from '../../src/reference/encoder';
import * as r_gelu from '../../src/reference/gelu';
import * as r_res from '../../src/reference/residual';
import * as r_rms from '../../src/reference/rmsnorm';
import * as r_silu from '../../src/reference/silu';
import { assertClose } from '../../src/util/compare';
import { Rng, randn } from '../../src/util/random';
import { gpu, noGpuErrors } from './gpu';

const IGNORE = 0xffffffff;

/** Runs `build` as one program, fails on validation errors, frees its uniforms/scratch. */
async function run(ctx: GpuContext, build: (p: Program) => void): Promise<void> {
  const p = new Program(ctx);
  build(p);
  await noGpuErrors(ctx, () => p.run());
  await ctx.device.queue.onSubmittedWorkDone();
  p.destroy();
}

function tokensU32(n: number, V: number, seed: number, ignoreEvery = 0): Uint32Array {
  const rng = new Rng(seed);
  const t = new Uint32Array(n);
  for (let i = 0; i < n; i++) t[i] = ignoreEvery && i % ignoreEvery === ignoreEvery - 1 ? IGNORE : rng.int(V);
  return t;
}

/** Random values plus the extremes an activation must survive without NaN. */
function activationInputs(n: number, seed: number): Float32Array {
  const x = randn(n, seed, 2);
  const special = [0, 10, -10, 20, -20, 100, -100, 1e4, -1e4, 0.5, -0.5];
  for (let i = 0; i < Math.min(n, special.length); i++) x[i] = special[i];
  return x;
}

// Element counts straddle the 256-wide workgroup (1, 255, 257, 1000).
const ELEMENT_SIZES = [1, 7, 255, 257, 1000];

describe('rmsnorm kernels', () => {
  // C straddles the 256 lanes of a row and the 32 columns of the dweight kernel.
  const shapes: [number, number][] = [
    [1, 5],
    [7, 33],
    [67, 64],
    [5, 96],
    [3, 700],
  ];
  for (const [N, C] of shapes) {
    for (const accumulate of [false, true]) {
      test(`forward and backward N=${N} C=${C} accumulate=${accumulate}`, async () => {
        const ctx = await gpu();
        const inp = randn(N * C, 1, 1.5);
        const w = randn(C, 2, 0.5);
        const dout = randn(N * C, 3);
        const dinp0 = randn(N * C, 4); // written or added to, depending on the flag
        const dw0 = randn(C, 5); // parameter gradients accumulate
        const b = {
          inp: ctx.upload('inp', inp),
          w: ctx.upload('w', w),
          dout: ctx.upload('dout', dout),
          out: ctx.storage('out', N * C),
          rstd: ctx.storage('rstd', N),
          dinp: ctx.upload('dinp', dinp0),
          dw: ctx.upload('dw', dw0),
        };
        await run(ctx, (p) => {
          k_rms.rmsnorm_forward(p, b.out, b.rstd, b.inp, b.w, N, C);
          const { dinp, dw: dweight, dout, inp, w: weight, rstd } = b;
          k_rms.rmsnorm_backward(p, { dinp, dweight, dout, inp, weight, rstd, N, C, accumulate });
        });
        const out = new Float64Array(N * C);
        const rstd = new Float64Array(N);
        r_rms.rmsnorm_forward(out, rstd, inp, w, N, C);
        const dinp = Float64Array.from(dinp0);
        const dw = Float64Array.from(dw0);
        r_rms.rmsnorm_backward(dinp, dw, dout, inp, w, rstd, N, C, accumulate);
        // f32 sum of C squares then a few products: a few ulp of O(1) values.
        assertClose('out', await ctx.read(b.out), out, { rtol: 1e-5, atol: 1e-6 });
        assertClose('rstd', await ctx.read(b.rstd), rstd, { rtol: 1e-5, atol: 1e-6 });
        // g - xhat * mean(g xhat) cancels; the row dot is an f32 sum of C terms.
        assertClose('dinp', await ctx.read(b.dinp), dinp, { rtol: 1e-4, atol: 1e-5 });
        // f32 sum over N rows of O(1) terms, on top of an O(1) initial value.
        assertClose('dweight', await ctx.read(b.dw), dw, { rtol: 1e-4, atol: 1e-5 * Math.sqrt(N + 1) });
        ctx.destroyAll(Object.values(b));
      });
    }
  }

  test('more rows than 65535 workgroups: the row grid spreads over x and y', async () => {
    const ctx = await gpu();
    const N = 66000,
      C = 2;
    const inp = randn(N * C, 6);
    const w = randn(C, 7);
    const b = {
      inp: ctx.upload('inp', inp),
      w: ctx.upload('w', w),
      out: ctx.storage('out', N * C),
      rstd: ctx.storage('rstd', N),
    };
    expect(grid1d(N)[1]).toBeGreaterThan(1);
    await run(ctx, (p) => k_rms.rmsnorm_forward(p, b.out, b.rstd, b.inp, b.w, N, C));
    const out = new Float64Array(N * C);
    r_rms.rmsnorm_forward(out, new Float64Array(N), inp, w, N, C);
    // Same per-row arithmetic as above; this test is about every row being written.
    assertClose('out', await ctx.read(b.out), out, { rtol: 1e-5, atol: 1e-6 });
    ctx.destroyAll(Object.values(b));
  });
});

describe('element-wise kernels', () => {
  // Transcendentals (tanh, exp) are accurate to a few ulp; derivatives compound two or three of them.
  const ACT = { rtol: 1e-5, atol: 2e-6 };
  for (const n of ELEMENT_SIZES) {
    test(`gelu n=${n}`, async () => {
      const ctx = await gpu();
      const x = activationInputs(n, 10);
      const dout = randn(n, 11);
      const b = {
        x: ctx.upload('x', x),
        dout: ctx.upload('dout', dout),
        out: ctx.storage('out', n),
        dinp: ctx.upload('dinp', randn(n, 12)),
      };
      await run(ctx, (p) => {
        k_gelu.gelu_forward(p, b.out, b.x, n);
        k_gelu.gelu_backward(p, b.dinp, b.x, b.dout, n);
      });
      const out = new Float64Array(n);
      const dinp = new Float64Array(n);
      r_gelu.gelu_forward(out, x, n);
      r_gelu.gelu_backward(dinp, x, dout, n);
      assertClose('gelu out', await ctx.read(b.out), out, ACT);
      assertClose('gelu dinp', await ctx.read(b.dinp), dinp, ACT);
      ctx.destroyAll(Object.values(b));
    });

    test(`silu and swiglu n=${n}`, async () => {
      const ctx = await gpu();
      const x = activationInputs(n, 13);
      const up = randn(n, 14);
      const dout = randn(n, 15);
      const b = {
        x: ctx.upload('x', x),
        up: ctx.upload('up', up),
        dout: ctx.upload('dout', dout),
        out: ctx.storage('out', n),
        dinp: ctx.upload('dinp', randn(n, 16)),
        sw: ctx.storage('sw', n),
        dgate: ctx.upload('dgate', randn(n, 17)),
        dup: ctx.upload('dup', randn(n, 18)),
      };
      await run(ctx, (p) => {
        k_silu.silu_forward(p, b.out, b.x, n);
        k_silu.silu_backward(p, b.dinp, b.x, b.dout, n);
        k_silu.swiglu_forward(p, b.sw, b.x, b.up, n);
        k_silu.swiglu_backward(p, b.dgate, b.dup, b.x, b.up, b.dout, n);
      });
      const out = new Float64Array(n),
        dinp = new Float64Array(n),
        sw = new Float64Array(n);
      const dgate = new Float64Array(n),
        dup = new Float64Array(n);
      r_silu.silu_forward(out, x, n);
      r_silu.silu_backward(dinp, x, dout, n);
      r_silu.swiglu_forward(sw, x, up, n);
      r_silu.swiglu_backward(dgate, dup, x, up, dout, n);
      assertClose('silu out', await ctx.read(b.out), out, ACT);
      assertClose('silu dinp', await ctx.read(b.dinp), dinp, ACT);
      assertClose('swiglu out', await ctx.read(b.sw), sw, ACT);
      assertClose('swiglu dgate', await ctx.read(b.dgate), dgate, ACT);
      assertClose('swiglu dup', await ctx.read(b.dup), dup, ACT);
      ctx.destroyAll(Object.values(b));
    });

    test(`residual_forward and add_inplace n=${n}`, async () => {
      const ctx = await gpu();
      const a = randn(n, 19),
        c = randn(n, 20),
        dst0 = randn(n, 21);
      const b = {
        a: ctx.upload('a', a),
        c: ctx.upload('c', c),
        out: ctx.storage('out', n),
        dst: ctx.upload('dst', dst0),
      };
      await run(ctx, (p) => {
        k_res.residual_forward(p, b.out, b.a, b.c, n);
        k_res.add_inplace(p, b.dst, b.a, n);
      });
      const out = new Float64Array(n);
      r_res.residual_forward(out, a, c, n);
      const dst = Float64Array.from(dst0);
      r_res.add_inplace(dst, a, n);
      // One f32 rounding of the exact sum.
      assertClose('residual out', await ctx.read(b.out), out, { rtol: 1.2e-7, atol: 1e-7 });
      assertClose('add_inplace dst', await ctx.read(b.dst), dst, { rtol: 1.2e-7, atol: 1e-7 });
      ctx.destroyAll(Object.values(b));
    });
  }
});

describe('encoder kernels', () => {
  // N > 256 gives several token tiles; C > 256 gives several column blocks.
  const shapes: [number, number, number][] = [
    [1, 5, 3],
    [7, 33, 70],
    [67, 64, 1000],
    [67, 96, 70],
    [300, 260, 3],
  ];
  for (const [N, C, V] of shapes) {
    test(`forward and backward N=${N} C=${C} V=${V}`, async () => {
      const ctx = await gpu();
      const tokens = tokensU32(N, V, 22);
      const wte = randn(V * C, 23);
      const dout = randn(N * C, 24);
      const dwte0 = randn(V * C, 25); // parameter gradients accumulate
      const b = {
        tokens: ctx.upload('tokens', tokens),
        wte: ctx.upload('wte', wte),
        dout: ctx.upload('dout', dout),
        out: ctx.storage('out', N * C),
        dwte: ctx.upload('dwte', dwte0),
      };
      await run(ctx, (p) => {
        k_enc.encoder_forward(p, b.out, b.tokens, b.wte, N, C);
        k_enc.encoder_backward(p, b.dwte, b.dout, b.tokens, N, C, V);
      });
      const out = new Float64Array(N * C);
      r_enc.encoder_forward(out, tokens, wte, N, C);
      const dwte = Float64Array.from(dwte0);
      r_enc.encoder_backward(dwte, dout, tokens, N, C, V);
      // A gather is a copy: exact.
      assertClose('out', await ctx.read(b.out), out, { rtol: 0, atol: 0 });
      // Sequential f32 sum of the ~N/V unit-scale rows of one token: error grows ~ (N/V) ulp.
      assertClose('dwte', await ctx.read(b.dwte), dwte, { rtol: 1e-5, atol: 1e-6 * (1 + N / V) });
      ctx.destroyAll(Object.values(b));
    });
  }

  test('backward is bitwise reproducible', async () => {
    const ctx = await gpu();
    const N = 300,
      C = 40,
      V = 7;
    const tokens = ctx.upload('tokens', tokensU32(N, V, 26));
    const dout = ctx.upload('dout', randn(N * C, 27));
    const d1 = ctx.storage('d1', V * C);
    const d2 = ctx.storage('d2', V * C);
    await run(ctx, (p) => {
      k_enc.encoder_backward(p, d1, dout, tokens, N, C, V);
      k_enc.encoder_backward(p, d2, dout, tokens, N, C, V);
    });
    const [a, c] = [await ctx.read(d1), await ctx.read(d2)];
    expect(Array.from(new Uint32Array(a.buffer))).toEqual(Array.from(new Uint32Array(c.buffer)));
    ctx.destroyAll([tokens, dout, d1, d2]);
  });
});

/** Logits with row offsets (one row near f32 exp overflow) to exercise the row-max shift. */
function logitsFor(N: number, V: number, seed: number): Float32Array {
  const l = randn(N * V, seed, 2);
  for (let n = 0; n < N; n++) {
    const shift = n % 3 === 1 ? 90 : n % 3 === 2 ? -40 : 0; // exp(90) overflows f32
    for (let v = 0; v < V; v++) l[n * V + v] += shift;
  }
  return l;
}

describe('crossentropy kernels', () => {
  // V straddles the 256 lanes of a row; 50000 is GPT-2's vocabulary size.
  const shapes: [number, number][] = [
    [1, 3],
    [7, 70],
    [67, 1000],
    [5, 3],
    [4, 3000],
    [2, 50000],
  ];
  for (const [N, V] of shapes) {
    test(`crossentropy_forward, fused_classifier and loss_mean N=${N} V=${V}`, async () => {
      const ctx = await gpu();
      const logits = logitsFor(N, V, 30);
      const targets = tokensU32(N, V, 31, N > 1 ? 3 : 0); // every third position ignored
      const count = targets.filter((t) => t !== IGNORE).length;
      const scale = 1 / Math.max(1, count);
      const b = {
        logits: ctx.upload('logits', logits),
        targets: ctx.upload('targets', targets),
        lossesA: ctx.upload('lossesA', randn(N, 32)),
        lossesB: ctx.upload('lossesB', randn(N, 33)),
        dlogits: ctx.upload('dlogits', randn(N * V, 34)), // written, including zero rows
        stats: ctx.upload('stats', new Float32Array([5, 6, 7, 8])),
      };
      await run(ctx, (p) => {
        k_ce.crossentropy_forward(p, b.lossesA, b.logits, b.targets, N, V);
        k_ce.fused_classifier(p, b.lossesB, b.dlogits, b.logits, b.targets, N, V, scale);
        k_ce.loss_mean(p, b.stats, 2, b.lossesB, b.targets, N);
      });
      const losses = new Float64Array(N);
      r_ce.crossentropy_forward(losses, logits, targets, N, V);
      const lossesB = new Float64Array(N);
      const dlogits = new Float64Array(N * V);
      r_ce.fused_classifier(lossesB, dlogits, logits, targets, N, V, scale);
      const stats = new Float64Array([5, 6, 7, 8]);
      r_ce.loss_mean(stats, 2, losses, targets, N);
      // log(sum exp) in f32 plus the row max and target logit (|x| up to ~100): a few ulp of 100.
      const LOSS = { rtol: 1e-5, atol: 3e-5 };
      assertClose('losses (forward)', await ctx.read(b.lossesA), losses, LOSS);
      assertClose('losses (fused)', await ctx.read(b.lossesB), lossesB, LOSS);
      // Probabilities from f32 exp and one division, times scale <= 1: ulp-level of values <= 1.
      assertClose('dlogits', await ctx.read(b.dlogits), dlogits, { rtol: 1e-4, atol: 1e-7 });
      // Mean of per-row losses that are each within LOSS.
      assertClose('loss_mean', await ctx.read(b.stats), stats, LOSS);
      ctx.destroyAll(Object.values(b));
    });
  }

  // 1024 positions per partial: sizes straddle one chunk, and 300000 gives 293 partials (> 256 lanes).
  for (const N of [1, 1023, 1025, 5000, 300000]) {
    test(`loss_mean N=${N}`, async () => {
      const ctx = await gpu();
      const losses = randn(N, 40, 1).map((x) => Math.abs(x) + 1);
      const targets = tokensU32(N, 10, 41, 4);
      const b = {
        losses: ctx.upload('losses', losses),
        targets: ctx.upload('targets', targets),
        out: ctx.upload('out', new Float32Array([1, 2])),
      };
      await run(ctx, (p) => k_ce.loss_mean(p, b.out, 1, b.losses, b.targets, N));
      const want = new Float64Array([1, 2]);
      r_ce.loss_mean(want, 1, losses, targets, N);
      // Tree sum in f32 of N values ~2: relative error ~ log2(N) ulp.
      assertClose('loss_mean', await ctx.read(b.out), want, { rtol: 1e-5, atol: 0 });
      ctx.destroyAll(Object.values(b));
    });
  }

  test('loss_mean with every target ignored is 0', async () => {
    const ctx = await gpu();
    const N = 2000;
    const b = {
      losses: ctx.upload('losses', randn(N, 42)),
      targets: ctx.upload('targets', new Uint32Array(N).fill(IGNORE)),
      out: ctx.upload('out', new Float32Array([9])),
    };
    await run(ctx, (p) => k_ce.loss_mean(p, b.out, 0, b.losses, b.targets, N));
    expect(Array.from(await ctx.read(b.out))).toEqual([0]);
    ctx.destroyAll(Object.values(b));
  });

  test('fused_classifier and loss_mean are bitwise reproducible', async () => {
    const ctx = await gpu();
    const N = 9,
      V = 700;
    const logits = ctx.upload('logits', logitsFor(N, V, 43));
    const targets = ctx.upload('targets', tokensU32(N, V, 44, 4));
    const outs = [0, 1].map((i) => ({
      losses: ctx.storage(`losses${i}`, N),
      dlogits: ctx.storage(`dlogits${i}`, N * V),
      mean: ctx.storage(`mean${i}`, 1),
    }));
    await run(ctx, (p) => {
      for (const o of outs) {
        k_ce.fused_classifier(p, o.losses, o.dlogits, logits, targets, N, V, 1 / 7);
        k_ce.loss_mean(p, o.mean, 0, o.losses, targets, N);
      }
    });
    const bits = async (buf: GPUBuffer) => Array.from(new Uint32Array((await ctx.read(buf)).buffer));
    for (const key of ['losses', 'dlogits', 'mean'] as const) {
      expect(await bits(outs[1][key])).toEqual(await bits(outs[0][key]));
    }
    ctx.destroyAll([logits, targets, ...outs.flatMap((o) => Object.values(o))]);
  });
});
