// The loss-vs-length figure as a table: per series (seeds of one config; each
// re-weighting or hybridskip evaluation its own row), the mean validation loss
// at every factor with its spread over seeds, the tail loss at the longest
// length, and the longest/1x ratio computed per seed. What the reproduction
// report prints beside each plot. Pure: documents in, rows or markdown out.
import type { ResultsDoc } from '../eval/results';
import { type Stat, seriesOf, stat } from './common';
import { baselinesOf, variantName } from './lossVsLength';
import { accuracyCell, passkeyPoints, smallPercent } from './passkey';

export interface LossRow {
  series: string;
  seeds: number;
  factors: number[];
  /** Mean loss per factor (mean, min..max over seeds). */
  mean: Stat[];
  /** Tail loss (last T positions) at the longest factor. */
  tail: Stat;
  /** Mean loss at the longest factor over mean loss at 1x, per seed (seeds below RATIO_FLOOR at 1x left out). */
  ratio: Stat;
}

/** Below this loss at 1x (nats) a row's longest/1x ratio is left out ('–'). */
export const RATIO_FLOOR = 0.01;

export function lossRows(docs: readonly ResultsDoc[]): LossRow[] {
  const rows: LossRow[] = [];
  for (const s of seriesOf(docs)) {
    s.docs[0].lossVsLength.forEach((v, i) => {
      const name = variantName(s.name, i, v);
      const factors = v.lengths.map((l) => l.factor);
      const at = (d: ResultsDoc, f: number) => d.lossVsLength[i]?.lengths.find((l) => l.factor === f);
      const vals = (f: number, k: 'meanLoss' | 'tailLoss') =>
        s.docs.map((d) => at(d, f)?.[k]).filter((x): x is number => x !== undefined);
      const first = Math.min(...factors);
      const last = Math.max(...factors);
      // A ratio to a loss near zero (a task learned perfectly at T) measures the denominator's noise, not a rise.
      const ratios = s.docs
        .map((d) => (at(d, last)?.meanLoss ?? NaN) / (at(d, first)?.meanLoss ?? NaN))
        .filter((r, k) => Number.isFinite(r) && (at(s.docs[k], first)?.meanLoss ?? 0) >= RATIO_FLOOR);
      rows.push({
        series: name,
        seeds: s.docs.length,
        factors,
        mean: factors.map((f) => stat(vals(f, 'meanLoss'))),
        tail: stat(vals(last, 'tailLoss')),
        ratio: stat(ratios),
      });
    });
  }
  return rows;
}

/** "2.345" for one seed, "2.345 ±0.012" (half the min..max range) for several. */
export function cell(s: Stat, digits = 3): string {
  if (s.n === 0) return '–';
  const m = s.mean.toFixed(digits);
  return s.n > 1 ? `${m} ±${((s.hi - s.lo) / 2).toFixed(digits)}` : m;
}

const row = (cells: readonly string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;

/**
 * Runs with passkey trials: accuracy per length (mean over seeds, ± half their range) and the chance level, the
 * figure a passkey preset is answered by. Empty without passkey results.
 */
export function passkeyTableMarkdown(docs: readonly ResultsDoc[]): string {
  const pts = passkeyPoints(docs);
  if (!pts.length) return '';
  const factors = [...new Set(pts.map((p) => p.factor))].sort((a, b) => a - b);
  const names = [...new Set(pts.map((p) => p.name))];
  const head = ['run', 'seeds', ...factors.map((f) => `${f}x`)];
  const lines = [row(head), `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const name of names) {
    const mine = pts.filter((p) => p.name === name);
    const byF = factors.map((f) => {
      const p = mine.find((q) => q.factor === f);
      return p ? accuracyCell(p) : '–';
    });
    lines.push(row([name, String(Math.max(...mine.map((p) => p.n))), ...byF]));
  }
  const chance = factors.map((f) => smallPercent(Math.max(...pts.filter((p) => p.factor === f).map((p) => p.chance))));
  lines.push(row(['chance (10^-digits)', '', ...chance]));
  return (
    'Passkey accuracy (a trial counts when every digit of the key is right; mean over seeds, ± half their ' +
    `range):\n\n${lines.join('\n')}\n`
  );
}

/** A markdown table of lossRows, then the baselines line; for runs with passkey trials, their accuracy table. */
export function lossTableMarkdown(docs: readonly ResultsDoc[]): string {
  const rows = lossRows(docs);
  if (!rows.length) return '_no runs_\n';
  const factors = [...new Set(rows.flatMap((r) => r.factors))].sort((a, b) => a - b);
  const last = factors[factors.length - 1];
  const head = ['run', 'seeds', ...factors.map((f) => `${f}x`), `tail ${last}x`, `${last}x / ${factors[0]}x`];
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`];
  for (const r of rows) {
    const byF = factors.map((f) => {
      const j = r.factors.indexOf(f);
      return j < 0 ? '–' : cell(r.mean[j]);
    });
    lines.push(
      `| ${[r.series.replace(/\|/g, '\\|'), String(r.seeds), ...byF, cell(r.tail), cell(r.ratio)].join(' | ')} |`,
    );
  }
  const bs = baselinesOf(docs)
    .map((b) => `${b.name} ${b.loss.toFixed(3)}`)
    .join(' · ');
  const passkey = passkeyTableMarkdown(docs);
  return `${lines.join('\n')}\n\nBaselines (nats/token): ${bs}.\n${passkey ? `\n${passkey}` : ''}`;
}

/**
 * The loss-against-length figure in words (the lab's text alternative): each line's mean loss at the shortest and
 * the longest length and its ratio, then the baselines. Series in `hidden` (by run or line name) are left out.
 */
export function lossSummary(docs: readonly ResultsDoc[], hidden?: ReadonlySet<string>): string {
  const rows = lossRows(docs).filter((r) => !hidden?.has(r.series) && !hidden?.has(r.series.split(' · ')[0]));
  if (!rows.length) return 'No finished runs yet.';
  const f3 = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
  const lines = rows.map((r) => {
    const first = r.factors[0];
    const last = r.factors[r.factors.length - 1];
    return (
      `${r.series} ${f3(r.mean[0].mean)} at ${first}x to ${f3(r.mean[r.mean.length - 1].mean)} at ${last}x ` +
      `(ratio ${f3(r.ratio.mean)})`
    );
  });
  const bs = baselinesOf(docs)
    .map((b) => `${b.name} ${b.loss.toFixed(3)}`)
    .join(', ');
  return `Validation loss (nats/token), mean over seeds: ${lines.join('; ')}. Baselines: ${bs}.`;
}
