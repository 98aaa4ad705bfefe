// Issue 15's reference band in the loss-against-length plot (browser project for the DOM; no GPU used): a band
// under each run that has a reference, below the run's line, labelled; hidden with its run; inside the y axis.
import { describe, expect, test } from 'vitest';
import { lossVsLengthSvg } from '../../src/report/lossVsLength';
import { deriveReference } from '../../src/report/reference';
import type { ReferenceLayer } from '../../src/report/referenceBand';
import { fakeDoc } from '../unit/app_fixture';

/** A reference run measured at `base` nats over seeds 1-3 (fakeDoc adds seed * 1e-3 to each loss). */
const refRun = (label: string, base: number) =>
  deriveReference(
    'test',
    [1, 2, 3].map((seed) => fakeDoc(label, { base, seed })),
  ).runs[0];
const bands = (svg: SVGSVGElement) => svg.querySelectorAll('g.reference-band path').length;
const lines = (svg: SVGSVGElement) => svg.querySelectorAll('g[aria-label="line"] path').length;
const labels = (svg: SVGSVGElement) => svg.querySelector('g.reference-band-label')?.textContent ?? '';

describe('reference band', () => {
  const docs = [fakeDoc('softmax'), fakeDoc('lssa', { base: 2.5 })];
  const layer: ReferenceLayer = {
    runs: new Map([
      ['softmax', refRun('softmax', 3)],
      ['lssa', refRun('lssa', 2.5)],
    ]),
    seeds: 3,
  };

  test('a labelled band under each run with a reference, the runs still one line each', () => {
    const svg = lossVsLengthSvg(docs, { width: 500, height: 300, reference: layer });
    expect(bands(svg)).toBe(2);
    expect(lines(svg)).toBe(2);
    expect(labels(svg)).toBe('reference, 3 seedsreference, 3 seeds');
    // Under the lines: the band's group comes first in the drawing order.
    const groups = [...svg.children];
    expect(groups.indexOf(svg.querySelector('g.reference-band')!)).toBeLessThan(
      groups.indexOf(svg.querySelector('g[aria-label="line"]')!),
    );
    // A run without a reference has no band; a hidden run hides its band; no layer, no band.
    expect(bands(lossVsLengthSvg(docs, { reference: { ...layer, runs: new Map([...layer.runs].slice(0, 1)) } }))).toBe(
      1,
    );
    expect(bands(lossVsLengthSvg(docs, { reference: layer, hidden: new Set(['lssa']) }))).toBe(1);
    expect(bands(lossVsLengthSvg(docs))).toBe(0);
  });

  test('the y axis takes in a band far from the lines', () => {
    const ticks = (svg: SVGSVGElement) =>
      [...svg.querySelectorAll('g[aria-label="y-axis tick label"] text')].map((t) => Number(t.textContent));
    const far = { runs: new Map([['softmax', refRun('softmax', 4)]]), seeds: 3 };
    expect(Math.max(...ticks(lossVsLengthSvg(docs, { baselines: false })))).toBeLessThan(3.5);
    expect(Math.max(...ticks(lossVsLengthSvg(docs, { baselines: false, reference: far })))).toBeGreaterThanOrEqual(4.2);
  });

  test('past three bands one note in the corner names them, instead of a label at each', () => {
    const many = ['a', 'b', 'c', 'd'].map((l, i) => fakeDoc(l, { base: 2 + i / 4 }));
    const runs = new Map(many.map((d, i) => [d.label, refRun(d.label, 2 + i / 4)]));
    const svg = lossVsLengthSvg(many, { reference: { runs, seeds: 3 } });
    expect(bands(svg)).toBe(4);
    expect(labels(svg)).toBe('shaded: reference, 3 seeds (min to max)');
  });
});
