// The classroom's rules, pure and DOM-free (Node tests cover them): what a
// teacher's locks keep when a student loads a preset, and, since a lock in a
// URL only guides (anyone can edit a link), the compare view's check of each
// student's link against the assignment, field by locked field.
import { type Experiment, resolveRuns } from '../src/experiment/experiment';
import { FIELD_BY_PATH, type FieldValue, getPath, setPath } from '../src/experiment/fields';
import type { RunConfig } from '../src/experiment/run_config';
import type { TeacherMode } from '../src/experiment/url';

/** Whether a link's teacher part makes this a student's lab (something locked or hidden). */
export const isStudentLink = (t: TeacherMode | null): boolean => !!t && (t.locked.length > 0 || t.hidden.length > 0);

/**
 * `next` (a preset) loaded over a student's `current` experiment: every locked
 * field keeps the teacher's value, in the base and in every run (a run's own
 * value of a locked field is dropped), and the experiment keeps its name.
 */
export function keepLocked(next: Experiment, current: Experiment, locked: readonly string[]): Experiment {
  const out = structuredClone(next);
  const base = out.base as unknown as Record<string, unknown>;
  for (const p of locked) setPath(base, p, structuredClone(getPath(current.base, p)));
  out.runs = out.runs.map((r) => Object.fromEntries(Object.entries(r).filter(([p]) => !locked.includes(p))));
  out.label = current.label;
  return out;
}

const show = (v: unknown) => (Array.isArray(v) ? v.join(' ') : String(v));

/** Each run's config, or the base alone when the runs do not resolve. */
function configsOf(e: Experiment): RunConfig[] {
  try {
    return resolveRuns(e);
  } catch {
    return [e.base];
  }
}

/**
 * Where a student's experiment leaves the assignment in a locked field, one
 * line per field ("Ben: Steps 20, assignment 300"); empty when it keeps every lock.
 */
export function lockMismatches(
  student: string,
  theirs: Experiment,
  assignment: Experiment,
  locked: readonly string[],
): string[] {
  const mine = configsOf(theirs);
  const want = configsOf(assignment);
  const out: string[] = [];
  for (const p of locked) {
    const f = FIELD_BY_PATH.get(p);
    if (!f) continue;
    const allowed = new Set(want.map((c) => show(getPath(c, p) as FieldValue)));
    const got = [...new Set(mine.map((c) => show(getPath(c, p) as FieldValue)))].filter((v) => !allowed.has(v));
    if (got.length) out.push(`${student}: ${f.label} ${got.join(', ')}, assignment ${[...allowed].join(', ')}`);
  }
  return out;
}
