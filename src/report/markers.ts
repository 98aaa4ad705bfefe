// The reproduction report's tables live between markers `<!-- table:<id> -->` and `<!-- /table -->`; the numbers
// in its prose between `<!-- =... -->` and `<!-- /= -->` (inline.ts). Only the words around them are hand-written.

/** Replaces the text between preset `id`'s markers with `table`; returns null when the markers are missing. */
export function fillTable(report: string, id: string, table: string): string | null {
  const marker = new RegExp(`(<!-- table:${id.replace(/[^\w-]/g, '')} -->\\n)[\\s\\S]*?(<!-- /table -->)`);
  if (!marker.test(report)) return null;
  return report.replace(marker, (_, open: string, close: string) => `${open}${table}${close}`);
}
