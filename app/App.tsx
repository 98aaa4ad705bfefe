// The lab's first page: the default experiment, ready to run. Training runs
// on the engine (src/); the full experiment builder, worker and plots build
// on this.
import { useRef, useState } from 'react';
import { DEFAULT_MODEL, DEFAULT_TRAIN, Engine, loadBrown, requestDevice, type StepLog } from '../src/index';

type Status = { kind: 'idle' } | { kind: 'running' } | { kind: 'done'; valLoss: number } | { kind: 'error'; message: string };

export function App() {
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [logs, setLogs] = useState<(StepLog & { valLoss?: number })[]>([]);
  const [steps, setSteps] = useState(DEFAULT_TRAIN.steps);
  const stop = useRef(false);

  async function run() {
    stop.current = false;
    setLogs([]);
    setStatus({ kind: 'running' });
    try {
      const { device } = await requestDevice();
      const engine = new Engine(device);
      const corpus = await loadBrown();
      const model = engine.createModel({ vocabSize: corpus.tokenizer.size });
      const r = await engine.train(model, corpus, { steps }, { onLog: (l) => setLogs((ls) => [...ls, l]), shouldStop: () => stop.current });
      model.destroy();
      device.destroy();
      setStatus({ kind: 'done', valLoss: r.valLoss });
    } catch (e) {
      setStatus({ kind: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }

  const last = logs[logs.length - 1];
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 760, margin: '2rem auto', lineHeight: 1.5 }}>
      <h1>Attention Lab</h1>
      <p>
        Default experiment: a {DEFAULT_MODEL.nLayer}-layer, width-{DEFAULT_MODEL.nEmbd}, {DEFAULT_MODEL.nHead}-head character model with
        softmax attention and {DEFAULT_MODEL.positional.toUpperCase()}, trained on the Brown corpus at T = {DEFAULT_TRAIN.seqLen}.
      </p>
      <label>
        Steps{' '}
        <input type="number" min={1} max={100000} value={steps} onChange={(e) => setSteps(Math.max(1, Number(e.target.value) || 1))} />
      </label>{' '}
      <button onClick={run} disabled={status.kind === 'running'}>
        Run
      </button>{' '}
      <button onClick={() => (stop.current = true)} disabled={status.kind !== 'running'}>
        Stop
      </button>
      <p role="status" aria-live="polite">
        {status.kind === 'running' && (last ? `step ${last.step}/${steps} — loss ${last.loss.toFixed(3)} — ${Math.round(last.tokensPerSecond)} tokens/s` : 'starting…')}
        {status.kind === 'done' && `done — validation loss at T: ${status.valLoss.toFixed(4)}`}
        {status.kind === 'error' && `error: ${status.message}`}
      </p>
      <table>
        <thead>
          <tr><th>step</th><th>train loss</th><th>val loss</th><th>lr</th></tr>
        </thead>
        <tbody>
          {logs.map((l) => (
            <tr key={l.step}>
              <td>{l.step}</td><td>{l.loss.toFixed(4)}</td><td>{l.valLoss?.toFixed(4) ?? ''}</td><td>{l.lr.toExponential(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
