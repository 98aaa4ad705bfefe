// The lab's side of "Let the models speak": requests to continue text or
// read a passage with a finished run's weights, sent to the engine one at a
// time so each answer (or error, which names only the run) is known to be
// the answer to the request in flight. Also remembers which runs finished in
// this page: only theirs are kept by the engine (src/host/kept_weights.ts),
// so a run restored after a reload, or shared, can be told apart before asking.
import type { Command, Event } from '../src/host/protocol';

export type SpeakCommand = Extract<Command, { type: 'sample' | 'passage' }>;
export type SpeakAnswer = Extract<Event, { type: 'samples' | 'passage' }> | { type: 'error'; message: string };

interface Pending {
  runId: string;
  resolve: (a: SpeakAnswer) => void;
}

export class SpeakChannel {
  private pending: Pending | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly finishedHere = new Set<string>();

  /** `send`: hands a command to the engine, or returns a one-line reason why there is none. */
  constructor(private readonly send: (cmd: Command) => string | null) {}

  /** Whether `runId` finished in this page, so the engine may still keep its weights. */
  finishedInThisPage(runId: string): boolean {
    return this.finishedHere.has(runId);
  }

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
    if (e.type === 'results') this.finishedHere.add(e.runId);
    const p = this.pending;
    if (!p || e.type === 'ready' || e.runId !== p.runId) return false;
    if (e.type === 'samples' || e.type === 'passage') this.settle(e);
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
