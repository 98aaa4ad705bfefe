// The reproduction report's tables are filled between markers, leaving the
// hand-written text around them alone.
import { expect, test } from 'vitest';
import { fillTable } from '../../src/report/markers';

test('fillTable replaces only the named table, keeps the rest, and is idempotent', () => {
  const doc =
    'intro\n<!-- table:a -->\nold a\n<!-- /table -->\nmiddle\n<!-- table:b -->\nold b\n<!-- /table -->\nend\n';
  const once = fillTable(doc, 'a', '| new |\n');
  expect(once).toBe(
    'intro\n<!-- table:a -->\n| new |\n<!-- /table -->\nmiddle\n<!-- table:b -->\nold b\n<!-- /table -->\nend\n',
  );
  expect(fillTable(once!, 'a', '| new |\n')).toBe(once);
  expect(fillTable(doc, 'c', 'x')).toBeNull();
  // An id is a preset id, never a pattern.
  expect(fillTable(doc, '.*', 'x')).toBeNull();
});
