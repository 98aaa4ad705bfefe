// A passage coloured by each character's loss under a run, or by the
// difference of two runs' losses (where one model beats the other), as plain
// data the lab draws and as a standalone HTML file. The colours stop short of
// dark so the passage's dark text keeps a contrast of at least 4.5:1 (WCAG AA)
// on every shade; the diverging pair is blue/orange, which stays distinct
// under the common colour-vision deficiencies.
import type { PassagePrediction, PassageResult } from '../sample/request';

type Rgb = readonly [number, number, number];

const WHITE: Rgb = [255, 255, 255];
/** The shade of the largest loss on the scale (and of "run A is worse" in a difference). */
const HIGH: Rgb = [252, 141, 89];
/** The shade of "run A is better" in a difference. */
const LOW: Rgb = [116, 173, 209];
/** The passage's text colour, dark on every shade. */
export const TEXT_COLOUR = '#1d2330';

const hex = (c: Rgb) => `#${c.map((x) => Math.round(x).toString(16).padStart(2, '0')).join('')}`;
const mix = (a: Rgb, b: Rgb, t: number): Rgb => [0, 1, 2].map((i) => a[i] + (b[i] - a[i]) * t) as unknown as Rgb;
const clamp01 = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 1);

/** The value at quantile `q` of `xs` (nearest rank), 0 for none. */
function quantile(xs: number[], q: number): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : 0;
}

/**
 * The scale's top: the 98th percentile of the losses shown, rounded up to a
 * half nat, so a few characters no model could guess do not wash out the rest
 * (they take the top shade). One scale for every run compared.
 */
export function lossScaleMax(losses: number[][]): number {
  return Math.max(0.5, Math.ceil(quantile(losses.flat(), 0.98) * 2) / 2);
}

/** A loss's shade: white at 0 to orange at `max` and beyond. */
export function lossColour(loss: number, max: number): string {
  return hex(mix(WHITE, HIGH, clamp01(loss / max)));
}

/** The difference scale's half-width: the 98th percentile of |A - B|, rounded up to a tenth of a nat. */
export function diffScaleMax(diffs: number[]): number {
  return Math.max(0.1, Math.ceil(quantile(diffs.map(Math.abs), 0.98) * 10) / 10);
}

/** A difference's shade: blue where run A's loss is lower (A better), orange where higher, white where equal. */
export function diffColour(diff: number, max: number): string {
  const t = clamp01(Math.abs(diff) / max);
  return hex(mix(WHITE, diff < 0 ? LOW : HIGH, t));
}

/** Run A's loss minus run B's at each position; the passages must be the same text. */
export function lossDiff(a: PassageResult, b: PassageResult): number[] {
  if (a.chars.join('') !== b.chars.join(''))
    throw new Error('the two runs read different passages: a difference needs the same text');
  return a.losses.map((x, i) => x - b.losses[i]);
}

export interface LegendStop {
  value: number;
  colour: string;
}

/** Evenly spaced stops of a scale, for its legend. */
export function legendStops(kind: 'loss' | 'diff', max: number, n = 5): LegendStop[] {
  const lo = kind === 'loss' ? 0 : -max;
  return Array.from({ length: n }, (_, i) => {
    const value = lo + ((max - lo) * i) / (n - 1);
    return { value, colour: kind === 'loss' ? lossColour(value, max) : diffColour(value, max) };
  });
}

/** How a character is written in the passage: line breaks and tabs visible, the rest as it is. */
export const shownChar = (c: string) => (c === '\n' ? '⏎\n' : c === '\t' ? '⇥' : c);

/** One line for a position's top guesses: `"e" 41%, "a" 20%, …`. */
export function topLine(top: PassagePrediction[]): string {
  return top.map((q) => `"${shownChar(q.char).trim() || '␣'}" ${(q.p * 100).toFixed(q.p < 0.1 ? 1 : 0)}%`).join(', ');
}

export interface PassageCell {
  char: string;
  /** Index into losses/top; -1 for the first character, which is only read. */
  position: number;
  colour: string;
  /** Read within the training length: the first T predicted characters. */
  withinT: boolean;
}

/** The characters of a passage with their shades: by A's loss, or by A - B where `diff` is given. */
export function passageCells(a: PassageResult, max: number, diff?: number[]): PassageCell[] {
  return a.chars.map((char, i) => {
    const position = i - 1;
    const colour =
      position < 0 ? '#ffffff' : diff ? diffColour(diff[position], max) : lossColour(a.losses[position], max);
    return { char, position, colour, withinT: position >= 0 && position < a.trainLength };
  });
}

/** What the shades mean: run A's loss, or A's minus B's. */
export function scaleText(a: string, b?: string): string {
  return b
    ? `loss of ${a} minus loss of ${b} (nats): blue where ${a} predicts better, orange where ${b} does`
    : `loss of ${a} on each character (nats): darker is worse`;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface PassageExport {
  title: string;
  /** Run A's label and reading; for a difference, run B's too. */
  a: { label: string; result: PassageResult };
  b?: { label: string; result: PassageResult };
}

/**
 * A standalone HTML page of the coloured passage: its legend, the first T
 * characters underlined, and each character's top guesses (and loss) in its
 * tooltip. No script and no outside resource, so it opens anywhere.
 */
export function passageHtml(e: PassageExport): string {
  const { a, b } = e;
  const diff = b ? lossDiff(a.result, b.result) : undefined;
  const max = diff ? diffScaleMax(diff) : lossScaleMax([a.result.losses]);
  const cells = passageCells(a.result, max, diff);
  const T = a.result.trainLength;
  const spans = cells
    .map((c) => {
      const p = c.position;
      const tip =
        p < 0
          ? 'the first character: read, not predicted'
          : `${a.label}: loss ${a.result.losses[p].toFixed(2)}; top ${topLine(a.result.top[p])}` +
            (b ? `\n${b.label}: loss ${b.result.losses[p].toFixed(2)}; top ${topLine(b.result.top[p])}` : '');
      const cls = c.withinT ? ' class="t"' : '';
      const style = `background:${c.colour}`;
      return `<span${cls} style="${style}" title="${escapeHtml(tip)}">${escapeHtml(shownChar(c.char))}</span>`;
    })
    .join('');
  const stops = legendStops(diff ? 'diff' : 'loss', max)
    .map((s) => `<span class="stop" style="background:${s.colour}">${s.value.toFixed(2)}</span>`)
    .join('');
  const what = escapeHtml(scaleText(a.label, b?.label));
  const marked = Math.min(T, a.result.losses.length);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(e.title)}</title>
<style>
body{font-family:system-ui,sans-serif;color:${TEXT_COLOUR};max-width:60rem;margin:2rem auto;padding:0 1rem}
.passage{font-family:ui-monospace,monospace;white-space:pre-wrap;line-height:1.7;word-break:break-all}
.t{text-decoration:underline;text-decoration-thickness:2px}
.stop{display:inline-block;padding:0 .6em;margin-right:2px;font-family:ui-monospace,monospace}
</style></head><body>
<h1>${escapeHtml(e.title)}</h1>
<p>${what}. ${a.result.chars.length} characters; the first ${marked} predicted ones, read within the training
length T = ${T}, are underlined. Hover a character for the model's five most likely characters there.</p>
<p class="legend">${stops}</p>
<div class="passage">${spans}</div>
</body></html>
`;
}
