// The lab's plots in a real DOM (browser project; no GPU used): each plot
// function returns an SVG, draws one line per run, works with a separate
// document (as the headless runner passes one), and handles empty input.
import { describe, expect, test } from 'vitest';
import { attentionMapSvg } from '../../src/report/attentionMap';
import { diagnosticsSvg } from '../../src/report/diagnostics';
import { lossVsLengthSvg } from '../../src/report/lossVsLength';
import { curvesOf, lossVsStepSvg } from '../../src/report/lossVsStep';
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
});
