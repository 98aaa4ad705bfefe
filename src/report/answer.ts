// The answer figure of a preset (its declaration: src/experiment/presets.ts,
// its numbers: answerData.ts): dot plots with a row per run, every seed a dot
// and the mean a bar, side by side when the figure reads several lengths.
// Kinds: loss at lengths ('dotsAt', reference runs as vertical lines), loss as
// trained against a variant ('paired': a pair of dots per seed, baselines
// marked), the longest/1x ratio in groups ('ratio'). Every number is written
// in a column at the right of its row, and labels are placed so that none
// overlaps another (tests/gpu/figure_labels.test.ts). Browser only (Plot).
import * as Plot from '@observablehq/plot';
import type { ResultsDoc } from '../eval/results';
import type { AnswerFigure } from '../experiment/presets';
import {
  type AnswerData,
  answerData,
  answerIsEmpty,
  answerSummary,
  answerTitle,
  type DotRow,
  lengthName,
} from './answerData';
import { emptySvg, type PlotOpts, render, seriesOf } from './common';
import { stackLines, textWidth } from './labels';
import { colourOf, GREY, runStyle } from './palette';

const SVG_NS = 'http://www.w3.org/2000/svg';

function el(doc: Document, name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const e = doc.createElementNS(SVG_NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** A row of a panel, top to bottom: a run's row, or a group's heading (no dots). */
interface Slot {
  label: string;
  heading?: boolean;
}

interface Dot {
  slot: number;
  offset: number;
  x: number;
  colour: string;
  hollow: boolean;
  opacity: number;
  title: string;
}

/** One panel: its rows, what it draws on them, and what it marks across them. */
interface Panel {
  title: string;
  xLabel: string;
  dots: Dot[];
  links: { slot: number; offset: number; x1: number; x2: number; colour: string; opacity: number }[];
  bars: { slot: number; x: number; opacity: number }[];
  rules: { x: number; label: string; colour: string; dash: string }[];
  /** The number(s) each row's column at the right shows. */
  values: { slot: number; text: string }[];
  /** Values the x domain must include beyond the dots (baselines, reference lines). */
  extent: number[];
}

interface KeyItem {
  symbol: 'dot' | 'hollow' | 'bar' | 'dashed';
  text: string;
}

/** Vertical places of a row's seeds, within ±0.22 of its centre, so equal values stay visible. */
const offsetOf = (k: number, n: number) => (n > 1 ? (k / (n - 1) - 0.5) * 0.44 : 0);

const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');

interface Ctx {
  domain: string[];
  highlight: string | null | undefined;
}
const opacityOf = (run: string, c: Ctx) => (!c.highlight || c.highlight === run ? 1 : 0.25);

function dotsOf(rows: DotRow[], slotOf: (r: DotRow, i: number) => number, c: Ctx, what: string): Dot[] {
  return rows.flatMap((r, i) =>
    r.seeds.map((s, k) => ({
      slot: slotOf(r, i),
      offset: offsetOf(k, r.seeds.length),
      x: s.value,
      colour: colourOf(r.run, c.domain),
      // Past the palette's 8 colours a run repeats a colour: its dots are hollow (its lines' markers filled).
      hollow: runStyle(Math.max(0, c.domain.indexOf(r.run))).filled,
      opacity: opacityOf(r.run, c),
      title: `${r.label}, seed ${s.seed}: ${what} ${s.value.toFixed(4)}`,
    })),
  );
}

function dotsAtPanels(a: Extract<AnswerData, { kind: 'dotsAt' }>, c: Ctx): { slots: Slot[]; panels: Panel[] } {
  const first = a.panels[0];
  const slots: Slot[] = (first?.rows ?? []).map((r) => ({ label: r.label }));
  const slotOf = (r: DotRow) => first.rows.findIndex((x) => x.run === r.run && x.label === r.label);
  const panels = a.panels.map((p) => {
    const xs = [...p.rows, ...p.references].flatMap((r) => r.seeds.map((s) => s.value));
    const lo = Math.min(...xs);
    const hi = Math.max(...xs);
    // A baseline inside the values' range gives them a level to be read against; one outside would squash them.
    const baselines = a.baselines.filter((b) => b.loss >= lo && b.loss <= hi);
    return {
      title: p.factor === 1 ? `At T = ${a.T} (1x)` : `At ${p.factor}x (length ${p.length})`,
      // Side by side, the panels are narrow: their titles say which loss.
      xLabel: a.panels.length > 1 ? 'loss (nats/token)' : 'validation loss (nats/token)',
      dots: dotsOf(p.rows, slotOf, c, 'loss'),
      links: [],
      bars: p.rows.map((r) => ({ slot: slotOf(r), x: r.stat.mean, opacity: opacityOf(r.run, c) })),
      rules: [
        ...p.references.map((r) => ({
          x: r.stat.mean,
          label: `${r.label} ${r.stat.mean.toFixed(2)}`,
          colour: colourOf(r.run, c.domain),
          dash: '6 3',
        })),
        ...baselines.map((b) => ({ x: b.loss, label: `${b.name} ${b.loss.toFixed(2)}`, colour: GREY, dash: '2 3' })),
      ],
      values: p.rows.map((r) => ({ slot: slotOf(r), text: f3(r.stat.mean) })),
      extent: p.references.map((r) => r.stat.mean),
    };
  });
  return { slots, panels };
}

function pairedPanels(a: Extract<AnswerData, { kind: 'paired' }>, c: Ctx): { slots: Slot[]; panels: Panel[] } {
  const slots = a.rows.map((r) => ({ label: r.label }));
  const dots: Dot[] = [];
  const links: Panel['links'] = [];
  a.rows.forEach((r, slot) => {
    const colour = colourOf(r.run, c.domain);
    const opacity = opacityOf(r.run, c);
    r.pairs.forEach((p, k) => {
      const offset = offsetOf(k, r.pairs.length);
      const seed = `${r.label}, seed ${p.seed}`;
      if (Number.isFinite(p.trained) && Number.isFinite(p.variant))
        links.push({ slot, offset, x1: p.trained, x2: p.variant, colour, opacity });
      if (Number.isFinite(p.trained))
        dots.push({
          slot,
          offset,
          x: p.trained,
          colour,
          hollow: false,
          opacity,
          title: `${seed}: as trained ${f3(p.trained)}`,
        });
      if (Number.isFinite(p.variant))
        dots.push({
          slot,
          offset,
          x: p.variant,
          colour,
          hollow: true,
          opacity,
          title: `${seed}: ${a.variant} ${f3(p.variant)}`,
        });
    });
  });
  const panel: Panel = {
    title: `At ${lengthName(a.factor, a.T)}${a.factor === 1 ? ' (1x)' : ''}`,
    xLabel: 'validation loss (nats/token)',
    dots,
    links,
    bars: a.rows.flatMap((r, slot) => [
      { slot, x: r.trained.mean, opacity: opacityOf(r.run, c) },
      ...(r.variant.n ? [{ slot, x: r.variant.mean, opacity: opacityOf(r.run, c) }] : []),
    ]),
    rules: a.baselines.map((b) => ({ x: b.loss, label: `${b.name} ${b.loss.toFixed(2)}`, colour: GREY, dash: '2 3' })),
    values: a.rows.map((r, slot) => ({
      slot,
      text: r.variant.n ? `${f3(r.trained.mean)} → ${f3(r.variant.mean)}` : f3(r.trained.mean),
    })),
    extent: a.baselines.map((b) => b.loss),
  };
  return { slots, panels: [panel] };
}

function ratioPanels(a: Extract<AnswerData, { kind: 'ratio' }>, c: Ctx): { slots: Slot[]; panels: Panel[] } {
  const slots: Slot[] = [];
  const placed: { row: DotRow; slot: number }[] = [];
  for (const g of a.groups) {
    slots.push({ label: g.label, heading: true });
    for (const row of g.rows) placed.push({ row, slot: slots.push({ label: row.label }) - 1 });
  }
  const rows = placed.map((p) => p.row);
  const slotOf = (_: DotRow, i: number) => placed[i].slot;
  const panel: Panel = {
    title: `Loss at ${a.last}x over loss at ${a.first}x`,
    xLabel: `loss at ${a.last}x / loss at ${a.first}x`,
    dots: dotsOf(rows, slotOf, c, 'ratio'),
    links: [],
    bars: placed.map((p) => ({ slot: p.slot, x: p.row.stat.mean, opacity: opacityOf(p.row.run, c) })),
    rules: [{ x: 1, label: '1: no worse with length', colour: GREY, dash: '2 3' }],
    values: placed.map((p) => ({ slot: p.slot, text: f3(p.row.stat.mean) })),
    extent: [1],
  };
  return { slots, panels: [panel] };
}

function keyOf(a: AnswerData): KeyItem[] {
  if (a.kind === 'paired')
    return [
      { symbol: 'dot', text: 'as trained' },
      { symbol: 'hollow', text: `${a.variant}: simplified layers skipped at evaluation` },
      { symbol: 'bar', text: 'mean over seeds (each seed’s pair joined)' },
    ];
  const items: KeyItem[] = [
    { symbol: 'dot', text: 'one seed' },
    { symbol: 'bar', text: 'mean over seeds (written at the right)' },
  ];
  if (a.kind === 'dotsAt' && a.panels.some((p) => p.references.length))
    items.push({ symbol: 'dashed', text: 'reference runs (their mean over seeds)' });
  return items;
}

/**
 * The answer figure of `fig` for `docs`: the lab's (hide, highlight and colours as its other plots), the report's
 * and the runner's. Its height follows the number of rows; opts.height is ignored. The SVG carries the figure's
 * text alternative (answerSummary) as its aria-description.
 */
export function answerSvg(docs: readonly ResultsDoc[], fig: AnswerFigure, opts: PlotOpts = {}): SVGSVGElement {
  const a = answerData(docs, fig, opts.hidden);
  if (answerIsEmpty(a)) return emptySvg('No finished runs yet', opts);
  const c: Ctx = { domain: opts.colorDomain ?? seriesOf(docs).map((s) => s.name), highlight: opts.highlight };
  const { slots, panels } =
    a.kind === 'paired' ? pairedPanels(a, c) : a.kind === 'ratio' ? ratioPanels(a, c) : dotsAtPanels(a, c);
  return compose(slots, panels, keyOf(a), opts, answerTitle(a), answerSummary(a));
}

/** Lays the panels side by side under the key, the row names at the left of the first, and returns one SVG. */
function compose(
  slots: Slot[],
  panels: Panel[],
  key: KeyItem[],
  opts: PlotOpts,
  title: string,
  summary: string,
): SVGSVGElement {
  const doc = opts.document ?? document;
  const fs = opts.fontSize ?? 12;
  const line = Math.round(fs * 1.3);
  const W = opts.width ?? 640;
  const rowH = Math.round(fs * 1.9);
  // The key, flowed in lines across the width.
  const keyPlaced: { item: KeyItem; x: number; y: number }[] = [];
  let kx = 8;
  let ky = line;
  for (const item of key) {
    const w = 24 + textWidth(item.text, fs);
    if (kx + w > W - 8 && kx > 8) {
      kx = 8;
      ky += line + 2;
    }
    keyPlaced.push({ item, x: kx, y: ky });
    kx += w + 18;
  }
  const keyH = key.length ? ky + 8 : 0;

  const rowW = Math.max(0, ...slots.filter((s) => !s.heading).map((s) => textWidth(s.label, fs)));
  const headW = Math.max(0, ...slots.filter((s) => s.heading).map((s) => textWidth(s.label, fs, true)));
  const left = Math.ceil(Math.max(rowW + 16, headW + 10, 40));
  const rights = panels.map((p) => Math.ceil(Math.max(0, ...p.values.map((v) => textWidth(v.text, fs))) + 14));
  const gap = 28;
  const frameW = Math.max(
    80,
    (W - left - rights.reduce((s, r) => s + r, 0) - gap * (panels.length - 1)) / Math.max(1, panels.length),
  );
  // x scales first (their domains niced as Plot will), so the rules' labels can be stacked in lines above.
  const scales = panels.map((p) => {
    const xs = [...p.dots.map((d) => d.x), ...p.extent, ...p.rules.map((r) => r.x)].filter(Number.isFinite);
    let lo = Math.min(...xs);
    let hi = Math.max(...xs);
    const pad = (hi - lo || Math.abs(hi) || 1) * 0.04;
    lo -= pad;
    hi += pad;
    return Plot.scale({ x: { type: 'linear', domain: [lo, hi], nice: true, range: [0, frameW] } });
  });
  // Each rule's label centred over it (kept within the frame, give or take 12 px), in the first free line.
  const ruleLabels = panels.map((p, i) => {
    const boxes = p.rules.map((r) => {
      const w = textWidth(r.label, fs);
      const x0 = Math.min(Math.max((scales[i].apply(r.x) as number) - w / 2, -12), frameW + 12 - w);
      return { x0, x1: x0 + w };
    });
    const lines = stackLines(boxes, 8);
    return boxes.map((b, j) => ({ x0: b.x0, line: lines[j] }));
  });
  const nLines = Math.max(0, ...ruleLabels.flat().map((l) => l.line + 1));
  const top = line + 6 + nLines * line + 6;
  // The x axis: ticks (9 px and a line of text), then its label on the next line, clear of the bottom edge.
  const bottom = Math.round(16 + fs * 2.8);
  const H = top + slots.length * rowH + bottom;

  const outer = el(doc, 'svg', {
    xmlns: SVG_NS,
    width: W,
    height: keyH + H,
    viewBox: `0 0 ${W} ${keyH + H}`,
    'font-family': 'system-ui, sans-serif',
    'font-size': fs,
    fill: '#222',
    role: 'img',
    'aria-label': title,
    'aria-description': summary,
    style: `font-size: ${fs}px; background: white; color: #222;`,
  }) as SVGSVGElement;
  const keyG = el(doc, 'g', { 'aria-label': 'key', 'text-anchor': 'start' });
  for (const { item, x, y } of keyPlaced) {
    const cy = y - fs * 0.35;
    if (item.symbol === 'dot' || item.symbol === 'hollow')
      keyG.appendChild(
        el(doc, 'circle', {
          cx: x + 9,
          cy,
          r: 4.5,
          fill: item.symbol === 'dot' ? '#444' : 'white',
          stroke: '#444',
          'stroke-width': 1.5,
        }),
      );
    else if (item.symbol === 'bar')
      keyG.appendChild(
        el(doc, 'line', { x1: x + 9, x2: x + 9, y1: cy - 7, y2: cy + 7, stroke: '#222', 'stroke-width': 3 }),
      );
    else
      keyG.appendChild(
        el(doc, 'line', {
          x1: x,
          x2: x + 18,
          y1: cy,
          y2: cy,
          stroke: '#444',
          'stroke-width': 1.5,
          'stroke-dasharray': '6 3',
        }),
      );
    keyG.appendChild(el(doc, 'text', { x: x + 24, y }, item.text));
  }
  outer.appendChild(keyG);

  let x0 = 0;
  panels.forEach((p, i) => {
    const ml = i === 0 ? left : gap;
    const mr = rights[i];
    const svg = panelSvg(p, slots, scales[i].domain as [number, number], {
      ...opts,
      width: ml + frameW + mr,
      height: H,
      margins: [top, mr, bottom, ml],
      axisY: i === 0,
      rowH,
    });
    const yScale = (svg as unknown as { scale: (n: string) => { apply: (v: number) => number } }).scale('y');
    const g = el(doc, 'g', {
      transform: `translate(${x0}, ${keyH})`,
      'aria-label': `panel: ${p.title}`,
      class: svg.getAttribute('class') ?? '',
    });
    if (i === 0) {
      const style = svg.querySelector('style');
      if (style) outer.insertBefore(style, outer.firstChild);
      outer.setAttribute('class', svg.getAttribute('class') ?? '');
    } else svg.querySelector('style')?.remove();
    for (const ch of [...svg.childNodes]) g.appendChild(ch);
    // The panel's title, the rules' labels in lines above the frame, the values at the right, group headings.
    const texts = el(doc, 'g', { 'aria-label': 'labels', 'text-anchor': 'start', fill: '#222' });
    texts.appendChild(el(doc, 'text', { x: ml, y: line, 'font-weight': 600 }, p.title));
    p.rules.forEach((r, j) => {
      const at = ruleLabels[i][j];
      // Dark text (the palette's orange and yellow are too faint for text); its place over the rule says which.
      const fill = r.colour === GREY ? '#555' : '#222';
      texts.appendChild(el(doc, 'text', { x: ml + at.x0, y: line + 6 + (at.line + 1) * line, fill }, r.label));
    });
    for (const v of p.values)
      texts.appendChild(el(doc, 'text', { x: ml + frameW + 8, y: yScale.apply(v.slot) + fs * 0.35 }, v.text));
    if (i === 0)
      slots.forEach((s, k) => {
        if (s.heading)
          texts.appendChild(el(doc, 'text', { x: 4, y: yScale.apply(k) + fs * 0.35, 'font-weight': 600 }, s.label));
      });
    g.appendChild(texts);
    outer.appendChild(g);
    x0 += ml + frameW + mr;
  });
  return outer;
}

function panelSvg(
  p: Panel,
  slots: Slot[],
  domain: [number, number],
  o: PlotOpts & { margins: [number, number, number, number]; axisY: boolean; rowH: number },
): SVGSVGElement {
  const rows = slots.map((s, i) => ({ ...s, i })).filter((s) => !s.heading);
  const y = (d: { slot: number; offset?: number }) => d.slot + (d.offset ?? 0);
  const marks: Plot.Markish[] = [
    Plot.ruleY(rows, { y: 'i', stroke: '#e6e6e6' }),
    ...p.rules.map((r) => Plot.ruleX([r.x], { stroke: r.colour, strokeDasharray: r.dash, strokeWidth: 1.5 })),
    Plot.link(p.links, {
      x1: 'x1',
      x2: 'x2',
      y1: y,
      y2: y,
      stroke: 'colour',
      strokeOpacity: (d: Panel['links'][number]) => 0.6 * d.opacity,
      strokeWidth: 1.5,
    }),
    Plot.ruleX(p.bars, {
      x: 'x',
      y1: (d: Panel['bars'][number]) => d.slot - 0.36,
      y2: (d: Panel['bars'][number]) => d.slot + 0.36,
      stroke: '#222',
      strokeWidth: 3,
      strokeOpacity: 'opacity',
    }),
    // Filled dots are outlined in dark grey (so the palette's light colours stay visible); hollow ones in their colour.
    Plot.dot(p.dots, {
      x: 'x',
      y,
      r: 4.5,
      stroke: (d: Dot) => (d.hollow ? d.colour : '#333'),
      strokeWidth: (d: Dot) => (d.hollow ? 2 : 0.8),
      fill: (d: Dot) => (d.hollow ? 'white' : d.colour),
      fillOpacity: (d: Dot) => (d.hollow ? d.opacity : 0.85 * d.opacity),
      strokeOpacity: 'opacity',
      title: 'title',
    }),
  ];
  const [mt, mr, mb, ml] = o.margins;
  return render(
    {
      marginTop: mt,
      marginRight: mr,
      marginBottom: mb,
      marginLeft: ml,
      x: {
        domain,
        label: p.xLabel,
        labelAnchor: 'center',
        labelArrow: 'none',
        labelOffset: mb - 8,
        grid: true,
      },
      y: {
        domain: [-0.5, slots.length - 0.5],
        reverse: true,
        axis: o.axisY ? 'left' : null,
        ticks: rows.map((r) => r.i),
        tickFormat: (i: number) => slots[i]?.label ?? '',
        tickSize: 0,
        label: null,
      },
      color: { type: 'identity' },
      marks,
    },
    { ...o, height: o.height },
    p.title,
  );
}
