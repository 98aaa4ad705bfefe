// The compare view's data, pure (Node tests cover it): students' pasted
// links -> students told apart by name and by each run's id (a digest of the
// run's document), duplicates dropped with a note, each flagged where it left
// a locked field of the assignment; and the class table (student x run: loss
// at T and at 16x, their ratio) with the class average per run.
import type { ResultsDoc } from '../src/eval/results';
import type { Experiment } from '../src/experiment/experiment';
import { canonicalJson, textDigest } from '../src/experiment/sweep';
import { lockMismatches } from './classroom';
import { csv, type StudentResults } from './export';

/** A run's id: the digest of its document (its label aside), the same wherever the run travels. */
export function runId(d: ResultsDoc): string {
  const { label: _label, ...rest } = d;
  void _label;
  return textDigest(canonicalJson(rest)).slice(0, 12);
}

export interface Student {
  /** Unique in the class: a second "Ana" becomes "Ana (2)". */
  name: string;
  /** Where it came from: "link 3" (the pasted line, 1-based) or "file ana.json". */
  from: string;
  /** Its runs, labelled "name: run". */
  docs: ResultsDoc[];
  /** Its runs' own labels, in the same order. */
  runs: string[];
  /** Where it left a locked field of the assignment ("Ben: Steps 20, assignment 300"). */
  flags: string[];
}

/** The assignment the links are checked against: the student link handed out. */
export interface Assignment {
  experiment: Experiment;
  locked: string[];
}

/** Pasted links and loaded files, read -> the class: every student once, every run once. */
export function collectStudents(
  read: { from: string; r: StudentResults }[],
  assignment: Assignment | null,
): { students: Student[]; notes: string[] } {
  const seen = new Map<string, string>();
  const names = new Set<string>();
  const students: Student[] = [];
  const notes: string[] = [];
  for (const { from, r } of read) {
    const raw = r.docs.map((d) => ({ ...d, label: d.label.slice(r.student.length + 2) }));
    const fresh = raw.filter((d) => {
      const id = runId(d);
      if (seen.has(id)) return false;
      seen.set(id, `${from} (${r.student})`);
      return true;
    });
    if (fresh.length < raw.length) {
      const first = seen.get(runId(raw.find((d) => !fresh.includes(d))!));
      notes.push(
        fresh.length
          ? `${from}: ${raw.length - fresh.length} of its runs were already in (${first}); left out`
          : `${from}: the same results as ${first}; left out`,
      );
    }
    if (!fresh.length) continue;
    let name = r.student;
    for (let k = 2; names.has(name); k++) name = `${r.student} (${k})`;
    if (name !== r.student) notes.push(`${from}: another student named '${r.student}', shown as '${name}'`);
    names.add(name);
    if (assignment && !r.experiment)
      notes.push(`${from}: not checked against the assignment's locks (a results file carries no experiment link)`);
    students.push({
      name,
      from,
      docs: fresh.map((d) => ({ ...d, label: `${name}: ${d.label}`.slice(0, 200) })),
      runs: fresh.map((d) => d.label),
      flags:
        assignment && r.experiment ? lockMismatches(name, r.experiment, assignment.experiment, assignment.locked) : [],
    });
  }
  return { students, notes };
}

export interface ClassRow {
  student: string;
  run: string;
  lossAtT: number | null;
  /** The loss at 16x the training length (or the longest length evaluated, `factor`). */
  lossLong: number | null;
  factor: number | null;
  /** lossLong / lossAtT. */
  ratio: number | null;
  flagged: boolean;
}

/** Loss at T and at 16x T (else the longest length) of a run's own evaluation. */
function losses(d: ResultsDoc): Pick<ClassRow, 'lossAtT' | 'lossLong' | 'factor' | 'ratio'> {
  const ls = d.lossVsLength[0]?.lengths ?? [];
  const atT = ls.find((l) => l.factor === 1)?.meanLoss ?? null;
  const long =
    ls.find((l) => l.factor === 16) ??
    ls.reduce<(typeof ls)[0] | null>((a, l) => (!a || l.factor > a.factor ? l : a), null);
  const lossLong = long && long.factor !== 1 ? long.meanLoss : null;
  return {
    lossAtT: atT,
    lossLong,
    factor: lossLong === null ? null : long!.factor,
    ratio: atT && lossLong !== null ? lossLong / atT : null,
  };
}

/** One row per student and run. */
export function classRows(students: readonly Student[]): ClassRow[] {
  return students.flatMap((s) =>
    s.docs.map((d, i) => ({ student: s.name, run: s.runs[i], ...losses(d), flagged: s.flags.length > 0 })),
  );
}

export interface ClassAverage {
  run: string;
  n: number;
  lossAtT: number | null;
  lossLong: number | null;
  ratio: number | null;
}

const mean = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

/** The class average per run label, in first-seen order; flagged students' rows left out when asked. */
export function classAverages(rows: readonly ClassRow[], leaveOutFlagged: boolean): ClassAverage[] {
  const byRun = new Map<string, ClassRow[]>();
  for (const r of rows) {
    if (leaveOutFlagged && r.flagged) continue;
    byRun.set(r.run, [...(byRun.get(r.run) ?? []), r]);
  }
  return [...byRun].map(([run, rs]) => ({
    run,
    n: rs.length,
    lossAtT: mean(rs.map((r) => r.lossAtT)),
    lossLong: mean(rs.map((r) => r.lossLong)),
    ratio: mean(rs.map((r) => r.ratio)),
  }));
}

/** The class table as CSV: a row per student and run, then the class average per run. */
export function classCsv(rows: readonly ClassRow[], avg: readonly ClassAverage[]): string {
  const out: unknown[][] = [['student', 'run', 'loss_at_T', 'loss_long', 'long_factor', 'ratio', 'flagged']];
  for (const r of rows) out.push([r.student, r.run, r.lossAtT, r.lossLong, r.factor, r.ratio, r.flagged]);
  for (const a of avg) out.push([`class average (${a.n})`, a.run, a.lossAtT, a.lossLong, '', a.ratio, '']);
  return csv(out);
}
