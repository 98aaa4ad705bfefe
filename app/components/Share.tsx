// Share by URL: copy the experiment's link, or the link with the finished
// runs' results; a teacher composes a student link that locks or hides controls.
import { useMemo, useState } from 'react';
import { checkValue, FIELD_BY_PATH, FIELDS } from '../../src/experiment/fields';
import { linkWithResults } from '../../src/experiment/results_link';
import { makeSweep, planShards } from '../../src/experiment/sweep';
import { encodeExperiment, MAX_SEATS, MAX_SWEEP_SEEDS, type TeacherMode } from '../../src/experiment/url';
import { isStudentLink } from '../classroom';
import { copyText } from '../download';
import { shareUrl } from '../lab';
import { useLab, useLabState } from './context';
import { LinkOutput } from './LinkOutput';
import { plotDoc } from './Plots';

function TeacherPanel() {
  const { store } = useLab();
  const [t, setT] = useState<TeacherMode>({ locked: [], hidden: [] });
  const [link, setLink] = useState('');
  const [note, setNote] = useState('');
  const toggle = (kind: 'locked' | 'hidden', path: string) =>
    setT((x) => ({ ...x, [kind]: x[kind].includes(path) ? x[kind].filter((p) => p !== path) : [...x[kind], path] }));
  const make = async () => {
    const url = shareUrl(encodeExperiment(store.getState().experiment, t));
    setLink(url);
    // The compare view checks students' results against the link handed out.
    store.getState().setAssignment(url);
    setNote(copiedNote(await copyText(url), 'the student link', url));
  };
  return (
    <details className="teacher">
      <summary>Teacher: make a student link</summary>
      <p className="help">
        Tick the controls students may not change (lock) or should not see (hide). The link carries the current
        experiment.
      </p>
      <table className="teacher-table">
        <thead>
          <tr>
            <th scope="col">control</th>
            <th scope="col">lock</th>
            <th scope="col">hide</th>
          </tr>
        </thead>
        <tbody>
          {FIELDS.filter((f) => f.path !== 'label').map((f) => (
            <tr key={f.path}>
              <th scope="row">{f.label}</th>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Lock ${f.label}`}
                  checked={t.locked.includes(f.path)}
                  onChange={() => toggle('locked', f.path)}
                />
              </td>
              <td>
                <input
                  type="checkbox"
                  aria-label={`Hide ${f.label}`}
                  checked={t.hidden.includes(f.path)}
                  onChange={() => toggle('hidden', f.path)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => void make()}>
        Copy student link
      </button>
      {link && <LinkOutput value={link} label="Student link" note={note} />}
      <SweepMaker teacher={t} />
    </details>
  );
}

/** What a copy button says it did: "Copied: the student link (1,234 characters)". */
function copiedNote(ok: boolean, what: string, url: string): string {
  return `${ok ? 'Copied' : 'Select and copy'}: ${what} (${url.length.toLocaleString('en')} characters)`;
}

/** "1, 2, 3" -> seeds, or the problem. */
function readSeeds(text: string): number[] | string {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (!parts.length) return 'list the seeds, e.g. 1, 2, 3';
  if (parts.length > MAX_SWEEP_SEEDS) return `at most ${MAX_SWEEP_SEEDS} seeds`;
  const f = FIELD_BY_PATH.get('seed')!;
  const seeds = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  const bad = seeds.findIndex((x) => checkValue(f, x) !== null);
  if (bad >= 0) return `'${parts[bad].slice(0, 20)}' is not a seed`;
  if (new Set(seeds).size !== seeds.length) return 'a seed is listed twice';
  return seeds;
}

/**
 * The classroom sweep: the experiment's runs x seeds, shared by the seats of a
 * class; each student opens the link, runs a seat, and sends back its results
 * link, which "Classroom: compare" merges.
 */
function SweepMaker({ teacher }: { teacher: TeacherMode }) {
  const { store } = useLab();
  const experiment = useLabState((s) => s.experiment);
  const [seedsText, setSeedsText] = useState('1, 2, 3');
  const [seats, setSeats] = useState(3);
  const [link, setLink] = useState('');
  const seeds = readSeeds(seedsText);
  const plan = useMemo(() => {
    if (typeof seeds === 'string') return seeds;
    try {
      const s = makeSweep(experiment, seeds);
      const cut = planShards(
        s.pairs.map((p) => p.cost),
        seats,
      );
      return { sweep: s, counts: Array.from({ length: seats }, (_, k) => cut.filter((x) => x === k + 1).length) };
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }, [experiment, seeds, seats]);
  const make = async () => {
    if (typeof seeds === 'string') return;
    const url = shareUrl(encodeExperiment(store.getState().experiment, teacher, { seeds, seats, seat: null }));
    setLink(url);
    await copyText(url);
  };
  return (
    <fieldset className="sweep-maker">
      <legend>Classroom sweep: a class shares the runs</legend>
      <p className="help">
        Every run of the experiment once per seed, cut into one part per seat. Each student opens the link, picks a
        seat, runs it and sends back the seat's results link; paste those below in “Classroom: compare”.
      </p>
      <div className="row">
        <label htmlFor="sweep-seeds">Seeds</label>
        <input id="sweep-seeds" value={seedsText} onChange={(e) => setSeedsText(e.target.value)} />
        <label htmlFor="sweep-seats">Seats</label>
        <input
          id="sweep-seats"
          type="number"
          min={1}
          max={MAX_SEATS}
          value={seats}
          onChange={(e) => setSeats(Math.max(1, Math.min(MAX_SEATS, Math.floor(Number(e.target.value) || 1))))}
        />
      </div>
      {typeof plan === 'string' ? (
        <p className="error" role="alert">
          {plan}
        </p>
      ) : (
        <p className="help" data-testid="sweep-plan">
          Sweep {plan.sweep.id}: {plan.sweep.pairs.length} runs over {seats} seat{seats === 1 ? '' : 's'} (
          {plan.counts.map((c, k) => `seat ${k + 1}: ${c}`).join(', ')}).
          {plan.counts.some((c) => c === 0) ? ' Some seats have no runs: fewer seats would do.' : ''}
        </p>
      )}
      <button type="button" disabled={typeof plan === 'string'} onClick={() => void make()}>
        Copy sweep link
      </button>
      {link && <LinkOutput value={link} label="Sweep link" />}
    </fieldset>
  );
}

export function Share() {
  const { store } = useLab();
  const teacher = useLabState((s) => s.teacher);
  const runs = useLabState((s) => s.runs);
  const [link, setLink] = useState('');
  const [note, setNote] = useState('');
  const done = runs.filter((r) => r.status === 'done' && r.doc);
  const copy = async (withResults: boolean) => {
    const s = store.getState();
    const q = withResults
      ? await linkWithResults(
          s.experiment,
          s.teacher,
          done.map((r) => plotDoc(r)!),
          null,
          s.student,
        )
      : encodeExperiment(s.experiment, s.teacher, null, s.student);
    const url = shareUrl(q, withResults);
    setLink(url);
    const what = withResults
      ? `the experiment and the results of ${done.length} run${done.length === 1 ? '' : 's'}`
      : 'the experiment';
    setNote(copiedNote(await copyText(url), what, url));
  };
  return (
    <section className="panel share" aria-labelledby="share-h">
      <h2 id="share-h">Share</h2>
      {teacher && (teacher.locked.length > 0 || teacher.hidden.length > 0) && (
        <p className="note">
          Classroom link: {teacher.locked.length} control{teacher.locked.length === 1 ? ' is' : 's are'} locked and{' '}
          {teacher.hidden.length} hidden by your teacher.
        </p>
      )}
      <div className="row">
        <button type="button" onClick={() => void copy(false)}>
          Copy link
        </button>
        <button type="button" onClick={() => void copy(true)} disabled={!done.length}>
          Copy link with results
        </button>
      </div>
      {link && <LinkOutput value={link} label="Share link" note={note} />}
      {/* A student link has no teacher panel: a link made there would drop the teacher's locks. */}
      {!isStudentLink(teacher) && <TeacherPanel />}
    </section>
  );
}
