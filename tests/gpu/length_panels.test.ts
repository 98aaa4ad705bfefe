// Runs of several training lengths (issue 14's training-length preset) drawn
// as one panel per T side by side, on one y axis (browser project; no GPU).
import { describe, expect, test } from 'vitest';
import { presetById } from '../../src/experiment/presets';
import { answerFigureFor } from '../../src/report/answerData';
import { figureFileSvg } from '../../src/report/figureFile';
import { lossVsLengthSvg } from '../../src/report/lossVsLength';
import { lossVsLengthPanelsSvg, sharedLossDomain, trainLengthsOf } from '../../src/report/lossVsLengthPanels';
import { fakeDoc } from '../unit/app_fixture';

const tickTexts = (g: Element) =>
  [...g.querySelectorAll('g[aria-label="y-axis tick label"] text')].map((t) => t.textContent);

describe('loss against length, one panel per training length', () => {
  const docs = [32, 64, 128].flatMap((T, k) => [
    fakeDoc(`softmax, T = ${T}`, { T, base: 2.4 + 0.3 * k }),
    fakeDoc(`lssar, T = ${T}`, { T, base: 2.3 }),
  ]);

  test('three panels, each titled and marked with its own T, on the same y ticks', () => {
    expect(trainLengthsOf(docs)).toEqual([32, 64, 128]);
    const svg = lossVsLengthPanelsSvg(docs, 900, 360)!;
    expect(svg.getAttribute('width')).toBe('900');
    const text = svg.textContent ?? '';
    for (const T of [32, 64, 128]) {
      expect(text).toContain(`trained at T = ${T}`);
      expect(text).toContain(`training length T = ${T}`);
    }
    const panels = [...svg.children].filter((c) => c.tagName.toLowerCase() === 'g');
    expect(panels).toHaveLength(3);
    // Each panel draws its own two runs, and the panels' y axes agree tick for tick.
    for (const p of panels) expect(p.querySelectorAll('g[aria-label="line"] path').length).toBe(2);
    const ticks = panels.map(tickTexts);
    expect(ticks[0].length).toBeGreaterThan(2);
    expect(ticks[1]).toEqual(ticks[0]);
    expect(ticks[2]).toEqual(ticks[0]);
  });

  test('the shared extent covers every run of every panel', () => {
    const [lo, hi] = sharedLossDomain(docs);
    const losses = docs.flatMap((d) => d.lossVsLength[0].lengths.map((l) => l.meanLoss));
    // lssar's lines (base 2.3) are the lowest, softmax at T = 128 (base 3.0, 3.2 at 4x) the highest.
    expect(lo).toBe(Math.min(...losses));
    expect(hi).toBeGreaterThanOrEqual(Math.max(...losses));
    expect(Math.max(...losses)).toBeGreaterThan(3.2);
  });

  test("one training length: no panels; the plain plot names each run's own T when they differ", () => {
    expect(lossVsLengthPanelsSvg(docs.slice(0, 2), 900, 360)).toBeUndefined();
    expect(lossVsLengthSvg(docs, { width: 500 }).textContent).toContain("each run's own: 32, 64, 128");
  });

  test('the figure file of the training-length preset: the panels above one legend, the ratio figure by T', () => {
    const preset = presetById('train-length')!;
    expect(answerFigureFor(docs, preset.title).kind).toBe('ratio');
    const file = figureFileSvg(docs, answerFigureFor(docs, preset.title), 900, 360, preset.title, 'loss');
    expect(file.textContent).toContain('trained at T = 128');
    // The legend names all six runs once.
    for (const d of docs) expect(file.textContent?.split(d.label).length).toBeGreaterThan(1);
  });
});
