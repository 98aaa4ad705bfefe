#!/usr/bin/env node
// `npm run bands`: writes each preset's reference band (docs/figures/reference/<id>.json.gz, see
// scripts/referenceBands.ts) from its reproduction results, and prints the sizes. Run it after the results change
// (bash scripts/reproduce.sh); tests/unit/reference_bands.test.ts fails while a file is out of date.
// TypeScript run by Node through tsx (`node --import tsx`, see package.json).
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIGURES, REFERENCE_DIR, referenceBytes, referenceFile, referenceOf, referencePresets } from './referenceBands';

mkdirSync(REFERENCE_DIR, { recursive: true });
let total = 0;
for (const p of referencePresets()) {
  const ref = referenceOf(p.id);
  const bytes = referenceBytes(ref);
  writeFileSync(referenceFile(p.id), bytes);
  total += bytes.length;
  const results = statSync(join(FIGURES, `${p.id}.json`)).size;
  const json = JSON.stringify(ref).length;
  process.stdout.write(
    `bands: ${p.id}: ${ref.runs.length} runs, seeds ${ref.seeds.join(',')}: ${bytes.length} bytes gzipped ` +
      `(${json} bytes of JSON; the results are ${results} bytes)\n`,
  );
}
process.stdout.write(`bands: ${total} bytes in all\n`);
