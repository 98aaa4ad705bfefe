// Everything measured after a training run, assembled into the results
// document: loss against length (the model's own setting, then each
// re-weighting p of the sweep and hybridskip, all on the same windows without
// retraining), diagnostics, passkey accuracy and the baselines.

import type { ModelConfig, TrainConfig } from '../config';
import type { CharTokenizer } from '../data/tokenizer';
import type { GptModel } from '../model/gpt';
import type { StepLog } from '../train/trainer';
import { ENGINE_VERSION } from '../version';
import { type EvalConfig, type EvalData, evalLengths, evaluateLengths, type HeadDiagnostics } from './lengths';
import { type PasskeyPoint, passkeyAccuracy } from './passkey';
import { type LossVsLength, RESULTS_SCHEMA, RESULTS_VERSION, type ResultsDoc, resultsSchema } from './results';

export interface RunEvaluation {
  lossVsLength: LossVsLength[];
  diagnostics: HeadDiagnostics[];
  passkey: { trainedOn: 'passkey' | 'text'; points: PasskeyPoint[] } | null;
  seconds: number;
  tokensPerSecond: number;
  peakBytes: { length: number; bytes: number }[];
}

export interface PasskeyOptions {
  trainedOn: 'passkey' | 'text';
  tokenizer: CharTokenizer;
  trials: number;
}

export async function evaluateRun(
  model: GptModel,
  corpus: EvalData,
  T: number,
  cfg: EvalConfig,
  opts: { streamTokens?: Uint32Array; passkey?: PasskeyOptions } = {},
): Promise<RunEvaluation> {
  const t0 = performance.now();
  const own = await evaluateLengths(model, corpus, T, cfg, {}, opts.streamTokens);
  const mode = model.config.reweight.mode;
  const ownP =
    mode === 'off' ? (model.config.layers.includes('lssar') ? model.config.reweight.p : null) : model.config.reweight.p;
  const lossVsLength: LossVsLength[] = [
    { label: 'as trained', reweightP: ownP, hybridskip: false, lengths: own.lengths },
  ];
  let tokens = own.tokens;
  const noDiag = { ...cfg, diagnostics: false };
  for (const p of cfg.reweightSweep) {
    const r = await evaluateLengths(model, corpus, T, noDiag, { reweightP: p }, opts.streamTokens);
    lossVsLength.push({ label: `re-weighting p = ${p}`, reweightP: p, hybridskip: false, lengths: r.lengths });
    tokens += r.tokens;
  }
  if (cfg.reweightSweep.length && mode === 'eval') {
    // Trained without re-weighting, evaluated with it by default: show the plain model too.
    const r = await evaluateLengths(model, corpus, T, noDiag, { reweightP: null }, opts.streamTokens);
    lossVsLength.push({ label: 're-weighting off', reweightP: null, hybridskip: false, lengths: r.lengths });
    tokens += r.tokens;
  }
  if (cfg.windowed) {
    // Each query sees only its last T keys: full minus windowed is the price (> 0) or gain (< 0) of reading past T.
    const r = await evaluateLengths(model, corpus, T, noDiag, { window: T }, opts.streamTokens);
    const lengths = r.lengths.map((l) => {
      const full = own.lengths.find((f) => f.length === l.length)?.meanLoss;
      return full === undefined ? l : { ...l, fullLoss: full, fullMinusWindowed: full - l.meanLoss };
    });
    lossVsLength.push({ label: `windowed (last ${T} keys)`, reweightP: ownP, hybridskip: false, window: T, lengths });
    tokens += r.tokens;
  }
  if (cfg.hybridskip) {
    const r = await evaluateLengths(model, corpus, T, noDiag, { hybridskip: true }, opts.streamTokens);
    lossVsLength.push({ label: 'hybridskip', reweightP: ownP, hybridskip: true, lengths: r.lengths });
    tokens += r.tokens;
  }
  let passkey: RunEvaluation['passkey'] = null;
  if (opts.passkey) {
    const lengths = evalLengths(T, cfg);
    passkey = {
      trainedOn: opts.passkey.trainedOn,
      points: await passkeyAccuracy(model, lengths, opts.passkey.trials, cfg.seed, opts.passkey.tokenizer),
    };
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    lossVsLength,
    diagnostics: own.diagnostics,
    passkey,
    seconds,
    tokensPerSecond: tokens / Math.max(seconds, 1e-9),
    peakBytes: own.peakBytes,
  };
}

export interface ResultsInput {
  label: string;
  adapter: GPUAdapterInfo | { vendor: string; architecture: string; description: string };
  model: ModelConfig;
  train: TrainConfig;
  evaluation: EvalConfig;
  /** The data's name, sizes and unigram baseline (nats/token on its validation text). */
  data: { name: string; vocabSize: number; trainTokens: number; validationTokens: number; unigram: number };
  curve: (StepLog & { valLoss?: number })[];
  trainSeconds: number;
  run: RunEvaluation;
}

/** Assembles and validates the results document. */
export function makeResults(r: ResultsInput): ResultsDoc {
  const last = r.curve[r.curve.length - 1];
  const doc: ResultsDoc = {
    schema: RESULTS_SCHEMA,
    version: RESULTS_VERSION,
    engineVersion: ENGINE_VERSION,
    createdAt: new Date().toISOString(),
    label: r.label,
    adapter: { vendor: r.adapter.vendor, architecture: r.adapter.architecture, description: r.adapter.description },
    model: r.model,
    train: { ...r.train },
    evaluation: { ...r.evaluation },
    data: {
      name: r.data.name,
      vocabSize: r.data.vocabSize,
      trainTokens: r.data.trainTokens,
      validationTokens: r.data.validationTokens,
    },
    seed: r.model.seed,
    trainingCurve: r.curve.map((l) => ({
      step: l.step,
      loss: l.loss,
      valLoss: l.valLoss,
      lr: l.lr,
      tokensPerSecond: l.tokensPerSecond,
    })),
    lossVsLength: r.run.lossVsLength,
    diagnostics: r.run.diagnostics,
    passkey: r.run.passkey,
    baselines: { uniform: Math.log(r.model.vocabSize), unigram: r.data.unigram },
    timings: {
      trainSeconds: r.trainSeconds,
      evalSeconds: r.run.seconds,
      trainTokensPerSecond: last?.tokensPerSecond ?? 0,
      evalTokensPerSecond: r.run.tokensPerSecond,
    },
  };
  return resultsSchema.parse(doc);
}
