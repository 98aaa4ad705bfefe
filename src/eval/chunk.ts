// How many windows of length L one evaluation submit processes: bounded by a
// token budget (so memory stays linear in L) and by the device's binding and
// buffer limits for the largest per-token tensors (logits, MLP hidden).

import type { ModelConfig } from '../config';
import type { ErrorKind } from '../errors';
import { gatedHidden, mlpHidden } from '../model/params';

export const EVAL_TOKENS_PER_CHUNK = 8192;

export class EvalLimitError extends Error {
  override name = 'EvalLimitError';
  readonly kind: ErrorKind = 'limits';
}

/** Floats per token of the widest activation an evaluation graph binds. */
export function widestPerToken(c: ModelConfig): number {
  const streamRows = c.layers.includes('rndembqk') || c.layers.includes('fixedseqqk') ? 2 : 1;
  return streamRows * Math.max(c.vocabSize, mlpHidden(c), gatedHidden(c), 3 * c.nEmbd);
}

export function windowsPerChunk(
  c: ModelConfig,
  L: number,
  limits: GPUSupportedLimits,
  budget = EVAL_TOKENS_PER_CHUNK,
): number {
  const maxBytes = Math.min(limits.maxStorageBufferBindingSize, limits.maxBufferSize);
  const bytesPerWindow = L * widestPerToken(c) * 4;
  if (bytesPerWindow > maxBytes)
    throw new EvalLimitError(
      `a window of ${L} tokens needs a ${bytesPerWindow} byte buffer; this device binds at most ${maxBytes} bytes ` +
        `(maxStorageBufferBindingSize), so the longest length that fits is ` +
        `${Math.floor(maxBytes / (widestPerToken(c) * 4))}`,
    );
  return Math.max(1, Math.min(Math.floor(budget / L), Math.floor(maxBytes / bytesPerWindow)));
}
