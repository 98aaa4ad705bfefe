// Passkey retrieval accuracy against length (the Softplus paper's extra
// test): a key hidden at a random depth in filler text, asked for at the end.
// A trial succeeds when the model's greedy prediction of every answer digit
// (teacher-forced on the previous digits) is right.

import { packWindows } from '../data/batch';
import { IGNORE, passkeyShapeAt, TASK_TOKENIZER, TASKS } from '../data/synthetic';
import type { CharTokenizer } from '../data/tokenizer';
import { type GptModel, Graph } from '../model/gpt';
import { reweightFor } from '../model/reweight_rule';
import { Rng } from '../util/random';
import { windowsPerChunk } from './chunk';

/**
 * Examples (rows of `logits` [rows, L, V]) whose every scored target is the
 * argmax of its row (ties go to the lower id).
 */
export function countCorrect(
  logits: ArrayLike<number>,
  examples: { target: Uint32Array }[],
  L: number,
  V: number,
): number {
  let correct = 0;
  examples.forEach((e, i) => {
    let ok = true;
    for (let t = 0; t < L && ok; t++) {
      if (e.target[t] === IGNORE) continue;
      let best = 0;
      for (let v = 1; v < V; v++) if (logits[(i * L + t) * V + v] > logits[(i * L + t) * V + best]) best = v;
      ok = best === e.target[t];
    }
    if (ok) correct++;
  });
  return correct;
}

export interface PasskeyPoint {
  length: number;
  accuracy: number;
  trials: number;
  /** Digits in the key at this length (chance is 10^-digits). */
  digits: number;
}

/**
 * Accuracy at each length over `trials` seeded examples. `tokenizer` is the
 * model's: the task's own for a model trained on the passkey task, or a text
 * tokenizer (the examples are re-encoded; unknown symbols map to <unk>).
 */
export async function passkeyAccuracy(
  model: GptModel,
  lengths: number[],
  trials: number,
  seed: number,
  tokenizer: CharTokenizer = TASK_TOKENIZER,
  reweightP: number | null | undefined = undefined,
): Promise<PasskeyPoint[]> {
  const ctx = model.ctx;
  const V = model.config.vocabSize;
  if (tokenizer.size > V) throw new Error(`the tokenizer has ${tokenizer.size} symbols but the model only ${V}`);
  const same = tokenizer === TASK_TOKENIZER;
  // The template and key length of the training length at every L: only the distance grows.
  const T = model.config.trainLength;
  const p = reweightP === undefined ? reweightFor(model.config, false) : reweightP;
  const points: PasskeyPoint[] = [];
  for (const L of lengths) {
    const rng = new Rng(seed + L);
    const examples = Array.from({ length: trials }, () => {
      const ex = TASKS.passkey.make(L, rng, T);
      if (same) return ex;
      // Re-encode: positions keep their meaning (char-level on both sides).
      return {
        input: tokenizer.encode(TASK_TOKENIZER.decode(ex.input)),
        target: Uint32Array.from(ex.target, (t) =>
          t === IGNORE ? IGNORE : tokenizer.encode(TASK_TOKENIZER.decode([t]))[0],
        ),
      };
    });
    const B = Math.min(trials, windowsPerChunk(model.config, L, ctx.device.limits));
    const graph = new Graph(model, B, L, { training: false, fused: true, reweightP: p });
    let correct = 0;
    try {
      for (let c0 = 0; c0 < trials; c0 += B) {
        const part = examples.slice(c0, c0 + B);
        const { input, target } = packWindows(part, B, L);
        graph.setBatch(input, target);
        graph.forward.run();
        // SYNC: evaluation point — logits of this chunk.
        const logits = await ctx.read(graph.logits.buffer, B * L * V);
        correct += countCorrect(logits, part, L, V);
      }
    } finally {
      graph.destroy();
    }
    points.push({ length: L, accuracy: correct / trials, trials, digits: passkeyShapeAt(L, T).digits });
  }
  return points;
}
