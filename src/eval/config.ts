// The evaluation's settings and defaults (pure data: no GPU code, so configs
// and links can be handled anywhere, Node included). The defaults are the
// field table's (src/experiment/fields.ts), where each is written once.
import { fieldDefault as fromTable } from '../experiment/fields';

/** Windowed evaluation and nonapprox (run configs are refused with it before a mixer ever sees one). */
export const NONAPPROX_WINDOW =
  'windowed evaluation does not apply to nonapprox layers (a running mean over every position, no keys to drop)';

export const PLACEMENTS = ['fixed', 'shifted'] as const;
export type Placement = (typeof PLACEMENTS)[number];

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
  /** Also evaluate windowed: each query sees only its last T keys (docs/protocol.md). */
  windowed: boolean;
  /**
   * Where a window of length L sits in its region of the longest length: 'fixed' at its
   * start (every length reads a prefix of the same text), 'shifted' at an offset drawn per
   * window and length from the evaluation seed, so position in the window and position in
   * the text are not the same thing across lengths.
   */
  placement: Placement;
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
  windowed: fromTable('eval.windowed'),
  placement: fromTable('eval.placement'),
};
