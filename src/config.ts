// One flat table of typed defaults (nanoGPT style). Presets and share links
// are short override lists on top of these.

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
] as const;
export type Mechanism = (typeof MECHANISMS)[number];

export const POSITIONALS = ['rope', 'alibi', 'nope'] as const;
export type Positional = (typeof POSITIONALS)[number];

export const REWEIGHT_MODES = ['off', 'eval', 'train'] as const;
export type ReweightMode = (typeof REWEIGHT_MODES)[number];

export interface ModelConfig {
  vocabSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  /** One mechanism per layer (length nLayer). */
  layers: Mechanism[];
  positional: Positional;
  /** Unembedding shares the token-embedding matrix. */
  tiedEmbeddings: boolean;
  /** MLP hidden width = mlpRatio * nEmbd. */
  mlpRatio: number;
  reweight: { mode: ReweightMode; p: number };
  /** Training length T (sigmoid's ln T offset; the stream's base length). */
  trainLength: number;
  initStd: number;
  seed: number;
}

export interface TrainConfig {
  steps: number;
  batchSize: number;
  seqLen: number;
  lr: number;
  warmupSteps: number;
  minLrRatio: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  gradClip: number;
  /** Read the loss back every `logEvery` steps (a GPU->CPU sync each time). */
  logEvery: number;
  /** Validation loss at T every `evalEvery` steps (0: only at the end). */
  evalEvery: number;
  seed: number;
}

export const DEFAULT_MODEL: ModelConfig = {
  vocabSize: 96,
  nLayer: 4,
  nHead: 4,
  nEmbd: 64,
  layers: ['softmax', 'softmax', 'softmax', 'softmax'],
  positional: 'rope',
  tiedEmbeddings: true,
  mlpRatio: 4,
  reweight: { mode: 'off', p: 15 },
  trainLength: 64,
  initStd: 0.02,
  seed: 1337,
};

export const DEFAULT_TRAIN: TrainConfig = {
  steps: 300,
  batchSize: 16,
  seqLen: 64,
  lr: 3e-3,
  warmupSteps: 30,
  minLrRatio: 0.1,
  weightDecay: 0.1,
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  gradClip: 1.0,
  logEvery: 10,
  evalEvery: 100,
  seed: 1337,
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Throws a ConfigError naming the first inconsistency. */
export function checkModelConfig(c: ModelConfig): void {
  const int = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max)
      throw new ConfigError(`${name} must be an integer in [${min}, ${max}], got ${v}`);
  };
  int('vocabSize', c.vocabSize, 2, 1 << 20);
  int('nLayer', c.nLayer, 1, 64);
  int('nHead', c.nHead, 1, 64);
  int('nEmbd', c.nEmbd, 2, 4096);
  int('trainLength', c.trainLength, 1, 1 << 16);
  if (c.nEmbd % c.nHead !== 0) throw new ConfigError(`nEmbd (${c.nEmbd}) must be divisible by nHead (${c.nHead})`);
  const hd = c.nEmbd / c.nHead;
  if (c.positional === 'rope' && hd % 2 !== 0) throw new ConfigError(`rope needs an even head width, got ${hd}`);
  if (c.layers.length !== c.nLayer)
    throw new ConfigError(`layers lists ${c.layers.length} mechanisms for ${c.nLayer} layers`);
  for (const m of c.layers) if (!MECHANISMS.includes(m)) throw new ConfigError(`unknown mechanism '${m}'`);
  if (c.positional !== 'nope' && c.layers.every((m) => m === 'mlp' || m === 'nonapprox'))
    throw new ConfigError(
      `positional '${c.positional}' has no effect when every layer is mlp or nonapprox (no pairwise scores); use 'nope'`,
    );
  if (!(c.reweight.p >= 1 && c.reweight.p <= 100))
    throw new ConfigError(`re-weighting p must be in [1, 100], got ${c.reweight.p}`);
}
