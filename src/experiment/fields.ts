// The one table of an experiment's fields (TensorFlow Playground style): path
// in the run config, short URL key, kind, bounds, default, label and help.
// Defaults, validation, the URL codec and the builder UI all read it: each
// default is written here once (the engine's DEFAULT_MODEL, DEFAULT_TRAIN and
// DEFAULT_EVAL and the lab's DEFAULT_RUN are built from it), and each field's
// values are checked by one zod schema built from its row (fieldSchema).
//
// src/config.ts reads this table when it is loaded, so nothing this module
// imports may import src/config.ts at run time (type imports are fine).
import { z } from 'zod';
import { MECHANISMS, POSITIONALS, REWEIGHT_MODES } from '../choices';
import { PATTERNS } from '../model/patterns';

export type FieldKind =
  | { type: 'int'; min: number; max: number }
  | { type: 'float'; min: number; max: number }
  | { type: 'bool' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'string'; maxLength: number }
  | { type: 'intList'; min: number; max: number; maxItems: number }
  | { type: 'floatList'; min: number; max: number; maxItems: number }
  | { type: 'enumList'; values: readonly string[]; maxItems: number };

export type FieldValue = number | boolean | string | number[] | string[];

export interface Field {
  /** Dotted path in RunConfig. */
  path: string;
  /** Key in share links. */
  key: string;
  kind: FieldKind;
  default: FieldValue;
  label: string;
  group: 'model' | 'mechanism' | 'data' | 'train' | 'eval' | 'run';
  help?: string;
}

const int = (min: number, max: number): FieldKind => ({ type: 'int', min, max });
const float = (min: number, max: number): FieldKind => ({ type: 'float', min, max });
const enumOf = (values: readonly string[]): FieldKind => ({ type: 'enum', values });

export const FIELDS: readonly Field[] = [
  {
    path: 'label',
    key: 'label',
    kind: { type: 'string', maxLength: 80 },
    default: '',
    label: 'Run label',
    group: 'run',
  },
  {
    path: 'seed',
    key: 'seed',
    kind: int(0, 2 ** 31 - 1),
    default: 1337,
    label: 'Seed',
    group: 'run',
    help: 'Initialisation and training batches',
  },
  // model
  { path: 'model.nLayer', key: 'L', kind: int(1, 24), default: 4, label: 'Layers', group: 'model' },
  { path: 'model.nHead', key: 'H', kind: int(1, 16), default: 4, label: 'Heads', group: 'model' },
  {
    path: 'model.nEmbd',
    key: 'C',
    kind: int(8, 512),
    default: 64,
    label: 'Width',
    group: 'model',
    help: 'Must be divisible by the head count',
  },
  {
    path: 'model.positional',
    key: 'pos',
    kind: enumOf(POSITIONALS),
    default: 'rope',
    label: 'Positional scheme',
    group: 'model',
  },
  {
    path: 'model.tiedEmbeddings',
    key: 'tie',
    kind: { type: 'bool' },
    default: true,
    label: 'Tie unembedding to embedding',
    group: 'model',
  },
  { path: 'model.mlpRatio', key: 'mr', kind: int(1, 8), default: 4, label: 'MLP width ratio', group: 'model' },
  { path: 'model.initStd', key: 'istd', kind: float(0.001, 0.2), default: 0.02, label: 'Init std', group: 'model' },
  // mechanism
  {
    path: 'model.mechanism',
    key: 'mech',
    kind: enumOf(MECHANISMS),
    default: 'softmax',
    label: 'Mechanism',
    group: 'mechanism',
  },
  {
    path: 'model.pattern',
    key: 'pat',
    kind: enumOf(PATTERNS),
    default: 'uniform',
    label: 'Hybrid pattern',
    group: 'mechanism',
    help: 'Which layers keep softmax',
  },
  {
    path: 'model.layers',
    key: 'layers',
    kind: { type: 'enumList', values: MECHANISMS, maxItems: 24 },
    default: [],
    label: 'Per-layer override',
    group: 'mechanism',
    help: 'Empty: from the pattern',
  },
  {
    path: 'model.reweight.mode',
    key: 'rw',
    kind: enumOf(REWEIGHT_MODES),
    default: 'off',
    label: 'Re-weighting',
    group: 'mechanism',
  },
  { path: 'model.reweight.p', key: 'p', kind: float(1, 100), default: 15, label: 'Re-weighting p', group: 'mechanism' },
  // data
  {
    path: 'data.source',
    key: 'data',
    kind: enumOf(['brown', 'task', 'text']),
    default: 'brown',
    label: 'Data',
    group: 'data',
  },
  {
    path: 'data.task',
    key: 'task',
    kind: enumOf(['passkey', 'copy', 'recall']),
    default: 'passkey',
    label: 'Synthetic task',
    group: 'data',
  },
  // train
  { path: 'train.steps', key: 'steps', kind: int(1, 100_000), default: 300, label: 'Steps', group: 'train' },
  { path: 'train.batchSize', key: 'B', kind: int(1, 256), default: 16, label: 'Batch', group: 'train' },
  { path: 'train.seqLen', key: 'T', kind: int(4, 1024), default: 64, label: 'Training length T', group: 'train' },
  { path: 'train.lr', key: 'lr', kind: float(1e-6, 1), default: 3e-3, label: 'Learning rate', group: 'train' },
  { path: 'train.warmupSteps', key: 'wu', kind: int(0, 100_000), default: 30, label: 'Warm-up steps', group: 'train' },
  { path: 'train.minLrRatio', key: 'minlr', kind: float(0, 1), default: 0.1, label: 'Final lr ratio', group: 'train' },
  { path: 'train.weightDecay', key: 'wd', kind: float(0, 1), default: 0.1, label: 'Weight decay', group: 'train' },
  { path: 'train.gradClip', key: 'clip', kind: float(0, 100), default: 1, label: 'Gradient clip', group: 'train' },
  { path: 'train.logEvery', key: 'log', kind: int(1, 10_000), default: 10, label: 'Log every', group: 'train' },
  { path: 'train.evalEvery', key: 'ev', kind: int(0, 100_000), default: 100, label: 'Validate every', group: 'train' },
  {
    path: 'train.liveEvalEvery',
    key: 'live',
    kind: int(0, 100_000),
    // A live evaluation of the default model costs about 5-8 training steps on SwiftShader, nearly all of it
    // at 16x (attention over 1024 keys): every 75 steps costs training about 10% at most (5% measured), with
    // room for a loaded machine's noise under the issue's 15% (npm run bench:train -- --live; docs/engine.md).
    default: 75,
    label: 'Live evaluation every',
    group: 'train',
    help: 'Steps between quick evaluations at 1x, 4x and 16x T on 2 windows, plotted while the model learns (0: off)',
  },
  // eval
  {
    path: 'eval.factors',
    key: 'fx',
    kind: { type: 'intList', min: 1, max: 64, maxItems: 16 },
    default: [1, 2, 4, 8, 16],
    label: 'Length factors',
    group: 'eval',
  },
  { path: 'eval.windows', key: 'ew', kind: int(1, 512), default: 32, label: 'Validation windows', group: 'eval' },
  { path: 'eval.seed', key: 'es', kind: int(0, 2 ** 31 - 1), default: 2024, label: 'Evaluation seed', group: 'eval' },
  { path: 'eval.buckets', key: 'eb', kind: int(1, 256), default: 32, label: 'Position buckets', group: 'eval' },
  {
    path: 'eval.reweightSweep',
    key: 'sweep',
    kind: { type: 'floatList', min: 1, max: 100, maxItems: 8 },
    default: [],
    label: 'Re-weighting sweep (p)',
    group: 'eval',
  },
  {
    path: 'eval.hybridskip',
    key: 'hs',
    kind: { type: 'bool' },
    default: false,
    label: 'Also evaluate hybridskip',
    group: 'eval',
  },
  {
    path: 'eval.diagnostics',
    key: 'diag',
    kind: { type: 'bool' },
    default: true,
    label: 'Attention diagnostics',
    group: 'eval',
  },
  {
    path: 'eval.windowed',
    key: 'win',
    kind: { type: 'bool' },
    default: false,
    label: 'Also evaluate windowed (last T keys)',
    group: 'eval',
    help: 'Each query sees only its last T keys, as in training: the price or gain of reading past T',
  },
  {
    path: 'eval.placement',
    key: 'pl',
    kind: enumOf(['fixed', 'shifted']),
    default: 'fixed',
    label: 'Window placement',
    group: 'eval',
    help: 'shifted: each window of each length starts at an offset drawn from the evaluation seed',
  },
  {
    path: 'eval.passkeyTrials',
    key: 'pk',
    kind: int(0, 512),
    default: 0,
    label: 'Passkey trials per length',
    group: 'eval',
    help: '0: no passkey test',
  },
];

export const FIELD_BY_PATH = new Map(FIELDS.map((f) => [f.path, f]));
export const FIELD_BY_KEY = new Map(FIELDS.map((f) => [f.key, f]));

export function getPath(obj: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) {
    if (!o[k] || typeof o[k] !== 'object') o[k] = {};
    o = o[k] as Record<string, unknown>;
  }
  o[keys[keys.length - 1]] = value;
}

/**
 * A copy of the default of the field at `path`: how the engine's and the
 * lab's default configs read the table. The type is the caller's (the unit
 * tests pin every derived default to its value).
 */
export function fieldDefault<T extends FieldValue>(path: string): T {
  const f = FIELD_BY_PATH.get(path);
  if (!f) throw new Error(`no field '${path}' in the field table`);
  return structuredClone(f.default) as T;
}

/** What a value of field `f` must be: the one message for every way a value can miss. */
function expectation(f: Field): string {
  const k = f.kind;
  switch (k.type) {
    case 'int':
    case 'float':
      return `${f.label} must be ${k.type === 'int' ? 'an integer' : 'a number'} in [${k.min}, ${k.max}]`;
    case 'bool':
      return `${f.label} must be true or false`;
    case 'enum':
      return `${f.label} must be one of ${k.values.join(', ')}`;
    case 'string':
      return `${f.label} must be text of at most ${k.maxLength} characters`;
    case 'intList':
    case 'floatList':
      return (
        `${f.label} must be a list of at most ${k.maxItems} ` +
        `${k.type === 'intList' ? 'integers' : 'numbers'} in [${k.min}, ${k.max}]`
      );
    case 'enumList':
      return `${f.label} must be a list of at most ${k.maxItems} of ${k.values.join(', ')}`;
  }
}

function buildFieldSchema(f: Field): z.ZodType {
  const k = f.kind;
  const e = { error: expectation(f) };
  // z.number() refuses NaN and the infinities; .int() also refuses unsafe integers (every bound here is safe).
  const num = (min: number, max: number, integer: boolean) => {
    const n = z.number(e);
    return (integer ? n.int(e) : n).min(min, e).max(max, e);
  };
  switch (k.type) {
    case 'int':
    case 'float':
      return num(k.min, k.max, k.type === 'int');
    case 'bool':
      return z.boolean(e);
    case 'enum':
      return z.enum(k.values as [string, ...string[]], e);
    case 'string':
      return z.string(e).max(k.maxLength, e);
    case 'intList':
    case 'floatList':
      return z.array(num(k.min, k.max, k.type === 'intList'), e).max(k.maxItems, e);
    case 'enumList':
      return z.array(z.enum(k.values as [string, ...string[]], e), e).max(k.maxItems, e);
  }
}

const SCHEMAS = new WeakMap<Field, z.ZodType>();

/**
 * The zod schema of field `f`'s values (range, integer, enum, list length),
 * every issue worded as the field's one message. The run config's schema is
 * these, nested by path (src/experiment/run_config.ts); checkValue is one of
 * them alone.
 */
export function fieldSchema(f: Field): z.ZodType {
  let s = SCHEMAS.get(f);
  if (!s) SCHEMAS.set(f, (s = buildFieldSchema(f)));
  return s;
}

/** Checks one value against its field's schema; returns an error message or null. */
export function checkValue(f: Field, v: unknown): string | null {
  const r = fieldSchema(f).safeParse(v);
  return r.success ? null : (r.error.issues[0]?.message ?? expectation(f));
}
