// Standard errors over evaluation windows: each window's own mean loss (over all
// its scored positions, its last T positions, and each position bucket) is one
// sample, and the standard error of a mean over windows is sd / sqrt(n) of those
// samples. Windows are the independent unit: positions within a window are not.
import { IGNORE } from '../data/synthetic';

/** Per-window means of one length's losses, summarised as standard errors. */
export class WindowStats {
  private readonly bucketSize: number;
  private readonly mean: number[] = [];
  private readonly tail: number[] = [];
  private readonly buckets: number[][];

  constructor(
    private readonly L: number,
    private readonly T: number,
    buckets: number,
  ) {
    // The same buckets as the per-position curve (src/eval/lengths.ts).
    this.bucketSize = Math.max(1, Math.ceil(L / Math.max(1, buckets)));
    this.buckets = Array.from({ length: Math.ceil(L / this.bucketSize) }, () => []);
  }

  /** One window's per-position losses and targets (IGNORE: not scored). */
  add(losses: ArrayLike<number>, targets: ArrayLike<number>): void {
    const { L, T, bucketSize } = this;
    const all = [0, 0],
      tail = [0, 0];
    const b = this.buckets.map(() => [0, 0]);
    for (let t = 0; t < L; t++) {
      if (targets[t] === IGNORE) continue;
      const x = losses[t];
      all[0] += x;
      all[1]++;
      if (t >= L - T) {
        tail[0] += x;
        tail[1]++;
      }
      const k = Math.floor(t / bucketSize);
      b[k][0] += x;
      b[k][1]++;
    }
    if (all[1]) this.mean.push(all[0] / all[1]);
    if (tail[1]) this.tail.push(tail[0] / tail[1]);
    b.forEach(([s, n], k) => {
      if (n) this.buckets[k].push(s / n);
    });
  }

  /** The standard errors; absent when fewer than two windows were scored. */
  errors(): { meanLossSe?: number; tailLossSe?: number; positionsSe?: number[] } {
    if (this.mean.length < 2) return {};
    return {
      meanLossSe: standardError(this.mean),
      tailLossSe: standardError(this.tail),
      positionsSe: this.buckets.map(standardError),
    };
  }
}

/** sd / sqrt(n) with the sample (n - 1) variance; 0 for fewer than two samples. */
export function standardError(xs: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / n;
  const v = xs.reduce((a, x) => a + (x - m) * (x - m), 0) / (n - 1);
  return Math.sqrt(v / n);
}
