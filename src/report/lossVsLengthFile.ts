// The loss-vs-length plot as a standalone SVG file (the headless runner's
// --plot and the reproduction report's figures): the lab's own plot with a
// title above, a legend below and each variant line named at its end, since
// a file has neither the lab's HTML legend nor its tooltips.
import type { ResultsDoc } from '../eval/results';
import { type LengthPoint, lossVsLengthPoints, lossVsLengthSvg } from './lossVsLength';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The plot of `docs`, `width` x `height` CSS pixels plus its title and legend. */
export function lossVsLengthFileSvg(docs: ResultsDoc[], width: number, height: number, title: string): SVGSVGElement {
  const svg = lossVsLengthSvg(docs, { width, height });
  labelVariants(svg, lossVsLengthPoints(docs), width);
  frame(svg, width, height, title);
  return svg;
}

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

type Scale = { domain: string[]; range: string[]; apply: (x: unknown) => number };
const scaleOf = (svg: SVGSVGElement, name: string) =>
  (svg as unknown as { scale?: (n: string) => Scale | undefined }).scale?.(name);

/**
 * Variant lines (re-weighting sweeps, hybridskip) share their run's colour,
 * dashed; the lab names them in a tooltip, a file has none, so each gets its
 * name at its last point.
 */
function labelVariants(svg: SVGSVGElement, points: LengthPoint[], width: number): void {
  const x = scaleOf(svg, 'x');
  const y = scaleOf(svg, 'y');
  if (!x || !y) return;
  const labels: { x: number; y: number; text: string }[] = [];
  for (const name of new Set(points.map((p) => p.series))) {
    const pts = points.filter((p) => p.series === name);
    if (name === pts[0].run) continue;
    const last = pts.reduce((a, b) => (b.factor > a.factor ? b : a));
    labels.push({
      x: x.apply(last.factor),
      y: y.apply(last.mean) + 3,
      text: name.slice(pts[0].run.length).replace(/^ · /, ''),
    });
  }
  // Right of the line's end when there is room, else left of it; lines that end together are spread 11 px apart.
  const g = el('g', { 'font-size': 10, fill: '#444' });
  for (const at of new Set(labels.map((l) => Math.round(l.x)))) {
    const group = labels.filter((l) => Math.round(l.x) === at).sort((a, b) => a.y - b.y);
    const right = at + 8 + 6 * Math.max(...group.map((l) => l.text.length)) < width;
    group.forEach((l, i) => {
      if (i > 0) l.y = Math.max(l.y, group[i - 1].y + 11);
      g.appendChild(el('text', { x: right ? at + 8 : at - 8, y: l.y, 'text-anchor': right ? 'start' : 'end' }, l.text));
    });
  }
  svg.appendChild(g);
}

/**
 * The lab draws its legends in HTML around the plot; a standalone file needs
 * its own. Adds a title above and a legend below (the plot's own colour
 * scale: one entry per run), growing the SVG to fit.
 */
function frame(svg: SVGSVGElement, width: number, height: number, title: string): void {
  const scale = scaleOf(svg, 'color');
  const names = scale?.domain ?? [];
  const top = title ? 30 : 0;
  const body = el('g', { transform: `translate(0, ${top})` });
  for (const c of [...svg.childNodes]) if (!(c instanceof SVGStyleElement)) body.appendChild(c);
  svg.appendChild(body);
  if (title)
    svg.appendChild(
      el('text', { x: 8, y: 20, 'text-anchor': 'start', 'font-size': 15, 'font-weight': 600, fill: '#222' }, title),
    );
  // Flow layout: items left to right, wrapping at the plot's width.
  const legend = el('g', { transform: `translate(0, ${top + height + 6})`, 'text-anchor': 'start', 'font-size': 12 });
  let x = 12;
  let y = 10;
  for (const [i, name] of names.entries()) {
    const w = 34 + 7 * name.length;
    if (x + w > width && x > 12) {
      x = 12;
      y += 20;
    }
    const colour = scale!.range[i % scale!.range.length];
    legend.appendChild(el('line', { x1: x, x2: x + 22, y1: y, y2: y, stroke: colour, 'stroke-width': 2.5 }));
    legend.appendChild(el('text', { x: x + 28, y: y + 4, fill: '#222' }, name));
    x += w + 14;
  }
  svg.appendChild(legend);
  const total = top + height + (names.length ? y + 16 : 0);
  svg.setAttribute('height', String(total));
  svg.setAttribute('viewBox', `0 0 ${width} ${total}`);
}
