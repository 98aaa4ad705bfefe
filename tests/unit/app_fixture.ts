// A valid results document built by hand (no GPU), for the app's Node tests.

import { DEFAULT_MODEL } from '../../src/config';
import { parseResults, RESULTS_SCHEMA, RESULTS_VERSION, type ResultsDoc } from '../../src/eval/results';
import { DEFAULT_RUN, type RunConfig } from '../../src/experiment/run_config';

export function fakeDoc(
  label: string,
  opts: { seed?: number; base?: number; T?: number; factors?: number[] } = {},
): ResultsDoc {
  const T = opts.T ?? 16;
  const base = opts.base ?? 3;
  const factors = opts.factors ?? [1, 2, 4];
  const seed = opts.seed ?? 1;
  const lengths = factors.map((f) => ({
    length: f * T,
    factor: f,
    windows: 4,
    meanLoss: base + 0.1 * Math.log2(f) + seed * 1e-3,
    tailLoss: base + 0.2 * Math.log2(f),
    positions: [base, base + 0.1, base + 0.2, base + 0.3],
    bucketSize: (f * T) / 4,
  }));
  return parseResults({
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    engineVersion: 'test',
    createdAt: '2025-01-01T00:00:00.000Z',
    label,
    adapter: { vendor: 'test', architecture: 'cpu', description: 'fixture' },
    model: {
      ...DEFAULT_MODEL,
      vocabSize: 40,
      nLayer: 2,
      nHead: 2,
      nEmbd: 32,
      layers: ['softmax', 'softmax'],
      trainLength: T,
      seed,
    },
    train: { steps: 20, batchSize: 4, seqLen: T, seed },
    evaluation: { factors, windows: 4 },
    data: { name: 'brown', vocabSize: 40, trainTokens: 1000, validationTokens: 100 },
    seed,
    trainingCurve: [
      { step: 10, loss: base + 1, lr: 1e-3, tokensPerSecond: 100 },
      { step: 20, loss: base + 0.5, valLoss: lengths[0].meanLoss, lr: 1e-4, tokensPerSecond: 100 },
    ],
    lossVsLength: [{ label: 'as trained', reweightP: null, hybridskip: false, lengths }],
    diagnostics: [0, 1].flatMap((layer) =>
      [0, 1].map((head) => ({
        length: T,
        layer,
        head,
        entropy: 1 + head,
        sinkMass: 0.1,
        localFocus: 0.5,
        meanDistance: 3,
      })),
    ),
    passkey: null,
    baselines: { uniform: Math.log(40), unigram: 3.2 },
    timings: { trainSeconds: 1, evalSeconds: 1, trainTokensPerSecond: 100, evalTokensPerSecond: 100 },
  });
}

/** A run on the user's text with `doc`'s seed and model shape (what its weights block needs). */
export function textRun(doc: ResultsDoc): RunConfig {
  const run = structuredClone(DEFAULT_RUN);
  run.data.source = 'text';
  run.seed = doc.seed;
  run.model.nLayer = doc.model.nLayer;
  run.model.nHead = doc.model.nHead;
  run.model.nEmbd = doc.model.nEmbd;
  return run;
}

/** Values whose bits a lossy encoding would change: -0, subnormals, NaN payloads, extremes. */
export function awkwardParams(n: number): Float32Array {
  const p = new Float32Array(n);
  for (let i = 0; i < n; i++) p[i] = Math.sin(i * 12.9898) * 43758.5453;
  const bits = new Uint32Array(p.buffer);
  bits[0] = 0x80000000; // -0
  bits[1] = 0x00000001; // smallest subnormal
  bits[2] = 0x7fc12345; // NaN with a payload
  bits[3] = 0x7f7fffff; // largest finite
  return p;
}
