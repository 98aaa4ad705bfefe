// Sizes of one forward/backward graph, derived once from config and batch shape.
import type { ModelConfig } from '../config';
import { mlpHidden } from './params';

export interface Shapes {
  B: number;
  T: number;
  /** B * T token rows. */
  N: number;
  C: number;
  H: number;
  hd: number;
  V: number;
  /** MLP hidden width. */
  F: number;
}

export function shapesOf(c: ModelConfig, B: number, T: number): Shapes {
  return { B, T, N: B * T, C: c.nEmbd, H: c.nHead, hd: c.nEmbd / c.nHead, V: c.vocabSize, F: mlpHidden(c) };
}

/** Indices into the small `stats` buffer the CPU reads at logging points. */
export const STAT_LOSS = 0;
export const STAT_GRAD_NORM_SQ = 1;
export const STATS_FLOATS = 16;
