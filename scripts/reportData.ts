// The reproduction's results documents, read for the report (scripts/report.ts) and the test that holds the
// report to them (tests/unit/report_drift.test.ts): docs/figures/<preset>.json for every preset that has one, and
// extra documents under names with a `/` (which keeps them out of `*`): the preliminary run the budget table cites,
// and preset 1 run again with shifted windows and windowed evaluation (§1's per-position reading).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResultsDoc } from '../src/eval/results';
import { REPORTED_PRESETS } from '../src/experiment/presets';
import type { Results } from '../src/report/measures';

const EXTRA: [name: string, path: string][] = [
  ['preliminary/extrapolation-1seed', 'preliminary/extrapolation-1seed.json'],
  ['extrapolation/shifted', 'extrapolation-shifted.json'],
  // Issue 14's passkey preset at the classroom budget it dropped (most seeds did not retrieve even at T): §10 says why.
  ['passkey/classroom-budget', 'preliminary/passkey-classroom-budget.json'],
  // Issue 14's training-length preset under the budget rule it dropped (the same characters at every T): §9 says why.
  ['train-length/same-tokens', 'preliminary/train-length-same-tokens.json'],
];

export function loadResults(figures: string): Map<string, ResultsDoc[]> {
  const out = new Map<string, ResultsDoc[]>();
  for (const p of REPORTED_PRESETS) {
    const file = join(figures, `${p.id}.json`);
    if (existsSync(file)) out.set(p.id, JSON.parse(readFileSync(file, 'utf8')) as ResultsDoc[]);
  }
  for (const [name, path] of EXTRA) {
    const file = join(figures, path);
    if (existsSync(file)) out.set(name, JSON.parse(readFileSync(file, 'utf8')) as ResultsDoc[]);
  }
  return out satisfies Results;
}
