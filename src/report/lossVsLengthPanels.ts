// Runs trained at several lengths T (issue 14's training-length preset), drawn
// side by side: one loss-against-length panel per T, each with its own 1x, on
// one y axis so that heights compare across panels, and every run in the
// colour and marker it has in the legend below them.
import type { ResultsDoc } from '../eval/results';
import { lossVsLengthPoints, lossVsLengthSvg } from './lossVsLength';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The training lengths of `docs`, shortest first. */
export function trainLengthsOf(docs: readonly ResultsDoc[]): number[] {
  return [...new Set(docs.map((d) => d.model.trainLength))].sort((a, b) => a - b);
}

/** The y extent every panel shares: each line's mean and seed range, and the unigram baseline if it is near. */
export function sharedLossDomain(docs: readonly ResultsDoc[]): [number, number] {
  const pts = lossVsLengthPoints(docs);
  const ys = pts.flatMap((p) => [p.lo, p.hi]);
  const lo = Math.min(...ys);
  const hi = Math.max(...ys);
  const unigram = docs[0]?.baselines.unigram;
  const top = unigram !== undefined && unigram <= hi + 0.3 * (hi - lo) ? Math.max(hi, unigram) : hi;
  return [lo, top];
}

/**
 * One panel per training length, `width` wide in all, `height` high, panels titled "T = 32" and so on.
 * Undefined when the runs share one T (the ordinary plot says it all).
 */
export function lossVsLengthPanelsSvg(docs: ResultsDoc[], width: number, height: number): SVGSVGElement | undefined {
  const lengths = trainLengthsOf(docs);
  if (lengths.length < 2) return undefined;
  const colorDomain = [...new Set(lossVsLengthPoints(docs).map((p) => p.run))];
  const yDomain = sharedLossDomain(docs);
  const w = Math.floor(width / lengths.length);
  const root = document.createElementNS(SVG_NS, 'svg') as SVGSVGElement;
  const titleH = 18;
  for (const [k, T] of lengths.entries()) {
    const panel = lossVsLengthSvg(
      docs.filter((d) => d.model.trainLength === T),
      { width: w, height: height - titleH, colorDomain, yDomain },
    );
    const g = document.createElementNS(SVG_NS, 'g');
    g.setAttribute('transform', `translate(${k * w}, ${titleH})`);
    for (const a of ['class', 'fill', 'font-family', 'font-size', 'text-anchor']) {
      const v = panel.getAttribute(a);
      if (v !== null) g.setAttribute(a, v);
    }
    // Each panel's styles are scoped by its own class, so they travel with it.
    for (const c of [...panel.childNodes]) g.appendChild(c);
    root.appendChild(g);
    const title = document.createElementNS(SVG_NS, 'text');
    title.setAttribute('x', String(k * w + w / 2));
    title.setAttribute('y', '13');
    title.setAttribute('text-anchor', 'middle');
    title.setAttribute('font-weight', '600');
    title.setAttribute('fill', '#222');
    title.textContent = `trained at T = ${T}`;
    root.appendChild(title);
  }
  root.setAttribute('width', String(width));
  root.setAttribute('height', String(height));
  root.setAttribute('viewBox', `0 0 ${width} ${height}`);
  root.setAttribute(
    'aria-label',
    `validation loss against evaluation length, one panel per training length T = ${lengths.join(', ')}`,
  );
  return root;
}
