// The experiment builder: every field of the table grouped (model, mechanism,
// data, training, evaluation), the per-layer override with the resulting
// layer list, the runs of the experiment (each a few overrides), seeds, and
// the mechanism's formula. Teacher locks disable, hides remove.
import { useId, useState } from 'react';
import { MECHANISMS, type Mechanism } from '../../src/config';
import { decodeUserFile, USER_TEXT_MAX_CHARS } from '../../src/data/corpus';
import { applyOverrides, MAX_RUNS, runLabel } from '../../src/experiment/experiment';
import { FIELD_BY_PATH, FIELDS } from '../../src/experiment/fields';
import { QUICK_TRY } from '../../src/experiment/presets';
import { layersOf } from '../../src/experiment/run_config';
import { isStudentLink } from '../classroom';
import { BIAS_NOTE, MECHANISM_INFO } from '../mechanisms';
import { baseValue } from '../store';
import { useLab, useLabState } from './context';
import { FieldInput } from './Field';

const GROUPS: { id: string; title: string }[] = [
  { id: 'model', title: 'Model' },
  { id: 'mechanism', title: 'Mechanism' },
  { id: 'data', title: 'Data' },
  { id: 'train', title: 'Training' },
  { id: 'eval', title: 'Evaluation' },
  { id: 'run', title: 'Seed' },
];

const PER_RUN = ['model.mechanism', 'model.pattern', 'model.positional', 'model.reweight.mode', 'model.reweight.p'];
/**
 * Whether a run uses its re-weighting p: lssar always re-weights, the other
 * mechanisms only when re-weighting is on (src/model/reweight_rule.ts).
 */
function usesP(layers: string[], mode: unknown): boolean {
  return layers.includes('lssar') || mode !== 'off';
}

/** Short option prefixes for the per-run pickers (their accessible names keep the full label). */
const SHORT: Record<string, string> = {
  'model.mechanism': 'mech',
  'model.pattern': 'pattern',
  'model.positional': 'pos',
  'model.reweight.mode': 're-weight',
};

function MechanismHelp({ m }: { m: Mechanism }) {
  const info = MECHANISM_INFO[m];
  return (
    <p className="formula" aria-live="polite">
      <strong>{m}</strong>: {info.line}
      <br />
      <code>{info.formula}</code>
    </p>
  );
}

function LayerOverride() {
  const { store } = useLab();
  const e = useLabState((s) => s.experiment);
  const locked = useLabState((s) => s.isLocked('model.layers'));
  const hidden = useLabState((s) => s.isHidden('model.layers'));
  if (hidden) return null;
  const layers = layersOf(e.base);
  const overridden = e.base.model.layers.length > 0;
  const set = (i: number, m: Mechanism) =>
    store.getState().setBaseField(
      'model.layers',
      layers.map((x, j) => (j === i ? m : x)),
    );
  return (
    <fieldset className="layers">
      <legend>Per-layer mechanism {overridden ? '(override)' : '(from the pattern)'}</legend>
      <ol className="layer-list">
        {layers.map((m, i) => (
          <li key={i}>
            <label>
              <span className="sr-only">Layer {i + 1} mechanism</span>
              <select
                aria-label={`Layer ${i + 1} mechanism`}
                value={m}
                disabled={locked}
                onChange={(ev) => set(i, ev.target.value as Mechanism)}
              >
                {MECHANISMS.map((x) => (
                  <option key={x}>{x}</option>
                ))}
              </select>
            </label>
          </li>
        ))}
      </ol>
      {overridden && (
        <button type="button" disabled={locked} onClick={() => store.getState().setBaseField('model.layers', [])}>
          Back to the pattern
        </button>
      )}
    </fieldset>
  );
}

function UserText() {
  const { store } = useLab();
  const text = useLabState((s) => s.userText);
  const id = useId();
  const onFile = async (f: File | undefined) => {
    if (!f) return;
    if (f.size > USER_TEXT_MAX_CHARS * 4) {
      store.getState().pushBanner({
        kind: 'error',
        title: 'That file is too large',
        lines: [`${f.name} is ${f.size} bytes; the limit is ${USER_TEXT_MAX_CHARS} characters.`],
      });
      return;
    }
    try {
      store.getState().setUserText(decodeUserFile(new Uint8Array(await f.arrayBuffer()), f.name));
    } catch (e) {
      store.getState().pushBanner({
        kind: 'error',
        title: 'That file was not loaded',
        lines: [e instanceof Error ? e.message : String(e)],
      });
    }
  };
  return (
    <div className="field user-text">
      <label htmlFor={id}>
        Your own text (paste, or choose a file; at most {USER_TEXT_MAX_CHARS.toLocaleString()} characters)
      </label>
      <textarea
        id={id}
        rows={4}
        maxLength={USER_TEXT_MAX_CHARS}
        value={text ?? ''}
        onChange={(e) => store.getState().setUserText(e.target.value || null)}
      />
      <input
        type="file"
        accept=".txt,text/plain"
        aria-label="Choose a text file"
        onChange={(e) => void onFile(e.target.files?.[0])}
      />
      <small className="help">{text ? `${text.length.toLocaleString()} characters` : 'No text yet'}</small>
    </div>
  );
}

function RunsEditor() {
  const { store } = useLab();
  const e = useLabState((s) => s.experiment);
  const isLocked = useLabState((s) => s.isLocked);
  const isHidden = useLabState((s) => s.isHidden);
  const st = store.getState();
  const seeds = new Set(e.runs.map((r) => r.seed ?? e.base.seed)).size;
  return (
    <fieldset className="runs">
      <legend>Runs in this experiment ({e.runs.length})</legend>
      <ol className="run-list">
        {e.runs.map((r, i) => {
          let layers = '';
          let list: string[] = [];
          let mode: unknown = 'off';
          try {
            const c = applyOverrides(e.base, r);
            list = layersOf(c);
            mode = c.model.reweight.mode;
            layers = list.join(' · ');
          } catch {
            layers = '(invalid overrides)';
          }
          // A run shows p only where p does something, and an lssar run does not read "re-weight: off".
          const shown = PER_RUN.filter((p) => !isHidden(p) && (p !== 'model.reweight.p' || usesP(list, mode)));
          const baseText = (path: string, base: unknown) =>
            path === 'model.reweight.mode' && base === 'off' && list.includes('lssar')
              ? 'off (base); lssar re-weights itself'
              : `${String(base)} (base)`;
          return (
            <li key={i} className="run-item">
              <div className="run-row">
                <label>
                  <span className="sr-only">Run {i + 1} label</span>
                  <input
                    aria-label={`Run ${i + 1} label`}
                    value={typeof r.label === 'string' ? r.label : ''}
                    placeholder={runLabel(e, i)}
                    maxLength={80}
                    onChange={(ev) => st.setRunField(i, 'label', ev.target.value || undefined)}
                  />
                </label>
                <button
                  type="button"
                  aria-label={`Remove run ${i + 1}`}
                  disabled={e.runs.length <= 1}
                  onClick={() => st.removeExperimentRun(i)}
                >
                  ✕
                </button>
              </div>
              <div className="run-overrides">
                {shown.map((path) => {
                  const f = FIELD_BY_PATH.get(path)!;
                  const own = r[path];
                  const base = baseValue(e, path);
                  if (f.kind.type === 'enum')
                    return (
                      <select
                        key={path}
                        aria-label={`Run ${i + 1} ${f.label}`}
                        value={own === undefined ? '' : String(own)}
                        disabled={isLocked(path)}
                        onChange={(ev) => st.setRunField(i, path, ev.target.value === '' ? undefined : ev.target.value)}
                      >
                        <option value="">{`${SHORT[path] ?? f.label}: ${baseText(path, base)}`}</option>
                        {f.kind.values.map((v) => (
                          <option key={v} value={v}>{`${SHORT[path] ?? f.label}: ${v}`}</option>
                        ))}
                      </select>
                    );
                  return (
                    <FieldInput
                      key={path}
                      field={f}
                      value={own ?? base}
                      label={`${f.label} (run ${i + 1})`}
                      locked={isLocked(path)}
                      onCommit={(v) => st.setRunField(i, path, v)}
                    />
                  );
                })}
              </div>
              <small className="help">Layers: {layers}</small>
            </li>
          );
        })}
      </ol>
      <div className="row">
        <button type="button" onClick={() => st.addExperimentRun()} disabled={e.runs.length >= MAX_RUNS}>
          Add a run
        </button>
        <label className="inline">
          Seeds per run{' '}
          <select
            aria-label="Seeds per run"
            value={Math.min(seeds, 8)}
            onChange={(ev) => st.setSeeds(Number(ev.target.value))}
          >
            {[1, 2, 3, 4, 5].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
      </div>
    </fieldset>
  );
}

/**
 * The experiment's name, or, in a student link, the student's own name: asked
 * before the first run, so the teacher's compare view tells students apart.
 */
function NameField() {
  const { store } = useLab();
  const e = useLabState((s) => s.experiment);
  const student = useLabState((s) => isStudentLink(s.teacher));
  const name = useLabState((s) => s.student);
  const [draft, setDraft] = useState(name ?? '');
  const st = store.getState();
  // In a student link the experiment's name is the teacher's (read-only); the student's own name is asked apart.
  const title = (
    <div className="field">
      <label htmlFor="exp-label">{student ? 'Experiment name (the assignment)' : 'Experiment name'}</label>
      <input
        id="exp-label"
        value={e.label}
        maxLength={120}
        readOnly={student}
        onChange={(ev) => st.setExperimentLabel(ev.target.value)}
      />
    </div>
  );
  if (!student) return title;
  return (
    <div className="field student-name">
      {title}
      <label htmlFor="student-name">Your name (your teacher sees it next to your results)</label>
      <input
        id="student-name"
        value={draft}
        maxLength={60}
        required
        aria-invalid={name ? undefined : true}
        onChange={(ev) => {
          setDraft(ev.target.value);
          st.setStudent(ev.target.value);
        }}
      />
      {!name && (
        <small className="help" role="status">
          Type your name before your first run.
        </small>
      )}
    </div>
  );
}

export function Builder() {
  const lab = useLab();
  const e = useLabState((s) => s.experiment);
  const unnamed = useLabState((s) => isStudentLink(s.teacher) && !s.student);
  const shared = useLabState((s) => s.runs.some((r) => r.source === 'link'));
  const isLocked = useLabState((s) => s.isLocked);
  const isHidden = useLabState((s) => s.isHidden);
  const gpu = useLabState((s) => s.gpu);
  const st = lab.store.getState();
  const resolved = useLabState((s) => s.resolved);
  const check = resolved();
  const shrink = () => {
    for (const [p, v] of Object.entries(QUICK_TRY)) if (!isLocked(p)) st.setBaseField(p, v);
  };
  return (
    <section className="panel builder" aria-labelledby="builder-h">
      <h2 id="builder-h">Experiment</h2>
      <NameField />
      <RunsEditor />
      <div className="row actions">
        <button
          type="button"
          className="primary"
          disabled={gpu.state !== 'ok' || !check.runs || unnamed}
          onClick={() => lab.runExperiment()}
        >
          Run experiment
        </button>
        <button type="button" onClick={shrink} title="steps 20, batch 4, T 16, 2 layers, width 32, factors 1 2 4">
          Shrink for a quick try
        </button>
      </div>
      {shared && gpu.state === 'ok' && (
        <p className="help">
          Press “Run experiment” to re-run the shared runs on your device and see how close you land.
        </p>
      )}
      {check.error && (
        <p className="error" role="alert">
          {check.error}
        </p>
      )}
      {GROUPS.map((g) => {
        // The synthetic task only means something when the data is a synthetic task.
        const fields = FIELDS.filter(
          (f) =>
            f.group === g.id &&
            f.path !== 'label' &&
            f.path !== 'model.layers' &&
            !isHidden(f.path) &&
            (f.path !== 'data.task' || e.base.data.source === 'task'),
        );
        if (!fields.length && g.id !== 'mechanism') return null;
        return (
          <details key={g.id} className="group" open={g.id === 'model' || g.id === 'mechanism' || g.id === 'train'}>
            <summary>{g.title}</summary>
            <div className="fields">
              {fields.map((f) => (
                <FieldInput
                  key={f.path}
                  field={f}
                  value={baseValue(e, f.path)}
                  locked={isLocked(f.path)}
                  onCommit={(v) => st.setBaseField(f.path, v)}
                />
              ))}
            </div>
            {g.id === 'mechanism' && (
              <>
                <MechanismHelp m={e.base.model.mechanism} />
                <LayerOverride />
                <p className="help">{BIAS_NOTE}</p>
              </>
            )}
            {g.id === 'data' && e.base.data.source === 'text' && <UserText />}
          </details>
        );
      })}
    </section>
  );
}
