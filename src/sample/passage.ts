// A passage read by a trained model: the loss on each of its characters and
// the model's five most likely next characters at every position. The same
// fused evaluation graph and cross-entropy kernel as the evaluator
// (src/eval/lengths.ts), on one window, so each loss is the evaluator's
// per-position loss on that window.
import { type GptModel, Graph } from '../model/gpt';
import { reweightFor } from '../model/reweight_rule';
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
