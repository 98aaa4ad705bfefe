import { describe, expect, test } from 'vitest';
import { ADAMW_HYPER_FLOATS, type AdamWConfig, adamwHyper as packHyper } from '../../src/kernels/adamw';
import { adamw_update, adamwHyper, clipScale, global_norm_squared } from '../../src/reference/adamw';
import { randomF64 } from '../../src/reference/gradcheck';
import { learningRate, type ScheduleConfig } from '../../src/train/schedule';

const CFG: AdamWConfig = { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 };

describe('learning-rate schedule', () => {
  const s: ScheduleConfig = { lr: 3e-3, warmupSteps: 10, steps: 100, minLrRatio: 0.1 };
  test('warm-up is linear from lr/warmup to lr', () => {
    expect(learningRate(0, s)).toBeCloseTo(3e-4, 15);
    expect(learningRate(4, s)).toBeCloseTo(1.5e-3, 15);
    expect(learningRate(9, s)).toBeCloseTo(3e-3, 15);
    for (let i = 1; i < 10; i++) expect(learningRate(i, s)).toBeGreaterThan(learningRate(i - 1, s));
  });
  test('cosine decay from the peak to lr*minLrRatio at the last step, monotone', () => {
    expect(learningRate(10, s)).toBeCloseTo(3e-3, 15);
    expect(learningRate(99, s)).toBeCloseTo(3e-4, 15);
    // Half-way through the decay span the cosine is at its mid-point.
    expect(learningRate(10 + 89 / 2, s)).toBeCloseTo((3e-3 + 3e-4) / 2, 15);
    for (let i = 11; i < 100; i++) expect(learningRate(i, s)).toBeLessThan(learningRate(i - 1, s));
    expect(learningRate(150, s)).toBeCloseTo(3e-4, 15); // past the end: stays at the floor
  });
  test('warmupSteps = 0 starts at the peak', () => {
    const z = { ...s, warmupSteps: 0 };
    expect(learningRate(0, z)).toBe(3e-3);
    expect(learningRate(99, z)).toBeCloseTo(3e-4, 15);
    expect(learningRate(50, z)).toBeLessThan(3e-3);
  });
  test('steps = 1 (and no room to decay) uses the peak', () => {
    expect(learningRate(0, { ...s, warmupSteps: 0, steps: 1 })).toBe(3e-3);
    expect(learningRate(0, { ...s, warmupSteps: 1, steps: 1 })).toBe(3e-3);
    const w = { ...s, warmupSteps: 4, steps: 5 };
    expect(learningRate(0, w)).toBeCloseTo(7.5e-4, 15);
    expect(learningRate(4, w)).toBe(3e-3);
  });
  test('minLrRatio = 1 is constant after warm-up; is pure', () => {
    const c = { ...s, minLrRatio: 1 };
    for (let i = 10; i < 100; i += 7) expect(learningRate(i, c)).toBeCloseTo(3e-3, 15);
    expect(learningRate(37, s)).toBe(learningRate(37, s));
  });
});

describe('reference AdamW', () => {
  test('hyper object and packed uniform agree', () => {
    const h = adamwHyper(3, 0.01, CFG);
    expect(h.bias1).toBeCloseTo(1 - 0.9 ** 3, 15);
    expect(h.bias2).toBeCloseTo(1 - 0.95 ** 3, 15);
    const f = new Float32Array(packHyper(3, 0.01, CFG));
    expect(f.length).toBe(ADAMW_HYPER_FLOATS);
    const want = [h.lr, h.beta1, h.beta2, h.eps, h.weightDecay, h.bias1, h.bias2, h.gradClip];
    want.forEach((w, i) => {
      expect(f[i]).toBe(Math.fround(w));
    });
    expect(() => adamwHyper(0, 0.01, CFG)).toThrow();
    expect(() => packHyper(0, 0.01, CFG)).toThrow();
  });

  test('first step moves each parameter by lr*g/(|g|+eps) (bias-corrected)', () => {
    const n = 6;
    const params = Float64Array.from([1, -2, 3, 0.5, -0.5, 2]);
    const grads = [0.3, -1e-3, 5, -7, 0.01, -0.2];
    const m = new Float64Array(n),
      v = new Float64Array(n);
    const stats = new Float64Array(1);
    const h = adamwHyper(1, 0.01, { ...CFG, weightDecay: 0, gradClip: 0 });
    adamw_update(params, grads, m, v, h, stats, 0, n, 0);
    // mhat = g and vhat = g^2 at t = 1, so the step is lr*sign(g) up to eps.
    const want = [1, -2, 3, 0.5, -0.5, 2].map((p, i) => p - (0.01 * grads[i]) / (Math.abs(grads[i]) + 1e-8));
    for (let i = 0; i < n; i++) expect(params[i]).toBeCloseTo(want[i], 12);
  });

  test('weight decay applies only to [0, nDecay), decoupled from the gradient', () => {
    const n = 5,
      nDecay = 3;
    const p0 = [1, -2, 4, 1, -2];
    const params = Float64Array.from(p0);
    const m = new Float64Array(n),
      v = new Float64Array(n);
    const h = adamwHyper(1, 0.1, { ...CFG, weightDecay: 0.5 });
    // Zero gradients: the Adam term is exactly 0, only decay moves parameters.
    adamw_update(params, new Float64Array(n), m, v, h, new Float64Array(1), 0, n, nDecay);
    for (let i = 0; i < n; i++) expect(params[i]).toBe(i < nDecay ? p0[i] * (1 - 0.05) : p0[i]);
  });

  test('clip scale: off, inactive below the threshold, rescales to the threshold above it', () => {
    expect(clipScale(1e6, 0)).toBe(1);
    expect(clipScale(0.25, 1)).toBe(1);
    expect(clipScale(0, 1)).toBe(1);
    expect(clipScale(16, 1)).toBeCloseTo(0.25, 6);
    // Through the update: after one step m = (1-b1) * s * g, so |m|/(1-b1) = min(|g|, clip).
    for (const clip of [0, 0.5, 100]) {
      const n = 50;
      const g = randomF64(n, 7, 2);
      const stats = new Float64Array(3);
      global_norm_squared(stats, 2, g, n);
      const norm = Math.sqrt(stats[2]);
      expect(stats[0]).toBe(0);
      const m = new Float64Array(n),
        v = new Float64Array(n);
      adamw_update(new Float64Array(n), g, m, v, adamwHyper(1, 0.01, { ...CFG, gradClip: clip }), stats, 2, n, n);
      let sq = 0;
      for (let i = 0; i < n; i++) sq += (m[i] / 0.1) ** 2;
      const want = clip > 0 ? Math.min(norm, clip) : norm;
      expect(Math.sqrt(sq)).toBeCloseTo(want, 5);
    }
  });

  test('converges on an ill-conditioned quadratic', () => {
    // f(x) = 0.5 * sum a_i (x_i - c_i)^2 with curvatures over 4 decades.
    const n = 8;
    const a = Array.from({ length: n }, (_, i) => 10 ** ((4 * i) / (n - 1) - 2));
    const c = randomF64(n, 3);
    const x = randomF64(n, 4, 3);
    const m = new Float64Array(n),
      v = new Float64Array(n);
    const grads = new Float64Array(n);
    const stats = new Float64Array(1);
    const cfg = { ...CFG, weightDecay: 0, gradClip: 1 };
    const sched = { lr: 0.1, warmupSteps: 10, steps: 2000, minLrRatio: 0.001 };
    for (let t = 0; t < sched.steps; t++) {
      for (let i = 0; i < n; i++) grads[i] = a[i] * (x[i] - c[i]);
      global_norm_squared(stats, 0, grads, n);
      adamw_update(x, grads, m, v, adamwHyper(t + 1, learningRate(t, sched), cfg), stats, 0, n, 0);
    }
    for (let i = 0; i < n; i++) expect(Math.abs(x[i] - c[i])).toBeLessThan(1e-3);
  });
});
