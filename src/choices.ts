// The named choices of a model: mechanisms, positional schemes, re-weighting
// modes. A leaf module (no imports): the field table
// (src/experiment/fields.ts) lists them as its enums, and src/config.ts,
// which builds the engine's defaults from that table, re-exports them.

export const MECHANISMS = [
  'softmax',
  'lssa',
  'lssar',
  'taylor',
  'sigmoid',
  'relu',
  'nonapprox',
  'mlp',
  'rndembqk',
  'fixedseqqk',
  'staticembqk',
  'softplus',
  'lssacap',
  'lssmax',
] as const;
export type Mechanism = (typeof MECHANISMS)[number];

export const POSITIONALS = ['rope', 'alibi', 'nope'] as const;
export type Positional = (typeof POSITIONALS)[number];

export const REWEIGHT_MODES = ['off', 'eval', 'train'] as const;
export type ReweightMode = (typeof REWEIGHT_MODES)[number];
