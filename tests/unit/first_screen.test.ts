// Issue 15's first minute: a fresh page opens on the quick demo with the builder folded, and no link changes
// meaning for it (links still decode against DEFAULT_RUN); links of experiments of their own open the builder.
import { describe, expect, it } from 'vitest';
import { firstScreen } from '../../app/first_screen';
import { defaultExperiment } from '../../src/experiment/experiment';
import { PRESETS, presetExperiment, QUICK_DEMO } from '../../src/experiment/presets';
import { DEFAULT_RUN } from '../../src/experiment/run_config';
import { decodeExperiment, encodeExperiment } from '../../src/experiment/url';

const open = (query: string) => {
  const q = new URLSearchParams(query);
  return firstScreen(q, decodeExperiment(q));
};

describe('the first screen', () => {
  it('a fresh page holds the quick demo, with the builder folded', () => {
    const s = open('');
    expect(s.experiment).toEqual(presetExperiment(QUICK_DEMO));
    expect(s.opensBuilder).toBe(false);
  });

  it("the quick demo's own link (a reload of a fresh page) opens the same way", () => {
    const s = open(encodeExperiment(presetExperiment(QUICK_DEMO)).toString());
    expect(s.experiment).toEqual(presetExperiment(QUICK_DEMO));
    expect(s.opensBuilder).toBe(false);
  });

  it('a link keeps its meaning: fields it omits are DEFAULT_RUN, not the demo', () => {
    const s = open('v=1&steps=20');
    expect(s.experiment.base).toEqual({ ...DEFAULT_RUN, train: { ...DEFAULT_RUN.train, steps: 20 } });
    expect(s.opensBuilder).toBe(true);
    // The default experiment's link is what it always was (tests/unit/experiment.test.ts pins its text).
    expect(open(encodeExperiment(defaultExperiment()).toString()).experiment).toEqual(defaultExperiment());
  });

  it("a preset's link, a student link and a sweep open the builder", () => {
    const preset = presetExperiment(PRESETS[0]);
    expect(open(encodeExperiment(preset).toString()).opensBuilder).toBe(true);
    const demo = presetExperiment(QUICK_DEMO);
    expect(open(encodeExperiment(demo, { locked: ['train.steps'], hidden: [] }).toString()).opensBuilder).toBe(true);
    expect(open(encodeExperiment(demo, null, { seeds: [1, 2], seats: 2, seat: null }).toString()).opensBuilder).toBe(
      true,
    );
  });
});
