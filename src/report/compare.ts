// The report's one comparison rule, applied wherever its prose compares two runs: runs are paired by seed (the
// same seed of each), and one is called lower (better, for a loss; flatter, for a ratio) only when it is lower on
// every seed at the printed precision; otherwise the two are "not separable" at that many seeds, and the per-seed
// differences are printed so a reader sees how they split.

export type Verdict = 'lower' | 'higher' | 'not separable';

export interface Paired {
  /** Seeds present in both runs, ascending. */
  seeds: number[];
  /** a - b on each of those seeds. */
  diffs: number[];
}

export function pairBySeed(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): Paired {
  const seeds = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
  return { seeds, diffs: seeds.map((s) => a.get(s)! - b.get(s)!) };
}

/** Rounded once to `digits`; a difference that prints as zero is neither lower nor higher. */
export function verdict(diffs: readonly number[], digits: number): Verdict {
  const signs = diffs.map((d) => Math.sign(Number(d.toFixed(digits))));
  if (signs.length && signs.every((s) => s < 0)) return 'lower';
  if (signs.length && signs.every((s) => s > 0)) return 'higher';
  return 'not separable';
}

/** The rule in words, as the report states it. */
export function verdictPhrase(v: Verdict, seeds: number): string {
  return v === 'not separable' ? `not separable at ${seeds} seeds` : `${v} on every seed`;
}
