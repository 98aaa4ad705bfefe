// The evaluation's settings and defaults (pure data: no GPU code, so configs
// and links can be handled anywhere, Node included). The defaults are the
// field table's (src/experiment/fields.ts), where each is written once.
import { fieldDefault as fromTable } from '../experiment/fields';

export interface EvalConfig {
  /** Multiples of the training length T. */
  factors: number[];
  /** Explicit lengths (any positive integers); when non-empty they replace `factors`. */
  lengths: number[];
  /** Number of fixed validation windows. */
  windows: number;
  /** Evaluation seed: picks the window starts. */
  seed: number;
  /** Per-position loss buckets per length. */
  buckets: number;
  /** Extra re-weighting exponents evaluated without retraining. */
  reweightSweep: number[];
  /** Also evaluate with the non-softmax blocks removed. */
  hybridskip: boolean;
  diagnostics: boolean;
  /**
   * Window starts are drawn so windows of this length fit (default: the
   * longest evaluated length). Validation during training sets it to the
   * final evaluation's longest length, so both read the same windows.
   */
  windowLength?: number;
}

export const DEFAULT_EVAL: EvalConfig = {
  factors: fromTable('eval.factors'),
  // No field: the lab evaluates at multiples of T (factors); explicit lengths are an engine option.
  lengths: [],
  windows: fromTable('eval.windows'),
  seed: fromTable('eval.seed'),
  buckets: fromTable('eval.buckets'),
  reweightSweep: fromTable('eval.reweightSweep'),
  hybridskip: fromTable('eval.hybridskip'),
  diagnostics: fromTable('eval.diagnostics'),
};
