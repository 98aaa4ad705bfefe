#!/usr/bin/env node
// `npm test`: typecheck, then every Vitest project (Node unit tests and the
// GPU tests in headless Chromium), then the Playwright end-to-end tests.
// A missing Chromium is a one-line error, not a stack trace.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { findChromium, MISSING_CHROMIUM } from './chromium.mjs';

const chromium = findChromium();
if (!chromium) {
  console.error(MISSING_CHROMIUM);
  process.exit(1);
}
process.env.CHROMIUM_PATH = chromium;

function run(label, cmd, args) {
  const t0 = Date.now();
  console.log(`\n== ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: process.env });
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`== ${label} failed (${secs}s)`);
    process.exit(r.status ?? 1);
  }
  console.log(`== ${label} ok (${secs}s)`);
}

const extra = process.argv.slice(2);
run('corpus', 'node', ['scripts/build-corpus.mjs']);
run('typecheck', 'npx', ['tsc', '--noEmit', '-p', '.']);
run('vitest (unit + gpu)', 'npx', ['vitest', 'run', ...extra]);
const hasE2e = existsSync('e2e') && readdirSync('e2e').some((f) => f.endsWith('.spec.ts'));
if (hasE2e && extra.length === 0) run('playwright e2e', 'npx', ['playwright', 'test']);
