// Live evaluation without a GPU: when it runs and at which factors, the field
// in share links (old links read as before), the lab's history of live points
// and its replay, and the plot's live data.
import { describe, expect, test } from 'vitest';
import { connectLive, createLiveStore, liveAt, liveLines, replaySteps, withLive } from '../../app/live';
import { createLabStore } from '../../app/store';
import { type LiveEval, liveEvalDue, liveFactors } from '../../src/eval/live';
import { defaultExperiment, resolveRuns } from '../../src/experiment/experiment';
import { DEFAULT_RUN, makeRun } from '../../src/experiment/run_config';
import { decodeExperiment, encodeExperiment } from '../../src/experiment/url';
import type { Event } from '../../src/host/protocol';
import { liveLabel, livePlotPoints, liveSummary } from '../../src/report/liveLength';

const at = (step: number, loss = 2): LiveEval => ({
  step,
  points: [
    { factor: 1, length: 64, loss },
    { factor: 16, length: 1024, loss: loss + 1 },
  ],
});

describe('when and where a live evaluation reads', () => {
  test('every N steps, never after the last step (the final evaluation follows), never with N = 0', () => {
    const due = (steps: number, every: number) =>
      Array.from({ length: steps }, (_, i) => i + 1).filter((s) => liveEvalDue(s, steps, every));
    expect(due(100, 25)).toEqual([25, 50, 75]);
    expect(due(101, 25)).toEqual([25, 50, 75, 100]);
    expect(due(10, 0)).toEqual([]);
    expect(due(3, 1)).toEqual([1, 2]);
  });

  test('1x, 4x and 16x where the run evaluates them; else its shortest and longest', () => {
    expect(liveFactors([1, 2, 4, 8, 16])).toEqual([1, 4, 16]);
    expect(liveFactors([1, 2, 4])).toEqual([1, 4]);
    expect(liveFactors([2, 8])).toEqual([2, 8]);
    expect(liveFactors([3])).toEqual([3]);
  });
});

describe('the live evaluation field in share links', () => {
  test('a link made before the field decodes to the same experiment, with live evaluation at its default', () => {
    // As the lab wrote it before the field existed (URLSearchParams escapes the runs' separators).
    const old = 'v=1&x=Two+runs&steps=50&ev=10&run=mech%3Asoftmax&run=mech%3Alssar%2Cp%3A15';
    const d = decodeExperiment(old);
    expect(d.problems).toEqual([]);
    expect(d.experiment.base).toEqual({ ...DEFAULT_RUN, train: { ...DEFAULT_RUN.train, steps: 50, evalEvery: 10 } });
    expect(d.experiment.runs).toEqual([
      { 'model.mechanism': 'softmax' },
      { 'model.mechanism': 'lssar', 'model.reweight.p': 15 },
    ]);
    expect(resolveRuns(d.experiment).map((r) => r.train.liveEvalEvery)).toEqual([75, 75]);
    // The default is not written: the link re-encodes to itself.
    expect(encodeExperiment(d.experiment).toString()).toBe(old);
  });

  test('a run or the base that turns it off (or changes it) carries that through the link', () => {
    const e = defaultExperiment();
    e.base = makeRun({ train: { liveEvalEvery: 10 } });
    e.runs = [{ label: 'quiet', 'train.liveEvalEvery': 0 }];
    const q = encodeExperiment(e).toString();
    expect(q).toContain('live=10');
    expect(q).toContain('live%3A0');
    const back = decodeExperiment(q);
    expect(back.problems).toEqual([]);
    expect(resolveRuns(back.experiment)[0].train.liveEvalEvery).toBe(0);
    expect(decodeExperiment('v=1&live=-3').problems.join()).toMatch(/Live evaluation every must be an integer/);
  });
});

describe("the lab's live history", () => {
  test('a step repeated replaces the earlier one; replay stops are every step of any run; as-of lookup', () => {
    let list = withLive([], at(50));
    list = withLive(list, at(25));
    list = withLive(list, at(50, 1.5));
    expect(list.map((l) => [l.step, l.points[0].loss])).toEqual([
      [25, 2],
      [50, 1.5],
    ]);
    expect(replaySteps({ a: list, b: [at(30)] })).toEqual([25, 30, 50]);
    expect(liveAt(list, 24)).toBeNull();
    expect(liveAt(list, 49)?.step).toBe(25);
    expect(liveAt(list, 50)?.step).toBe(50);
  });

  test("active runs' events are kept, late ones of stopped or removed runs dropped; a removed run is forgotten", () => {
    const lab = createLabStore();
    const live = createLiveStore();
    const take = connectLive(lab, live);
    const [a, b] = lab.getState().enqueue([makeRun({ label: 'a' }), makeRun({ label: 'b' })], 'x');
    lab.getState().markStarting(a);
    const ev = (runId: string, l: LiveEval): Event => ({ type: 'liveEval', runId, ...l });
    expect(take(ev(a, at(25)))).toBe(true);
    expect(take(ev(b, at(25)))).toBe(true); // taken (it is a live event) but dropped: b is only queued
    expect(take({ type: 'stopped', runId: a, step: 3 })).toBe(false); // not a live event: the lab's store takes it
    expect(Object.keys(live.getState().history)).toEqual([a]);
    // Now: the active run's latest; a finished run's final evaluation replaces its live points.
    take(ev(a, at(50, 1.8)));
    const runs = () => lab.getState().runs;
    expect(liveLines(runs(), live.getState().history, null).map((l) => [l.run, l.step, l.T])).toEqual([['a', 50, 64]]);
    lab.setState((s) => ({ runs: s.runs.map((r) => (r.id === a ? { ...r, status: 'done' as const } : r)) }));
    expect(liveLines(runs(), live.getState().history, null)).toEqual([]);
    take(ev(a, at(75))); // late: the run is no longer active
    expect(live.getState().history[a].map((l) => l.step)).toEqual([25, 50]);
    // Replaying a step draws the finished run as it was then.
    expect(liveLines(runs(), live.getState().history, 30).map((l) => [l.run, l.step])).toEqual([['a', 25]]);
    expect(liveLines(runs(), live.getState().history, 10)).toEqual([]);
    lab.getState().removeRun(a);
    expect(live.getState().history).toEqual({});
  });
});

describe("the plot's live layer data", () => {
  const lines = [
    { run: 'softmax', step: 50, T: 64, points: at(50, 2).points },
    { run: 'lssar', step: 50, T: 64, points: [...at(50, 2.2).points, { factor: 4, length: 256, loss: NaN }] },
  ];

  test('points of the shown runs, non-finite losses left out', () => {
    const pts = livePlotPoints(lines);
    expect(pts.length).toBe(4);
    expect(pts.every((p) => Number.isFinite(p.loss))).toBe(true);
    expect(livePlotPoints(lines, new Set(['softmax'])).map((p) => p.run)).toEqual(['lssar', 'lssar']);
  });

  test('a text alternative naming each run, its step and its losses', () => {
    expect(liveLabel(50)).toBe('live, step 50');
    const s = liveSummary(lines.slice(0, 1));
    expect(s).toBe('softmax, live, step 50: 2.00 at 1x (64 tokens), 3.00 at 16x (1024 tokens)');
    expect(liveSummary(lines, new Set(['softmax', 'lssar']))).toBe('');
  });
});
