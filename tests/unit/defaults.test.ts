// Every default is written once, in the field table; the engine's and the
// lab's default configs are built from it. These tests pin each derived
// default to the value it had when it was still written out by hand, so a
// change to the table that moves an engine default fails here first.
import { describe, expect, test, vi } from 'vitest';
import { checkModelConfig, DEFAULT_MODEL, DEFAULT_TRAIN } from '../../src/config';
import { DEFAULT_EVAL } from '../../src/eval/config';
import { checkValue, FIELD_BY_PATH, FIELDS, fieldDefault, fieldSchema } from '../../src/experiment/fields';
import { CLASSROOM, QUICK_TRY } from '../../src/experiment/presets';
import {
  checkRunConfig,
  DEFAULT_RUN,
  makeRun,
  toEvalConfig,
  toModelConfig,
  toTrainConfig,
} from '../../src/experiment/run_config';

describe('defaults come from the field table', () => {
  test('the engine defaults keep their values', () => {
    expect(DEFAULT_MODEL).toStrictEqual({
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
    });
    expect(DEFAULT_TRAIN).toStrictEqual({
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
      liveEvalEvery: 75,
      seed: 1337,
    });
    expect(DEFAULT_EVAL).toStrictEqual({
      factors: [1, 2, 4, 8, 16],
      lengths: [],
      windows: 32,
      seed: 2024,
      buckets: 32,
      reweightSweep: [],
      hybridskip: false,
      diagnostics: true,
      windowed: false,
      placement: 'fixed',
    });
  });

  test('the lab default run keeps its values', () => {
    expect(DEFAULT_RUN).toStrictEqual({
      label: '',
      seed: 1337,
      model: {
        nLayer: 4,
        nHead: 4,
        nEmbd: 64,
        positional: 'rope',
        tiedEmbeddings: true,
        mlpRatio: 4,
        initStd: 0.02,
        mechanism: 'softmax',
        pattern: 'uniform',
        layers: [],
        reweight: { mode: 'off', p: 15 },
      },
      data: { source: 'brown', task: 'passkey' },
      train: {
        steps: 300,
        batchSize: 16,
        seqLen: 64,
        lr: 3e-3,
        warmupSteps: 30,
        minLrRatio: 0.1,
        weightDecay: 0.1,
        gradClip: 1,
        logEvery: 10,
        evalEvery: 100,
        liveEvalEvery: 75,
      },
      eval: {
        factors: [1, 2, 4, 8, 16],
        windows: 32,
        seed: 2024,
        buckets: 32,
        reweightSweep: [],
        hybridskip: false,
        diagnostics: true,
        windowed: false,
        placement: 'fixed',
        passkeyTrials: 0,
      },
    });
  });

  test('the default run converts to the engine defaults', () => {
    expect(toModelConfig(DEFAULT_RUN, DEFAULT_MODEL.vocabSize)).toStrictEqual(DEFAULT_MODEL);
    expect(toTrainConfig(DEFAULT_RUN)).toStrictEqual(DEFAULT_TRAIN);
    expect(toEvalConfig(DEFAULT_RUN)).toStrictEqual(DEFAULT_EVAL);
  });

  test('defaults are copies: changing one leaves the table alone', () => {
    const factors = fieldDefault<number[]>('eval.factors');
    factors.push(99);
    expect(FIELD_BY_PATH.get('eval.factors')?.default).toEqual([1, 2, 4, 8, 16]);
    expect(DEFAULT_EVAL.factors).not.toBe(FIELD_BY_PATH.get('eval.factors')?.default);
    expect(() => fieldDefault('model.nLayers')).toThrow(/no field 'model.nLayers'/);
  });

  test('the quick try and the classroom budget keep their values', () => {
    expect(QUICK_TRY).toStrictEqual({
      'train.steps': 20,
      'train.batchSize': 4,
      'train.seqLen': 16,
      'train.warmupSteps': 2,
      'train.logEvery': 5,
      'train.evalEvery': 10,
      'model.nLayer': 2,
      'model.nEmbd': 32,
      'model.nHead': 2,
      'eval.factors': [1, 2, 4],
      'eval.windows': 4,
      'eval.buckets': 8,
    });
    expect(CLASSROOM['train.steps']).toBe(600);
    expect(() => makeRun()).not.toThrow();
  });

  // src/config.ts reads the table when it loads and the table's modules must
  // not load src/config.ts in turn; whichever is imported first, the
  // defaults are built (an import cycle would leave them uninitialised).
  test.each([
    ['src/model/patterns.ts', () => import('../../src/model/patterns')],
    ['src/experiment/fields.ts', () => import('../../src/experiment/fields')],
    ['src/errors.ts', () => import('../../src/errors')],
    ['src/eval/config.ts', () => import('../../src/eval/config')],
    ['src/experiment/run_config.ts', () => import('../../src/experiment/run_config')],
    ['src/index.ts', () => import('../../src/index')],
  ])('loading %s first still builds every default', async (_, first) => {
    vi.resetModules();
    await first();
    const config = await import('../../src/config');
    const evalConfig = await import('../../src/eval/config');
    expect(config.DEFAULT_MODEL).toStrictEqual(DEFAULT_MODEL);
    expect(config.DEFAULT_TRAIN).toStrictEqual(DEFAULT_TRAIN);
    expect(evalConfig.DEFAULT_EVAL).toStrictEqual(DEFAULT_EVAL);
  });
});

describe('one validator: the schema built from the table', () => {
  test("every field's default passes its schema, and the default run passes the whole schema", () => {
    for (const f of FIELDS) {
      expect(fieldSchema(f).safeParse(f.default).success, f.path).toBe(true);
      expect(checkValue(f, f.default), f.path).toBeNull();
    }
    expect(checkRunConfig(DEFAULT_RUN)).toStrictEqual(DEFAULT_RUN);
  });

  test('each kind of field refuses with its one message', () => {
    const field = (path: string) => FIELD_BY_PATH.get(path)!;
    const cases: [string, unknown[], unknown[], string][] = [
      ['model.nLayer', [1, 24], [0, 25, 2.5, Number.NaN, Infinity, '4', null], 'Layers must be an integer in [1, 24]'],
      ['train.lr', [1e-6, 0.5, 1], [0, 2, -Infinity, '0.1'], 'Learning rate must be a number in [0.000001, 1]'],
      ['model.tiedEmbeddings', [true, false], [0, 1, 'true'], 'Tie unembedding to embedding must be true or false'],
      ['model.positional', ['rope', 'nope'], ['ROPE', '', 3], 'Positional scheme must be one of rope, alibi, nope'],
      ['label', ['', 'x'.repeat(80)], ['x'.repeat(81), 5], 'Run label must be text of at most 80 characters'],
      [
        'eval.factors',
        [[], [1, 64]],
        [[0], [1.5], Array(17).fill(1), '1+2', [Number.NaN]],
        'Length factors must be a list of at most 16 integers in [1, 64]',
      ],
      [
        'eval.reweightSweep',
        [[], [1, 2.5, 100]],
        [[0.5], [101], Array(9).fill(2)],
        'Re-weighting sweep (p) must be a list of at most 8 numbers in [1, 100]',
      ],
      [
        'model.layers',
        [[], ['softmax', 'mlp']],
        [['bogus'], [1], Array(25).fill('softmax'), 'softmax'],
        'Per-layer override must be a list of at most 24 of ' +
          'softmax, lssa, lssar, taylor, sigmoid, relu, nonapprox, mlp, rndembqk, fixedseqqk, staticembqk, ' +
          'softplus, lssacap, lssmax',
      ],
    ];
    for (const [path, good, bad, message] of cases) {
      for (const v of good) expect(checkValue(field(path), v), `${path} ${JSON.stringify(v)}`).toBeNull();
      for (const v of bad) expect(checkValue(field(path), v), `${path} ${String(v)}`).toBe(message);
    }
  });

  test('a run config names a bad field by its path and message, a broken cross-field rule on its own', () => {
    expect(() => checkRunConfig({ ...DEFAULT_RUN, train: { ...DEFAULT_RUN.train, steps: 0 } })).toThrow(
      /^train\.steps: Steps must be an integer in \[1, 100000\]$/,
    );
    expect(() => makeRun({ model: { nEmbd: 30, nHead: 4 } })).toThrow(/^width 30 is not divisible by 4 heads$/);
    expect(() => makeRun({ model: { nEmbd: 36, nHead: 4 } })).toThrow(/^rope needs an even head width, got 9$/);
    expect(() => makeRun({ data: { source: 'task', task: 'copy' }, eval: { passkeyTrials: 4 } })).toThrow(
      /^passkey trials need the passkey task/,
    );
  });

  test("the engine applies the same model rules to its own configs, within the engine's limits", () => {
    expect(() => checkModelConfig(DEFAULT_MODEL)).not.toThrow();
    expect(() => checkModelConfig({ ...DEFAULT_MODEL, nEmbd: 30 })).toThrow(/^width 30 is not divisible by 4 heads$/);
    // Wider than the lab's field bounds (Layers at most 24): an engine limit, not a field's.
    const deep = { ...DEFAULT_MODEL, nLayer: 40, layers: Array(40).fill('softmax') };
    expect(() => checkModelConfig(deep)).not.toThrow();
    expect(() => checkModelConfig({ ...deep, nLayer: 65, layers: Array(65).fill('softmax') })).toThrow(
      /nLayer must be an integer in \[1, 64\], got 65/,
    );
  });
});
