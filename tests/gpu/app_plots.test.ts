// The lab's plots in a real DOM (browser project; no GPU used): each plot
// function returns an SVG, draws one line per run, works with a separate
// document (as the headless runner passes one), and handles empty input; the
// answer figures draw every seed; bands and dashes follow the legibility rules.
import { describe, expect, test } from 'vitest';
import { withLegend } from '../../app/legend_svg';
import type { ResultsDoc } from '../../src/eval/results';
import { presetById } from '../../src/experiment/presets';
import { answerSvg } from '../../src/report/answer';
import { answerData, answerSummary, DEFAULT_ANSWER } from '../../src/report/answerData';
import { attentionMapSvg } from '../../src/report/attentionMap';
import { diagnosticsSvg } from '../../src/report/diagnostics';
import { figureFileSvg } from '../../src/report/figureFile';
import { lossVsLengthSvg } from '../../src/report/lossVsLength';
import { curvesOf, lossVsStepSvg } from '../../src/report/lossVsStep';
import { PALETTE, variantDash } from '../../src/report/palette';
import { passkeySvg } from '../../src/report/passkey';
import { perPositionSvg } from '../../src/report/perPosition';
import { fakeDoc } from '../unit/app_fixture';

const lines = (svg: SVGSVGElement) => svg.querySelectorAll('g[aria-label="line"] path').length;

describe('plots', () => {
  const docs = [fakeDoc('softmax'), fakeDoc('lssa', { base: 2.5 }), fakeDoc('lssa', { base: 2.5, seed: 2 })];

  test('loss vs length: one line per config (seeds averaged, with a band), log x in multiples of T, T marked', () => {
    const svg = lossVsLengthSvg(docs, { width: 500, height: 300 });
    expect(svg.tagName.toLowerCase()).toBe('svg');
    expect(svg.getAttribute('width')).toBe('500');
    expect(lines(svg)).toBe(2);
    expect(svg.querySelectorAll('g[aria-label="area"] path').length).toBe(1);
    expect(svg.textContent).toContain('training length T = 16');
    expect(svg.textContent).toContain('4x');
    expect(lines(lossVsLengthSvg(docs, { hidden: new Set(['softmax']) }))).toBe(1);
  });

  test('loss vs length: labelled baseline rules; one far above the lines named in the corner; off on request', () => {
    const ruleYs = (svg: SVGSVGElement) =>
      [...svg.querySelectorAll('g[aria-label="rule"] line')].map((r) => r.getAttribute('y1')).filter((y) => y !== null);
    // Lines between 2.5 and 3.2, unigram 3.2, uniform ln 40 = 3.69: far above (more than 30% of the range).
    const svg = lossVsLengthSvg(docs, { width: 500, height: 300 });
    expect(svg.querySelectorAll('g[aria-label="rule"] line').length).toBe(2); // T and unigram
    expect(svg.textContent).toContain('unigram 3.20');
    expect(svg.textContent).toContain(`uniform, ln V ${Math.log(40).toFixed(2)} (above the plot)`);
    // Lines near the uniform loss: both baselines are rules, uniform above unigram.
    const high = lossVsLengthSvg([fakeDoc('mlp', { base: 3.5 })], { width: 500, height: 300 });
    expect(high.querySelectorAll('g[aria-label="rule"] line').length).toBe(3);
    expect(high.textContent).not.toContain('above the plot');
    // The T rule spans the frame; the two baselines sit at different heights.
    expect(new Set(ruleYs(high)).size).toBe(3);
    const off = lossVsLengthSvg(docs, { baselines: false });
    expect(off.querySelectorAll('g[aria-label="rule"] line').length).toBe(1);
    expect(off.textContent).not.toContain('unigram');
  });

  test('works with another document (as the headless runner uses), and serialises', () => {
    const doc = document.implementation.createHTMLDocument('x');
    const svg = lossVsLengthSvg(docs, { document: doc });
    expect(svg.ownerDocument).toBe(doc);
    const text = new XMLSerializer().serializeToString(svg);
    expect(text).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  test('every other plot draws its runs; empty input gives a message, not an exception', () => {
    expect(lines(lossVsStepSvg(curvesOf(docs)))).toBe(3); // each seed's own curve
    expect(lines(perPositionSvg(docs))).toBe(2);
    expect(lines(diagnosticsSvg(docs, { metric: 'entropy' }))).toBe(2);
    expect(passkeySvg(docs).textContent).toContain('No passkey results');
    // The chance level is drawn at every length, labelled: 10^-digits, the key's digits there (2 at 8, 5 at 16+).
    const pk = docs.map((d) => ({
      ...d,
      passkey: {
        trainedOn: 'passkey' as const,
        points: [8, 16, 64].map((length) => ({ length, accuracy: 0.5, trials: 2 })),
      },
    }));
    const pkSvg = passkeySvg(pk);
    expect(pkSvg.textContent).toContain('chance 0.001%');
    const chance = pkSvg.querySelector('[stroke-dasharray="1 3"] path, path[stroke-dasharray="1 3"]');
    expect(chance, 'the chance line').not.toBeNull();
    // Accuracy 0.5 sits halfway up the 0-100% axis (percent: true scales proportions before the domain applies).
    const ys = [...pkSvg.querySelectorAll('g[aria-label="dot"] > *')].map((d) =>
      Number(d.getAttribute('cy') ?? /translate\([^,]+,([^)]+)\)/.exec(d.getAttribute('transform') ?? '')?.[1]),
    );
    const y0 = pkSvg.querySelector('g[aria-label="y-axis tick"] path')?.getAttribute('transform');
    expect(ys.length).toBeGreaterThan(0);
    const height = Number(pkSvg.getAttribute('height'));
    for (const y of ys) expect(y / height, `dot at y ${y} of ${height} (${y0})`).toBeGreaterThan(0.3);
    for (const y of ys) expect(y / height).toBeLessThan(0.7);
    // A file of runs trained on the passkey task is answered by that plot; text-trained runs keep the loss dots.
    const file = figureFileSvg(pk, DEFAULT_ANSWER, 720, 420, 'Passkey', 'answer');
    expect(file.getAttribute('aria-label')).toBe('Passkey: passkey accuracy against length');
    expect(file.textContent).toContain('chance 0.001%');
    const text = docs.map((d) => ({ ...d, passkey: { ...pk[0].passkey, trainedOn: 'text' as const } }));
    expect(figureFileSvg(text, DEFAULT_ANSWER, 720, 420, 'Text', 'answer').textContent).not.toContain('chance');
    const map = {
      length: 16,
      layer: 0,
      head: 0,
      window: 0,
      R: 4,
      cells: [1, 0, 0, 0, 0.5, 0.5, 0, 0, 0.3, 0.3, 0.4, 0, 0.25, 0.25, 0.25, 0.25],
    };
    expect(attentionMapSvg(map).querySelectorAll('g[aria-label="cell"] rect').length).toBe(10);
    for (const svg of [
      lossVsLengthSvg([]),
      lossVsStepSvg([]),
      perPositionSvg([]),
      diagnosticsSvg([]),
      attentionMapSvg(null),
    ])
      expect(svg.tagName.toLowerCase()).toBe('svg');
  });

  test('loss vs length: bands only while at most 4 lines are shown, else only the highlighted run’s', () => {
    const areas = (svg: SVGSVGElement) => svg.querySelectorAll('g[aria-label="area"] path').length;
    const many = ['a', 'b', 'c', 'd', 'e'].flatMap((n) => [fakeDoc(n), fakeDoc(n, { seed: 2 })]);
    expect(areas(lossVsLengthSvg(many.slice(0, 8)))).toBe(4);
    expect(areas(lossVsLengthSvg(many))).toBe(0);
    expect(lines(lossVsLengthSvg(many))).toBe(5);
    expect(areas(lossVsLengthSvg(many, { highlight: 'c' }))).toBe(1);
    expect(areas(lossVsLengthSvg(many, { hidden: new Set(['a']) }))).toBe(4);
  });

  test('loss vs length: palette colours by run; a variant in its run’s colour with its own dash', () => {
    const sweep = [1, 2].map((seed) => withVariants(fakeDoc('lssa', { seed }), [3, 15]));
    const svg = lossVsLengthSvg([fakeDoc('softmax'), ...sweep]);
    const paths = [...svg.querySelectorAll('g[aria-label="line"]')].map((g) => ({
      stroke: g.querySelector('path')?.getAttribute('stroke') ?? g.getAttribute('stroke'),
      dash: g.getAttribute('stroke-dasharray'),
    }));
    expect(paths).toEqual([
      { stroke: PALETTE[0], dash: null },
      { stroke: PALETTE[1], dash: null },
      { stroke: PALETTE[1], dash: variantDash(0) },
      { stroke: PALETTE[1], dash: variantDash(1) },
    ]);
  });

  test('every plot with lines: each run its own marker shape as well as colour, in the plots and the legends', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'];
    const many = names.map((n) => fakeDoc(n));
    const withPasskey = many.map((d) => ({
      ...d,
      passkey: {
        trainedOn: 'passkey' as const,
        points: [16, 32].map((length) => ({ length, accuracy: 1, trials: 2 })),
      },
    }));
    const opts = { colorDomain: names };
    for (const [plot, svg, sizes] of [
      ['loss vs length', lossVsLengthSvg(many, opts), 1],
      ['loss vs step', lossVsStepSvg(curvesOf(many), opts), 2], // small marks on training, larger on validation
      ['per position', perPositionSvg(many, opts), 1],
      ['passkey', passkeySvg(withPasskey, opts), 1],
      ['diagnostics', diagnosticsSvg(many, opts), 1],
    ] as const) {
      // A dot's shape: a circle of its radius, or its symbol's path (Plot places each path by a transform).
      const dots = [...svg.querySelectorAll('g[aria-label="dot"] > *')].map((d) => ({
        colour: d.getAttribute('stroke'),
        shape: d.tagName === 'circle' ? `circle ${d.getAttribute('r')}` : d.getAttribute('d'),
      }));
      // Nine runs in 8 colours: the 9th repeats the 1st colour with another shape; all 7 shapes are drawn.
      expect(new Set(dots.map((d) => d.colour)).size, plot).toBe(8);
      expect(new Set(dots.map((d) => `${d.colour} ${d.shape}`)).size, plot).toBe(9 * sizes);
      expect(new Set(dots.map((d) => d.shape)).size, plot).toBe(7 * sizes);
    }
    // The legends (the figure file's, the compare view's) draw each run's shape in its colour.
    const legendOf = (svg: Element) =>
      new Set(
        [...svg.querySelectorAll('path[data-symbol]')].map(
          (p) => `${p.getAttribute('stroke')} ${p.getAttribute('data-symbol')}`,
        ),
      );
    const file = figureFileSvg(many, presetById('extrapolation')!.answer!, 600, 360, 'many', 'loss');
    expect(legendOf(file).size).toBe(9);
    const compare = withLegend(
      lossVsLengthSvg(many, opts),
      names.map((name, index) => ({ name, index })),
    );
    expect([...legendOf(compare)]).toEqual([...legendOf(file)]);
  });

  test('figure file: distinct variant names at the lines’ ends; repeated ones (hybridskip) in the legend only', () => {
    // Named only where the lines reach the right edge (16x here), in a column right of the frame.
    const sweep = [withVariants(fakeDoc('lssa', { factors: [1, 2, 4, 8, 16] }), [3, 15])];
    const texts = (svg: SVGSVGElement) => [...svg.querySelectorAll('text')].map((t) => t.textContent);
    const file = figureFileSvg(sweep, presetById('reweight-eval')!.answer!, 600, 360, 'sweep', 'loss');
    expect(texts(file).filter((t) => t === 'p = 15')).toHaveLength(2); // at the line's end and in the legend
    const hybrids = ['alternate mlp', 'alternate taylor'].map((n) => withVariants(fakeDoc(n), ['hybridskip']));
    const h = figureFileSvg(hybrids, presetById('deconstruct-hybrid')!.answer!, 600, 360, 'hybrids', 'loss');
    expect(texts(h).filter((t) => t === 'hybridskip')).toHaveLength(1); // the legend's dash entry
    expect(texts(h)).toContain('as trained');
    // Both: the answer figure above the loss plot, one title.
    const both = figureFileSvg(hybrids, presetById('deconstruct-hybrid')!.answer!, 600, 360, 'hybrids');
    expect(both.querySelectorAll(':scope > g').length).toBe(2);
    expect(texts(both).filter((t) => t === 'hybrids')).toHaveLength(1);
  });

  test('answer (dots at lengths): a row per run, a dot per seed, a bar per row, the ends as dashed lines', () => {
    const fig = presetById('how-many')!.answer!;
    const hm = [
      fakeDoc('softmax, every layer', { base: 2.3 }),
      fakeDoc('taylor, every layer', { base: 2.6 }),
      ...[1, 2, 3].map((seed) => fakeDoc('taylor, quarter', { base: 2.4, seed })),
      fakeDoc('taylor, last', { base: 2.9 }),
    ];
    const svg = answerSvg(hm, fig, { width: 700 });
    const panels = svg.querySelectorAll('g[aria-label^="panel"]');
    expect(panels.length).toBe(2); // at T and at the longest length
    for (const p of panels) {
      expect(p.querySelectorAll('g[aria-label="dot"] circle').length).toBe(4); // 3 seeds + 1
      expect(p.querySelectorAll('g[aria-label="rule"][stroke-dasharray="6 3"] line').length).toBe(2);
    }
    expect(svg.textContent).toContain('softmax, every layer 2.30');
    expect(svg.getAttribute('aria-description')).toBe(answerSummary(answerData(hm, fig)));
    const hidden = answerSvg(hm, fig, { hidden: new Set(['taylor, last']) });
    expect(hidden.querySelector('g[aria-label^="panel"]')!.querySelectorAll('g[aria-label="dot"] circle').length).toBe(
      3,
    );
  });

  test('answer (paired, ratio): pairs joined per seed with the baselines marked; ratios in their groups', () => {
    const hybrids = [1, 2].map((seed) => withVariants(fakeDoc('alternate mlp', { seed }), ['hybridskip']));
    const paired = answerSvg(hybrids, presetById('deconstruct-hybrid')!.answer!);
    expect(paired.querySelectorAll('g[aria-label="dot"] circle').length).toBe(4);
    expect(paired.querySelectorAll('g[aria-label="link"] path, g[aria-label="link"] line').length).toBe(2);
    expect(paired.textContent).toContain('unigram 3.20');
    expect(paired.textContent).toContain('uniform, ln V');
    const ratio = answerSvg(
      [fakeDoc('exp + l1 (softmax)'), fakeDoc('sigmoid, no norm'), fakeDoc('sigmoid, no norm', { seed: 2 })],
      presetById('decomposition')!.answer!,
    );
    expect(ratio.querySelectorAll('g[aria-label="dot"] circle').length).toBe(3);
    expect(ratio.textContent).toContain('l1-normalised');
    expect(ratio.textContent).toContain('no norm');
    expect(answerSvg([], presetById('decomposition')!.answer!).textContent).toContain('No finished runs');
  });
});

/** A document with extra evaluations (re-weighting at p, or hybridskip), each 0.1 nats worse than the last. */
function withVariants(d: ResultsDoc, kinds: (number | 'hybridskip')[]): ResultsDoc {
  const extra = kinds.map((k, i) => {
    const lengths = d.lossVsLength[0].lengths.map((l) => ({ ...l, meanLoss: l.meanLoss + 0.1 * (i + 1) }));
    return k === 'hybridskip'
      ? { label: 'hybridskip', reweightP: null, hybridskip: true, lengths }
      : { label: `p = ${k}`, reweightP: k, hybridskip: false, lengths };
  });
  return { ...d, lossVsLength: [...d.lossVsLength, ...extra] };
}
