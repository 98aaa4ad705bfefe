// Results links: the finished runs' documents compressed into a link's `res`, as the lab and the command line
// write them and the lab reads them (one encoding, so a link from either opens in the lab alike).
import { parseResults, type ResultsDoc } from '../eval/results';
import type { Experiment } from './experiment';
import { compressText, decompressText, encodeExperiment, type SweepLink, type TeacherMode } from './url';

/**
 * Significant digits of the fractional numbers a results link carries. The
 * engine computes in float32 (about 7.2 digits), so the further digits of a
 * float64 print are noise that deflate cannot compress: 7 digits keep every
 * number within 1e-6 relative (well under a float32 step at 3 nats, far under
 * any figure's precision) and make a 3-run link about 45% shorter.
 */
export const LINK_DIGITS = 7;

const linkNumber = (_k: string, v: unknown) =>
  typeof v === 'number' && !Number.isInteger(v) && Number.isFinite(v) ? Number(v.toPrecision(LINK_DIGITS)) : v;

/** Largest number of result documents a link carries. */
export const MAX_LINK_DOCS = 32;

/** The documents as a results link carries them (the first MAX_LINK_DOCS, LINK_DIGITS digits). */
export const linkJson = (docs: readonly ResultsDoc[]): string =>
  JSON.stringify(docs.slice(0, MAX_LINK_DOCS), linkNumber);

/** The share link's parameters, with the finished runs' results compressed into `res` (and a seat's sweep). */
export async function linkWithResults(
  e: Experiment,
  teacher: TeacherMode | null,
  docs: readonly ResultsDoc[],
  sweep?: SweepLink | null,
  student?: string | null,
): Promise<URLSearchParams> {
  const q = encodeExperiment(e, teacher, sweep, student);
  if (docs.length) q.set('res', await compressText(linkJson(docs)));
  return q;
}

/** Reads a link's compressed results: every document validated; the first bad one is named. */
export async function readLinkResults(res: string): Promise<ResultsDoc[]> {
  const text = await decompressText(res);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('the results in the link are not valid JSON');
  }
  if (!Array.isArray(value)) throw new Error('the results in the link are not a list of runs');
  if (value.length > MAX_LINK_DOCS)
    throw new Error(`the link carries ${value.length} runs; the limit is ${MAX_LINK_DOCS}`);
  return value.map((v, i) => {
    try {
      return parseResults(v);
    } catch (e) {
      throw new Error(`run ${i + 1} in the link: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}
