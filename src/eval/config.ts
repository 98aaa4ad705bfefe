// The evaluation's settings and defaults (pure data: no GPU code, so configs
// and links can be handled anywhere, Node included).

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
  factors: [1, 2, 4, 8, 16],
  lengths: [],
  windows: 32,
  seed: 2024,
  buckets: 32,
  reweightSweep: [],
  hybridskip: false,
  diagnostics: true,
};
