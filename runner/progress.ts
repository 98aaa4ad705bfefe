// Terminal output of the headless runner: one progress bar per run (redrawn
// in place on a terminal; a line every tenth of the run when piped, so logs
// stay short), a line per finished run, and the loss-vs-length summary table.
import type { ResultsDoc } from '../src/eval/results';
import type { Progress } from '../src/experiment/runner';

const BAR = 24;

export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

const rate = (x: number) =>
  x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);

/** Where the bars go: a terminal (redrawn in place) or a pipe or file. */
export type Terminal = Pick<NodeJS.WriteStream, 'write'> & { isTTY?: boolean; columns?: number };

export class RunBar {
  private readonly tty: boolean;
  private nextTenth = 1;
  private lastDraw = 0;
  private line = '';
  private readonly t0 = Date.now();

  /** `name`: e.g. 'run 2/3 lssa (seed 7)'. */
  constructor(
    private readonly stream: Terminal,
    private readonly name: string,
  ) {
    this.tty = Boolean(stream.isTTY);
    this.write(`${name}  starting…`, false);
  }

  private text(p: Progress): string {
    const frac = p.steps > 0 ? Math.min(1, p.step / p.steps) : 0;
    const fill = Math.round(frac * BAR);
    const bar = `[${'#'.repeat(fill)}${'.'.repeat(BAR - fill)}]`;
    const steps = `${String(p.step).padStart(String(p.steps).length)}/${p.steps}`;
    const head = `${this.name}  ${bar} ${steps}  loss ${p.loss.toFixed(3)}`;
    if (p.phase === 'eval') return `${head}  evaluating lengths…`;
    return `${head}  ${rate(p.tokensPerSecond)} tok/s  ${duration(p.etaSeconds)} left`;
  }

  /** Training and evaluation move the bar; loading the data shows as 'starting…'. */
  update(p: Progress): void {
    if (p.phase !== 'train' && p.phase !== 'eval') return;
    const t = this.text(p);
    if (this.tty) {
      const now = Date.now();
      if (now - this.lastDraw < 100 && p.phase === 'train' && p.step < p.steps) return;
      this.lastDraw = now;
      this.write(t, false);
      return;
    }
    // Piped: a line at each tenth of training and when evaluation starts.
    const tenth = p.steps > 0 ? Math.floor((10 * p.step) / p.steps) : 10;
    if (p.phase === 'eval' || tenth >= this.nextTenth) {
      this.nextTenth = tenth + 1;
      this.write(t, true);
    }
  }

  private write(t: string, newline: boolean): void {
    const cols = this.stream.columns || 120;
    if (this.tty) {
      this.line = t.length > cols - 1 ? `${t.slice(0, cols - 2)}…` : t;
      this.stream.write(`\r\x1b[2K${this.line}${newline ? '\n' : ''}`);
      if (newline) this.line = '';
    } else this.stream.write(`${t}\n`);
  }

  /** A message above the bar (page console lines), keeping the bar. */
  note(msg: string): void {
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${msg}\n`);
      if (this.line) this.stream.write(this.line);
    } else this.stream.write(`${msg}\n`);
  }

  done(doc: ResultsDoc): void {
    const own = doc.lossVsLength[0].lengths;
    const a = own[0];
    const b = own[own.length - 1];
    const span =
      own.length > 1
        ? `loss ${a.meanLoss.toFixed(3)} at ${a.factor}x -> ${b.meanLoss.toFixed(3)} at ${b.factor}x`
        : `loss ${a.meanLoss.toFixed(3)} at ${a.factor}x`;
    this.write(`${this.name}  done in ${duration((Date.now() - this.t0) / 1000)}: ${span}`, true);
  }

  fail(): void {
    if (this.tty && this.line) this.stream.write('\n');
  }
}

function meanSd(xs: number[]) {
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/**
 * Mean validation loss by evaluation factor: one row per run (seeds
 * averaged, ± the sample standard deviation) and per re-weighting/hybridskip
 * variant.
 */
export function summaryTable(docs: ResultsDoc[]): string {
  type Row = { name: string; cells: Map<number, number[]>; seeds: Set<number> };
  const rows = new Map<string, Row>();
  for (const d of docs) {
    d.lossVsLength.forEach((v, i) => {
      const name = i === 0 ? d.label : `${d.label} · ${v.label}`;
      const row = rows.get(name) ?? { name, cells: new Map(), seeds: new Set() };
      row.seeds.add(d.seed);
      for (const l of v.lengths) row.cells.set(l.factor, [...(row.cells.get(l.factor) ?? []), l.meanLoss]);
      rows.set(name, row);
    });
  }
  const factors = [...new Set([...rows.values()].flatMap((r) => [...r.cells.keys()]))].sort((a, b) => a - b);
  const cell = (xs: number[] | undefined) => {
    if (!xs) return '';
    const s = meanSd(xs);
    return s.n > 1 ? `${s.mean.toFixed(3)}±${s.sd.toFixed(3)}` : s.mean.toFixed(3);
  };
  const table = [
    ['run', 'seeds', ...factors.map((f) => `${f}x`)],
    ...[...rows.values()].map((r) => [r.name, String(r.seeds.size), ...factors.map((f) => cell(r.cells.get(f)))]),
  ];
  const widths = table[0].map((_, j) => Math.max(...table.map((row) => row[j].length)));
  const fmt = (row: string[]) =>
    row
      .map((c, j) => (j < 2 ? c.padEnd(widths[j]) : c.padStart(widths[j])))
      .join('  ')
      .trimEnd();
  return ['mean validation loss (nats/token) by evaluation length, as a multiple of T:', ...table.map(fmt)].join('\n');
}
