// Seeded synthetic tasks, generated at any length L: copy, associative recall
// and passkey retrieval (the Softplus paper's extra test). All share one small
// fixed character vocabulary, so task models and text models use the same
// tokenizer type, and every example scores only the positions the task is about
// (other targets are IGNORE: no loss, no gradient).
import type { Rng } from '../util/random';
import { CharTokenizer } from './tokenizer';

/** Target value that the loss kernels skip (docs/engine.md). */
export const IGNORE = 0xffffffff;

export interface Example {
  /** L input tokens. */
  input: Uint32Array;
  /** L next-token targets; IGNORE where the position is not scored. */
  target: Uint32Array;
}

export interface PasskeyExample extends Example {
  /** The hidden key, as digits. */
  key: string;
  /** Index in the L+1 sequence where the key statement starts (its depth). */
  keyPosition: number;
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
/** The fixed vocabulary of every synthetic task (ids sorted by code point, 0 = unknown). */
export const TASK_ALPHABET = ` !',-.:;=>?|${DIGITS}${LETTERS}`;
export const TASK_TOKENIZER = CharTokenizer.fromText([TASK_ALPHABET]);
export const COPY_TOKENIZER = TASK_TOKENIZER;
export const RECALL_TOKENIZER = TASK_TOKENIZER;
export const PASSKEY_TOKENIZER = TASK_TOKENIZER;

function randomString(rng: Rng, alphabet: string, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)];
  return s;
}

/**
 * Builds an Example from an L+1 character sequence: input = seq[0..L),
 * target[i] = seq[i+1] where seq position i+1 is scored (scoredFrom <= i+1 < scoredTo).
 */
function toExample(seq: string, L: number, scoredFrom: number, scoredTo: number): Example {
  const ids = TASK_TOKENIZER.encode(seq);
  if (ids.length !== L + 1) throw new Error(`synthetic: built ${ids.length} tokens, expected ${L + 1}`);
  if (ids.some((id) => id === 0)) throw new Error('synthetic: a character is outside the task alphabet');
  const input = ids.slice(0, L);
  const target = new Uint32Array(L).fill(IGNORE);
  for (let k = Math.max(1, scoredFrom); k < scoredTo; k++) target[k - 1] = ids[k];
  return { input, target };
}

function checkLength(task: string, L: number, min: number): void {
  if (!Number.isInteger(L) || L < min) throw new RangeError(`${task}: length must be an integer >= ${min}, got ${L}`);
}

/**
 * Copy: `[pad] payload > payload`, payload = floor(L/2) random letters; a '.' pads
 * odd lengths at the start. Only the second payload (the copy) is scored.
 */
export function copyExample(L: number, rng: Rng): Example {
  checkLength('copy', L, 2);
  const n = Math.floor(L / 2);
  const pad = L + 1 - (2 * n + 1);
  const payload = randomString(rng, LETTERS, n);
  const seq = `${'.'.repeat(pad) + payload}>${payload}`;
  return toExample(seq, L, pad + n + 1, L + 1);
}

/**
 * Associative recall: `[pad] k1=v1 k2=v2 ... ?k=v` with distinct keys of k letters
 * (k grows with L so keys stay distinct) and one-digit values; the query repeats one
 * of the keys, and only the final value digit is scored.
 */
export function recallExample(L: number, rng: Rng): Example {
  checkLength('recall', L, 7);
  let k = 1;
  let pairs = 0;
  for (; ; k++) {
    pairs = Math.floor((L + 1 - (k + 3)) / (k + 3));
    if (Math.pow(LETTERS.length, k) >= pairs) break;
  }
  const space = Math.pow(LETTERS.length, k);
  // Distinct keys by a partial Fisher-Yates over the key space (space < 26 * pairs, small).
  const pool = Array.from({ length: space }, (_, i) => i);
  const keys: string[] = [];
  for (let i = 0; i < pairs; i++) {
    const j = i + rng.int(space - i);
    [pool[i], pool[j]] = [pool[j], pool[i]];
    let code = pool[i];
    let key = '';
    for (let c = 0; c < k; c++) {
      key += LETTERS[code % LETTERS.length];
      code = Math.floor(code / LETTERS.length);
    }
    keys.push(key);
  }
  const values = keys.map(() => DIGITS[rng.int(DIGITS.length)]);
  const q = rng.int(pairs);
  const pad = L + 1 - (pairs + 1) * (k + 3);
  let seq = '.'.repeat(pad);
  for (let i = 0; i < pairs; i++) seq += `${keys[i]}=${values[i]} `;
  seq += `?${keys[q]}=${values[q]}`;
  return toExample(seq, L, L, L + 1);
}

/** Repetitive filler of the passkey test (Mohtashami & Jaggi; used by the Softplus paper). */
export const PASSKEY_FILLER =
  'the grass is green. the sky is blue. the sun is yellow. here we go. there and back again. ';

export type PasskeyStyle = 'paper' | 'short' | 'tiny';

export interface PasskeyOptions {
  /** Digits in the key (default 5). */
  digits?: number;
  /**
   * 'paper': "the pass key is K. remember it. K is the pass key. " ... "what is the pass key? the pass key is K";
   * 'short' (default): "pass key is K. " ... "pass key? K"; 'tiny': "k=K " ... "k?K".
   * When L is too short for the style, the example falls back to 'tiny', then to fewer digits.
   */
  style?: PasskeyStyle;
}

function passkeyTemplate(style: PasskeyStyle, key: string): [statement: string, question: string] {
  switch (style) {
    case 'paper':
      return [
        `the pass key is ${key}. remember it. ${key} is the pass key. `,
        `what is the pass key? the pass key is ${key}`,
      ];
    case 'short':
      return [`pass key is ${key}. `, `pass key? ${key}`];
    case 'tiny':
      return [`k=${key} `, `k?${key}`];
  }
}

function templateLength(style: PasskeyStyle, digits: number): number {
  const [a, b] = passkeyTemplate(style, '0'.repeat(digits));
  return a.length + b.length;
}

/**
 * The template and key length an example of length L gets: the asked style and digits where they fit, else
 * 'tiny', then fewer digits. It depends on L alone, so the chance of guessing the key (10^-digits) is known
 * per length.
 */
export function passkeyShape(L: number, opts: PasskeyOptions = {}): { style: PasskeyStyle; digits: number } {
  let style: PasskeyStyle = opts.style ?? 'short';
  let digits = Math.max(1, Math.floor(opts.digits ?? 5));
  if (templateLength(style, digits) > L + 1) style = 'tiny';
  while (templateLength(style, digits) > L + 1 && digits > 1) digits--;
  return { style, digits };
}

/** The shape at L for a model trained at `trainLength`: the training length's, or L's own below it. */
export const passkeyShapeAt = (L: number, trainLength = L) => passkeyShape(Math.min(L, trainLength));

/** Chance accuracy at length L: every answer digit guessed uniformly among ten (teacher-forced, so independently). */
export const passkeyChance = (L: number, opts: PasskeyOptions = {}): number => 10 ** -passkeyShape(L, opts).digits;

/**
 * Passkey retrieval: a random digit key stated at a random depth (a sentence
 * boundary) in repetitive filler, asked for at the end; only the answer digits
 * (the last `digits` tokens) are scored.
 */
export function passkeyExample(L: number, rng: Rng, opts: PasskeyOptions = {}): PasskeyExample {
  checkLength('passkey', L, 6);
  const { style, digits } = passkeyShape(L, opts);
  const key = randomString(rng, DIGITS, digits);
  const [statement, question] = passkeyTemplate(style, key);
  const F = L + 1 - statement.length - question.length;
  // The filler ends at a random sentence end (so the question starts cleanly) and
  // begins wherever F characters back reaches, as a window into longer text would.
  const ends = [0];
  for (let p = 2; p < PASSKEY_FILLER.length; p++) if (PASSKEY_FILLER.slice(p - 2, p) === '. ') ends.push(p);
  const end = ends[rng.int(ends.length)];
  const stream = PASSKEY_FILLER.repeat(Math.ceil(F / PASSKEY_FILLER.length) + 1) + PASSKEY_FILLER.slice(0, end);
  const filler = stream.slice(stream.length - F);
  // The key goes at the start or right after a sentence ("... blue. |here we go.").
  const boundaries: number[] = [0];
  for (let p = 2; p <= F; p++) if (filler[p - 1] === ' ' && filler[p - 2] === '.') boundaries.push(p);
  const keyPosition = boundaries[rng.int(boundaries.length)];
  const seq = filler.slice(0, keyPosition) + statement + filler.slice(keyPosition) + question;
  return { ...toExample(seq, L, L + 1 - digits, L + 1), key, keyPosition };
}

export interface SyntheticTask {
  name: 'copy' | 'recall' | 'passkey';
  tokenizer: CharTokenizer;
  /** Shortest L the task accepts. */
  minLength: number;
  /**
   * An example of length L. `trainLength` is the length the model trained at: a task whose format depends on
   * the length (passkey's template and key length) keeps the format of that length at every longer L, so a
   * longer evaluation changes the distance and nothing else.
   */
  make(L: number, rng: Rng, trainLength?: number): Example;
}

export const TASKS: Record<'copy' | 'recall' | 'passkey', SyntheticTask> = {
  copy: { name: 'copy', tokenizer: COPY_TOKENIZER, minLength: 2, make: copyExample },
  recall: { name: 'recall', tokenizer: RECALL_TOKENIZER, minLength: 7, make: recallExample },
  passkey: {
    name: 'passkey',
    tokenizer: PASSKEY_TOKENIZER,
    minLength: 6,
    make: (L, rng, trainLength) => passkeyExample(L, rng, passkeyShapeAt(L, trainLength)),
  },
};

/** B examples of one task packed as [B, L] (row-major), ready for the trainer. */
export function taskBatch(
  task: SyntheticTask,
  B: number,
  L: number,
  rng: Rng,
): { input: Uint32Array; target: Uint32Array } {
  const input = new Uint32Array(B * L);
  const target = new Uint32Array(B * L);
  for (let b = 0; b < B; b++) {
    const ex = task.make(L, rng);
    input.set(ex.input, b * L);
    target.set(ex.target, b * L);
  }
  return { input, target };
}
