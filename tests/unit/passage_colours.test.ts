// The coloured passage (src/report/passageColours.ts): shades by loss and by
// difference, their legends, the contrast of the text on every shade, and
// the standalone HTML export.
import { describe, expect, test } from 'vitest';
import {
  diffColour,
  diffScaleMax,
  legendStops,
  lossColour,
  lossDiff,
  lossScaleMax,
  passageCells,
  passageHtml,
  TEXT_COLOUR,
  topLine,
} from '../../src/report/passageColours';
import type { PassageResult } from '../../src/sample/request';

const reading = (text: string, losses: number[], T = 2): PassageResult => ({
  request: { factor: 2 },
  trainLength: T,
  chars: [...text],
  losses,
  top: losses.map(() => [
    { char: 'e', p: 0.5 },
    { char: ' ', p: 0.25 },
    { char: '<', p: 0.05 },
  ]),
});

/** WCAG relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const c = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  const l = c.map((x) => (x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4));
  return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
}
const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};

describe('shades', () => {
  test('loss: white at 0, darker as the loss grows, the top shade at and past the scale', () => {
    expect(lossColour(0, 2)).toBe('#ffffff');
    const l = [0.5, 1, 1.5, 2].map((x) => luminance(lossColour(x, 2)));
    for (let i = 1; i < l.length; i++) expect(l[i]).toBeLessThan(l[i - 1]);
    expect(lossColour(9, 2)).toBe(lossColour(2, 2));
    expect(lossColour(Number.NaN, 2)).toBe(lossColour(2, 2));
  });

  test('difference: white where equal, two different hues for A better and A worse, symmetric in strength', () => {
    expect(diffColour(0, 1)).toBe('#ffffff');
    const better = diffColour(-0.8, 1);
    const worse = diffColour(0.8, 1);
    expect(better).not.toBe(worse);
    // Blue where A is better (more blue than red), orange where worse.
    const rgb = (h: string) => [1, 3, 5].map((i) => Number.parseInt(h.slice(i, i + 2), 16));
    expect(rgb(better)[2]).toBeGreaterThan(rgb(better)[0]);
    expect(rgb(worse)[0]).toBeGreaterThan(rgb(worse)[2]);
  });

  test('the text keeps a contrast of at least 4.5:1 on every shade of both scales', () => {
    for (const s of [...legendStops('loss', 3, 11), ...legendStops('diff', 1, 11)])
      expect(contrast(TEXT_COLOUR, s.colour), `${s.value}`).toBeGreaterThanOrEqual(4.5);
  });

  test('scales: the 98th percentile rounded up, so one outlier does not wash out the rest', () => {
    const losses = Array.from({ length: 100 }, (_, i) => (i === 99 ? 40 : 1 + (i % 10) / 10));
    expect(lossScaleMax([losses])).toBe(2);
    expect(lossScaleMax([[]])).toBe(0.5);
    expect(diffScaleMax([0.03, -0.42, 0.1])).toBe(0.5);
    expect(legendStops('loss', 2, 5).map((s) => s.value)).toEqual([0, 0.5, 1, 1.5, 2]);
    expect(legendStops('diff', 1, 3).map((s) => s.value)).toEqual([-1, 0, 1]);
  });
});

describe('cells and difference', () => {
  test('the first character is only read; the first T predicted ones are marked', () => {
    const cells = passageCells(reading('abcd', [0, 1, 2]), 2);
    expect(cells.map((c) => c.position)).toEqual([-1, 0, 1, 2]);
    expect(cells.map((c) => c.withinT)).toEqual([false, true, true, false]);
    expect(cells[1].colour).toBe('#ffffff');
    expect(cells[3].colour).toBe(lossColour(2, 2));
  });

  test('A minus B per position, refused for different passages', () => {
    expect(lossDiff(reading('abc', [1, 2]), reading('abc', [1.5, 0.5]))).toEqual([-0.5, 1.5]);
    expect(() => lossDiff(reading('abc', [1, 2]), reading('abd', [1, 2]))).toThrow(/different passages/);
    const cells = passageCells(reading('abc', [1, 2]), 1, [-0.5, 1.5]);
    expect(cells[1].colour).toBe(diffColour(-0.5, 1));
  });

  test('top guesses as one line, with the space made visible', () => {
    expect(topLine(reading('ab', [1]).top[0])).toBe('"e" 50%, "␣" 25%, "<" 5.0%');
  });
});

describe('HTML export', () => {
  test('standalone: every character in order, escaped, shaded, with tooltips, legend and the T marks', () => {
    const html = passageHtml({
      title: 'A <passage>',
      a: { label: 'softmax', result: reading('a<b&c', [0.1, 3, 0.2, 1]) },
    });
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|https?:/);
    expect(html).toContain('<title>A &lt;passage&gt;</title>');
    const spans = [
      ...html.matchAll(/<span( class="t")? style="background:(#[0-9a-f]{6})" title="([^"]*)">([^<]*)<\/span>/g),
    ];
    expect(spans.map((m) => m[4]).join('')).toBe('a&lt;b&amp;c');
    expect(spans.map((m) => m[1] !== undefined)).toEqual([false, true, true, false, false]);
    expect(spans[2][2]).toBe(lossColour(3, lossScaleMax([[0.1, 3, 0.2, 1]])));
    expect(spans[2][3]).toContain('softmax: loss 3.00; top &quot;e&quot; 50%');
    expect(html.match(/class="stop"/g)).toHaveLength(5);
  });

  test('a difference names both runs in every tooltip and says which colour is which', () => {
    const a = { label: 'softmax', result: reading('abc', [2, 1]) };
    const b = { label: 'lssar', result: reading('abc', [1, 1]) };
    const html = passageHtml({ title: 't', a, b });
    expect(html).toContain('blue where softmax predicts better, orange where lssar does');
    expect(html).toMatch(/softmax: loss 2\.00[^"]*\nlssar: loss 1\.00/);
  });
});
