// Sampling (src/sample/): greedy continuation against the float64 reference
// model step by step for every mechanism, seeded draws, and a passage's
// per-character losses against the evaluator's per-position losses.
import { describe, expect, test } from 'vitest';
import { MECHANISMS, type Mechanism, type ModelConfig, type Positional } from '../../src/config';
import { evalWindows, windowAt } from '../../src/data/batch';
import { corpusFromDocuments } from '../../src/data/corpus';
import { DEFAULT_EVAL, evaluateLengths } from '../../src/eval/lengths';
import { GptModel } from '../../src/model/gpt';
import { initParams } from '../../src/model/params';
import { reweightFor } from '../../src/model/reweight_rule';
import { ReferenceGpt } from '../../src/reference/gpt';
import { ContextGraph, continueTokens } from '../../src/sample/generate';
import { readPassage, readTextPassage } from '../../src/sample/passage';
import { Rng } from '../../src/util/random';
import { gpu, noGpuErrors } from './gpu';
import { tinyConfig } from './model_helpers';
import { LOGIT_TOL, POSITIONAL, referenceStep } from './sample_helpers';

// Sizes that are multiples of no tile: T = 9, a context of 13, 23 ids.
const T = 9,
  L = 13,
  V = 23,
  STEPS = 6;

function config(mech: Mechanism, positional: Positional, seed = 5): ModelConfig {
  return tinyConfig({
    vocabSize: V,
    trainLength: T,
    layers: [mech, mech],
    positional,
    // Larger than the default so logits are spread and the argmax is decided by more than rounding.
    initStd: 0.08,
    seed,
    reweight: { mode: 'off', p: 15 },
  });
}

// Every mechanism of the engine (new ones join by themselves), each with a positional scheme it takes; taylor
// twice: with RoPE and d_h = 16 evaluation takes its linear-time form, with ALiBi the streaming kernel.
const CASES: [Mechanism, Positional][] = [
  ...MECHANISMS.map((m): [Mechanism, Positional] => [m, POSITIONAL[m] ?? 'rope']),
  ['taylor', 'alibi'],
];
const STREAM = Uint32Array.from({ length: L }, (_, t) => (t * 5 + 2) % V);
const randomTokens = (n: number, seed: number) => {
  const rng = new Rng(seed);
  return Uint32Array.from({ length: n }, () => rng.int(V));
};

describe('greedy sampling equals the float64 reference model, step by step', () => {
  for (const [mech, pos] of CASES) {
    test(`${mech} (${pos})`, async () => {
      const ctx = await gpu();
      const c = config(mech, pos);
      const model = new GptModel(ctx, c);
      const ref = new ReferenceGpt(c, Float64Array.from(initParams(model.table, c.seed)));
      const stream = mech === 'fixedseqqk' ? STREAM : undefined;
      // A prompt shorter than the context: the window fills (padding unread), then slides for the last steps.
      const prompt = randomTokens(L - 3, 31);
      const got = await noGpuErrors(ctx, () =>
        continueTokens(model, prompt, L, { chars: STEPS, temperature: 0, topK: 0, seed: 1, streamTokens: stream }),
      );
      const text = Array.from(prompt);
      let decisive = 0;
      let worst = 0;
      const graph = new ContextGraph(model, L, stream);
      for (let s = 0; s < STEPS; s++) {
        const w = Uint32Array.from(text.slice(-L));
        // The reference reads exactly the window (no padding), at its own length.
        const { row, best, decisive: clear } = referenceStep(ref, c, w, stream);
        const gl = await graph.nextLogits(w);
        for (let i = 0; i < V; i++) worst = Math.max(worst, Math.abs(gl[i] - row[i]));
        if (clear) {
          decisive++;
          expect(got.tokens[s], `step ${s}`).toBe(best);
        }
        text.push(got.tokens[s]);
      }
      graph.destroy();
      console.log(`${mech}: worst |logit - reference| ${worst.toExponential(2)}, ${decisive}/${STEPS} decisive`);
      expect(worst).toBeLessThan(LOGIT_TOL);
      // Not vacuous: most steps have a clear argmax.
      expect(decisive).toBeGreaterThanOrEqual(STEPS - 1);
      model.destroy();
    });
  }
});

describe('seeded sampling', () => {
  test('the same seed gives the same text, other seeds other text, top-k 1 is greedy', async () => {
    const ctx = await gpu();
    const model = new GptModel(ctx, config('softmax', 'rope'));
    const prompt = randomTokens(L, 7);
    const draw = (seed: number, temperature = 1, topK = 0) =>
      continueTokens(model, prompt, L, { chars: 24, temperature, topK, seed });
    const a = await draw(1);
    const b = await draw(1);
    const c = await draw(2);
    expect(Array.from(b.tokens)).toEqual(Array.from(a.tokens));
    expect(Array.from(c.tokens)).not.toEqual(Array.from(a.tokens));
    const greedy = await draw(1, 0);
    expect(Array.from((await draw(3, 1.5, 1)).tokens)).toEqual(Array.from(greedy.tokens));
    model.destroy();
  });
});

/** A document of `n` words drawn from `words` with `seed`. */
const wordDoc = (words: string[], seed: number, n: number) => {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => words[rng.int(words.length)]).join('');
};

describe('a passage read by the model', () => {
  const words = ['the ', 'cat ', 'sat ', 'on ', 'a ', 'mat, ', 'and ', 'then ', 'it ', 'ran. '];
  const doc = (seed: number, n: number) => wordDoc(words, seed, n);
  const corpus = corpusFromDocuments('test', [doc(1, 200)], [doc(2, 60), doc(3, 60)]);
  const Vc = corpus.tokenizer.size;

  for (const mech of ['softmax', 'lssar', 'fixedseqqk'] as const) {
    test(`${mech}: per-character losses are the evaluator's per-position losses; top-5 against float64`, async () => {
      const ctx = await gpu();
      const c = { ...config(mech, 'rope', 9), vocabSize: Vc };
      const model = new GptModel(ctx, c);
      const stream = mech === 'fixedseqqk' ? corpus.validation[0].slice(0, L) : undefined;
      const evalCfg = { ...DEFAULT_EVAL, lengths: [L], windows: 1, buckets: L, diagnostics: false, seed: 4 };
      const ev = await evaluateLengths(model, corpus, T, evalCfg, {}, stream);
      const [w] = evalWindows(corpus.validation, 1, L, evalCfg.seed);
      const { input, target } = windowAt(corpus.validation, w, L);
      const read = await readPassage(model, input, target, { streamTokens: stream });
      // Same graph shape (one window), same kernels: equal to float32 rounding (in practice bit for bit).
      const perPosition = ev.lengths[0].positions;
      expect(perPosition).toHaveLength(L);
      for (let t = 0; t < L; t++) expect(Math.abs(read.losses[t] - perPosition[t]), `position ${t}`).toBeLessThan(1e-6);

      // Top five: descending, and each probability the float64 model's softmax for that id (1e-5: f32 logits).
      const ref = new ReferenceGpt(c, Float64Array.from(initParams(model.table, c.seed)));
      const r = ref.lossAndGrads(input, target, 1, L, undefined, reweightFor(c, false), stream);
      for (let t = 0; t < L; t++) {
        const row = r.logits.subarray(t * Vc, (t + 1) * Vc);
        const m = Math.max(...row);
        const z = row.reduce((a, x) => a + Math.exp(x - m), 0);
        const top = read.top[t];
        expect(top).toHaveLength(5);
        for (let k = 0; k < 5; k++) {
          expect(Math.abs(top[k].p - Math.exp(row[top[k].token] - m) / z)).toBeLessThan(1e-5);
          if (k) expect(top[k].p).toBeLessThanOrEqual(top[k - 1].p);
        }
        expect(Math.abs(read.losses[t] - r.losses[t])).toBeLessThan(1e-5);
      }
      model.destroy();
    });
  }
});

describe('a passage read for the run host (readTextPassage)', () => {
  const words = ['the ', 'dog ', 'ran ', 'to ', 'a ', 'hill; ', 'but ', 'now ', 'we ', 'sat. '];
  const doc = (seed: number, n: number) => wordDoc(words, seed, n);
  const corpus = corpusFromDocuments('test', [doc(1, 200)], [doc(2, 80), doc(3, 80)]);

  test("a 2x T validation passage: its characters, the evaluator's losses at 2x T, top 5 as characters", async () => {
    const ctx = await gpu();
    const c = { ...config('lssar', 'rope', 9), vocabSize: corpus.tokenizer.size };
    const model = new GptModel(ctx, c);
    const Lp = 2 * T;
    const evalCfg = { ...DEFAULT_EVAL, lengths: [Lp], windows: 1, buckets: Lp, diagnostics: false, seed: 4 };
    const ev = await evaluateLengths(model, corpus, T, evalCfg, {});
    const got = await readTextPassage(model, corpus, T, { factor: 2 }, evalCfg.seed);
    const [w] = evalWindows(corpus.validation, 1, Lp, evalCfg.seed);
    const { input, target } = windowAt(corpus.validation, w, Lp);
    expect(got.chars.join('')).toBe(corpus.tokenizer.decode([...input, target[Lp - 1]]));
    expect(got.trainLength).toBe(T);
    expect(got.losses).toHaveLength(Lp);
    // The same window and kernels as the evaluator: equal to float32 rounding.
    for (let t = 0; t < Lp; t++)
      expect(Math.abs(got.losses[t] - ev.lengths[0].positions[t]), `${t}`).toBeLessThan(1e-6);
    let hits = 0;
    for (let t = 0; t < Lp; t++) {
      expect(got.top[t]).toHaveLength(5);
      // The loss is -log p of the true next character; when it is among the top five, they agree (1e-4: f32).
      const hit = got.top[t].find((q) => q.char === got.chars[t + 1]);
      if (hit) expect(Math.abs(-Math.log(hit.p) - got.losses[t])).toBeLessThan(1e-4);
      if (hit) hits++;
    }
    expect(hits).toBeGreaterThan(0);
    // The user's own text: its last 2T + 1 characters.
    const text = `xx${doc(5, 20)}`;
    const own = await readTextPassage(model, corpus, T, { factor: 2, text }, 1);
    expect(own.chars.join('')).toBe(text.slice(-(Lp + 1)));
    model.destroy();
  });
});
