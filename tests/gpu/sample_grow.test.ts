// The growing context (context 'grow', src/sample/incremental.ts): for every
// mechanism that allows it, the incremental path's logits equal recomputation's
// at every step; greedy steps on both paths equal the argmax of the float64
// reference model on the growing context; seeded draws repeat; a context that
// cannot fit is refused before anything is allocated.
import { describe, expect, test } from 'vitest';
import { MECHANISMS, type Mechanism, type ModelConfig, type Positional } from '../../src/config';
import { GptModel } from '../../src/model/gpt';
import { initParams } from '../../src/model/params';
import { ReferenceGpt } from '../../src/reference/gpt';
import { ContextGraph, continueTokens, grownLength } from '../../src/sample/generate';
import { IncrementalContext } from '../../src/sample/incremental';
import { incrementalSupport } from '../../src/sample/incremental_support';
import { Rng } from '../../src/util/random';
import { gpu, noGpuErrors } from './gpu';
import { tinyConfig } from './model_helpers';
import { LOGIT_TOL, POSITIONAL, referenceStep } from './sample_helpers';

// Multiples of no tile (the fused kernel's 64 rows, the matmuls' tiles): T = 9, a prompt of 10 read whole
// (L = 13), 7 characters (the context grows to 16), 23 ids; head width 6 (not a multiple of 4).
const T = 9,
  L = 13,
  P = 10,
  CHARS = 7,
  V = 23;
const ROWS = grownLength(P, CHARS);

function config(mech: Mechanism, positional: Positional): ModelConfig {
  return tinyConfig({
    vocabSize: V,
    trainLength: T,
    nEmbd: 12,
    nHead: 2,
    layers: [mech, mech],
    positional,
    initStd: 0.08,
    seed: 5,
    reweight: { mode: 'off', p: 15 },
  });
}

// Every mechanism; taylor twice (with RoPE recomputation takes its linear-time form, the cache the streaming
// kernel; with ALiBi both stream), staticembqk twice (its queries and keys rotated after the split, or not at
// all), softmax with re-weighting at evaluation (the fused kernel's three passes).
const CASES: [Mechanism, Positional, ('off' | 'eval')?][] = [
  ...MECHANISMS.map((m): [Mechanism, Positional] => [m, POSITIONAL[m] ?? 'rope']),
  ['taylor', 'alibi'],
  ['staticembqk', 'alibi'],
  ['softmax', 'rope', 'eval'],
];
const STREAM = Uint32Array.from({ length: ROWS }, (_, t) => (t * 5 + 2) % V);
const randomTokens = (n: number, seed: number) => {
  const rng = new Rng(seed);
  return Uint32Array.from({ length: n }, () => rng.int(V));
};

/**
 * Cache against recomputation: the same kernels on the same numbers. At these sizes a one-row matmul takes the
 * graph's plan (one row tile, the same split of K), so the logits are equal bit for bit; taylor with RoPE is the
 * exception, its recomputation taking the linear-time form (sums in another order): absolute, on logits ~1. A
 * larger model whose graph splits its sums differently would differ by rounding only.
 */
const PATH_TOL = 1e-5;
const bitwise = (mech: Mechanism, pos: Positional) => !(mech === 'taylor' && pos === 'rope');

describe('a growing context: the cache equals recomputation, both equal the float64 reference', () => {
  for (const [mech, pos, rw = 'off'] of CASES) {
    test(`${mech} (${pos}${rw === 'eval' ? ', re-weighted' : ''})`, async () => {
      const ctx = await gpu();
      const c = { ...config(mech, pos), reweight: { mode: rw, p: 15 } };
      const model = new GptModel(ctx, c);
      const ref = new ReferenceGpt(c, Float64Array.from(initParams(model.table, c.seed)));
      const stream = mech === 'fixedseqqk' ? STREAM : undefined;
      const cached = incrementalSupport(c).incremental;
      const prompt = randomTokens(P, 31);
      const opts = { chars: CHARS, temperature: 0, topK: 0, seed: 1, streamTokens: stream, context: 'grow' as const };
      const got = await noGpuErrors(ctx, async () => ({
        auto: await continueTokens(model, prompt, L, opts),
        recompute: await continueTokens(model, prompt, L, { ...opts, recompute: true }),
      }));
      expect(got.auto.path).toBe(cached ? 'grow-cache' : 'grow-recompute');
      expect(got.recompute.path).toBe('grow-recompute');
      expect(Array.from(got.auto.tokens)).toEqual(Array.from(got.recompute.tokens));

      const full = new ContextGraph(model, ROWS, stream);
      const inc = cached ? new IncrementalContext(model, ROWS, stream) : null;
      const text = Array.from(prompt);
      let decisive = 0;
      let worst = 0;
      let worstPath = 0;
      for (let s = 0; s < CHARS; s++) {
        const w = Uint32Array.from(text);
        const { row, best, decisive: clear } = referenceStep(ref, c, w, stream);
        const gl = await full.nextLogits(w);
        for (let i = 0; i < V; i++) worst = Math.max(worst, Math.abs(gl[i] - row[i]));
        if (inc) {
          const il = await inc.nextLogits(w);
          for (let i = 0; i < V; i++) worstPath = Math.max(worstPath, Math.abs(il[i] - gl[i]));
        }
        // Both paths chose these tokens (checked equal above).
        if (clear) {
          decisive++;
          expect(got.auto.tokens[s], `step ${s}`).toBe(best);
        }
        text.push(got.auto.tokens[s]);
      }
      full.destroy();
      inc?.destroy();
      console.log(
        `${mech}: ${got.auto.path}, worst |logit - reference| ${worst.toExponential(2)}, ` +
          `|cache - recompute| ${worstPath.toExponential(2)}, ${decisive}/${CHARS} decisive`,
      );
      expect(worst).toBeLessThan(LOGIT_TOL);
      if (bitwise(mech, pos)) expect(worstPath).toBe(0);
      else expect(worstPath).toBeLessThan(PATH_TOL);
      expect(decisive).toBeGreaterThanOrEqual(CHARS - 1);
      model.destroy();
    });
  }
});

describe('a growing context: seeded draws and refusals', () => {
  test('the same seed gives the same text on both paths; another seed other text', async () => {
    const ctx = await gpu();
    const model = new GptModel(ctx, config('softmax', 'rope'));
    const prompt = randomTokens(P, 7);
    const draw = (seed: number, recompute = false) =>
      continueTokens(model, prompt, L, { chars: 20, temperature: 1, topK: 0, seed, context: 'grow', recompute });
    const a = await draw(1);
    const b = await draw(1);
    expect(a.path).toBe('grow-cache');
    expect(Array.from(b.tokens)).toEqual(Array.from(a.tokens));
    expect(Array.from((await draw(1, true)).tokens)).toEqual(Array.from(a.tokens));
    expect(Array.from((await draw(2)).tokens)).not.toEqual(Array.from(a.tokens));
    model.destroy();
  });

  test('a context longer than the fused evaluation can hold is refused in one line, before allocating', async () => {
    const ctx = await gpu();
    const model = new GptModel(ctx, config('softmax', 'rope'));
    ctx.resetPeak();
    const before = ctx.bytesInUse;
    const run = continueTokens(model, randomTokens(P, 3), L, {
      chars: 4_000_000,
      temperature: 0,
      topK: 0,
      seed: 1,
      context: 'grow',
    });
    await expect(run).rejects.toThrow(
      /^a context growing to 4000009 characters \(a 10-character prompt, 4000000 to generate\) does not fit: /,
    );
    await expect(run).rejects.toThrow(/generate at most \d+ characters after this prompt of 10.*sliding context$/);
    await run.catch((e: Error) => expect(e.message).not.toContain('\n'));
    expect(ctx.peakBytes).toBe(before);
    model.destroy();
  });
});
