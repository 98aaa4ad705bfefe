// The share-link codec: one table-driven encoding (src/experiment/fields.ts)
// of a whole experiment into URL parameters — version, non-default base
// fields, one `run` parameter per run — plus, optionally, the finished
// runs' results, compressed. Decoding never throws. A link the lab made
// carries an integrity check (link_check.ts): cut or altered, it is refused
// whole with one sentence. An older link without one is read field by field:
// every field that cannot be read is reported and left at its default.

import { base64ToBytes, bytesToBase64 } from '../util/base64';
import { defaultExperiment, type Experiment, MAX_RUNS, type RunOverrides } from './experiment';
import { checkValue, FIELD_BY_KEY, FIELDS, type Field, type FieldValue, getPath, setPath } from './fields';
import { CHECK_KEY, LINK_INCOMPLETE, linkIntegrity } from './link_check';
import { CONFIG_VERSION, DEFAULT_RUN, type RunConfig } from './run_config';

/** Longest link (characters of the parameter string) the lab reads. */
export const MAX_LINK_CHARS = 2_000_000;

function encodeValue(v: FieldValue): string {
  if (Array.isArray(v)) return v.map(String).join('+');
  if (typeof v === 'boolean') return v ? '1' : '0';
  return String(v);
}

/**
 * A run's value inside its `run` parameter: only the run's own separators
 * (`,` between parts) and `%` are escaped, since URLSearchParams escapes the
 * whole parameter once more; decodeURIComponent reads this and older links'
 * fully escaped values alike.
 */
const escapeRunValue = (s: string) => s.replace(/%/g, '%25').replace(/,/g, '%2C');

/**
 * A link's text for field `f` -> its value, unchecked (checkValue says whether
 * it fits); undefined when the text is no value of that kind at all.
 */
export function decodeValue(f: Field, s: string): FieldValue | undefined {
  const k = f.kind;
  const num = (x: string) => (/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(x) ? Number(x) : NaN);
  switch (k.type) {
    case 'int':
    case 'float':
      return num(s);
    case 'bool':
      return s === '1' || s === 'true' ? true : s === '0' || s === 'false' ? false : undefined;
    case 'enum':
    case 'string':
      return s;
    case 'intList':
    case 'floatList':
      return s === '' ? [] : s.split('+').map(num);
    case 'enumList':
      return s === '' ? [] : s.split('+');
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Classroom mode: controls a teacher's link locks (read-only) or hides, by field path. */
export interface TeacherMode {
  locked: string[];
  hidden: string[];
}

/**
 * A classroom sweep (src/experiment/sweep.ts) in a link: the seeds every run
 * is repeated with (null: each run keeps its own), how many seats share it,
 * and, in a student's own link, the seat.
 */
export interface SweepLink {
  seeds: number[] | null;
  seats: number;
  seat: number | null;
}

/** Most seats a sweep link names (and most seeds: the command line's --seeds limit). */
export const MAX_SEATS = 64;
export const MAX_SWEEP_SEEDS = 16;

/** Longest student name a link carries. */
export const MAX_STUDENT_NAME = 60;

/**
 * Experiment -> URL parameters (only what differs from the defaults), with a
 * teacher's locks, a sweep, and the name of the student who ran it.
 */
export function encodeExperiment(
  e: Experiment,
  teacher?: TeacherMode | null,
  sweep?: SweepLink | null,
  student?: string | null,
): URLSearchParams {
  const q = new URLSearchParams();
  q.set('v', String(CONFIG_VERSION));
  if (e.label) q.set('x', e.label);
  for (const f of FIELDS) {
    const v = getPath(e.base, f.path) as FieldValue;
    if (!same(v, f.default)) q.set(f.key, encodeValue(v));
  }
  for (const r of e.runs) {
    const parts = Object.entries(r).map(([path, v]) => {
      const f = FIELDS.find((x) => x.path === path)!;
      return `${f.key}:${escapeRunValue(encodeValue(v))}`;
    });
    q.append('run', parts.join(','));
  }
  if (teacher && (teacher.locked.length || teacher.hidden.length)) {
    const keys = (paths: string[]) =>
      paths
        .map((p) => FIELDS.find((f) => f.path === p)?.key)
        .filter(Boolean)
        .join('+');
    q.set('teacher', `lock:${keys(teacher.locked)},hide:${keys(teacher.hidden)}`);
  }
  if (sweep) {
    if (sweep.seeds) q.set('seeds', sweep.seeds.join('+'));
    q.set('seats', String(sweep.seats));
    if (sweep.seat !== null) q.set('seat', String(sweep.seat));
  }
  if (student) q.set('who', student.slice(0, MAX_STUDENT_NAME));
  return q;
}

/** The link's sweep (seeds, seats, seat), or null; a part that does not read is reported and the sweep ignored. */
function decodeSweep(q: URLSearchParams, problems: string[]): SweepLink | null {
  const rawSeeds = q.get('seeds');
  const rawSeats = q.get('seats');
  const rawSeat = q.get('seat');
  if (rawSeeds === null && rawSeats === null && rawSeat === null) return null;
  const ignored = (why: string) => (problems.push(`classroom sweep: ${why}; the sweep was ignored`), null);
  const int = (s: string) => (/^\d{1,10}$/.test(s) ? Number(s) : NaN);
  let seeds: number[] | null = null;
  if (rawSeeds !== null) {
    const f = FIELD_BY_KEY.get('seed')!;
    const list = rawSeeds.split('+').map(int);
    const bad = list.findIndex((x) => checkValue(f, x) !== null);
    if (bad >= 0) return ignored(`seed '${rawSeeds.split('+')[bad].slice(0, 20)}' is not a seed`);
    if (list.length > MAX_SWEEP_SEEDS) return ignored(`${list.length} seeds; at most ${MAX_SWEEP_SEEDS}`);
    if (new Set(list).size !== list.length) return ignored('a seed is listed twice');
    seeds = list;
  }
  const seats = rawSeats === null ? 1 : int(rawSeats);
  if (!(seats >= 1 && seats <= MAX_SEATS)) return ignored(`seats '${rawSeats!.slice(0, 20)}' is not 1 to ${MAX_SEATS}`);
  let seat: number | null = null;
  if (rawSeat !== null) {
    const k = int(rawSeat);
    if (k >= 1 && k <= seats) seat = k;
    else problems.push(`classroom sweep: seat '${rawSeat.slice(0, 20)}' is not 1 to ${seats}; pick your seat`);
  }
  return { seeds, seats, seat };
}

function decodeTeacher(raw: string, problems: string[]): TeacherMode {
  const t: TeacherMode = { locked: [], hidden: [] };
  for (const part of raw.split(',')) {
    const [kind, list = ''] = part.split(':');
    if (kind !== 'lock' && kind !== 'hide') {
      problems.push(`teacher mode: cannot read '${part.slice(0, 40)}'`);
      continue;
    }
    for (const key of list ? list.split('+') : []) {
      const f = FIELD_BY_KEY.get(key);
      if (!f) problems.push(`teacher mode: unknown field '${key.slice(0, 40)}'`);
      else (kind === 'lock' ? t.locked : t.hidden).push(f.path);
    }
  }
  return t;
}

export interface DecodedExperiment {
  experiment: Experiment;
  /** One readable line per field or run that could not be read. */
  problems: string[];
  /** The `res` parameter (compressed results), if any. */
  results: string | null;
  teacher: TeacherMode | null;
  /** The classroom sweep the link hands out, or null. */
  sweep: SweepLink | null;
  version: number;
  /** The student who ran it (a student link's name), or null. */
  student: string | null;
  /**
   * The one sentence the page shows for a link refused whole (cut, altered,
   * or from a newer lab that this one cannot check); then nothing else of
   * the link is read and the experiment is the default one.
   */
  refused: string | null;
}

const RESERVED = new Set(['v', 'x', 'run', 'res', 'teacher', 'seeds', 'seats', 'seat', 'who', CHECK_KEY]);

/** A link refused whole: the default experiment, nothing of the link. */
function refusedLink(sentence: string): DecodedExperiment {
  const e = defaultExperiment();
  return {
    experiment: e,
    problems: [],
    results: null,
    teacher: null,
    sweep: null,
    version: CONFIG_VERSION,
    student: null,
    refused: sentence,
  };
}

/** Why a sealed link that does not check is refused: cut or altered, or made by a newer lab this one cannot check. */
function refusal(q: URLSearchParams): string {
  const v = Number(q.get('v'));
  return Number.isInteger(v) && v > CONFIG_VERSION
    ? `This link was made by a newer version of the lab (config version ${v}; this lab reads ${CONFIG_VERSION}), ` +
        'which this lab cannot check; open it in the newer lab, or ask for a link made in this one.'
    : LINK_INCOMPLETE;
}

/** URL parameters -> experiment; problems are reported, never thrown. */
export function decodeExperiment(input: string | URLSearchParams): DecodedExperiment {
  const problems: string[] = [];
  const e = defaultExperiment();
  e.runs = [];
  let text = typeof input === 'string' ? input : input.toString();
  if (text.length > MAX_LINK_CHARS) {
    problems.push(`the link is ${text.length} characters long; the limit is ${MAX_LINK_CHARS}, so it was ignored`);
    text = '';
  }
  const q = new URLSearchParams(text.replace(/^[#?]/, ''));
  const integrity = linkIntegrity(q);
  if (integrity === 'incomplete' || integrity === 'altered') return refusedLink(refusal(q));
  const vRaw = q.get('v');
  let version = CONFIG_VERSION;
  if (vRaw !== null) {
    const v = Number(vRaw);
    if (!Number.isInteger(v) || v < 1)
      problems.push(`version '${vRaw.slice(0, 20)}' is not a version number; read as version ${CONFIG_VERSION}`);
    else if (v > CONFIG_VERSION) {
      problems.push(
        `the link was made by a newer lab (config version ${v}; this lab reads ${CONFIG_VERSION}): ` +
          'fields this lab does not know are ignored',
      );
      version = v;
    } else version = v;
  }
  const label = q.get('x');
  if (label !== null) e.label = label.slice(0, 120);
  const base = structuredClone(DEFAULT_RUN) as unknown as Record<string, unknown>;
  for (const [key, raw] of q) {
    if (RESERVED.has(key)) continue;
    const f = FIELD_BY_KEY.get(key);
    if (!f) {
      problems.push(`unknown field '${key.slice(0, 40)}' ignored`);
      continue;
    }
    const v = decodeValue(f, raw);
    const err = v === undefined ? `${f.label}: cannot read '${raw.slice(0, 40)}'` : checkValue(f, v);
    if (err) problems.push(`${err}; kept the default`);
    else setPath(base, f.path, v);
  }
  e.base = base as unknown as RunConfig;
  const runs = q.getAll('run');
  if (runs.length > MAX_RUNS) problems.push(`the link lists ${runs.length} runs; only the first ${MAX_RUNS} were read`);
  for (const [i, spec] of runs.slice(0, MAX_RUNS).entries()) {
    const over: RunOverrides = {};
    for (const part of spec ? spec.split(',') : []) {
      const at = part.indexOf(':');
      const key = at < 0 ? part : part.slice(0, at);
      const f = FIELD_BY_KEY.get(key);
      if (!f || at < 0) {
        problems.push(`run ${i + 1}: cannot read '${part.slice(0, 40)}'`);
        continue;
      }
      let raw: string;
      try {
        raw = decodeURIComponent(part.slice(at + 1));
      } catch {
        problems.push(`run ${i + 1}: ${f.label}: malformed escape`);
        continue;
      }
      const v = decodeValue(f, raw);
      const err = v === undefined ? `${f.label}: cannot read '${raw.slice(0, 40)}'` : checkValue(f, v);
      if (err || v === undefined) problems.push(`run ${i + 1}: ${err}; kept the base value`);
      else over[f.path] = v;
    }
    e.runs.push(over);
  }
  if (e.runs.length === 0) e.runs.push({});
  const t = q.get('teacher');
  const who = q.get('who');
  return {
    student: who ? who.slice(0, MAX_STUDENT_NAME) : null,
    refused: null,
    experiment: e,
    problems,
    results: q.get('res'),
    version,
    teacher: t === null ? null : decodeTeacher(t, problems),
    sweep: decodeSweep(q, problems),
  };
}

// ---- results in links: deflate-raw + base64url (CompressionStream: browsers and Node 18+) ----

function toBase64Url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** What the page says of results that do not read: never the browser's or a library's own text. */
export const RESULTS_UNREADABLE =
  'The results in this link cannot be read; the link was probably cut off when copied. Ask for the whole link.';

function fromBase64Url(s: string): Uint8Array<ArrayBuffer> {
  // Base64 text of n*4+1 characters is never whole (atob would throw its own words).
  if (!/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) throw new Error(RESULTS_UNREADABLE);
  return base64ToBytes(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4));
}

async function pump(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    n += value.length;
    if (n > limit) {
      await reader.cancel();
      throw new Error(`the results in the link expand past ${limit} bytes`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

export async function compressText(text: string): Promise<string> {
  const stream = new Blob([new TextEncoder().encode(text)]).stream().pipeThrough(new CompressionStream('deflate-raw'));
  return toBase64Url(await pump(stream as ReadableStream<Uint8Array>, Infinity));
}

/** Inflates a link's results; refuses anything that expands past `limit` bytes. */
export async function decompressText(b64: string, limit = 5_000_000): Promise<string> {
  const bytes = fromBase64Url(b64);
  if (bytes.length === 0) throw new Error(RESULTS_UNREADABLE);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(await pump(stream as ReadableStream<Uint8Array>, limit));
  } catch (e) {
    if (e instanceof Error && /expand past/.test(e.message)) throw e;
    throw new Error(RESULTS_UNREADABLE);
  }
}
