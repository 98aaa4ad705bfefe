// Character-level tokenizer: one token per Unicode code point (astral
// characters included), id 0 reserved for characters outside the vocabulary.

/** The marker stored at vocab[0]; it is not a character, so it can never clash with one. */
export const UNK = '<unk>';
/** What id 0 decodes to: the Unicode replacement character. */
export const UNK_CHAR = '\uFFFD';

export interface CharTokenizerJSON {
  type: 'char';
  vocab: string[];
}

/** Code points of a string, in order (iterates by code point, not UTF-16 unit). */
function codePoints(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.push(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
        i++;
        continue;
      }
    }
    out.push(c);
  }
  return out;
}

export class CharTokenizer {
  /** vocab[0] = UNK, then one single-code-point string per id. */
  readonly vocab: string[];
  private readonly ids: Map<number, number>;

  private constructor(chars: string[]) {
    this.vocab = [UNK, ...chars];
    this.ids = new Map();
    chars.forEach((ch, i) => {
      const cps = codePoints(ch);
      if (cps.length !== 1)
        throw new Error(`CharTokenizer: vocabulary entry ${JSON.stringify(ch)} is not one character`);
      if (this.ids.has(cps[0])) throw new Error(`CharTokenizer: duplicate vocabulary entry ${JSON.stringify(ch)}`);
      this.ids.set(cps[0], i + 1);
    });
  }

  /** Vocabulary of every distinct code point in the texts, sorted by code point (deterministic). */
  static fromText(texts: string[]): CharTokenizer {
    const seen = new Set<number>();
    for (const t of texts) for (const cp of codePoints(t)) seen.add(cp);
    const sorted = [...seen].sort((a, b) => a - b);
    return new CharTokenizer(sorted.map((cp) => String.fromCodePoint(cp)));
  }

  /**
   * A tokenizer with exactly these ids, in this order (e.g. restored from a saved
   * model). Accepts either the characters alone (ids 1..n) or a full `vocab`
   * array as written by toJSON (UNK at index 0).
   */
  static fromVocab(chars: string[]): CharTokenizer {
    return new CharTokenizer(chars[0] === UNK ? chars.slice(1) : chars.slice());
  }

  /** Number of ids, UNK included. */
  get size(): number {
    return this.vocab.length;
  }

  /** One id per code point; characters outside the vocabulary become 0 (UNK). */
  encode(s: string): Uint32Array {
    const out = new Uint32Array(s.length);
    let n = 0;
    for (let i = 0; i < s.length; i++) {
      let cp = s.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          cp = ((cp - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          i++;
        }
      }
      out[n++] = this.ids.get(cp) ?? 0;
    }
    return n === s.length ? out : out.slice(0, n);
  }

  /** Inverse of encode; id 0 and ids out of range decode to U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      s += id > 0 && id < this.vocab.length ? this.vocab[id] : UNK_CHAR;
    }
    return s;
  }

  /** Whether every character of s is in the vocabulary. */
  covers(s: string): boolean {
    return codePoints(s).every((cp) => this.ids.has(cp));
  }

  toJSON(): CharTokenizerJSON {
    return { type: 'char', vocab: this.vocab.slice() };
  }
}
