// A plot with its legend drawn into the same SVG, so the page, the SVG export
// and the PNG export all name every line (the compare view's nine lines of
// three students are told apart without hovering): each entry its line's
// colour and marker shape, as the plot draws it, and its name.
import { runStyle } from '../src/report/palette';
import { legendMarker } from '../src/report/symbols';

const NS = 'http://www.w3.org/2000/svg';

export interface LegendEntry {
  name: string;
  /** The line's place in the plot's colour domain (runStyle). */
  index: number;
}

/** A new SVG: `plot` on top, the legend below it in rows that wrap at the plot's width. */
export function withLegend(plot: SVGSVGElement, entries: readonly LegendEntry[], fontSize = 12): SVGSVGElement {
  const doc = plot.ownerDocument;
  const w = Number(plot.getAttribute('width')) || 640;
  const h = Number(plot.getAttribute('height')) || 360;
  const el = (tag: string, attrs: Record<string, string | number>) => {
    const e = doc.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
    return e;
  };
  const legend = el('g', { 'aria-label': 'legend', 'font-size': fontSize, 'font-family': 'system-ui, sans-serif' });
  const rowH = Math.round(fontSize * 1.7);
  const sample = Math.round(fontSize * 2.2);
  let x = 10;
  let y = rowH / 2;
  for (const e of entries) {
    // Text width estimated at 0.6 em a character: no layout engine in Node, where figures are also drawn.
    const width = sample + 8 + Math.ceil(e.name.length * fontSize * 0.6) + 18;
    if (x > 10 && x + width > w) {
      x = 10;
      y += rowH;
    }
    const s = runStyle(e.index);
    const item = el('g', { transform: `translate(${x},${y})` });
    item.append(el('line', { x1: 0, x2: sample, y1: 0, y2: 0, stroke: s.colour, 'stroke-width': 2.5 }));
    item.append(el('path', legendMarker(s, 3.5, sample / 2, 0)));
    const t = el('text', { x: sample + 6, y: 0, dy: '0.35em', fill: '#1d2330' });
    t.textContent = e.name;
    item.append(t);
    legend.append(item);
    x += width;
  }
  const legendH = entries.length ? y + rowH / 2 + 4 : 0;
  const out = el('svg', {
    width: w,
    height: h + legendH,
    viewBox: `0 0 ${w} ${h + legendH}`,
    role: 'img',
  }) as SVGSVGElement;
  const inner = plot.cloneNode(true) as SVGSVGElement;
  inner.setAttribute('x', '0');
  inner.setAttribute('y', '0');
  out.append(inner);
  legend.setAttribute('transform', `translate(0,${h})`);
  out.append(legend);
  return out;
}
