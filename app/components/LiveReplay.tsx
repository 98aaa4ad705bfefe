// The step slider under the loss-against-length plot: replays the live
// evaluations step by step (every run's as of that step), its last stop "now"
// (running runs' latest live points, finished runs' final evaluation).
import { useStore } from 'zustand';
import { replaySteps } from '../live';
import { useLab } from './context';

export function LiveReplay() {
  const { live } = useLab();
  const history = useStore(live, (s) => s.history);
  const replayStep = useStore(live, (s) => s.replayStep);
  const steps = replaySteps(history);
  if (!steps.length) return null;
  // Stops 0..n-1 are the steps, n is now; a replayed step no run has any more falls back to now.
  const at = replayStep === null ? -1 : steps.indexOf(replayStep);
  const index = at < 0 ? steps.length : at;
  const text = index === steps.length ? 'now' : `step ${steps[index]}`;
  return (
    <label className="inline live-replay">
      Replay the live evaluation{' '}
      <input
        type="range"
        min={0}
        max={steps.length}
        step={1}
        value={index}
        aria-valuetext={text}
        onChange={(e) => {
          const i = Number(e.target.value);
          live.getState().setReplayStep(i >= steps.length ? null : steps[i]);
        }}
      />{' '}
      <output>{text}</output>
    </label>
  );
}
