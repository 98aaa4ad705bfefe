// The README's layout table matches the tree: every top-level folder and every
// folder of src/ has a row, and every row names a path that exists.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

const IGNORED = new Set(['node_modules', 'test-results', 'public', 'dist', 'playwright-report']);

function layoutRows(): string[] {
  const readme = readFileSync('README.md', 'utf8');
  const section = readme.slice(readme.indexOf('## Layout'));
  const table = section.slice(0, section.indexOf('\n## ', 3));
  return [...table.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]);
}

const folders = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !IGNORED.has(e.name))
    .map((e) => `${dir === '.' ? '' : `${dir}/`}${e.name}/`);

test('every top-level folder and every src/ folder has a row in the README layout table', () => {
  const rows = new Set(layoutRows());
  // A folder is covered by its own row or by rows for its subfolders (tests/unit/, tests/gpu/).
  const covered = (f: string) => rows.has(f) || [...rows].some((r) => r.startsWith(f));
  const missing = [...folders('.'), ...folders('src'), '.ci/'].filter((f) => !covered(f));
  expect(missing).toEqual([]);
});

test('every row of the README layout table names a path that exists', () => {
  const rows = layoutRows();
  expect(rows.length).toBeGreaterThan(10);
  expect(rows.filter((r) => !existsSync(r))).toEqual([]);
});
