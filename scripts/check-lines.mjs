#!/usr/bin/env node
// Biome wraps code at 120 columns but cannot break a long string or comment:
// this check names every tracked source line that is still wider, so the
// formatter's width holds for the whole tree.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const WIDTH = 120;
const files = execFileSync(
  'git',
  ['ls-files', '--cached', '--others', '--exclude-standard', '*.ts', '*.tsx', '*.mjs', '*.wgsl', '*.css', '*.html'],
  {
    encoding: 'utf8',
  },
)
  .split('\n')
  .filter(Boolean);
const wide = [];
for (const f of files) {
  let text;
  try {
    text = readFileSync(f, 'utf8');
  } catch {
    continue; // listed but deleted in the work tree
  }
  text.split('\n').forEach((line, i) => {
    if ([...line].length > WIDTH) wide.push(`${f}:${i + 1}: ${[...line].length} columns`);
  });
}
for (const w of wide) console.error(w);
if (wide.length) {
  console.error(
    `${wide.length} line${wide.length === 1 ? '' : 's'} wider than ${WIDTH} columns (split the string or comment)`,
  );
  process.exit(1);
}
console.log(`check-lines: ${files.length} files, no line wider than ${WIDTH} columns`);
