// Batches for training and the fixed evaluation windows (spec/experiments.md,
// "Validation loss at length L"): windows never cross a document boundary, and
// the evaluation list is drawn once per seed, for the longest length, so every
// length factor reads the same starts.
import { deriveSeed, Rng } from '../util/random';
import { DataError } from './corpus';

export interface Window {
  doc: number;
  start: number;
}

/** Cumulative counts of valid window starts per document (a window needs `need` tokens). */
function startCounts(docs: Uint32Array[], need: number): { cum: Float64Array; total: number } {
  const cum = new Float64Array(docs.length);
  let total = 0;
  for (let d = 0; d < docs.length; d++) {
    total += Math.max(0, docs[d].length - need + 1);
    cum[d] = total;
  }
  return { cum, total };
}

/** Maps a global start index in [0, total) to (document, offset) by binary search. */
function locate(cum: Float64Array, r: number): Window {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] > r) hi = mid;
    else lo = mid + 1;
  }
  return { doc: lo, start: r - (lo > 0 ? cum[lo - 1] : 0) };
}

function longest(docs: Uint32Array[]): number {
  let m = 0;
  for (const d of docs) m = Math.max(m, d.length);
  return m;
}

function tooShort(what: string, docs: Uint32Array[], need: number): DataError {
  return new DataError(
    `No ${what} document is long enough: a window needs ${need.toLocaleString('en-US')} tokens, ` +
      `and the longest ${what} document has ${longest(docs).toLocaleString('en-US')}` +
      (docs.length === 0 ? ' (there are none)' : '') +
      '. Use shorter lengths or longer documents.',
  );
}

/**
 * B random windows of T+1 tokens, packed [B, T]: target = input shifted by one.
 * Every valid start in every document is equally likely, i.e. a document is
 * chosen in proportion to its usable length.
 */
export function trainBatch(
  docs: Uint32Array[],
  B: number,
  T: number,
  rng: Rng,
): { input: Uint32Array; target: Uint32Array } {
  const { cum, total } = startCounts(docs, T + 1);
  if (total === 0) throw tooShort('training', docs, T + 1);
  const input = new Uint32Array(B * T);
  const target = new Uint32Array(B * T);
  for (let b = 0; b < B; b++) {
    const w = locate(cum, rng.int(total));
    const doc = docs[w.doc];
    input.set(doc.subarray(w.start, w.start + T), b * T);
    target.set(doc.subarray(w.start + 1, w.start + T + 1), b * T);
  }
  return { input, target };
}

/**
 * A fixed list of `count` distinct window starts, drawn from `seed` among the
 * starts where maxLength+1 tokens fit, sorted by (doc, start). Fewer than `count`
 * come back only when fewer distinct starts exist.
 */
export function evalWindows(docs: Uint32Array[], count: number, maxLength: number, seed: number): Window[] {
  const need = maxLength + 1;
  const { cum, total } = startCounts(docs, need);
  if (total === 0) throw tooShort('validation', docs, need);
  const rng = new Rng(deriveSeed(seed, 'eval-windows'));
  const n = Math.min(count, total);
  const picked = new Set<number>();
  // Rejection sampling stays cheap unless count is close to total; then take them all.
  if (n > total / 2) for (let r = 0; r < total && picked.size < n; r++) picked.add(r);
  else while (picked.size < n) picked.add(rng.int(total));
  return [...picked].sort((a, b) => a - b).map((r) => locate(cum, r));
}

/** The first L tokens of a window (and their next tokens): a prefix of the same window at any larger L. */
export function windowAt(docs: Uint32Array[], w: Window, L: number): { input: Uint32Array; target: Uint32Array } {
  const doc = docs[w.doc];
  if (doc === undefined || w.start < 0 || w.start + L + 1 > doc.length) {
    throw new RangeError(`windowAt: window (doc ${w.doc}, start ${w.start}) cannot hold ${L + 1} tokens`);
  }
  return {
    input: doc.slice(w.start, w.start + L),
    target: doc.slice(w.start + 1, w.start + L + 1),
  };
}

/**
 * Cross-entropy (nats per token) of the validation tokens under the add-one
 * smoothed unigram distribution of the training tokens: the loss a model that
 * ignores context would reach, as a baseline for reports.
 */
export function unigramLoss(train: Uint32Array[], validation: Uint32Array[], vocabSize: number): number {
  const counts = new Float64Array(vocabSize).fill(1);
  let n = vocabSize;
  for (const d of train) {
    for (let i = 0; i < d.length; i++) {
      if (d[i] >= vocabSize) throw new RangeError(`unigramLoss: token ${d[i]} >= vocabSize ${vocabSize}`);
      counts[d[i]]++;
    }
    n += d.length;
  }
  const seen = new Float64Array(vocabSize);
  let m = 0;
  for (const d of validation) {
    for (let i = 0; i < d.length; i++) {
      if (d[i] >= vocabSize) throw new RangeError(`unigramLoss: token ${d[i]} >= vocabSize ${vocabSize}`);
      seen[d[i]]++;
    }
    m += d.length;
  }
  if (m === 0) throw new DataError('unigramLoss: there are no validation tokens.');
  let sum = 0;
  for (let v = 0; v < vocabSize; v++) if (seen[v] > 0) sum -= seen[v] * Math.log(counts[v] / n);
  return sum / m;
}

/**
 * Packs up to B windows of L tokens into one [B, L] batch; rows past the last
 * window are padding whose targets are ignored, so they score nothing.
 */
export function packWindows(
  windows: { input: Uint32Array; target: Uint32Array }[],
  B: number,
  L: number,
): { input: Uint32Array; target: Uint32Array } {
  if (windows.length > B) throw new RangeError(`packWindows: ${windows.length} windows do not fit a batch of ${B}`);
  const input = new Uint32Array(B * L);
  const target = new Uint32Array(B * L).fill(0xffffffff);
  windows.forEach((w, i) => {
    input.set(w.input.subarray(0, L), i * L);
    target.set(w.target.subarray(0, L), i * L);
  });
  return { input, target };
}
