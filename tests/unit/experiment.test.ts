import { describe, expect, test } from 'vitest';
import { applyOverrides, defaultExperiment, resolveRuns } from '../../src/experiment/experiment';
import { FIELDS } from '../../src/experiment/fields';
import { PRESETS, presetExperiment } from '../../src/experiment/presets';
import { checkRunConfig, DEFAULT_RUN, layersOf, makeRun, toModelConfig } from '../../src/experiment/run_config';
import { compressText, decodeExperiment, decompressText, encodeExperiment } from '../../src/experiment/url';

describe('run configs', () => {
  test('defaults are valid and match the field table', () => {
    expect(checkRunConfig(DEFAULT_RUN)).toEqual(DEFAULT_RUN);
    expect(DEFAULT_RUN.model.nLayer).toBe(4);
    expect(toModelConfig(DEFAULT_RUN, 80).layers).toEqual(['softmax', 'softmax', 'softmax', 'softmax']);
  });
  test('cross-field problems are named', () => {
    expect(() => makeRun({ model: { nEmbd: 30, nHead: 4 } })).toThrow(/width 30 is not divisible by 4 heads/);
    expect(() => makeRun({ model: { nLayer: 2, layers: ['softmax'] } })).toThrow(/lists 1 mechanisms for 2 layers/);
    expect(() => makeRun({ model: { mechanism: 'mlp' } })).toThrow(
      /has no effect when every layer is mlp or nonapprox/,
    );
    expect(() => makeRun({ train: { steps: 10, warmupSteps: 20 } })).toThrow(/warm-up/);
    expect(() => checkRunConfig({ ...DEFAULT_RUN, extra: 1 })).toThrow();
    expect(() => checkRunConfig({ ...DEFAULT_RUN, train: { ...DEFAULT_RUN.train, steps: -5 } })).toThrow(/train.steps/);
  });
  test('pattern and per-layer override give the layer list', () => {
    expect(layersOf(makeRun({ model: { mechanism: 'taylor', pattern: 'alternate' } }))).toEqual([
      'taylor',
      'softmax',
      'taylor',
      'softmax',
    ]);
    expect(layersOf(makeRun({ model: { layers: ['lssa', 'softmax', 'mlp', 'softmax'] } }))).toEqual([
      'lssa',
      'softmax',
      'mlp',
      'softmax',
    ]);
  });
});

describe('presets', () => {
  test("the paper's seven and the reported issue-14 presets resolve to valid runs", () => {
    expect(PRESETS.map((p) => p.id).slice(7)).toEqual(['lssa-parts']);
    for (const p of PRESETS) {
      const runs = resolveRuns(presetExperiment(p));
      expect(runs.length).toBeGreaterThan(0);
      expect(p.question.length).toBeGreaterThan(40);
      expect(p.finding.length).toBeGreaterThan(40);
    }
  });
  test('every preset round-trips through a share link', () => {
    for (const p of PRESETS) {
      const e = presetExperiment(p);
      const link = encodeExperiment(e).toString();
      const back = decodeExperiment(link);
      expect(back.problems).toEqual([]);
      expect(back.experiment).toEqual(e);
      expect(resolveRuns(back.experiment)).toEqual(resolveRuns(e));
    }
  });
  test('the default experiment encodes to almost nothing', () => {
    expect(encodeExperiment(defaultExperiment()).toString()).toBe('v=1&x=Default+experiment&run=');
  });
});

describe('share links: bad input is reported, never thrown', () => {
  test('unknown, malformed and out-of-range fields keep their defaults', () => {
    const d = decodeExperiment('v=1&L=6&H=abc&steps=-4&zzz=1&mech=bogus&run=mech:lssa,qq:1,p:1e9');
    expect(d.experiment.base.model.nLayer).toBe(6);
    expect(d.experiment.base.model.nHead).toBe(4);
    expect(d.experiment.base.train.steps).toBe(300);
    expect(d.experiment.runs[0]).toEqual({ 'model.mechanism': 'lssa' });
    expect(d.problems.join('\n')).toMatch(/Heads must be an integer/);
    expect(d.problems.join('\n')).toMatch(/unknown field 'zzz'/);
    expect(d.problems.join('\n')).toMatch(/Mechanism must be one of/);
    expect(d.problems.join('\n')).toMatch(/run 1: cannot read 'qq:1'/);
    expect(d.problems.join('\n')).toMatch(/run 1: Re-weighting p must be a number in \[1, 100\]/);
  });
  test('a newer version and a bad version are named', () => {
    expect(decodeExperiment('v=9&L=2').problems[0]).toMatch(/newer lab \(config version 9/);
    expect(decodeExperiment('v=x').problems[0]).toMatch(/not a version number/);
  });
  test('labels are data: markup survives as text', () => {
    const e = defaultExperiment();
    e.label = '<img src=x onerror=alert(1)>';
    e.runs = [{ label: '<script>alert(1)</script>,:+' }];
    const back = decodeExperiment(encodeExperiment(e).toString());
    expect(back.experiment.label).toBe(e.label);
    expect(back.experiment.runs[0].label).toBe('<script>alert(1)</script>,:+');
  });
  test('a huge link is refused with a message', () => {
    const d = decodeExperiment(`L=${'9'.repeat(2_100_000)}`);
    expect(d.problems[0]).toMatch(/limit is 2000000/);
    expect(d.experiment.base).toEqual(DEFAULT_RUN);
  });
  test('teacher mode round-trips and reports unknown fields', () => {
    const q = encodeExperiment(defaultExperiment(), {
      locked: ['model.nLayer', 'model.mechanism'],
      hidden: ['train.lr'],
    });
    const d = decodeExperiment(q);
    expect(d.teacher).toEqual({ locked: ['model.nLayer', 'model.mechanism'], hidden: ['train.lr'] });
    expect(decodeExperiment('teacher=lock:nope').problems[0]).toMatch(/unknown field 'nope'/);
  });
  test('every field of the table has a unique key and a default it accepts', () => {
    expect(new Set(FIELDS.map((f) => f.key)).size).toBe(FIELDS.length);
    expect(() => applyOverrides(DEFAULT_RUN, Object.fromEntries(FIELDS.map((f) => [f.path, f.default])))).not.toThrow();
  });
});

describe('results in links', () => {
  test('compress and decompress round trip', async () => {
    const text = JSON.stringify({ a: 'x'.repeat(10000), b: [1, 2, 3] });
    const c = await compressText(text);
    expect(c.length).toBeLessThan(text.length / 10);
    expect(await decompressText(c)).toBe(text);
  });
  test('invalid compression, non-base64 text and decompression bombs are refused', async () => {
    await expect(decompressText('not base64!')).rejects.toThrow(/cannot be read; the link was probably cut off/);
    await expect(decompressText('AAAA')).rejects.toThrow(/cannot be read/);
    const bomb = await compressText('0'.repeat(6_000_000));
    await expect(decompressText(bomb)).rejects.toThrow(/expand past/);
  });
});
