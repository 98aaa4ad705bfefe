// The engine's model and training configs, one flat table of typed defaults
// (nanoGPT style); presets and share links are short override lists on top.
// Every default that a field of the lab sets is read from the field table
// (src/experiment/fields.ts), where it is written once; the few knobs no field
// sets (vocabSize, Adam's betas and eps) are written here, once. Loading this
// module reads the table, so the table's imports never load this one
// (src/choices.ts and src/errors.ts hold what they need).
import { MECHANISMS, type Mechanism, type Positional, type ReweightMode } from './choices';
import { ConfigError } from './errors';
import { fieldDefault as fromTable } from './experiment/fields';
import { expandPattern, type Pattern } from './model/patterns';

export {
  MECHANISMS,
  type Mechanism,
  POSITIONALS,
  type Positional,
  REWEIGHT_MODES,
  type ReweightMode,
} from './choices';
export { ConfigError };

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
  /**
   * A quick evaluation at a few lengths every `liveEvalEvery` steps (0: off), for the lab's live plot
   * (src/eval/live.ts); it reads the model between steps and never changes what training computes.
   */
  liveEvalEvery: number;
  seed: number;
}

/** The per-layer override's default when it lists layers, else the default pattern's expansion (as layersOf). */
function defaultLayers(): Mechanism[] {
  const override = fromTable<Mechanism[]>('model.layers');
  if (override.length) return override;
  return expandPattern(fromTable<Pattern>('model.pattern'), fromTable('model.mechanism'), fromTable('model.nLayer'));
}

export const DEFAULT_MODEL: ModelConfig = {
  vocabSize: 96, // no field: the corpus's tokenizer sets it (createModel callers pass theirs)
  nLayer: fromTable('model.nLayer'),
  nHead: fromTable('model.nHead'),
  nEmbd: fromTable('model.nEmbd'),
  layers: defaultLayers(),
  positional: fromTable('model.positional'),
  tiedEmbeddings: fromTable('model.tiedEmbeddings'),
  mlpRatio: fromTable('model.mlpRatio'),
  reweight: { mode: fromTable('model.reweight.mode'), p: fromTable('model.reweight.p') },
  trainLength: fromTable('train.seqLen'), // a run trains at its own length
  initStd: fromTable('model.initStd'),
  seed: fromTable('seed'),
};

export const DEFAULT_TRAIN: TrainConfig = {
  steps: fromTable('train.steps'),
  batchSize: fromTable('train.batchSize'),
  seqLen: fromTable('train.seqLen'),
  lr: fromTable('train.lr'),
  warmupSteps: fromTable('train.warmupSteps'),
  minLrRatio: fromTable('train.minLrRatio'),
  weightDecay: fromTable('train.weightDecay'),
  // AdamW's betas and epsilon: engine-only (no field), the usual GPT values.
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  gradClip: fromTable('train.gradClip'),
  logEvery: fromTable('train.logEvery'),
  evalEvery: fromTable('train.evalEvery'),
  liveEvalEvery: fromTable('train.liveEvalEvery'),
  seed: fromTable('seed'),
};

/**
 * The first problem with a model config, or null: the engine's own limits
 * (wider than the lab's field bounds, which the field table sets), then the
 * rules that span fields. These rules live only here: the engine applies them
 * through checkModelConfig, a run config's schema through its refinement
 * (src/experiment/run_config.ts).
 */
export function modelConfigProblem(c: ModelConfig): string | null {
  const int = (name: string, v: number, min: number, max: number) =>
    !Number.isInteger(v) || v < min || v > max ? `${name} must be an integer in [${min}, ${max}], got ${v}` : null;
  const limit =
    int('vocabSize', c.vocabSize, 2, 1 << 20) ??
    int('nLayer', c.nLayer, 1, 64) ??
    int('nHead', c.nHead, 1, 64) ??
    int('nEmbd', c.nEmbd, 2, 4096) ??
    int('trainLength', c.trainLength, 1, 1 << 16);
  if (limit) return limit;
  if (c.nEmbd % c.nHead !== 0) return `width ${c.nEmbd} is not divisible by ${c.nHead} heads`;
  const hd = c.nEmbd / c.nHead;
  if (c.positional === 'rope' && hd % 2 !== 0) return `rope needs an even head width, got ${hd}`;
  if (c.layers.length !== c.nLayer) return `layers lists ${c.layers.length} mechanisms for ${c.nLayer} layers`;
  for (const m of c.layers) if (!MECHANISMS.includes(m)) return `unknown mechanism '${m}'`;
  if (c.positional !== 'nope' && c.layers.every((m) => m === 'mlp' || m === 'nonapprox'))
    return (
      `positional '${c.positional}' has no effect when every layer is mlp or nonapprox ` +
      "(no pairwise scores); use 'nope'"
    );
  if (!(c.reweight.p >= 1 && c.reweight.p <= 100)) return `re-weighting p must be in [1, 100], got ${c.reweight.p}`;
  return null;
}

/** Throws a ConfigError naming the first inconsistency. */
export function checkModelConfig(c: ModelConfig): void {
  const problem = modelConfigProblem(c);
  if (problem) throw new ConfigError(problem);
}
