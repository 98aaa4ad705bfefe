// float64 CPU reference for shaders/crossentropy_forward.wgsl, fused_classifier.wgsl
// and loss_mean_*.wgsl (see src/kernels/crossentropy.ts).

/** Target id of a position that is not scored (no loss, no gradient). */
export const IGNORE_TARGET = 0xffffffff;

/** A row is scored when its target is a real class (the ignore id is >= V). */
const scored = (t: number, V: number): boolean => t < V;

function rowStats(logits: ArrayLike<number>, n: number, V: number): { max: number; sum: number } {
  let max = -Infinity;
  for (let v = 0; v < V; v++) max = Math.max(max, logits[n * V + v]);
  let sum = 0;
  for (let v = 0; v < V; v++) sum += Math.exp(logits[n * V + v] - max);
  return { max, sum };
}

/** losses[n] = logsumexp(logits[n, :]) - logits[n, target]; 0 for ignored rows. */
export function crossentropy_forward(
  losses: Float64Array,
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  N: number,
  V: number,
): void {
  for (let n = 0; n < N; n++) {
    const t = targets[n];
    if (!scored(t, V)) {
      losses[n] = 0;
      continue;
    }
    const { max, sum } = rowStats(logits, n, V);
    losses[n] = Math.log(sum) + max - logits[n * V + t];
  }
}

/** Losses as above, and dlogits = (softmax(logits[n]) - onehot(target)) * scale (written; 0 on ignored rows). */
export function fused_classifier(
  losses: Float64Array,
  dlogits: Float64Array,
  logits: ArrayLike<number>,
  targets: ArrayLike<number>,
  N: number,
  V: number,
  scale: number,
): void {
  crossentropy_forward(losses, logits, targets, N, V);
  for (let n = 0; n < N; n++) {
    const t = targets[n];
    if (!scored(t, V)) {
      dlogits.fill(0, n * V, (n + 1) * V);
      continue;
    }
    const { max, sum } = rowStats(logits, n, V);
    for (let v = 0; v < V; v++) {
      const p = Math.exp(logits[n * V + v] - max) / sum;
      dlogits[n * V + v] = (p - (v === t ? 1 : 0)) * scale;
    }
  }
}

/** out[outIndex] = sum of losses over rows whose target is not IGNORE_TARGET, divided by their count (0 if none). */
export function loss_mean(
  out: Float64Array,
  outIndex: number,
  losses: ArrayLike<number>,
  targets: ArrayLike<number>,
  N: number,
): void {
  let sum = 0;
  let count = 0;
  for (let n = 0; n < N; n++) {
    if (targets[n] === IGNORE_TARGET) continue;
    sum += losses[n];
    count++;
  }
  out[outIndex] = count > 0 ? sum / count : 0;
}
