// Divergence detection on the GPU, inside the training step's submit: the
// first NaN or infinity in the step's loss, gradient arena or parameter arena
// is recorded in the stats buffer (shaders/nonfinite_check.wgsl per chunk of
// 256 elements, shaders/nonfinite_final.wgsl to fold and record; no barriers). The record is sticky, so
// the CPU learns the first bad step from the readback it already does at
// logging points: no extra sync.
import checkCode from '../../shaders/nonfinite_check.wgsl?raw';
import finalCode from '../../shaders/nonfinite_final.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { ceilDiv, grid1d, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformBytes, uniformLayout } from '../gpu/uniform';
import { STATS_FLOATS } from '../model/shapes';

const CHECK = {
  label: 'nonfinite_check',
  code: checkCode,
  access: ['read', 'read', 'write', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['n', 'u32'],
      ['G', 'u32'],
      ['_p0', 'u32'],
      ['_p1', 'u32'],
    ]),
  },
};
const FINAL = {
  label: 'nonfinite_final',
  code: finalCode,
  access: ['read', 'write', 'uniform', 'uniform'] as const,
  uniforms: {
    Params: uniformLayout([
      ['G', 'u32'],
      ['lossIndex', 'u32'],
      ['recordIndex', 'u32'],
      ['_p0', 'u32'],
    ]),
    Step: uniformLayout([
      ['step', 'u32'],
      ['_p0', 'u32'],
      ['_p1', 'u32'],
      ['_p2', 'u32'],
    ]),
  },
};
export const KERNELS: readonly KernelSpec[] = [CHECK, FINAL];
/** Elements per thread in nonfinite_check.wgsl, threads per workgroup. */
export const NONFINITE_CHUNK = 256;
const WG = 64;

/**
 * Stats slots [STAT_NONFINITE, +3) hold the record {step, what, index} as u32.
 * Kept clear of the low slots the model and optimiser use.
 */
export const STAT_NONFINITE = 12;
if (STAT_NONFINITE + 3 > STATS_FLOATS) throw new Error('the stats buffer has no room for the non-finite record');

/** `what` in the record. */
export const NONFINITE_LOSS = 1;
export const NONFINITE_A = 2;
export const NONFINITE_B = 3;
/** Pass as lossIndex to skip the loss check. */
export const NO_LOSS = 0xffffffff;

/** Bytes of the per-step uniform written by `nonfiniteStep`. */
export const NONFINITE_STEP_BYTES = uniformBytes(FINAL.uniforms.Step);

/** The per-step uniform: the 1-based step the next submit runs (recorded on a hit). */
export function nonfiniteStep(step: number): ArrayBuffer {
  if (!Number.isInteger(step) || step < 1 || step > 0xfffffffe)
    throw new Error(`nonfiniteStep: step must be a 1-based integer, got ${step}`);
  return packUniform(FINAL.uniforms.Step, { step });
}

export interface NonfiniteRecord {
  step: number;
  /** NONFINITE_LOSS, NONFINITE_A or NONFINITE_B. */
  what: number;
  index: number;
}

/** The record in a stats readback (seen as u32 bits), or null when nothing was recorded. */
export function readNonfinite(statsBits: Uint32Array, recordIndex = STAT_NONFINITE): NonfiniteRecord | null {
  const step = statsBits[recordIndex];
  return step === 0 ? null : { step, what: statsBits[recordIndex + 1], index: statsBits[recordIndex + 2] };
}

/**
 * If stats[recordIndex] is 0 and the loss (f32 bits in stats[lossIndex]), or
 * any of a[0..n), b[0..n) is NaN or infinite, records
 *   stats[recordIndex..+3) = {step, what, first bad index}
 * with the loss first, then a, then b. `stepUniform` is a UNIFORM | COPY_DST
 * buffer of NONFINITE_STEP_BYTES the caller rewrites with `nonfiniteStep`.
 * `stats` is bound writable as u32 (it also holds the f32 loss and norm).
 */
export function nonfinite_check(
  p: Program,
  stats: BindingLike,
  recordIndex: number,
  lossIndex: number,
  a: BindingLike,
  b: BindingLike,
  n: number,
  stepUniform: GPUBuffer,
): void {
  // At least one chunk, so n = 0 still runs the loss check.
  const G = Math.max(1, ceilDiv(n, NONFINITE_CHUNK));
  const partials = p.scratch('nonfinite partials', 2 * G);
  p.add(
    CHECK,
    [a, b, partials, p.uniform('nonfinite_check params', packUniform(CHECK.uniforms.Params, { n, G }))],
    grid1d(ceilDiv(G, WG)),
  );
  const u = p.uniform('nonfinite_final params', packUniform(FINAL.uniforms.Params, { G, lossIndex, recordIndex }));
  p.add(FINAL, [partials, stats, u, stepUniform], [1]);
}
