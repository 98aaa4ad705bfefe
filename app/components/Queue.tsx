// The run queue: each run with its status and a progress bar (step, loss,
// tokens per second, time left), and pause, resume, stop, re-run, remove.
import { useMemo } from 'react';
import { checkBand, describeMatch, type Reference } from '../../src/report/reference';
import { recordMatch } from '../reference_view';
import { ACTIVE, type RunRecord } from '../store';
import { useLab, useLabState } from './context';
import { ExportTorch } from './ExportTorch';
import { useReferenceBands } from './useReferenceBands';

function eta(s: number): string {
  if (!Number.isFinite(s)) return '…';
  if (s < 60) return `${Math.ceil(s)} s`;
  return `${Math.floor(s / 60)} min ${Math.ceil(s % 60)} s`;
}

const STATUS_TEXT: Record<RunRecord['status'], string> = {
  queued: 'queued',
  running: 'running',
  paused: 'paused',
  done: 'done',
  stopped: 'stopped',
  error: 'failed',
  interrupted: 'interrupted',
  shared: 'from a link',
};

function ProgressLine({ r }: { r: RunRecord }) {
  const p = r.progress;
  if (!p) return null;
  const phase =
    p.phase === 'loading'
      ? 'loading data'
      : p.phase === 'eval'
        ? 'evaluating at every length'
        : p.phase === 'maps'
          ? 'computing attention maps'
          : `step ${p.step}/${p.steps}`;
  const parts = [phase];
  if (p.phase === 'train') {
    if (Number.isFinite(p.loss)) parts.push(`loss ${p.loss.toFixed(3)}`);
    parts.push(`${Math.round(p.tokensPerSecond).toLocaleString()} tokens/s`);
    parts.push(`${eta(p.etaSeconds)} left`);
  }
  return (
    <div className="progress">
      <progress aria-label={`Progress of ${r.label}`} max={Math.max(p.steps, 1)} value={p.step} />
      <span className="progress-text" data-testid="progress-text">
        {parts.join(' · ')}
      </span>
    </div>
  );
}

/** Whether a finished run of a preset lands inside the preset's reference band at T and at 16x, or why no band. */
function ReferenceLine({ r, refs }: { r: RunRecord; refs: Reference[] }) {
  const m = recordMatch(r, refs);
  if (!m || !r.doc) return null;
  const outside = m.kind === 'match' && checkBand(r.doc, m.run).some((c) => c.where !== 'inside');
  return (
    <small className={`help reference-check${outside ? ' outside' : ''}`} data-testid="reference-check">
      {describeMatch(r.doc, m)}
    </small>
  );
}

export function Queue() {
  const lab = useLab();
  const all = useLabState((s) => s.runs);
  const runs = useMemo(() => all.filter((r) => r.source === 'local'), [all]);
  const queueActive = useLabState((s) => s.queueActive);
  const gpu = useLabState((s) => s.gpu);
  const refs = useReferenceBands();
  const queued = runs.some((r) => r.status === 'queued');
  const active = runs.some((r) => ACTIVE.includes(r.status));
  return (
    <section className="panel queue" aria-labelledby="queue-h">
      <h2 id="queue-h">Run queue</h2>
      {runs.length === 0 && (
        <p className="help">
          No runs yet. Press Run on an experiment's card, or build your own and press “Run experiment”.
        </p>
      )}
      <ol className="queue-list">
        {runs.map((r) => (
          <li key={r.id} className={`queue-item status-${r.status}`} data-status={r.status}>
            <div className="queue-head">
              <span className="run-name">{r.label}</span>
              <span className={`badge badge-${r.status}`}>{STATUS_TEXT[r.status]}</span>
              <span className="buttons">
                {r.status === 'running' && (
                  <button type="button" onClick={() => lab.pause(r.id)} aria-label={`Pause ${r.label}`}>
                    Pause
                  </button>
                )}
                {r.status === 'paused' && (
                  <button type="button" onClick={() => lab.resume(r.id)} aria-label={`Resume ${r.label}`}>
                    Resume
                  </button>
                )}
                {(ACTIVE.includes(r.status) || r.status === 'queued') && (
                  <button type="button" onClick={() => lab.stop(r.id)} aria-label={`Stop ${r.label}`}>
                    Stop
                  </button>
                )}
                {!ACTIVE.includes(r.status) && r.status !== 'queued' && r.config && (
                  <button
                    type="button"
                    onClick={() => lab.rerun(r.id)}
                    aria-label={`Re-run ${r.label}`}
                    disabled={gpu.state !== 'ok'}
                  >
                    Re-run
                  </button>
                )}
                {r.status === 'done' && gpu.state === 'ok' && <ExportTorch r={r} />}
                {!ACTIVE.includes(r.status) && (
                  <button type="button" onClick={() => lab.remove(r.id)} aria-label={`Remove ${r.label}`}>
                    ✕
                  </button>
                )}
              </span>
            </div>
            {(ACTIVE.includes(r.status) || r.status === 'interrupted') && <ProgressLine r={r} />}
            {r.status === 'done' && r.doc && (
              <small className="help">
                loss at T {r.doc.lossVsLength[0].lengths[0]?.meanLoss.toFixed(3)} · at{' '}
                {r.doc.lossVsLength[0].lengths.at(-1)?.factor}x{' '}
                {r.doc.lossVsLength[0].lengths.at(-1)?.meanLoss.toFixed(3)} · {r.doc.timings.trainSeconds.toFixed(1)} s
                training
              </small>
            )}
            {r.status === 'done' && r.doc && <ReferenceLine r={r} refs={refs} />}
            {r.error && (
              <p className="error" role="alert">
                {r.error.message}
              </p>
            )}
          </li>
        ))}
      </ol>
      <div className="row">
        {queued && !queueActive && (
          <button type="button" onClick={() => lab.resumeQueue()} disabled={gpu.state !== 'ok'}>
            Resume queue
          </button>
        )}
        {(active || (queued && queueActive)) && (
          <button type="button" onClick={() => lab.stopAll()}>
            Stop the queue
          </button>
        )}
        {runs.some((r) => !ACTIVE.includes(r.status) && r.status !== 'queued') && (
          <button type="button" onClick={() => lab.clearFinished()}>
            Clear finished
          </button>
        )}
      </div>
    </section>
  );
}
