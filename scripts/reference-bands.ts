#!/usr/bin/env node
// `npm run bands`: writes each preset's reference band (docs/figures/reference/<id>.json.gz, see
// scripts/referenceBands.ts) from its reproduction results, and prints the sizes. `npm run report` writes them
// too; tests/unit/reference_bands.test.ts fails while a file is out of date.
// TypeScript run by Node through tsx (`node --import tsx`, see package.json).
import { writeReferenceBands } from './referenceBands';

for (const line of writeReferenceBands()) process.stdout.write(`bands: ${line}\n`);
