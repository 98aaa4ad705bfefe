// "Continue the text": one prompt (a validation passage cut to 1x, 4x or 16x
// the training length T, or the user's own text) continued by every finished
// text run of the experiment side by side, each at the chosen context
// lengths. Sampling runs in the engine (src/sample/); the same seed gives the
// same text. Runs whose weights are not kept say so in one line. The context
// either slides at each length or grows from a prompt of that length; for a
// growing one the panel says, per run, whether it uses the key/value cache or
// recomputes the whole context each character, and why.
import { useId, useState } from 'react';
import { layersOf } from '../../src/experiment/run_config';
import type { ContextMode } from '../../src/sample/context_mode';
import { incrementalSupport } from '../../src/sample/incremental_support';
import { checkSampleRequest, DEFAULT_SAMPLE, type SampleRequest, type SampleResult } from '../../src/sample/request';
import { type SpeakingRun, type SpeakingRuns, speakingRuns } from '../speak';
import { useLab, useLabState } from './context';

const FACTORS = [1, 4, 16] as const;

/** Asked to speak with no run that can. */
export const NO_RUN = 'no run here keeps its weights: run an experiment on text, or load a file with weights';

interface Answer {
  id: string;
  label: string;
  result?: SampleResult;
  error?: string;
}

/** What a growing context does with a run's model: from the cache, or recomputed (and why). */
const growNote = (r: SpeakingRun) =>
  r.config
    ? incrementalSupport({ layers: layersOf(r.config) }).summary
    : 'its answer says whether it used the key/value cache';

/** The prompt's last characters only: a 16x prompt is too long to show whole beside every run. */
const tail = (s: string, n = 160) => (s.length > n ? `…${s.slice(-n)}` : s);

/** `runs`: the runs to offer (the compare view's); the lab's latest experiment when absent. */
export function Speak({ runs, about }: { runs?: SpeakingRuns; about?: string }) {
  const lab = useLab();
  const labRuns = useLabState((s) => s.runs);
  const { ready, notKept } = runs ?? speakingRuns(labRuns);
  const [own, setOwn] = useState(false);
  const [text, setText] = useState('');
  const [contexts, setContexts] = useState<number[]>([1, 16]);
  const [opts, setOpts] = useState({ temperature: 0.8, topK: 0, seed: 1, chars: 100 });
  const [context, setContext] = useState<ContextMode>('slide');
  const [answers, setAnswers] = useState<Answer[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();

  const go = async () => {
    const request: SampleRequest = {
      ...DEFAULT_SAMPLE,
      ...opts,
      contexts,
      context,
      ...(own ? { prompt: text } : {}),
    };
    try {
      if (own && !text.trim()) throw new Error('the prompt is empty: write some text for the models to continue');
      checkSampleRequest(request);
      if (!ready.length) throw new Error(NO_RUN);
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
      return;
    }
    setProblem(null);
    setBusy(true);
    setAnswers([]);
    const got: Answer[] = [];
    for (const r of ready) {
      const a = await lab.speak.ask({ type: 'sample', runId: r.id, request });
      got.push(
        a.type === 'samples'
          ? { id: r.id, label: r.label, result: a.result }
          : { id: r.id, label: r.label, error: a.type === 'error' ? a.message : 'unexpected answer' },
      );
      setAnswers([...got]);
    }
    setBusy(false);
  };
  const num = (k: keyof typeof opts, label: string, step: number, min: number) => (
    <label>
      {label}{' '}
      <input
        type="number"
        step={step}
        min={min}
        value={Number.isFinite(opts[k]) ? opts[k] : ''}
        onChange={(e) => setOpts({ ...opts, [k]: e.target.value === '' ? NaN : Number(e.target.value) })}
      />
    </label>
  );
  const truth = answers.find((a) => a.result?.truth)?.result?.truth;
  if (!ready.length && !notKept.length) return null;

  return (
    <section className="panel speak" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Continue the text</h2>
      <p className="help">
        {about ?? 'The same prompt, continued by every finished run of the experiment,'} each reading the last 1x, 4x or
        16x its training length T of it. The same seed gives the same text.
      </p>
      <fieldset className="speak-prompt">
        <legend>Prompt</legend>
        <label>
          <input type="radio" name={`${id}-p`} checked={!own} onChange={() => setOwn(false)} /> a validation passage
        </label>{' '}
        <label>
          <input type="radio" name={`${id}-p`} checked={own} onChange={() => setOwn(true)} /> your own text
        </label>
        {own && <textarea aria-label="Your prompt" rows={3} value={text} onChange={(e) => setText(e.target.value)} />}
      </fieldset>
      <fieldset className="speak-options">
        <legend>Context lengths and sampling</legend>
        {FACTORS.map((f) => (
          <label key={f}>
            <input
              type="checkbox"
              checked={contexts.includes(f)}
              onChange={() =>
                setContexts(
                  contexts.includes(f) ? contexts.filter((x) => x !== f) : [...contexts, f].sort((a, b) => a - b),
                )
              }
            />{' '}
            {f}x T
          </label>
        ))}
        {num('temperature', 'Temperature', 0.1, 0)}
        {num('topK', 'Top-k (0: all)', 1, 0)}
        {num('seed', 'Seed', 1, 0)}
        {num('chars', 'Characters', 10, 1)}
        <label>
          Context{' '}
          <select value={context} onChange={(e) => setContext(e.target.value as ContextMode)}>
            <option value="slide">slides at L</option>
            <option value="grow">grows from the prompt</option>
          </select>
        </label>
      </fieldset>
      {context === 'grow' && (
        <div className="help speak-grow">
          <p>
            The prompt of L characters is read once and the context then grows with every generated character, as a
            reader continues a passage (it never slides). Where a run's mechanisms allow it, keys and values are cached
            and each character runs only its own row; otherwise the whole context is recomputed each character.
          </p>
          <ul>
            {ready.map((r) => (
              <li key={r.id}>
                {r.label}: {growNote(r)}.
              </li>
            ))}
          </ul>
        </div>
      )}
      <button type="button" onClick={go} disabled={busy}>
        {busy
          ? 'Continuing…'
          : `Continue with ${ready.length === 1 ? 'the run' : ready.length ? `all ${ready.length} runs` : 'every run'}`}
      </button>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      <ul className="speak-notes">
        {notKept.map(({ run, why }) => (
          <li key={run.id}>
            {run.label}: {why}.
          </li>
        ))}
      </ul>
      <div className="speak-answers" aria-live="polite">
        {answers.map((a) => (
          <article key={a.id} className="speak-run">
            <h3>{a.label}</h3>
            {a.error && <p className="error">{a.error}</p>}
            {!!a.result?.unknownChars && (
              <p className="help">
                {a.result.unknownChars} prompt characters are not in this run's alphabet; it read them as unknown.
              </p>
            )}
            {a.result?.incremental && <p className="help speak-path">{a.result.incremental}.</p>}
            {a.result?.blocks.map((b) => (
              <p key={b.factor} className="speak-block" data-factor={b.factor} data-path={b.path ?? 'slide'}>
                <span className="speak-factor">
                  {b.factor}x T ({b.length} characters{' '}
                  {b.path?.startsWith('grow') ? 'of prompt, growing' : 'of context'}):
                </span>{' '}
                <span className="speak-read">{tail(b.prompt)}</span>
                <mark className="speak-new">{b.continuation}</mark>
              </p>
            ))}
          </article>
        ))}
        {truth !== undefined && (
          <p className="speak-truth">
            <span className="speak-factor">What the passage really says next:</span> {truth}
          </p>
        )}
      </div>
    </section>
  );
}
