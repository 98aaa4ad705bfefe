#!/usr/bin/env node
// `npm test`: typecheck, then every Vitest project (Node unit tests and the
// GPU tests in headless Chromium), then the Playwright end-to-end tests, and
// a closing "N passed, N failed" line over all of them.
// A missing Chromium is a one-line error, not a stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { findChromium, MISSING_CHROMIUM } from './chromium.mjs';

const chromium = findChromium();
if (!chromium) {
  console.error(MISSING_CHROMIUM);
  process.exit(1);
}
process.env.CHROMIUM_PATH = chromium;
mkdirSync('test-results', { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };

function run(label, cmd, args, env = {}) {
  const t0 = Date.now();
  console.log(`\n== ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`== ${label} ${r.status === 0 ? 'ok' : 'failed'} (${secs}s)`);
  return r.status === 0;
}

function count(file, read) {
  if (!existsSync(file)) return;
  const c = read(JSON.parse(readFileSync(file, 'utf8')));
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
}

const extra = process.argv.slice(2);
let ok = run('corpus', 'node', ['scripts/build-corpus.mjs']) && run('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']);
if (ok) {
  ok = run('vitest (unit + gpu)', 'npx', [
    'vitest',
    'run',
    '--reporter=default',
    '--reporter=json',
    '--outputFile=test-results/vitest.json',
    ...extra,
  ]);
  count('test-results/vitest.json', (j) => ({
    passed: j.numPassedTests,
    failed: j.numFailedTests,
    skipped: j.numPendingTests + j.numTodoTests,
  }));
}
const hasE2e = existsSync('e2e') && readdirSync('e2e').some((f) => f.endsWith('.spec.ts'));
if (ok && hasE2e && extra.length === 0) {
  ok = run('playwright e2e', 'npx', ['playwright', 'test', '--reporter=list,json'], {
    PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/playwright.json',
  });
  count('test-results/playwright.json', (j) => ({
    passed: j.stats.expected,
    failed: j.stats.unexpected + j.stats.flaky,
    skipped: j.stats.skipped,
  }));
}
if (!ok && totals.failed === 0) totals.failed = 1; // a step failed before its tests could be counted
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(ok ? 0 : 1);
