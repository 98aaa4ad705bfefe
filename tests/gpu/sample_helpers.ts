// Shared helpers of the sampling tests (sample.test.ts, sample_grow.test.ts):
// the positional scheme each mechanism is tested with, and one greedy step of
// the float64 reference model.
import type { Mechanism, ModelConfig, Positional } from '../../src/config';
import { reweightFor } from '../../src/model/reweight_rule';
import type { ReferenceGpt } from '../../src/reference/gpt';
import { argmax } from '../../src/sample/sampler';

/** Every mechanism is tested with RoPE but these, each with a scheme it takes. */
export const POSITIONAL: Partial<Record<Mechanism, Positional>> = {
  nonapprox: 'nope',
  mlp: 'nope',
  relu: 'nope',
  fixedseqqk: 'alibi',
  softplus: 'alibi',
};

/**
 * Greedy steps may differ from the reference only where its top two logits
 * are within MARGIN: f32 logits through two blocks differ from float64 by
 * ~1e-6 here (the worst is printed); 1e-4 leaves two orders of headroom.
 */
export const MARGIN = 1e-4;
/** Logits, GPU against float64: absolute, on logits of size ~1. */
export const LOGIT_TOL = 2e-5;

export interface ReferenceStep {
  /** The V logits after the last token. */
  row: Float64Array;
  best: number;
  /** Whether the top two logits differ by more than MARGIN (the step is decided by more than rounding). */
  decisive: boolean;
}

/** The float64 model's next-token logits after `w`, read at exactly its length (no padding). */
export function referenceStep(ref: ReferenceGpt, c: ModelConfig, w: Uint32Array, stream?: Uint32Array): ReferenceStep {
  const n = w.length;
  const V = c.vocabSize;
  const r = ref.lossAndGrads(w, new Uint32Array(n), 1, n, undefined, reweightFor(c, false), stream);
  const row = r.logits.subarray((n - 1) * V, n * V);
  const best = argmax(row);
  const second = Math.max(...Array.from(row).filter((_, i) => i !== best));
  return { row, best, decisive: row[best] - second > MARGIN };
}
