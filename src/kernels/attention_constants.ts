// The TypeScript twins of shaders/attention_common.wgsl, the prelude every
// attention kernel is compiled after: mechanism ids (the MECH override), which
// mechanisms have l1-normalised rows (MECH <= LAST_NORMALISED), the largest head
// width (MAXHD). Everything that must agree with the shaders imports them from
// here; tests/unit/attention_constants.test.ts checks them against the WGSL.
import type { Mechanism } from '../config';

/** The mechanisms of the attention kernels (lssar is lssa with re-weighting, above them). */
export type NormalisedMechanism = 'softmax' | 'lssa' | 'taylor' | 'sigmoid' | 'relu';
export const NORMALISED_MECHANISMS: readonly NormalisedMechanism[] = ['softmax', 'lssa', 'taylor', 'sigmoid', 'relu'];

/** The MECH override constant of the attention shaders. */
export const MECH_ID: Readonly<Record<NormalisedMechanism, number>> = {
  softmax: 0,
  lssa: 1,
  taylor: 2,
  sigmoid: 3,
  relu: 4,
};

/** LAST_NORMALISED in the prelude: MECH ids up to it have rows that sum to 1. */
export const LAST_NORMALISED = 2;

/** Largest head width of the attention kernels (MAXHD in the prelude). */
export const MAXHD = 256;

/** Model mechanisms whose attention rows sum to 1, so re-weighting applies. */
export const ROW_NORMALISED: readonly Mechanism[] = ['softmax', 'lssa', 'lssar', 'taylor'];

/** The kernel mechanisms among ROW_NORMALISED (MECH <= LAST_NORMALISED in the shaders). */
export const KERNEL_ROW_NORMALISED: readonly NormalisedMechanism[] = NORMALISED_MECHANISMS.filter(
  (m) => MECH_ID[m] <= LAST_NORMALISED,
);

/** Sizes of [B, H, T, hd] attention tensors. */
export interface AttentionShape {
  B: number;
  H: number;
  T: number;
  hd: number;
}
