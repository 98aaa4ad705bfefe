#!/usr/bin/env node
// `npm test`: corpus, typecheck, lint, every Vitest project (Node unit tests
// and the GPU tests in headless Chromium), then the Playwright end-to-end
// tests. Every stage runs even when an earlier one failed (only a missing
// corpus stops the run), so one CI log names everything that broke: the
// closing lines list each failing stage and each failing test (file and
// title), then "N passed, N failed" over all of them.
// A missing Chromium is a one-line error, not a stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { findChromium, MISSING_CHROMIUM } from './chromium.mjs';

const chromium = findChromium();
if (!chromium) {
  console.error(MISSING_CHROMIUM);
  process.exit(1);
}
process.env.CHROMIUM_PATH = chromium;
mkdirSync('test-results', { recursive: true });

const totals = { passed: 0, failed: 0, skipped: 0 };
/** `stage: file > title` for every failing test, and `stage: (reason)` for a stage that failed otherwise. */
const failures = [];

function run(label, cmd, args, env = {}) {
  const t0 = Date.now();
  console.log(`\n== ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  const ok = r.status === 0;
  const how = r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
  console.log(`== ${label} ${ok ? 'ok' : `failed (${how})`} (${secs}s)`);
  return { ok, how };
}

/** Reads a JSON report written by a stage; a missing or torn file counts as no tests. */
function readReport(file) {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Runs a test stage, adds its counts and names its failures; a failure with no failing test is named too. */
function testStage(label, cmd, args, env, reportFile, read) {
  rmSync(reportFile, { force: true }); // never count a previous run's report
  const r = run(label, cmd, args, env);
  const report = readReport(reportFile);
  const c = report ? read(report) : { passed: 0, failed: 0, skipped: 0, failing: [] };
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
  for (const f of c.failing) failures.push(`${label}: ${f}`);
  if (!r.ok && c.failing.length === 0) {
    totals.failed += 1;
    failures.push(`${label}: (${r.how} with no failing test reported: see the stage's output above)`);
  }
  return r.ok;
}

function plainStage(label, cmd, args) {
  const r = run(label, cmd, args);
  if (!r.ok) {
    totals.failed += 1;
    failures.push(`${label}: (${r.how}: see the stage's output above)`);
  }
  return r.ok;
}

const vitestCounts = (j) => {
  const failing = [];
  for (const file of j.testResults ?? []) {
    const name = relative(process.cwd(), file.name);
    const failed = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failed) failing.push(`${name} > ${a.fullName ?? a.title}`);
    // A file that failed to load or whose hooks failed has no failing assertion of its own.
    if (file.status === 'failed' && failed.length === 0) failing.push(`${name} (${firstLine(file.message)})`);
  }
  return {
    passed: j.numPassedTests ?? 0,
    failed: Math.max(j.numFailedTests ?? 0, failing.length),
    skipped: (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0),
    failing,
  };
};

// Playwright names spec files relative to its testDir, e2e/.
const playwrightCounts = (j) => {
  const failing = [];
  const walk = (suite, file) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status === 'unexpected' || t.status === 'flaky') {
          const err = t.results?.find((r) => r.error)?.error?.message;
          failing.push(`e2e/${spec.file ?? file}:${spec.line} > ${spec.title}${err ? ` (${firstLine(err)})` : ''}`);
        }
      }
    }
    for (const s of suite.suites ?? []) walk(s, s.file ?? file);
  };
  for (const s of j.suites ?? []) walk(s, s.file);
  // Errors outside any test (the web server did not start, a spec failed to load).
  for (const e of j.errors ?? []) failing.push(`(outside a test) ${firstLine(e.message)}`);
  return {
    passed: j.stats?.expected ?? 0,
    failed: (j.stats?.unexpected ?? 0) + (j.stats?.flaky ?? 0) + (j.errors?.length ?? 0),
    skipped: j.stats?.skipped ?? 0,
    failing,
  };
};

function firstLine(text) {
  const line = stripVTControlCharacters(String(text ?? ''))
    .split('\n')
    .find((l) => l.trim());
  return (line ?? '').trim().slice(0, 200);
}

const extra = process.argv.slice(2);
const corpusOk = plainStage('corpus', 'node', ['scripts/build-corpus.mjs']);
if (corpusOk) {
  plainStage('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']);
  if (extra.length === 0) plainStage('lint', 'npm', ['run', '--silent', 'lint']);
  testStage(
    'vitest (unit + gpu)',
    'npx',
    ['vitest', 'run', '--reporter=default', '--reporter=json', '--outputFile=test-results/vitest.json', ...extra],
    {},
    'test-results/vitest.json',
    vitestCounts,
  );
  const hasE2e = existsSync('e2e') && readdirSync('e2e').some((f) => f.endsWith('.spec.ts'));
  if (hasE2e && extra.length === 0) {
    testStage(
      'playwright e2e',
      'npx',
      ['playwright', 'test', '--reporter=list,json'],
      { PLAYWRIGHT_JSON_OUTPUT_NAME: 'test-results/playwright.json' },
      'test-results/playwright.json',
      playwrightCounts,
    );
  }
}
if (failures.length) {
  console.log(`\nFailed (${failures.length}):`);
  for (const f of failures) console.log(`  ✗ ${f}`);
}
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(failures.length ? 1 : 0);
