// Every preset's figures legible (browser project; no GPU used): drawn from
// the reproduction's committed results (docs/figures/<preset>.json) as the
// report and the runner draw them (figureFileSvg) and as the lab does (its
// width, colours, normal and large text), laid out in the page; then no two
// text labels' rendered boxes overlap, every label lies inside its SVG, and
// no panel uses more than the palette's 8 colours.
import { afterEach, describe, expect, test } from 'vitest';
import { parseResults, type ResultsDoc } from '../../src/eval/results';
import { REPORTED_PRESETS } from '../../src/experiment/presets';
import { answerSvg } from '../../src/report/answer';
import { answerFigureFor } from '../../src/report/answerData';
import { seriesOf } from '../../src/report/common';
import { figureFileSvg } from '../../src/report/figureFile';
import { overlaps } from '../../src/report/labels';
import { lossVsLengthSvg } from '../../src/report/lossVsLength';
import { MAX_COLOURS, PALETTE } from '../../src/report/palette';

const files = import.meta.glob<unknown[]>('../../docs/figures/*.json', { eager: true, import: 'default' });
const results = new Map(
  Object.entries(files).map(([path, docs]) => [
    path.replace(/^.*\//, '').replace(/\.json$/, ''),
    docs.map((d) => parseResults(d)),
  ]),
);

interface Box {
  text: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The rendered box of every non-empty text label of `svg`, in page pixels (transforms applied). */
function labelBoxes(svg: SVGSVGElement): Box[] {
  return [...svg.querySelectorAll('text')]
    .filter((t) => (t.textContent ?? '').trim() !== '')
    .map((t) => {
      const r = t.getBoundingClientRect();
      return { text: t.textContent ?? '', x: r.x, y: r.y, width: r.width, height: r.height };
    });
}

/** Pairs of labels whose boxes overlap, as "a" / "b" strings (empty when the figure is clean). */
function overlapping(svg: SVGSVGElement): string[] {
  const boxes = labelBoxes(svg);
  const out: string[] = [];
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length; j++)
      if (overlaps(boxes[i], boxes[j], 0.5)) out.push(`"${boxes[i].text}" / "${boxes[j].text}"`);
  return out;
}

/** Labels that stick out of the SVG's own box (they would be cut off in a file or the lab). */
function outside(svg: SVGSVGElement): string[] {
  const r = svg.getBoundingClientRect();
  return labelBoxes(svg)
    .filter(
      (b) => b.x < r.x - 0.5 || b.y < r.y - 0.5 || b.x + b.width > r.right + 0.5 || b.y + b.height > r.bottom + 0.5,
    )
    .map((b) => b.text);
}

/** Distinct palette colours each panel (a plot's or answer panel's group) strokes or fills its marks with. */
function coloursPerPanel(svg: SVGSVGElement): number[] {
  const palette = new Set(PALETTE.map((c) => c.toLowerCase()));
  const panels = svg.querySelectorAll(
    'g[aria-label^="panel"], g[aria-label="validation loss against evaluation length"]',
  );
  const roots = panels.length ? [...panels] : [svg];
  return roots.map((root) => {
    const used = new Set<string>();
    for (const e of root.querySelectorAll('[stroke], [fill]'))
      for (const a of ['stroke', 'fill']) {
        const c = e.getAttribute(a)?.toLowerCase();
        if (c && palette.has(c)) used.add(c);
      }
    return used.size;
  });
}

function mount(svg: SVGSVGElement): SVGSVGElement {
  const box = document.createElement('div');
  box.style.width = `${svg.getAttribute('width')}px`;
  box.appendChild(svg);
  document.body.appendChild(box);
  return svg;
}
afterEach(() => {
  document.body.replaceChildren();
});

describe('the overlap check itself', () => {
  test('finds two labels drawn on top of each other, and none in labels side by side', () => {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('width', '300');
    svg.setAttribute('height', '100');
    for (const [x, y, text] of [
      [10, 20, 'hybridskip'],
      [14, 24, 'hybridskip'],
      [150, 20, 'unigram 3.09'],
      [150, 40, 'uniform 4.45'],
    ] as const) {
      const t = document.createElementNS(ns, 'text');
      t.setAttribute('x', String(x));
      t.setAttribute('y', String(y));
      t.textContent = text;
      svg.appendChild(t);
    }
    mount(svg);
    expect(overlapping(svg)).toEqual(['"hybridskip" / "hybridskip"']);
  });
});

describe.each(REPORTED_PRESETS.map((p) => [p.id, p] as const))('preset %s: figures from docs/figures', (id, preset) => {
  const docs = results.get(id) as ResultsDoc[];

  test('the reproduction has results for it', () => {
    expect(docs?.length).toBeGreaterThan(0);
  });

  test('as the report and the runner draw it (720 x 420): labels apart and inside, at most 8 colours a panel', () => {
    for (const part of ['answer', 'loss', 'both'] as const) {
      const svg = mount(figureFileSvg(docs, answerFigureFor(docs, preset.title), 720, 420, preset.title, part));
      expect(overlapping(svg), part).toEqual([]);
      expect(outside(svg), part).toEqual([]);
      for (const n of coloursPerPanel(svg)) expect(n).toBeLessThanOrEqual(MAX_COLOURS);
    }
  });

  test('as the lab draws it, in normal and large text: labels apart and inside', () => {
    const colorDomain = seriesOf(docs).map((s) => s.name);
    for (const fontSize of [12, 15]) {
      const opts = { width: 780, height: fontSize > 12 ? 420 : 360, fontSize, colorDomain };
      for (const svg of [answerSvg(docs, answerFigureFor(docs, preset.title), opts), lossVsLengthSvg(docs, opts)]) {
        mount(svg);
        expect(overlapping(svg), `${svg.getAttribute('aria-label')} at ${fontSize}px`).toEqual([]);
        expect(outside(svg), `${svg.getAttribute('aria-label')} at ${fontSize}px`).toEqual([]);
      }
    }
  });
});
