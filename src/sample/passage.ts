// A passage read by a trained model: the loss on each of its characters and
// the model's five most likely next characters at every position. The same
// fused evaluation graph and cross-entropy kernel as the evaluator
// (src/eval/lengths.ts), on one window, so each loss is the evaluator's
// per-position loss on that window.
import type { Corpus } from '../data/corpus';
import { fixedPassage } from '../engine';
import { type GptModel, Graph } from '../model/gpt';
import { reweightFor } from '../model/reweight_rule';
import { validationPrompt } from './continue';
import { checkPassageRequest, type PassageRequest, type PassageResult } from './request';
import { type Prediction, topPredictions } from './sampler';

export interface PassageReading {
  /** Cross-entropy (nats) of target[t] given input[0..t], per position. */
  losses: Float32Array;
  /** The model's most likely next ids and their probabilities, per position. */
  top: Prediction[][];
}

/** Reads one window (`input`, and `target` its next tokens) through the model. */
export async function readPassage(
  model: GptModel,
  input: Uint32Array,
  target: Uint32Array,
  opts: { streamTokens?: Uint32Array; top?: number } = {},
): Promise<PassageReading> {
  const L = input.length;
  const V = model.config.vocabSize;
  const graph = new Graph(model, 1, L, {
    training: false,
    fused: true,
    reweightP: reweightFor(model.config, false),
    streamTokens: opts.streamTokens,
  });
  try {
    graph.setBatch(input, target);
    graph.forward.run();
    // SYNC: logging point — the passage's per-position losses and its logits, once per passage.
    const losses = await model.ctx.read(graph.losses.buffer, L, (graph.losses.offset ?? 0) / 4);
    const logits = await model.ctx.read(graph.logits.buffer, L * V, (graph.logits.offset ?? 0) / 4);
    const top = Array.from({ length: L }, (_, t) => topPredictions(logits.subarray(t * V, (t + 1) * V), opts.top ?? 5));
    return { losses, top };
  } finally {
    graph.destroy();
  }
}

/**
 * A passage of `factor` x T characters (plus the one it starts from) read by
 * a trained text model: the validation window the evaluator draws first at
 * that length with `evalSeed` (the same for every run of an experiment), or
 * the end of the user's text. Characters, losses and top-5 guesses as plain data for the
 * run host's protocol.
 */
export async function readTextPassage(
  model: GptModel,
  corpus: Corpus,
  T: number,
  request: PassageRequest,
  evalSeed: number,
): Promise<PassageResult> {
  checkPassageRequest(request);
  const tok = corpus.tokenizer;
  const L = request.factor * T;
  let ids: Uint32Array;
  if (request.text !== undefined) {
    const all = tok.encode(request.text);
    ids = all.subarray(Math.max(0, all.length - (L + 1)));
  } else {
    // The evaluator's own window at length L (its first, for one window): losses are its per-position losses.
    const v = validationPrompt(corpus, L, 1, evalSeed);
    ids = new Uint32Array(L + 1);
    ids.set(v.prompt);
    ids.set(v.next, L);
  }
  const n = ids.length - 1;
  const streamTokens = model.config.layers.includes('fixedseqqk') ? fixedPassage(corpus, n) : undefined;
  const read = await readPassage(model, ids.subarray(0, n), ids.subarray(1), { streamTokens });
  return {
    request,
    trainLength: T,
    chars: Array.from(ids, (id) => tok.decode([id])),
    losses: Array.from(read.losses),
    top: read.top.map((row) => row.map((q) => ({ char: tok.decode([q.token]), p: q.p }))),
  };
}
