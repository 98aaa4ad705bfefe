// Divergence detection on the GPU, inside the training step's submit: the
// first NaN or infinity in the step's loss, gradient arena or parameter arena
// (after the update) is recorded in the stats buffer. The optimiser's own
// passes keep the record (src/kernels/adamw.ts): the norm's final stage checks
// the loss and the gradients, the update the parameters it writes; no pass of
// its own. The record is sticky, so the CPU learns the first bad step from the
// readback it already does at logging points: no extra sync.
import { packUniform, uniformBytes, uniformLayout } from '../gpu/uniform';
import { STATS_FLOATS } from '../model/shapes';

/** The per-step uniform that carries the step to record (WGSL struct Step). */
export const STEP_LAYOUT = uniformLayout([
  ['step', 'u32'],
  ['_p0', 'u32'],
  ['_p1', 'u32'],
  ['_p2', 'u32'],
]);

/**
 * Stats slots [STAT_NONFINITE, +3) hold the record {step, what, index} as u32.
 * Kept clear of the low slots the model and optimiser use.
 */
export const STAT_NONFINITE = 12;
if (STAT_NONFINITE + 3 > STATS_FLOATS) throw new Error('the stats buffer has no room for the non-finite record');

/** `what` in the record: the loss, the gradient arena, the parameter arena. */
export const NONFINITE_LOSS = 1;
export const NONFINITE_A = 2;
export const NONFINITE_B = 3;
/** Pass as lossIndex to skip the loss check. */
export const NO_LOSS = 0xffffffff;
/** A record index that turns the check off. */
export const NO_RECORD = 0xffffffff;

/** Bytes of the per-step uniform written by `nonfiniteStep`. */
export const NONFINITE_STEP_BYTES = uniformBytes(STEP_LAYOUT);

/** The per-step uniform: the 1-based step the next submit runs (recorded on a hit). */
export function nonfiniteStep(step: number): ArrayBuffer {
  if (!Number.isInteger(step) || step < 1 || step > 0xfffffffe)
    throw new Error(`nonfiniteStep: step must be a 1-based integer, got ${step}`);
  return packUniform(STEP_LAYOUT, { step });
}

export interface NonfiniteRecord {
  step: number;
  /** NONFINITE_LOSS, NONFINITE_A or NONFINITE_B. */
  what: number;
  index: number;
}

/**
 * The record in a stats readback (seen as u32 bits), or null when nothing was
 * recorded (step 0; `what` and the index then hold what the optimiser armed, ignored).
 */
export function readNonfinite(statsBits: Uint32Array, recordIndex = STAT_NONFINITE): NonfiniteRecord | null {
  const step = statsBits[recordIndex];
  return step === 0 ? null : { step, what: statsBits[recordIndex + 1], index: statsBits[recordIndex + 2] };
}
