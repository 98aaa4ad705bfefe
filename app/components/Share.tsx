// Share by URL: copy the experiment's link, or the link with the finished
// runs' results; a teacher composes a student link that locks or hides controls.
import { useState } from 'react';
import { FIELDS } from '../../src/experiment/fields';
import { encodeExperiment, type TeacherMode } from '../../src/experiment/url';
import { copyText } from '../download';
import { linkWithResults } from '../export';
import { shareUrl } from '../lab';
import { useLab, useLabState } from './context';
import { plotDoc } from './Plots';

function TeacherPanel() {
  const { store } = useLab();
  const [t, setT] = useState<TeacherMode>({ locked: [], hidden: [] });
  const [link, setLink] = useState('');
  const toggle = (kind: 'locked' | 'hidden', path: string) =>
    setT((x) => ({ ...x, [kind]: x[kind].includes(path) ? x[kind].filter((p) => p !== path) : [...x[kind], path] }));
  const make = async () => {
    const url = shareUrl(encodeExperiment(store.getState().experiment, t));
    setLink(url);
    await copyText(url);
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
      {link && (
        <input
          className="link-out"
          readOnly
          value={link}
          aria-label="Student link"
          onFocus={(e) => e.target.select()}
        />
      )}
    </details>
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
        )
      : encodeExperiment(s.experiment, s.teacher);
    const url = shareUrl(q, withResults);
    setLink(url);
    const ok = await copyText(url);
    const what = withResults
      ? `the experiment and the results of ${done.length} run${done.length === 1 ? '' : 's'}`
      : 'the experiment';
    setNote(`${ok ? 'Copied' : 'Select and copy'}: ${what} (${url.length.toLocaleString()} characters)`);
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
      {link && (
        <>
          <input
            className="link-out"
            readOnly
            value={link}
            aria-label="Share link"
            onFocus={(e) => e.target.select()}
          />
          <small className="help" role="status">
            {note}
          </small>
        </>
      )}
      <TeacherPanel />
    </section>
  );
}
