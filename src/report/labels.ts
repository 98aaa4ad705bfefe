// Placing direct labels so that none overlaps another: width estimates (the
// plots are drawn before any layout, so text cannot be measured), labels
// spread along one axis, and labels stacked in lines. Pure; the rendered
// boxes are checked in tests/gpu/figure_labels.test.ts.

/**
 * A generous estimate of a text's width in pixels at `fontSize` (system-ui, the plots' font): 0.62 em a
 * character, wider than the average glyph of the sans-serif fonts the lab meets, so labels placed with it keep
 * clear of each other.
 */
export function textWidth(text: string, fontSize = 12, bold = false): number {
  return text.length * fontSize * (bold ? 0.68 : 0.62);
}

/**
 * Spreads items along one axis: each wants its centre at `at` and takes `size`; the result keeps the order of
 * `at`, moves items as little as a top-down then bottom-up pass can, and stays within [lo, hi]. Null when the items
 * do not fit (the caller then uses a legend instead).
 */
export function spread(items: readonly { at: number; size: number }[], lo: number, hi: number): number[] | null {
  const order = items.map((_, i) => i).sort((a, b) => items[a].at - items[b].at || a - b);
  const total = items.reduce((s, it) => s + it.size, 0);
  if (total > hi - lo + 1e-9) return null;
  const pos = new Array<number>(items.length);
  let edge = lo;
  for (const i of order) {
    const half = items[i].size / 2;
    pos[i] = Math.max(items[i].at, edge + half);
    edge = pos[i] + half;
  }
  edge = hi;
  for (const i of [...order].reverse()) {
    const half = items[i].size / 2;
    pos[i] = Math.min(pos[i], edge - half);
    edge = pos[i] - half;
  }
  return pos;
}

/**
 * Puts intervals [x0, x1] in lines so that no two in one line come within `gap`: each goes in the first line where
 * it fits (in the given order). Returns each interval's line, from 0.
 */
export function stackLines(items: readonly { x0: number; x1: number }[], gap = 6): number[] {
  const lines: { x0: number; x1: number }[][] = [];
  return items.map((it) => {
    let k = lines.findIndex((line) => line.every((o) => it.x1 + gap <= o.x0 || o.x1 + gap <= it.x0));
    if (k < 0) k = lines.push([]) - 1;
    lines[k].push(it);
    return k;
  });
}

/** Whether two boxes overlap by more than `tolerance` pixels in both directions. */
export function overlaps(
  a: { x: number; y: number; width: number; height: number },
  b: { x: number; y: number; width: number; height: number },
  tolerance = 0.5,
): boolean {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > tolerance && h > tolerance;
}
