// The loss-against-length plot's live layer in a real DOM (browser project; no
// GPU used): live points drawn dotted with hollow squares and a "live, step N"
// label beside the finished runs' lines, a plot of live points alone while no
// run has finished, hidden runs left out, and the replay slider's step
// choosing which live evaluation is drawn.
import { describe, expect, test } from 'vitest';
import { liveLines } from '../../app/live';
import { createLabStore } from '../../app/store';
import type { LiveEval } from '../../src/eval/live';
import { makeRun } from '../../src/experiment/run_config';
import { LIVE_DASH } from '../../src/report/liveLength';
import { lossVsLengthSvg } from '../../src/report/lossVsLength';
import { fakeDoc } from '../unit/app_fixture';

const at = (step: number, loss: number): LiveEval => ({
  step,
  points: [1, 4, 16].map((f) => ({ factor: f, length: 16 * f, loss: loss + 0.05 * Math.log2(f) })),
});
const dotted = (svg: SVGSVGElement) =>
  [...svg.querySelectorAll('g[aria-label="line"]')].filter((g) => g.getAttribute('stroke-dasharray') === LIVE_DASH)
    .length;
const squares = (svg: SVGSVGElement) => svg.querySelectorAll('g[aria-label="dot"] path').length;

describe('the live layer of the loss-against-length plot', () => {
  const line = (run: string, live: LiveEval) => ({ run, T: 16, ...live });

  test('live points beside the finished lines: dotted, hollow squares, labelled with their step', () => {
    const docs = [fakeDoc('softmax')];
    const svg = lossVsLengthSvg(docs, { width: 500, height: 300, live: [line('lssar', at(50, 2.6))] });
    expect(svg.querySelectorAll('g[aria-label="line"] path').length).toBe(2); // the finished run, the live one
    expect(dotted(svg)).toBe(1);
    expect(squares(svg)).toBe(3);
    expect(svg.textContent).toContain('live, step 50');
    // Without live points the plot is as it was: no dotted line, no label.
    const plain = lossVsLengthSvg(docs, { width: 500, height: 300 });
    expect(dotted(plain)).toBe(0);
    expect(plain.textContent).not.toContain('live, step');
  });

  test('live points alone while no run has finished (T from the live run); hidden runs are left out', () => {
    const live = [line('softmax', at(25, 3.1)), line('lssar', at(25, 2.9))];
    const svg = lossVsLengthSvg([], { width: 500, height: 300, live });
    expect(svg.textContent).not.toContain('No finished runs yet');
    expect(svg.textContent).toContain('training length T = 16');
    expect(dotted(svg)).toBe(1); // one line mark, a path per run
    expect(svg.querySelectorAll('g[aria-label="line"] path').length).toBe(2);
    expect(squares(svg)).toBe(6);
    const oneHidden = lossVsLengthSvg([], { live, hidden: new Set(['softmax']) });
    expect(squares(oneHidden)).toBe(3);
    expect(lossVsLengthSvg([], { live: [] }).textContent).toContain('No finished runs yet');
  });

  test('the replay step picks the live evaluation drawn: each run as of that step, finished runs included', () => {
    const lab = createLabStore();
    const [a] = lab.getState().enqueue([makeRun({ label: 'softmax', train: { seqLen: 16 } })], 'x');
    lab.setState((s) => ({ runs: s.runs.map((r) => ({ ...r, status: 'done' as const })) }));
    const history = { [a]: [at(25, 3.2), at(50, 2.8)] };
    const draw = (step: number | null) =>
      lossVsLengthSvg([fakeDoc('softmax')], { live: liveLines(lab.getState().runs, history, step) });
    expect(draw(30).textContent).toContain('live, step 25');
    expect(draw(50).textContent).toContain('live, step 50');
    // Now: the finished run's final evaluation alone.
    expect(draw(null).textContent).not.toContain('live, step');
    expect(dotted(draw(null))).toBe(0);
  });
});
