// Which presets ship a reference band and where its file lives (issue 15): every preset of the lab's first screen
// (the quick demo and PRESETS) with reproduction results in docs/figures/<id>.json gets
// docs/figures/reference/<id>.json.gz, derived by src/report/reference.ts. Shared by the script that writes the
// files (scripts/reference-bands.ts) and the test that holds them to the results (tests/unit/reference_bands.test.ts).
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { ResultsDoc } from '../src/eval/results';
import { PRESETS, type Preset, QUICK_DEMO } from '../src/experiment/presets';
import { deriveReference, type Reference } from '../src/report/reference';

export const FIGURES = resolve(import.meta.dirname, '../docs/figures');
export const REFERENCE_DIR = join(FIGURES, 'reference');

export const referenceFile = (id: string) => join(REFERENCE_DIR, `${id}.json.gz`);

/** The first screen's presets that have reproduction results, in the cards' order. */
export function referencePresets(): Preset[] {
  return [QUICK_DEMO, ...PRESETS].filter((p) => existsSync(join(FIGURES, `${p.id}.json`)));
}

export function resultsOf(id: string): ResultsDoc[] {
  return JSON.parse(readFileSync(join(FIGURES, `${id}.json`), 'utf8')) as ResultsDoc[];
}

export function referenceOf(id: string): Reference {
  return deriveReference(id, resultsOf(id));
}

/** The file's bytes: compact JSON, gzipped (level 9; the header's time is zero, so a rerun writes the same bytes). */
export function referenceBytes(ref: Reference): Buffer {
  return gzipSync(JSON.stringify(ref), { level: 9 });
}

/** Writes every preset's band file; returns a line per file with its size against its results' size. */
export function writeReferenceBands(): string[] {
  mkdirSync(REFERENCE_DIR, { recursive: true });
  let total = 0;
  const lines = referencePresets().map((p) => {
    const ref = referenceOf(p.id);
    const bytes = referenceBytes(ref);
    writeFileSync(referenceFile(p.id), bytes);
    total += bytes.length;
    const results = statSync(join(FIGURES, `${p.id}.json`)).size;
    return (
      `${p.id}: ${ref.runs.length} runs, seeds ${ref.seeds.join(',')}: ${bytes.length} bytes gzipped ` +
      `(${JSON.stringify(ref).length} bytes of JSON; the results are ${results} bytes)`
    );
  });
  return [...lines, `${total} bytes in all`];
}
