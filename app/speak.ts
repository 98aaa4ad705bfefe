// The lab's side of "Let the models speak": requests to continue text or
// read a passage with a finished run's weights, sent to the engine one at a
// time so each answer (or error, which names only the run) is known to be
// the answer to the request in flight. The engine keeps finished runs' weights
// (src/host/kept_weights.ts, and across a reload src/host/weight_archive.ts);
// shared results carry none unless their file carried them (the lab then
// hands them to the engine: 'keep'), which the panels say before asking.
import type { Command, Event } from '../src/host/protocol';
import type { RunRecord } from './store';

export type SpeakCommand = Extract<Command, { type: 'sample' | 'passage' | 'weights' | 'keep' }>;
export type SpeakAnswer =
  | Extract<Event, { type: 'samples' | 'passage' | 'weights' | 'kept' }>
  | { type: 'error'; message: string };

interface Pending {
  runId: string;
  resolve: (a: SpeakAnswer) => void;
}

export class SpeakChannel {
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** `send`: hands a command to the engine, or returns a one-line reason why there is none. */
  constructor(private readonly send: (cmd: Command) => string | null) {}

  /** Sends `cmd` after every earlier request has been answered; resolves with its answer. */
  ask(cmd: SpeakCommand): Promise<SpeakAnswer> {
    const answer = this.queue.then(
      () =>
        new Promise<SpeakAnswer>((resolve) => {
          this.pending = { runId: cmd.runId, resolve };
          const refused = this.send(cmd);
          if (refused !== null) this.settle({ type: 'error', message: refused });
        }),
    );
    this.queue = answer;
    return answer;
  }

  /** Takes an engine event; true when it answered the request in flight (the store need not see it). */
  receive(e: Event): boolean {
    const p = this.pending;
    if (!p || e.type === 'ready' || e.runId !== p.runId) return false;
    if (e.type === 'samples' || e.type === 'passage' || e.type === 'weights' || e.type === 'kept') this.settle(e);
    else if (e.type === 'error') this.settle({ type: 'error', message: e.message });
    else return false;
    return true;
  }

  private settle(a: SpeakAnswer): void {
    const p = this.pending;
    this.pending = null;
    p?.resolve(a);
  }
}

/** A run the panels offer: the id its weights are kept under in the run host, and its label. */
/** `config`, when known (the lab's own runs), lets the panel say before a run how it continues a growing context. */
export type SpeakingRun = Pick<RunRecord, 'id' | 'label'> & Partial<Pick<RunRecord, 'config'>>;

/** The runs that can speak, and one line for each that cannot (`why`). */
export interface SpeakingRuns {
  ready: SpeakingRun[];
  notKept: { run: SpeakingRun; why: string }[];
}

/**
 * The runs that can speak: this lab's finished text runs of the latest
 * experiment, and its runs from a results file that carried weights; not its
 * other shared ones (their results carry no weights). A run whose weights the engine no longer keeps (dropped for
 * space, or a reload where the browser stores nothing) is told by the engine.
 */
export function speakingRuns(runs: RunRecord[]): { ready: RunRecord[]; notKept: { run: RunRecord; why: string }[] } {
  const text = runs.filter(
    (r) => (r.status === 'done' || r.status === 'shared') && r.doc && r.config?.data.source !== 'task',
  );
  const latest = text.reduce<RunRecord | null>((a, r) => (!a || r.createdAt >= a.createdAt ? r : a), null);
  const ours = text.filter((r) => r.experimentLabel === latest?.experimentLabel);
  return {
    ready: ours.filter((r) => (r.status === 'done' && r.source === 'local') || r.weightsFromFile),
    notKept: ours
      .filter((r) => (r.status === 'shared' || r.source !== 'local') && !r.weightsFromFile)
      .map((run) => ({
        run,
        why:
          run.source === 'file'
            ? 'its results file carries no weights (export them "with weights"), so it cannot continue text here'
            : 'shared results carry no weights, so it cannot continue text here',
      })),
  };
}
