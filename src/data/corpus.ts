// Text corpora as token documents: the Brown corpus (built by
// scripts/build-corpus.mjs into public/data/brown.json) and the user's own text.
// Train and validation are always split BY DOCUMENT, so validation text is never
// trained on, and the vocabulary comes from the training documents only.
import type { ErrorKind } from '../errors';
import { CharTokenizer } from './tokenizer';

/** A problem with the data that the user can fix; the message is meant to be shown as is. */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
  readonly kind: ErrorKind = 'data';
}

export interface Corpus {
  train: Uint32Array[];
  validation: Uint32Array[];
  tokenizer: CharTokenizer;
  name: string;
}

/** Largest pasted or uploaded text accepted (characters). */
export const USER_TEXT_MAX_CHARS = 5_000_000;

/** Tokenizes documents; the vocabulary is built from the training documents only. */
export function corpusFromDocuments(name: string, trainDocs: string[], valDocs: string[]): Corpus {
  const tokenizer = CharTokenizer.fromText(trainDocs);
  return {
    name,
    tokenizer,
    train: trainDocs.map((d) => tokenizer.encode(d)),
    validation: valDocs.map((d) => tokenizer.encode(d)),
  };
}

export interface UserTextOptions {
  /** Corpus name (default 'user text'). */
  name?: string;
  /** Longest window (tokens) to be evaluated: a validation document must hold minWindow + 1 tokens (default 1). */
  minWindow?: number;
  /** Validation takes every `validationEvery`-th pseudo-document (default 10, i.e. ~10%). */
  validationEvery?: number;
  /** Pseudo-documents aimed for when the text is long enough (default 20). */
  targetDocuments?: number;
}

function countCodePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/** Cuts s into pieces of `size` code points (the last may be shorter), never inside a surrogate pair. */
function chunkByCodePoints(s: string, size: number): string[] {
  const out: string[] = [];
  let start = 0;
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    if (++n === size) {
      out.push(s.slice(start, i + 1));
      start = i + 1;
      n = 0;
    }
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * Turns pasted text into a corpus: paragraphs (split at blank lines) are grouped
 * into pseudo-documents of roughly equal size (a paragraph too long for one is cut
 * into fixed chunks), then every 10th pseudo-document goes to validation.
 * Throws DataError with a readable message when the text cannot be used.
 */
export function corpusFromUserText(text: string, opts: UserTextOptions = {}): Corpus {
  const name = opts.name ?? 'user text';
  const minWindow = Math.max(1, Math.floor(opts.minWindow ?? 1));
  const every = Math.max(2, Math.floor(opts.validationEvery ?? 10));
  const targetDocs = Math.max(2, Math.floor(opts.targetDocuments ?? 20));

  if (text.length > USER_TEXT_MAX_CHARS) {
    throw new DataError(
      `The text is too long: ${plural(text.length, 'character')}, and the limit is ` +
        `${USER_TEXT_MAX_CHARS.toLocaleString('en-US')}. Use a shorter excerpt.`,
    );
  }
  const normalized = text.replace(/\r\n?/g, '\n');
  if (normalized.trim().length === 0) {
    throw new DataError('The text is empty. Paste or load some text to train on.');
  }
  const distinct = new Set(normalized).size;
  if (distinct < 2) {
    const only = normalized.codePointAt(0) ?? 0;
    throw new DataError(
      `The text uses only one distinct character (${JSON.stringify(String.fromCodePoint(only))}), so there is ` +
        'nothing to predict. Use text with at least two different characters.',
    );
  }
  const total = countCodePoints(normalized);
  const needed = minWindow + 1;
  // One validation document and at least as much training text must each hold a full window.
  if (total < 2 * needed) {
    throw new DataError(
      `The text is too short: ${plural(total, 'character')}, but evaluating windows of ` +
        `${plural(minWindow, 'token')} needs at least ${(2 * needed).toLocaleString('en-US')} ` +
        `(one validation document and training text of ${needed.toLocaleString('en-US')} each). ` +
        'Add more text or lower the longest evaluation length.',
    );
  }

  const target = Math.max(needed, Math.ceil(total / targetDocs));
  const pieces: { text: string; n: number }[] = [];
  for (const para of normalized.split(/\n[ \t]*\n\s*/)) {
    const n = countCodePoints(para);
    if (n === 0) continue;
    if (n <= 2 * target) pieces.push({ text: para, n });
    else for (const c of chunkByCodePoints(para, target)) pieces.push({ text: c, n: countCodePoints(c) });
  }
  // Greedy grouping: close a document once it holds `target` code points.
  const docs: { text: string; n: number }[] = [];
  let cur: { text: string; n: number } | null = null;
  for (const p of pieces) {
    cur = cur === null ? { ...p } : { text: `${cur.text}\n\n${p.text}`, n: cur.n + 2 + p.n };
    if (cur.n >= target) {
      docs.push(cur);
      cur = null;
    }
  }
  if (cur !== null) {
    // A short remainder joins the last document, so every document holds a full window.
    if (docs.length > 0 && cur.n < target) {
      const last = docs[docs.length - 1];
      docs[docs.length - 1] = { text: `${last.text}\n\n${cur.text}`, n: last.n + 2 + cur.n };
    } else docs.push(cur);
  }
  if (docs.length < 2) {
    // Blank-line paragraphs too uneven to give two documents: fall back to two fixed halves.
    const halves = chunkByCodePoints(normalized, Math.ceil(total / 2));
    docs.length = 0;
    for (const h of halves) docs.push({ text: h, n: countCodePoints(h) });
  }

  const trainDocs: string[] = [];
  const valDocs: string[] = [];
  docs.forEach((d, i) => {
    const isVal = docs.length < every ? i === docs.length - 1 : i % every === every - 1;
    (isVal ? valDocs : trainDocs).push(d.text);
  });
  const corpus = corpusFromDocuments(name, trainDocs, valDocs);
  const longestVal = Math.max(...corpus.validation.map((d) => d.length));
  if (longestVal < needed) {
    throw new DataError(
      `The text is too short: its longest validation part has ${plural(longestVal, 'character')}, ` +
        `but evaluating windows of ${plural(minWindow, 'token')} needs ${needed.toLocaleString('en-US')}. ` +
        'Add more text or lower the longest evaluation length.',
    );
  }
  return corpus;
}

/** Shape of public/data/brown.json (written by scripts/build-corpus.mjs). */
export interface BrownFile {
  version: number;
  source: string;
  license: string;
  split: { seed: number | null; rule: string };
  train: string[];
  validation: string[];
}

function checkBrown(data: unknown, url: string): BrownFile {
  const bad = (why: string) =>
    new DataError(
      `The Brown corpus file at ${url} is not usable: ${why}. Rebuild it with \`node scripts/build-corpus.mjs ` +
        `--force\`.`,
    );
  if (typeof data !== 'object' || data === null) throw bad('it is not a JSON object');
  const d = data as Record<string, unknown>;
  if (typeof d.version !== 'number') throw bad('it has no version number');
  for (const key of ['train', 'validation'] as const) {
    const docs = d[key];
    if (!Array.isArray(docs) || docs.length === 0) throw bad(`"${key}" is not a non-empty list of documents`);
    if (!docs.every((x) => typeof x === 'string' && x.length > 0))
      throw bad(`"${key}" holds something other than text`);
  }
  return d as unknown as BrownFile;
}

/** Fetches and tokenizes the Brown corpus; throws DataError when it cannot be fetched or is malformed. */
export async function loadBrown(
  fetchText: (url: string) => Promise<string> = (u) =>
    fetch(u).then((r) => {
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      return r.text();
    }),
  url = '/data/brown.json',
): Promise<Corpus> {
  let raw: string;
  try {
    raw = await fetchText(url);
  } catch (e) {
    throw new DataError(
      `Could not load the Brown corpus from ${url} (${e instanceof Error ? e.message : String(e)}). ` +
        'Build it with `node scripts/build-corpus.mjs`.',
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    throw new DataError(
      `The Brown corpus file at ${url} is not valid JSON. Rebuild it with \`node scripts/build-corpus.mjs --force\`.`,
    );
  }
  const brown = checkBrown(data, url);
  return corpusFromDocuments('brown', brown.train, brown.validation);
}

/**
 * The text of a user's file: UTF-8 (a byte-order mark is dropped). Bytes that
 * are not UTF-8, or NUL bytes (a binary file), are a DataError naming where,
 * rather than text silently full of replacement characters.
 */
export function decodeUserFile(bytes: Uint8Array, name = 'the file'): string {
  if (bytes.length > USER_TEXT_MAX_CHARS * 4)
    throw new DataError(`${name} is ${bytes.length} bytes; the limit is ${USER_TEXT_MAX_CHARS} characters`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    throw new DataError(`${name} is not UTF-8 text (invalid byte at offset ${bad}); save it as UTF-8 and try again`);
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0)
    throw new DataError(`${name} looks binary (a NUL character at position ${nul}); choose a plain text file`);
  return text;
}

function firstInvalidUtf8(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    const n = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
    if (n === 0 || i + n > b.length) return i;
    for (let k = 1; k < n; k++) if ((b[i + k] & 0xc0) !== 0x80) return i;
    i += n;
  }
  return b.length;
}
