// The length-extrapolation evaluator: against the float64 reference model, the
// fused path against the training path, fixed windows, linear memory.
import { describe, expect, test } from 'vitest';
import { DEFAULT_MODEL, type Mechanism, type ModelConfig } from '../../src/config';
import { evalWindows, windowAt } from '../../src/data/batch';
import { type Corpus, corpusFromDocuments } from '../../src/data/corpus';
import { TASK_TOKENIZER } from '../../src/data/synthetic';
import { DEFAULT_EVAL, type EvalConfig, evaluateLengths } from '../../src/eval/lengths';
import { attentionMap } from '../../src/eval/map';
import { passkeyAccuracy } from '../../src/eval/passkey';
import { evaluateRun } from '../../src/eval/run';
import { GptModel, Graph, type GraphOptions } from '../../src/model/gpt';
import { initParams } from '../../src/model/params';
import { ReferenceGpt } from '../../src/reference/gpt';
import { Rng } from '../../src/util/random';
import { gpu } from './gpu';

const T = 16;

/** A small corpus of pseudo-text: documents long enough for 16T windows. */
function tinyCorpus(): Corpus {
  const rng = new Rng(77);
  const words = ['the', 'cat', 'sat', 'on', 'a', 'mat', 'and', 'dog', 'ran', 'far', 'away', 'then', 'it', 'slept'];
  const doc = (n: number) => {
    let s = '';
    while (s.length < n) s += words[rng.int(words.length)] + (rng.next() < 0.1 ? '. ' : ' ');
    return s.slice(0, n);
  };
  return corpusFromDocuments('tiny', [doc(4000), doc(4000)], [doc(700), doc(400), doc(300), doc(300)]);
}

function config(
  corpus: Corpus,
  layers: Mechanism[] = ['softmax', 'softmax'],
  over: Partial<ModelConfig> = {},
): ModelConfig {
  return {
    ...DEFAULT_MODEL,
    vocabSize: corpus.tokenizer.size,
    nLayer: layers.length,
    nEmbd: 32,
    nHead: 2,
    layers,
    trainLength: T,
    seed: 13,
    ...over,
  };
}

const EVAL: EvalConfig = { ...DEFAULT_EVAL, factors: [1, 2, 4], windows: 5, seed: 3, buckets: 8, diagnostics: true };

describe('evaluateLengths', () => {
  test('matches the float64 reference at 1x, 2x and 4x (mean, tail, per-position)', async () => {
    const ctx = await gpu();
    const corpus = tinyCorpus();
    const c = config(corpus);
    const model = new GptModel(ctx, c);
    const res = await evaluateLengths(model, corpus, T, EVAL);
    const ref = new ReferenceGpt(c, Float64Array.from(initParams(model.table, c.seed)));
    const starts = evalWindows(corpus.validation, EVAL.windows, 4 * T, EVAL.seed);
    expect(starts.length).toBe(5);
    for (const r of res.lengths) {
      const L = r.length;
      const pos = new Float64Array(L);
      for (const w of starts) {
        const win = windowAt(corpus.validation, w, L);
        const { losses } = ref.lossAndGrads(win.input, win.target, 1, L);
        losses.forEach((x, t) => {
          pos[t] += x / starts.length;
        });
      }
      const mean = pos.reduce((a, b) => a + b, 0) / L;
      const tail = pos.slice(L - T).reduce((a, b) => a + b, 0) / T;
      // f32 forward of a 2-layer model against f64: losses agree to ~1e-6 relative.
      expect(Math.abs(r.meanLoss - mean) / mean).toBeLessThan(1e-5);
      expect(Math.abs(r.tailLoss - tail) / tail).toBeLessThan(1e-5);
      const bucket0 = pos.slice(0, r.bucketSize).reduce((a, b) => a + b, 0) / r.bucketSize;
      expect(Math.abs(r.positions[0] - bucket0) / bucket0).toBeLessThan(1e-5);
      expect(r.positions.length).toBe(Math.ceil(L / r.bucketSize));
    }
    // Diagnostics: one entry per (length, layer, head); rows of softmax sum to 1 so sink + rest <= 1.
    expect(res.diagnostics).toHaveLength(3 * 2 * 2);
    for (const d of res.diagnostics) {
      expect(d.sinkMass).toBeGreaterThan(0);
      expect(d.sinkMass).toBeLessThanOrEqual(1 + 1e-5);
      expect(d.localFocus).toBeLessThanOrEqual(1 + 1e-5);
      expect(d.entropy).toBeLessThanOrEqual(Math.log(d.length) + 1e-4);
    }
    model.destroy();
  });

  test('diagnostics are a program of their own, one dispatch per attention layer the graph runs', async () => {
    const ctx = await gpu();
    const corpus = tinyCorpus();
    const model = new GptModel(ctx, config(corpus, ['softmax', 'mlp', 'lssa']));
    const labels = (p: { dispatches: { label: string }[] } | null) => (p?.dispatches ?? []).map((d) => d.label);
    const isDiag = (l: string) => l.startsWith('attention_fused_diagnostics');
    const build = (o: Partial<GraphOptions>) => new Graph(model, 2, 2 * T, { training: false, fused: true, ...o });
    const g = build({ diagnostics: true });
    // evaluateLengths runs it for the first chunk only, the one whose statistics it reads.
    expect(labels(g.forward).filter(isDiag)).toEqual([]);
    expect(labels(g.diagnostics)).toEqual([
      'attention_fused_diagnostics_tiled:softmax',
      'attention_fused_diagnostics_tiled:lssa',
    ]);
    g.destroy();
    const skip = build({ diagnostics: true, skipNonSoftmax: true });
    expect(labels(skip.diagnostics)).toEqual(['attention_fused_diagnostics_tiled:softmax']);
    skip.destroy();
    const none = build({ diagnostics: false });
    expect(none.diagnostics).toBeNull();
    none.destroy();
    model.destroy();
  });

  test('at length T the fused evaluation equals the trainer-path validation loss, for every mechanism', async () => {
    const ctx = await gpu();
    const corpus = tinyCorpus();
    for (const mech of [
      'softmax',
      'lssa',
      'lssar',
      'taylor',
      'sigmoid',
      'relu',
      'nonapprox',
      'mlp',
      'rndembqk',
      'staticembqk',
    ] as Mechanism[]) {
      const positional = mech === 'mlp' || mech === 'nonapprox' ? 'nope' : 'rope';
      const model = new GptModel(ctx, config(corpus, [mech, 'softmax'], { positional }));
      const fused = await evaluateLengths(model, corpus, T, { ...EVAL, factors: [1], diagnostics: false });
      const unfused = (
        await evaluateLengths(model, corpus, T, { ...EVAL, factors: [1], diagnostics: false }, { fused: false })
      ).lengths[0].meanLoss;
      // Same inputs, different kernels (streaming vs materialised A): f32 reduction-order differences only.
      expect(Math.abs(fused.lengths[0].meanLoss - unfused) / unfused, mech).toBeLessThan(1e-5);
      expect(fused.lengths[0].meanLoss, mech).not.toBe(0);
      model.destroy();
    }
  });

  test('two runs with the same data config read the same windows; another seed reads others', () => {
    const corpus = tinyCorpus();
    const a = evalWindows(corpus.validation, 5, 4 * T, 3);
    const b = evalWindows(tinyCorpus().validation, 5, 4 * T, 3);
    const c = evalWindows(corpus.validation, 5, 4 * T, 4);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  test('evaluator memory grows linearly with length', async () => {
    const ctx = await gpu();
    const corpus = tinyCorpus();
    const model = new GptModel(ctx, config(corpus));
    const res = await evaluateLengths(model, corpus, T, {
      ...EVAL,
      factors: [1, 4, 16],
      windows: 2,
      diagnostics: true,
    });
    const [p1, p4, p16] = res.peakBytes.map((p) => p.bytes);
    // Linear: (p16 - p4) / (p4 - p1) = (16 - 4) / (4 - 1) = 4; an L x L buffer would give ~16.
    const growth = (p16 - p4) / (p4 - p1);
    expect(growth).toBeGreaterThan(3);
    expect(growth).toBeLessThan(5);
    model.destroy();
  });

  test('re-weighting and hybridskip change the evaluation without retraining', async () => {
    const ctx = await gpu();
    const corpus = tinyCorpus();
    const model = new GptModel(ctx, config(corpus, ['lssa', 'softmax']));
    const base = await evaluateLengths(model, corpus, T, { ...EVAL, factors: [2], diagnostics: false });
    const rw = await evaluateLengths(
      model,
      corpus,
      T,
      { ...EVAL, factors: [2], diagnostics: false },
      { reweightP: 15 },
    );
    const skip = await evaluateLengths(
      model,
      corpus,
      T,
      { ...EVAL, factors: [2], diagnostics: false },
      { hybridskip: true },
    );
    expect(Math.abs(rw.lengths[0].meanLoss - base.lengths[0].meanLoss)).toBeGreaterThan(1e-6);
    expect(Math.abs(skip.lengths[0].meanLoss - base.lengths[0].meanLoss)).toBeGreaterThan(1e-6);
    model.destroy();
  });

  test('attention map and passkey accuracy are computed and bounded', async () => {
    const ctx = await gpu();
    const corpus = tinyCorpus();
    const model = new GptModel(ctx, config(corpus));
    const map = await attentionMap(model, corpus, {
      length: 4 * T,
      layer: 1,
      head: 1,
      R: 8,
      seed: 3,
      windows: 5,
      maxLength: 4 * T,
    });
    expect(map.cells).toHaveLength(64);
    // Above the diagonal blocks are zero; each row bucket's mass sums to ~R/... : rows sum to 1 so the map's total is
    // L/(cell area) * ... > 0.
    expect(map.cells[0 * 8 + 7]).toBe(0);
    expect(map.cells[7 * 8 + 0]).toBeGreaterThan(0);
    const taskModel = new GptModel(ctx, { ...config(corpus), vocabSize: TASK_TOKENIZER.size });
    const pk = await passkeyAccuracy(taskModel, [32, 64], 4, 1);
    expect(pk.map((p) => p.length)).toEqual([32, 64]);
    for (const p of pk) expect(p.accuracy).toBeGreaterThanOrEqual(0);
    model.destroy();
    taskModel.destroy();
  });
});

describe('windowed evaluation and window placement', () => {
  test('one layer, windowed: each position scores as the last position of its T-token window in float64', async () => {
    // With one layer a windowed query reads exactly the T tokens ending at it, so its loss is the
    // reference model's loss at the last position of that sub-window (RoPE is relative; lssa's
    // scale counts the keys seen). Deeper models widen the receptive field layer by layer.
    const ctx = await gpu();
    const corpus = tinyCorpus();
    for (const mech of ['lssa', 'softmax'] as const) {
      const c = config(corpus, [mech]);
      const model = new GptModel(ctx, c);
      const cfg: EvalConfig = { ...EVAL, factors: [2], windows: 1, diagnostics: false, buckets: 4 };
      const res = await evaluateLengths(model, corpus, T, cfg, { window: T });
      const ref = new ReferenceGpt(c, Float64Array.from(initParams(model.table, c.seed)));
      const L = 2 * T;
      const pos = new Float64Array(L);
      for (const w of evalWindows(corpus.validation, 1, L, cfg.seed)) {
        const win = windowAt(corpus.validation, w, L);
        for (let t = 0; t < L; t++) {
          const a = Math.max(0, t + 1 - T);
          const { losses } = ref.lossAndGrads(win.input.slice(a, t + 1), win.target.slice(a, t + 1), 1, t + 1 - a);
          pos[t] += losses[t - a];
        }
      }
      const mean = pos.reduce((x, y) => x + y, 0) / L;
      // f32 forward against f64, as above.
      expect(Math.abs(res.lengths[0].meanLoss - mean) / mean, mech).toBeLessThan(1e-5);
      const full = await evaluateLengths(model, corpus, T, cfg);
      expect(Math.abs(full.lengths[0].meanLoss - mean), `${mech}: the window changed the loss`).toBeGreaterThan(1e-4);
      model.destroy();
    }
  });

  test('results carry full, windowed and their difference; zero at 1x; standard errors over windows', async () => {
    const ctx = await gpu();
    const corpus = tinyCorpus();
    const model = new GptModel(ctx, config(corpus, ['lssa', 'softmax']));
    const cfg: EvalConfig = { ...EVAL, factors: [1, 4], windowed: true, diagnostics: false };
    const run = await evaluateRun(model, corpus, T, cfg);
    const win = run.lossVsLength.find((v) => v.window === T)!;
    expect(win.label).toBe(`windowed (last ${T} keys)`);
    const [at1, at4] = win.lengths;
    // At L = T every query sees at most T keys: the same kernels compute the same bits.
    expect(at1.fullMinusWindowed).toBe(0);
    expect(at4.fullLoss).toBe(run.lossVsLength[0].lengths[1].meanLoss);
    expect(at4.fullMinusWindowed).toBeCloseTo(at4.fullLoss! - at4.meanLoss, 12);
    expect(Math.abs(at4.fullMinusWindowed!)).toBeGreaterThan(1e-4);
    // Standard errors: sd of the 5 window means / sqrt 5, beside every mean.
    const own = run.lossVsLength[0].lengths[1];
    expect(own.meanLossSe).toBeGreaterThan(0);
    expect(own.positionsSe?.length).toBe(own.positions.length);
    expect(own.meanLossSe!).toBeLessThan(own.meanLoss);
    model.destroy();
  });

  test('shifted placement: the longest length reads the same windows, shorter ones move within them', async () => {
    const ctx = await gpu();
    const corpus = tinyCorpus();
    const model = new GptModel(ctx, config(corpus));
    const cfg: EvalConfig = { ...EVAL, factors: [1, 4], diagnostics: false };
    const fixed = await evaluateLengths(model, corpus, T, cfg);
    const shifted = await evaluateLengths(model, corpus, T, { ...cfg, placement: 'shifted' });
    expect(shifted.lengths[1].meanLoss).toBe(fixed.lengths[1].meanLoss); // offset range 0 at the longest L
    expect(shifted.lengths[0].meanLoss).not.toBe(fixed.lengths[0].meanLoss);
    const again = await evaluateLengths(model, corpus, T, { ...cfg, placement: 'shifted' });
    expect(again.lengths[0].meanLoss).toBe(shifted.lengths[0].meanLoss); // drawn from the seed
    model.destroy();
  });
});
