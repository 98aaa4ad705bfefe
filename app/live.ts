// The live evaluations the lab has received, per run, and the replay slider's
// step: a small store beside the lab's (store.ts), fed by the controller
// (lab.ts) and read by the loss-against-length plot. In memory only: a reload
// keeps the finished runs' final results (persist.ts), not their live history.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { LiveEval } from '../src/eval/live';
import type { Event } from '../src/host/protocol';
import type { LiveLine } from '../src/report/liveLength';
import { ACTIVE, type LabStore, type RunRecord } from './store';

export type LiveHistory = Readonly<Record<string, readonly LiveEval[]>>;

export interface LiveState {
  /** Each run's live evaluations in step order, by run id. */
  history: LiveHistory;
  /** The replay slider's step; null: now (running runs' latest live points, finished runs' final evaluation). */
  replayStep: number | null;
  add(runId: string, live: LiveEval): void;
  /** Drops the history of every run not in `ids` (runs removed from the queue). */
  keepOnly(ids: ReadonlySet<string>): void;
  setReplayStep(step: number | null): void;
}

export type LiveStore = StoreApi<LiveState>;

/** `list` with `live` in its place by step (a repeated step replaces the earlier one). */
export function withLive(list: readonly LiveEval[], live: LiveEval): LiveEval[] {
  return [...list.filter((l) => l.step !== live.step), live].sort((a, b) => a.step - b.step);
}

/** Every step some run has a live evaluation at, ascending: the replay slider's stops. */
export function replaySteps(history: LiveHistory): number[] {
  return [...new Set(Object.values(history).flatMap((list) => list.map((l) => l.step)))].sort((a, b) => a - b);
}

/** The run's live evaluation as of `step`: the last at or before it (null before its first). */
export function liveAt(list: readonly LiveEval[], step: number): LiveEval | null {
  let found: LiveEval | null = null;
  for (const l of list) if (l.step <= step) found = l;
  return found;
}

/**
 * The live lines to draw. Now (replayStep null): each active run's latest, none
 * of a finished run (its final evaluation replaced them). Replaying step s:
 * every run with a history, as of step s.
 */
export function liveLines(runs: readonly RunRecord[], history: LiveHistory, replayStep: number | null): LiveLine[] {
  const out: LiveLine[] = [];
  for (const r of runs) {
    const list = history[r.id];
    if (!list?.length || !r.config) continue;
    if (replayStep === null && !ACTIVE.includes(r.status)) continue;
    const l = replayStep === null ? list[list.length - 1] : liveAt(list, replayStep);
    if (l) out.push({ run: r.label, step: l.step, T: r.config.train.seqLen, points: l.points });
  }
  return out;
}

export function createLiveStore(): LiveStore {
  return createStore<LiveState>()((set) => ({
    history: {},
    replayStep: null,
    add: (runId, live) => set((s) => ({ history: { ...s.history, [runId]: withLive(s.history[runId] ?? [], live) } })),
    keepOnly: (ids) =>
      set((s) => {
        const kept = Object.entries(s.history).filter(([id]) => ids.has(id));
        return kept.length === Object.keys(s.history).length ? s : { history: Object.fromEntries(kept) };
      }),
    setReplayStep: (replayStep) => set({ replayStep }),
  }));
}

/**
 * Connects `live` to the lab: returns the handler of the engine's events that
 * keeps the live evaluations of active runs (true when it took the event; a
 * late one of a stopped or removed run is dropped, as the lab's store drops
 * its other events), and forgets the history of runs removed from the queue.
 */
export function connectLive(lab: LabStore, live: LiveStore): (e: Event) => boolean {
  lab.subscribe((n, p) => {
    if (n.runs !== p.runs) live.getState().keepOnly(new Set(n.runs.map((r) => r.id)));
  });
  return (e) => {
    if (e.type !== 'liveEval') return false;
    const rec = lab.getState().runs.find((r) => r.id === e.runId);
    if (rec && ACTIVE.includes(rec.status)) live.getState().add(e.runId, { step: e.step, points: e.points });
    return true;
  };
}
