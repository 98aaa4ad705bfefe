// The figures as standalone SVG files (the headless runner's --plot and the
// reproduction report's docs/figures): the lab's own plots with a title
// above, and what the lab shows around them in HTML drawn in: the loss plot's
// legend (a run per colour and marker shape, a variant per dash pattern) and its
// variant lines named at their ends where the names fit. A file has neither
// the lab's legend nor its tooltips.
import type { ResultsDoc } from '../eval/results';
import type { AnswerFigure } from '../experiment/presets';
import { answerSvg } from './answer';
import { textWidth } from './labels';
import { lossVsLengthPoints, lossVsLengthSvg, variantsOf } from './lossVsLength';
import { lossVsLengthPanelsSvg } from './lossVsLengthPanels';
import { runStyle, variantDash } from './palette';
import { passkeyPoints, passkeySvg } from './passkey';
import { legendMarker } from './symbols';

const SVG_NS = 'http://www.w3.org/2000/svg';

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = document.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Which figures a file holds: the answer figure above the loss plot, or one of them. */
export type FigurePart = 'both' | 'loss' | 'answer';

/**
 * The figure file of `docs`: `width` wide; the loss plot `height` high (the answer figure's height follows its
 * rows); titled `title`. `answer` is the experiment's answer figure (answerFigureFor); runs trained on the passkey
 * task are answered by their accuracy plot instead.
 */
export function figureFileSvg(
  docs: ResultsDoc[],
  answer: AnswerFigure,
  width: number,
  height: number,
  title: string,
  part: FigurePart = 'both',
): SVGSVGElement {
  const parts: SVGSVGElement[] = [];
  // Models trained on the passkey task answer by retrieval, not loss: their accuracy against length, chance drawn.
  const retrieval = docs.length > 0 && docs.every((d) => d.passkey?.trainedOn === 'passkey');
  if (part !== 'loss')
    parts.push(
      retrieval ? passkeyFileBody(docs, width, Math.round(height * 0.75)) : answerSvg(docs, answer, { width }),
    );
  if (part !== 'answer') parts.push(lossVsLengthFileBody(docs, width, height));
  return stack(parts, width, title);
}

/** The loss-against-length plot with its legend below and its variant lines named (standalone). */
export function lossVsLengthFileSvg(docs: ResultsDoc[], width: number, height: number, title: string): SVGSVGElement {
  return stack([lossVsLengthFileBody(docs, width, height)], width, title);
}

/** The loss plot and, under it, its legend: one SVG (not yet titled). */
function lossVsLengthFileBody(docs: ResultsDoc[], width: number, height: number): SVGSVGElement {
  // Runs of several training lengths: a panel per T side by side, one legend under them.
  const svg =
    lossVsLengthPanelsSvg(docs, width, height) ?? lossVsLengthSvg(docs, { width, height, variantLabels: true });
  const points = lossVsLengthPoints(docs);
  return withLegend(svg, [...new Set(points.map((p) => p.run))], variantsOf(points), width, height);
}

/** The passkey accuracy plot (chance drawn) and its runs' legend under it. */
function passkeyFileBody(docs: ResultsDoc[], width: number, height: number): SVGSVGElement {
  const runs = [...new Set(passkeyPoints(docs).map((p) => p.name))];
  return withLegend(passkeySvg(docs, { width, height }), runs, [], width, height);
}

/** `svg` (`height` high) with a legend under it: a run per colour and marker, then each variant's dash. */
function withLegend(
  svg: SVGSVGElement,
  runs: readonly string[],
  variants: readonly string[],
  width: number,
  height: number,
): SVGSVGElement {
  const fs = 12;
  // Flow layout: items left to right, wrapping at the plot's width; runs first, then the variants' dashes.
  const legend = el('g', { transform: `translate(0, ${height + 6})`, 'text-anchor': 'start', 'font-size': fs });
  let x = 12;
  let y = 10;
  const item = (text: string, draw: (x: number, y: number) => SVGElement[]) => {
    const w = 30 + textWidth(text, fs);
    if (x + w > width && x > 12) {
      x = 12;
      y += 20;
    }
    for (const e of draw(x, y)) legend.appendChild(e);
    legend.appendChild(el('text', { x: x + 30, y: y + 4, fill: '#222' }, text));
    x += w + 14;
  };
  runs.forEach((name, i) => {
    const s = runStyle(i);
    item(name, (x, y) => [
      el('line', { x1: x, x2: x + 24, y1: y, y2: y, stroke: s.colour, 'stroke-width': 2.5 }),
      el('path', legendMarker(s, 3.5, x + 12, y)),
    ]);
  });
  if (variants.length) {
    // A new line for the line styles: each dash pattern and what it evaluates.
    x = width;
    const dashes: [string, string | undefined][] = [
      ['as trained', undefined],
      ...variants.map((v, k) => [v, variantDash(k)] as [string, string]),
    ];
    for (const [name, dash] of dashes)
      item(name, (x, y) => [
        el('line', {
          x1: x,
          x2: x + 24,
          y1: y,
          y2: y,
          stroke: '#444',
          'stroke-width': 2,
          ...(dash ? { 'stroke-dasharray': dash } : {}),
        }),
      ]);
  }
  svg.appendChild(legend);
  const total = height + (runs.length ? y + 16 : 0);
  svg.setAttribute('height', String(total));
  svg.setAttribute('viewBox', `0 0 ${width} ${total}`);
  return svg;
}

/** The presentation attributes a plot's root carries, which its children inherit. */
const INHERITED = ['class', 'fill', 'font-family', 'font-size', 'text-anchor'];

/** One SVG: the title, then each part below the previous, each keeping what its root gave its children. */
function stack(parts: SVGSVGElement[], width: number, title: string): SVGSVGElement {
  const top = title ? 30 : 0;
  const root = el('svg', {
    xmlns: SVG_NS,
    fill: 'currentColor',
    'font-family': 'system-ui, sans-serif',
    'font-size': 12,
    'text-anchor': 'middle',
    width,
    style: 'font-size: 12px; background: white; color: rgb(34, 34, 34);',
  }) as SVGSVGElement;
  const styles = new Set<string>();
  let y = top;
  const labels: string[] = [];
  for (const part of parts) {
    for (const st of [...part.querySelectorAll('style')]) {
      if (!styles.has(st.textContent ?? '')) root.appendChild(st);
      styles.add(st.textContent ?? '');
      st.remove();
    }
    const cls = part.getAttribute('class');
    if (cls && !root.getAttribute('class')) root.setAttribute('class', cls);
    const g = el('g', { transform: `translate(0, ${y})` });
    for (const a of INHERITED) {
      const v = part.getAttribute(a);
      if (v !== null) g.setAttribute(a, v);
    }
    // Its own text size (the root's style); its background is the root's.
    const fontSize = /font-size:\s*([\d.]+px)/.exec(part.getAttribute('style') ?? '')?.[1];
    if (fontSize) g.setAttribute('style', `font-size: ${fontSize}`);
    const label = part.getAttribute('aria-label');
    if (label) {
      g.setAttribute('aria-label', label);
      labels.push(label);
    }
    const description = part.getAttribute('aria-description');
    if (description) g.setAttribute('aria-description', description);
    for (const c of [...part.childNodes]) g.appendChild(c);
    root.appendChild(g);
    y += Number(part.getAttribute('height')) || 0;
  }
  if (title)
    root.appendChild(
      el('text', { x: 8, y: 20, 'text-anchor': 'start', 'font-size': 15, 'font-weight': 600, fill: '#222' }, title),
    );
  root.setAttribute('height', String(y));
  root.setAttribute('viewBox', `0 0 ${width} ${y}`);
  root.setAttribute('aria-label', [title, ...labels].filter(Boolean).join(': '));
  return root;
}
