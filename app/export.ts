// Results as files (JSON, CSV) and result links: pure and DOM-free, so Node
// tests cover them. Downloads and PNG rendering live in download.ts.
import { parseResults, type ResultsDoc } from '../src/eval/results';
import { decodeWeights, type ResultsDocWithWeights, type RunWeights } from '../src/eval/weights_block';
import type { Experiment } from '../src/experiment/experiment';
import { MAX_LINK_DOCS, readLinkResults } from '../src/experiment/results_link';
import { decodeExperiment } from '../src/experiment/url';
import { safeFileName } from './download';

export function resultsJson(docs: readonly (ResultsDoc | ResultsDocWithWeights)[]): string {
  return JSON.stringify(docs, null, 2);
}

const csvCell = (v: unknown) => {
  const s = v === null || v === undefined ? '' : String(v);
  // Quote anything with separators; prefix formula starters so spreadsheets never evaluate a label.
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};

/** Rows -> CSV text, every cell quoted where needed and kept from being read as a formula. */
export const csv = (rows: unknown[][]) => `${rows.map((r) => r.map(csvCell).join(',')).join('\n')}\n`;

/** Whose results a file holds: its rows start with the experiment's and the student's names. */
export interface FileNames {
  experiment: string;
  student: string | null;
}

/** `rows` (a header, then data) with the experiment's and student's names in front, when given. */
function named(rows: unknown[][], who?: FileNames): unknown[][] {
  if (!who) return rows;
  return rows.map((r, i) => (i === 0 ? ['experiment', 'student', ...r] : [who.experiment, who.student ?? '', ...r]));
}

/** A download's file name: the experiment's (and student's) name, then what it holds. */
export function fileName(who: FileNames, what: string): string {
  return `${safeFileName([who.student, who.experiment].filter(Boolean).join('-'))}-${what}`;
}

/** Loss against length, one row per run, evaluation and length. */
export function lossVsLengthCsv(docs: readonly ResultsDoc[], who?: FileNames): string {
  const rows: unknown[][] = [
    ['run', 'seed', 'evaluation', 'reweight_p', 'hybridskip', 'length', 'factor', 'windows', 'mean_loss', 'tail_loss'],
  ];
  for (const d of docs)
    for (const v of d.lossVsLength)
      for (const l of v.lengths)
        rows.push([
          d.label,
          d.seed,
          v.label,
          v.reweightP ?? '',
          v.hybridskip,
          l.length,
          l.factor,
          l.windows,
          l.meanLoss,
          l.tailLoss,
        ]);
  return csv(named(rows, who));
}

/** Training curves, one row per run and logged step. */
export function trainingCurveCsv(docs: readonly ResultsDoc[], who?: FileNames): string {
  const rows: unknown[][] = [['run', 'seed', 'step', 'train_loss', 'validation_loss', 'lr', 'tokens_per_second']];
  for (const d of docs)
    for (const c of d.trainingCurve)
      rows.push([d.label, d.seed, c.step, c.loss, c.valLoss ?? '', c.lr, c.tokensPerSecond]);
  return csv(named(rows, who));
}

/** Reads a results file (one document or a list). */
export function readResultsFile(text: string): ResultsDoc[] {
  return readResultsFileWithWeights(text).docs;
}

export interface ReadFile {
  docs: ResultsDoc[];
  /** Each run's weights, where the file carries a block that reads (undefined elsewhere). */
  weights: (RunWeights | undefined)[];
  /** One line for each block refused (the run itself still read, without its weights). */
  refused: string[];
  /** Why each run's block was refused (undefined where it read, or the run carries none). */
  refusedAt: (string | undefined)[];
}

/**
 * Largest results file read (bytes), checked before its text is read: the run host keeps at most 64 MB of
 * weights (about 85 MB as base64, src/host/kept_weights.ts), so a larger file could never speak whole.
 */
export const RESULTS_FILE_MAX_BYTES = 128 * 1024 * 1024;

/** Refuses a file too large to read, before its text is read (one line). */
export function checkResultsFileSize(bytes: number): void {
  if (bytes > RESULTS_FILE_MAX_BYTES)
    throw new Error(
      `the file is ${(bytes / (1 << 20)).toFixed(0)} MB; the limit is ${RESULTS_FILE_MAX_BYTES / (1 << 20)} MB`,
    );
}

/** Reads a results file and the weights blocks its runs carry; a bad block is refused alone. */
export function readResultsFileWithWeights(text: string): ReadFile {
  if (!text.trim()) throw new Error('the file is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`the file is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const list = Array.isArray(value) ? value : [value];
  if (!list.length) throw new Error('the file holds no runs');
  if (list.length > MAX_LINK_DOCS) throw new Error(`the file holds ${list.length} runs; the limit is ${MAX_LINK_DOCS}`);
  const docs = list.map((v, i) => {
    try {
      return parseResults(v);
    } catch (e) {
      const what = v && typeof v === 'object' && 'lossVsLength' in v ? '' : ' is not a results document';
      throw new Error(`run ${i + 1} in the file${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  const refused: string[] = [];
  const refusedAt: (string | undefined)[] = list.map(() => undefined);
  const weights = list.map((v, i) => {
    const block = (v as { weights?: unknown }).weights;
    if (block === undefined) return undefined;
    try {
      return decodeWeights(block, docs[i]);
    } catch (e) {
      refusedAt[i] = e instanceof Error ? e.message : String(e);
      refused.push(`run ${i + 1} (${docs[i].label}): ${refusedAt[i]}`);
      return undefined;
    }
  });
  return { docs, weights, refused, refusedAt };
}

export interface StudentResults {
  student: string;
  /** The experiment the link carries (what the compare view checks against the assignment's locks); null: a file. */
  experiment: Experiment | null;
  docs: ResultsDoc[];
  /** The link's runs as they came, when every one is a classroom sweep's (tagged): merged, not relabelled. */
  sweep: ResultsDoc[] | null;
}

/** A pasted link's parameters: its #fragment (results links), else its ?query, else the text itself. */
export function pastedParams(link: string): string {
  const t = link.trim();
  const hash = t.indexOf('#');
  if (hash >= 0 && t.slice(hash + 1).includes('=')) return t.slice(hash + 1);
  const at = t.indexOf('?');
  return at >= 0 ? t.slice(at + 1).split('#')[0] : t;
}

/**
 * One pasted student link (a full URL or its query) -> the student's name
 * (the name a student link asked for, else the experiment's label, else
 * "student n") and runs, each relabelled "student: run". Throws with a reason
 * for a link refused whole or without results.
 */
export async function readStudentLink(link: string, n: number): Promise<StudentResults> {
  const d = decodeExperiment(pastedParams(link));
  if (d.refused) throw new Error(d.refused);
  if (!d.results) throw new Error('the link carries no results (use "Copy link with results")');
  const named = d.experiment.label && d.experiment.label !== 'Default experiment' ? d.experiment.label : null;
  const student = (d.student ?? named ?? `student ${n}`).slice(0, 60);
  const raw = await readLinkResults(d.results);
  const docs = raw.map((doc) => ({ ...doc, label: `${student}: ${doc.label}`.slice(0, 200) }));
  return { student, experiment: d.experiment, docs, sweep: raw.every((doc) => doc.sweep) ? raw : null };
}

export interface LengthDiff {
  length: number;
  shared: number;
  now: number;
  diff: number;
}

/** How far a re-run lands from the shared numbers: per length of the model's own evaluation. */
export function diffFromShared(shared: ResultsDoc, now: ResultsDoc): { maxAbs: number; lengths: LengthDiff[] } {
  const a = shared.lossVsLength[0].lengths;
  const b = now.lossVsLength[0].lengths;
  const lengths: LengthDiff[] = [];
  for (const x of a) {
    const y = b.find((l) => l.length === x.length);
    if (y) lengths.push({ length: x.length, shared: x.meanLoss, now: y.meanLoss, diff: y.meanLoss - x.meanLoss });
  }
  return { maxAbs: lengths.reduce((m, l) => Math.max(m, Math.abs(l.diff)), 0), lengths };
}
