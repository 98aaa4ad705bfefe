// Results FILES in the classroom compare view (pure; Node tests cover it):
// the lab's Export JSON (optionally "with weights") and the command line's
// `--out` files (`--with-weights`) join the class like a pasted link's runs,
// read by the lab's own results-file reader (app/export.ts, which checks each
// weights block with src/eval/weights_block.ts). The runs whose file carried
// weights can speak: their weights go to the run host under an id of their
// own (`compareRunId`), and the panels list the rest in one line each.
import type { ResultsDoc } from '../src/eval/results';
import type { RunWeights } from '../src/eval/weights_block';
import { runId, type Student } from './compare_data';
import { readResultsFileWithWeights, type StudentResults } from './export';
import type { SpeakChannel, SpeakingRun, SpeakingRuns } from './speak';
import { keepFileWeights } from './weights_files';

/** A results file read for the compare view: a student's runs and the weights blocks that read. */
export interface CompareFile {
  /** The file's name. */
  name: string;
  /** "file ana.json": how notes and problems name it. */
  from: string;
  results: StudentResults;
  /** The file's runs (unlabelled) with their weights (undefined: none, or refused), in the file's order. */
  runs: { doc: ResultsDoc; weights?: RunWeights; refused?: string }[];
  /** One line per weights block refused (the run's results still read). */
  refused: string[];
}

/** The student a file is named for: its name without ".json" and the lab's "-results" ("Ana-Week-3"). */
export function fileStudent(name: string): string {
  const bare = name.replace(/\.json$/i, '').replace(/[-_ ]?results$/i, '');
  return (bare || name).slice(0, 60);
}

/**
 * A results file's text -> the student's runs, labelled "student: run" like a link's. Throws one line (the
 * file's name in front) for a file that is empty, not JSON or not results; a weights block that does not
 * read is refused alone, in `refused`.
 */
export function readCompareFile(name: string, text: string): CompareFile {
  const from = `file ${name}`;
  let file: ReturnType<typeof readResultsFileWithWeights>;
  try {
    file = readResultsFileWithWeights(text);
  } catch (e) {
    throw new Error(`${from}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const student = fileStudent(name);
  const docs = file.docs.map((doc) => ({ ...doc, label: `${student}: ${doc.label}`.slice(0, 200) }));
  return {
    name,
    from,
    results: {
      student,
      experiment: null,
      docs,
      sweep: file.docs.every((d) => d.sweep) ? file.docs : null,
    },
    runs: file.docs.map((doc, i) => ({
      doc,
      ...(file.weights[i] ? { weights: file.weights[i] } : {}),
      ...(file.refusedAt[i] ? { refused: file.refusedAt[i] } : {}),
    })),
    refused: file.refused.map((l) => `${from}: weights refused (its results still loaded): ${l}`),
  };
}

/** The id a compared run's weights are kept under in the run host: never a lab run's id. */
export const compareRunId = (d: ResultsDoc): string => `compare-${runId(d)}`;

/**
 * The class's runs that can speak (their weights kept: `kept` maps a run's compareRunId to null) and one line
 * for each of the rest: a run whose weights were refused (the reason), a student or file whose runs carry none.
 * `sweeps`: files merged as a sweep's (every run tagged, as the command line's --out files are), whose runs are
 * told apart by seed; a run met twice is offered once.
 */
export function compareVoices(
  students: readonly Student[],
  kept: ReadonlyMap<string, string | null>,
  sweeps: readonly CompareFile[] = [],
): SpeakingRuns {
  const groups = [
    ...students.map((s) => ({ from: s.from, name: s.name, runs: s.docs.map((d) => ({ doc: d, label: d.label })) })),
    ...sweeps.map((f) => ({
      from: f.from,
      name: f.results.student,
      runs: f.runs.map(({ doc }) => ({ doc, label: `${f.results.student}: ${doc.label} (seed ${doc.seed})` })),
    })),
  ];
  const ready: SpeakingRun[] = [];
  const notKept: SpeakingRuns['notKept'] = [];
  const seen = new Set<string>();
  for (const g of groups) {
    let none = 0;
    const fresh = g.runs.filter(({ doc }) => !seen.has(compareRunId(doc)));
    for (const { doc, label } of fresh) {
      const id = compareRunId(doc);
      seen.add(id);
      const k = kept.get(id);
      if (k === null) ready.push({ id, label });
      else if (k !== undefined) notKept.push({ run: { id, label }, why: `its weights were refused (${k})` });
      else none++;
    }
    if (!none) continue;
    const which = none === fresh.length ? '' : `${none} of its runs: `;
    notKept.push({
      run: { id: `${g.from}: ${g.name}`, label: g.name },
      why: g.from.startsWith('link')
        ? `${which}results links carry no weights; load its results file exported “with weights” to let it speak`
        : `${which}no weights in this file; export it “with weights” to let it speak`,
    });
  }
  return { ready, notKept };
}

/**
 * Hands a file's weights to the run host (the lab's 'keep' path, so its runs sample with the same kernels as
 * the lab's): each run's compareRunId -> null (kept) or why not; and one line per refusal.
 */
export async function keepCompareWeights(
  speak: SpeakChannel,
  file: CompareFile,
): Promise<{ kept: Map<string, string | null>; problems: string[] }> {
  const ids = file.runs.map((r) => compareRunId(r.doc));
  const host = await keepFileWeights(
    speak,
    ids,
    file.runs.map((r) => r.weights),
  );
  const kept = new Map<string, string | null>();
  for (const [i, r] of file.runs.entries()) {
    if (r.refused) kept.set(ids[i], r.refused);
    else if (r.weights) kept.set(ids[i], host.kept.has(ids[i]) ? null : 'the run host did not keep them');
  }
  return { kept, problems: [...file.refused, ...host.refused.map((l) => `${file.from}: weights not kept: ${l}`)] };
}

/** Where a merged sweep came from, counted: "2 links", "1 link and 3 files" (sources: "link 2", "file a.json"). */
export function sourcesText(sources: readonly string[]): string {
  const distinct = [...new Set(sources)];
  return (['link', 'file'] as const)
    .map((what) => [what, distinct.filter((s) => s.startsWith(`${what} `)).length] as const)
    .filter(([, n]) => n > 0)
    .map(([what, n]) => `${n} ${what}${n === 1 ? '' : 's'}`)
    .join(' and ');
}
