// What the live evaluation costs training: the default model trained through
// engine.train (the lab's loop: logging, checkpoints, validation at the
// defaults) with live evaluation off and on, back to back and in alternating
// order, a fresh model of the same seed each time. Tokens/s counts training
// tokens over the whole loop's wall time, live evaluations included.

import type { Corpus } from '../src/data/corpus';
import { DEFAULT_EVAL, evaluateLengths } from '../src/eval/lengths';
import { LIVE_WINDOWS, liveFactors } from '../src/eval/live';
import { DEFAULT_TRAIN, type Engine } from '../src/index';

export interface LiveBenchResult {
  steps: number;
  liveEvalEvery: number;
  reps: { off: number; on: number; ratio: number; liveEvals: number }[];
  medianRatio: number;
  /** Seconds of one live evaluation at each of its lengths (a trained-for-a-few-steps model), and of a step. */
  liveCost: { factor: number; length: number; seconds: number }[];
  stepSeconds: number;
}

/** Times the live evaluation one length at a time (the median of three), on the live windows. */
async function liveCost(engine: Engine, corpus: Corpus): Promise<LiveBenchResult['liveCost']> {
  const model = engine.createModel({ vocabSize: corpus.tokenizer.size });
  const T = DEFAULT_TRAIN.seqLen;
  const maxL = Math.max(...DEFAULT_EVAL.factors) * T;
  try {
    const out: LiveBenchResult['liveCost'] = [];
    for (const factor of liveFactors(DEFAULT_EVAL.factors)) {
      const cfg = { ...DEFAULT_EVAL, factors: [factor], windows: LIVE_WINDOWS, diagnostics: false, windowLength: maxL };
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await evaluateLengths(model, corpus, T, cfg);
        times.push((performance.now() - t0) / 1000);
      }
      out.push({ factor, length: factor * T, seconds: times.sort((a, b) => a - b)[1] });
    }
    return out;
  } finally {
    model.destroy();
  }
}

async function tokensPerSecond(
  engine: Engine,
  corpus: Corpus,
  steps: number,
  liveEvalEvery: number,
): Promise<{ tps: number; liveEvals: number }> {
  const model = engine.createModel({ vocabSize: corpus.tokenizer.size });
  let liveEvals = 0;
  try {
    const t0 = performance.now();
    await engine.train(
      model,
      corpus,
      { steps, liveEvalEvery },
      { onLiveEval: liveEvalEvery > 0 ? () => liveEvals++ : undefined },
    );
    const secs = (performance.now() - t0) / 1000;
    return { tps: (steps * DEFAULT_TRAIN.batchSize * DEFAULT_TRAIN.seqLen) / secs, liveEvals };
  } finally {
    model.destroy();
  }
}

export async function liveBench(
  engine: Engine,
  corpus: Corpus,
  steps: number,
  reps: number,
  every = DEFAULT_TRAIN.liveEvalEvery,
): Promise<LiveBenchResult> {
  // Warm-up: compiles the training and every live length's pipelines once (a live evaluation after step 1).
  await tokensPerSecond(engine, corpus, 2, 1);
  const cost = await liveCost(engine, corpus);
  console.log(`one live evaluation: ${cost.map((c) => `${c.factor}x ${c.seconds.toFixed(2)} s`).join(', ')}`);
  const out: LiveBenchResult['reps'] = [];
  for (let r = 0; r < reps; r++) {
    // Alternate which goes first, so a machine getting busier or quieter does not favour one side.
    const first = r % 2 === 0 ? 0 : every;
    const a = await tokensPerSecond(engine, corpus, steps, first);
    const b = await tokensPerSecond(engine, corpus, steps, every - first);
    const [off, on] = first === 0 ? [a, b] : [b, a];
    out.push({ off: off.tps, on: on.tps, ratio: on.tps / off.tps, liveEvals: on.liveEvals });
    console.log(
      `rep ${r + 1}: off ${Math.round(off.tps)} tokens/s, on ${Math.round(on.tps)} tokens/s ` +
        `(${on.liveEvals} live evaluations), on/off ${(on.tps / off.tps).toFixed(3)}`,
    );
  }
  const sorted = out.map((x) => x.ratio).sort((x, y) => x - y);
  return {
    steps,
    liveEvalEvery: every,
    reps: out,
    medianRatio: sorted[Math.floor(sorted.length / 2)],
    liveCost: cost,
    // From the slowest run without live evaluation, so the cost in steps errs low rather than high.
    stepSeconds: (DEFAULT_TRAIN.batchSize * DEFAULT_TRAIN.seqLen) / Math.min(...out.map((x) => x.off)),
  };
}
