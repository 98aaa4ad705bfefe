// Windowed evaluation and window placement as fields: links, run configs, refusals.
import { describe, expect, test } from 'vitest';
import { NONAPPROX_WINDOW } from '../../src/eval/config';
import { defaultExperiment } from '../../src/experiment/experiment';
import { checkRunConfig, DEFAULT_RUN, toEvalConfig } from '../../src/experiment/run_config';
import { decodeExperiment, encodeExperiment } from '../../src/experiment/url';

describe('eval.windowed and eval.placement', () => {
  test('a link carries them and the run config hands them to the evaluator', () => {
    const e = defaultExperiment();
    e.base = { ...e.base, eval: { ...e.base.eval, windowed: true, placement: 'shifted' } };
    const q = encodeExperiment(e);
    expect(q.get('win')).not.toBeNull();
    expect(q.get('pl')).not.toBeNull();
    const back = decodeExperiment(q.toString());
    expect(back.problems).toEqual([]);
    expect(back.experiment.base.eval.windowed).toBe(true);
    expect(back.experiment.base.eval.placement).toBe('shifted');
    const ev = toEvalConfig(back.experiment.base);
    expect([ev.windowed, ev.placement]).toEqual([true, 'shifted']);
  });

  test('off by default; refused with nonapprox layers in one sentence, before anything trains', () => {
    expect(toEvalConfig(DEFAULT_RUN).windowed).toBe(false);
    const bad = {
      ...DEFAULT_RUN,
      model: { ...DEFAULT_RUN.model, mechanism: 'nonapprox' as const, positional: 'nope' as const },
      eval: { ...DEFAULT_RUN.eval, windowed: true },
    };
    expect(() => checkRunConfig(bad)).toThrow(NONAPPROX_WINDOW);
    expect(() => checkRunConfig({ ...bad, eval: { ...bad.eval, windowed: false } })).not.toThrow();
    expect(() => checkRunConfig({ ...DEFAULT_RUN, eval: { ...DEFAULT_RUN.eval, placement: 'random' } })).toThrow(
      /eval\.placement/,
    );
  });
});
