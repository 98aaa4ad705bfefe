#!/usr/bin/env node
// `npm run report`: turns the reproduction's results (docs/figures/<preset>.json,
// written by scripts/reproduce.sh) into its figures and tables. For each preset
// with results it redraws docs/figures/<preset>.svg (loss against length) and
// docs/figures/<preset>-answer.svg (the figure that answers the preset's
// question, src/report/answer.ts) with the lab's own plots (through the
// runner page, so the files match what the lab shows) and
// replaces the table between `<!-- table:<preset> -->` and `<!-- /table -->`
// in docs/REPRODUCTION.md, then every number of its prose between
// `<!-- =... -->` and `<!-- /= -->` (src/report/inline.ts), so no number in
// the report is copied by hand; the report is then laid out by the project's
// formatter (Biome), as committed. A number that cannot be computed is named
// and left as it was, and the command fails. It also writes each preset's
// reference band (docs/figures/reference/, scripts/referenceBands.ts).
// TypeScript run by Node through tsx (`node --import tsx`, see package.json).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright';
import { REPORTED_PRESETS } from '../src/experiment/presets';
import { fillInline } from '../src/report/inline';
import { fillTable } from '../src/report/markers';
import { createRunnerServer, launchChromium, openRunnerPage } from './browser.mjs';
import { writeReferenceBands } from './referenceBands';
import { loadResults } from './reportData';

const ROOT = resolve(import.meta.dirname, '..');
const FIGURES = join(ROOT, 'docs/figures');
const REPORT = join(ROOT, 'docs/REPRODUCTION.md');

const server = await createRunnerServer(ROOT);
let browser: Browser | null = null;
try {
  browser = await launchChromium();
  const page = await openRunnerPage(browser, server, { onLine: (l) => process.stderr.write(`report: ${l}\n`) });
  let report = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : null;
  for (const p of REPORTED_PRESETS) {
    const file = join(FIGURES, `${p.id}.json`);
    if (!existsSync(file)) {
      process.stderr.write(`report: no results for ${p.id} (run: bash scripts/reproduce.sh ${p.id})\n`);
      continue;
    }
    const docs = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
    // The loss-against-length figure, and beside it the figure that answers the preset's question.
    for (const [part, name] of [
      ['loss', `${p.id}.svg`],
      ['answer', `${p.id}-answer.svg`],
    ] as const) {
      const svg = await page.evaluate(([d, t, part]) => window.__runner!.plot(d, 720, 420, t, part), [
        docs,
        p.title,
        part,
      ] as const);
      writeFileSync(join(FIGURES, name), `${svg}\n`);
    }
    const table = await page.evaluate((d) => window.__runner!.table(d), docs);
    const filled = report === null ? null : fillTable(report, p.id, table);
    if (filled === null) process.stderr.write(`report: docs/REPRODUCTION.md has no table marker for ${p.id}\n`);
    else report = filled;
    process.stderr.write(`report: ${p.id}: ${docs.length} runs -> docs/figures/${p.id}.svg, ${p.id}-answer.svg\n`);
  }
  // Each preset's reference band beside its results (the lab draws it under a user's runs of the preset).
  for (const line of writeReferenceBands()) process.stderr.write(`report: band ${line}\n`);
  if (report) {
    const inline = fillInline(report, loadResults(FIGURES));
    for (const e of inline.errors) process.stderr.write(`report: ${e}\n`);
    if (inline.errors.length) process.exitCode = 1;
    report = inline.report;
    writeFileSync(REPORT, report);
    // Laid out as the tree's formatter lays out markdown (aligned table columns), so a rerun on the same results
    // leaves the report byte for byte as it was.
    execFileSync(process.execPath, [join(ROOT, 'node_modules/@biomejs/biome/bin/biome'), 'format', '--write', REPORT], {
      stdio: 'ignore',
    });
  }
} catch (e) {
  process.stderr.write(`report: ${e instanceof Error ? e.message.split('\n')[0] : e}\n`);
  process.exitCode = 1;
} finally {
  await browser?.close();
  await server.close();
}
