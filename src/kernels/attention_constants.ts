// The TypeScript twins of shaders/attention_common.wgsl, the prelude every
// attention kernel is compiled after: mechanism ids (the MECH override), which
// mechanisms have l1-normalised rows (MECH <= LAST_NORMALISED), the largest head
// width (MAXHD). Everything that must agree with the shaders imports them from
// here; tests/unit/attention_constants.test.ts checks them against the WGSL.
import type { Mechanism } from '../config';

/** The non-linearities phi of the attention kernels, named by the mechanism that introduced each. */
export type PhiMechanism = 'softmax' | 'lssa' | 'taylor' | 'sigmoid' | 'relu';

/** The mechanisms of the attention kernels (lssar is lssa with re-weighting, above them). */
export type NormalisedMechanism = PhiMechanism | 'softplus' | 'lssacap' | 'lssmax';
export const NORMALISED_MECHANISMS: readonly NormalisedMechanism[] = [
  'softmax',
  'lssa',
  'taylor',
  'sigmoid',
  'relu',
  'softplus',
  'lssacap',
  'lssmax',
];

/** The MECH override constant of the attention shaders: which phi (exp, softplus, ...). */
export const MECH_ID: Readonly<Record<PhiMechanism, number>> = {
  softmax: 0,
  lssa: 1,
  taylor: 2,
  sigmoid: 3,
  relu: 4,
};

/**
 * The logit of a kernel mechanism, x_ij = c_i s_ij + b_ij, as the prelude's override
 * constants: its phi (MECH), q and k L2-normalised (QKNORM) and its scale c_i
 * (LENSCALE: 0 = 1/sqrt(d_h), 1 = ln(d_h) ln(i), 2 = ln(d_h) ln(min(i, T))). The three
 * mechanisms that take lssa apart each change one of lssa's three ingredients.
 */
export interface KernelForm {
  phi: PhiMechanism;
  qkNorm: boolean;
  lenScale: 0 | 1 | 2;
}
const plain = (phi: PhiMechanism): KernelForm => ({ phi, qkNorm: false, lenScale: 0 });
export const KERNEL_FORM: Readonly<Record<NormalisedMechanism, KernelForm>> = {
  softmax: plain('softmax'),
  lssa: { phi: 'lssa', qkNorm: true, lenScale: 1 },
  taylor: plain('taylor'),
  sigmoid: plain('sigmoid'),
  relu: plain('relu'),
  softplus: plain('lssa'),
  lssacap: { phi: 'lssa', qkNorm: true, lenScale: 2 },
  lssmax: { phi: 'softmax', qkNorm: true, lenScale: 1 },
};

/** The prelude's override constants (MECH, QKNORM, LENSCALE) of a kernel mechanism. */
export function formConstants(m: NormalisedMechanism): { MECH: number; QKNORM: number; LENSCALE: number } {
  const f = KERNEL_FORM[m];
  return { MECH: MECH_ID[f.phi], QKNORM: f.qkNorm ? 1 : 0, LENSCALE: f.lenScale };
}

/** LAST_NORMALISED in the prelude: MECH ids up to it have rows that sum to 1. */
export const LAST_NORMALISED = 2;

/** Largest head width of the attention kernels (MAXHD in the prelude). */
export const MAXHD = 256;

/** Model mechanisms whose attention rows sum to 1, so re-weighting applies. */
export const ROW_NORMALISED: readonly Mechanism[] = [
  'softmax',
  'lssa',
  'lssar',
  'taylor',
  'softplus',
  'lssacap',
  'lssmax',
];

/** The kernel mechanisms among ROW_NORMALISED (MECH <= LAST_NORMALISED in the shaders). */
export const KERNEL_ROW_NORMALISED: readonly NormalisedMechanism[] = NORMALISED_MECHANISMS.filter(
  (m) => MECH_ID[KERNEL_FORM[m].phi] <= LAST_NORMALISED,
);

/** Sizes of [B, H, T, hd] attention tensors. */
export interface AttentionShape {
  B: number;
  H: number;
  T: number;
  hd: number;
}
