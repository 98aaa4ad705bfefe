// The reproduction's results documents, read for the report (scripts/report.ts) and the test that holds the
// report to them (tests/unit/report_drift.test.ts): docs/figures/<preset>.json for every preset that has one, and
// the preliminary run the budget table cites, as `preliminary/extrapolation-1seed` (a `/` keeps it out of `*`).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultsDoc } from '../src/eval/results';
import { PRESETS } from '../src/experiment/presets';
import type { Results } from '../src/report/measures';

export function loadResults(figures: string): Map<string, ResultsDoc[]> {
  const out = new Map<string, ResultsDoc[]>();
  for (const p of PRESETS) {
    const file = join(figures, `${p.id}.json`);
    if (existsSync(file)) out.set(p.id, JSON.parse(readFileSync(file, 'utf8')) as ResultsDoc[]);
  }
  const pre = join(figures, 'preliminary/extrapolation-1seed.json');
  if (existsSync(pre))
    out.set('preliminary/extrapolation-1seed', JSON.parse(readFileSync(pre, 'utf8')) as ResultsDoc[]);
  return out satisfies Results;
}
