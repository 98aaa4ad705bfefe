// Which layers re-weight their attention, and with which exponent p. The one
// statement of the rule: the memory plan (which layers hold an
// att_reweighted buffer), the mixers (which layers run the pass), the trainer
// and the evaluators all read it. A leaf: it imports only the config types and
// the attention kernels' constants (which mechanisms have rows that sum to 1).
import type { Mechanism, ModelConfig } from '../config';
import { ROW_NORMALISED } from '../kernels/attention_constants';

/** Softmax attention with queries and keys from another source: re-weighted like softmax. */
const OTHER_QK_SOURCE: readonly Mechanism[] = ['rndembqk', 'fixedseqqk', 'staticembqk'];

/**
 * The graph-level re-weighting exponent (null: off) for a config: the
 * trainer's (training) or the evaluator's default, unless `override` is given.
 */
export function reweightFor(c: ModelConfig, training: boolean, override?: number | null): number | null {
  if (override !== undefined) return override;
  const mode = c.reweight.mode;
  if (mode === 'train') return c.reweight.p;
  if (mode === 'eval' && !training) return c.reweight.p;
  return null;
}

/**
 * The exponent one layer applies (null: none) in a graph whose graph-level
 * exponent is `graphP`: lssar always re-weights, with an evaluation sweep's p
 * when one is set and its own p otherwise; the other row-normalised
 * mechanisms re-weight when the graph does; sigmoid, relu, mlp and nonapprox never.
 */
export function layerReweight(c: ModelConfig, mech: Mechanism, graphP: number | null): number | null {
  if (mech === 'lssar') return graphP ?? c.reweight.p;
  return ROW_NORMALISED.includes(mech) || OTHER_QK_SOURCE.includes(mech) ? graphP : null;
}
