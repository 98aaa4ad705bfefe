// Two tabs of the lab on one machine: one runs the queue, the others show it
// live. The tab that holds the Web Lock "attention-lab-queue" runs the queue
// (one GPU, one run at a time); when it closes, the lock passes to the next
// tab, which takes the queue over. The tabs' queued, running and finished
// runs (records of source 'local') travel on a BroadcastChannel: a run added
// in any tab is queued in the running tab, and every change of a record is
// sent to the others. Only the running tab starts a run, and a run it starts
// is marked running (and sent) before the next is picked, so no run is lost
// or started twice. Shared, file and compare results stay in their own tab.
import { ACTIVE, type LabStore, type RunRecord } from './store';

export const QUEUE_LOCK = 'attention-lab-queue';
const CHANNEL = 'attention-lab-runs';

/** What another tab asks the running tab to do (the lab's actions on a run it runs). */
export type TabAction = 'pause' | 'resume' | 'stop' | 'stopAll' | 'resumeQueue';

type Message =
  | { type: 'hello' }
  | { type: 'upsert'; runs: RunRecord[] }
  | { type: 'remove'; ids: string[] }
  | { type: 'command'; action: TabAction; id?: string };

/** The part of BroadcastChannel used here (a fake in Node tests). */
export interface Channel {
  postMessage(m: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
  close(): void;
}

export interface Tabs {
  /** Whether this tab runs the queue (it holds the lock, or no other tab can). */
  leads(): boolean;
  /** Asks the tab that runs the queue to act on a run. */
  command(action: TabAction, id?: string): void;
  /** Set by the controller: what to do with another tab's command (in the running tab). */
  onCommand: (action: TabAction, id?: string) => void;
  close(): void;
}

const synced = (r: RunRecord) => r.source === 'local';

/**
 * Joins the lab's other tabs: takes the queue's lock if it is free (else waits for it, and takes the queue over when
 * it comes), and mirrors the queue's records both ways. Without Web Locks or BroadcastChannel the tab runs alone.
 */
export async function joinTabs(
  store: LabStore,
  env: { locks?: LockManager; channel?: Channel } = {
    locks: globalThis.navigator?.locks,
    channel: typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(CHANNEL),
  },
): Promise<Tabs> {
  const { locks, channel } = env;
  let leader = !locks;
  let release = () => {};
  const held = new Promise<void>((r) => {
    release = r;
  });
  // Closing a tab that still waits for the lock withdraws its request.
  const waiting = new AbortController();
  if (locks) {
    leader = await new Promise<boolean>((answer) => {
      void locks.request(QUEUE_LOCK, { ifAvailable: true }, (lock) => {
        answer(lock !== null);
        return lock ? held : undefined;
      });
    });
    if (!leader)
      locks
        .request(QUEUE_LOCK, { signal: waiting.signal }, () => {
          leader = true;
          takeOver(store);
          return held;
        })
        .catch(() => {}); // withdrawn by close()
  }
  const tabs: Tabs = {
    leads: () => leader,
    command: (action, id) => channel?.postMessage({ type: 'command', action, id } satisfies Message),
    onCommand: () => {},
    close() {
      release();
      waiting.abort();
      channel?.close();
    },
  };
  if (!channel) return tabs;

  // Records received from another tab are not sent back (by identity: a change made here is a new object).
  const received = new WeakSet<RunRecord>();
  const post = (m: Message) => channel.postMessage(m);
  store.subscribe((n, p) => {
    if (n.runs === p.runs) return;
    const before = new Map(p.runs.map((r) => [r.id, r]));
    const changed = n.runs.filter((r) => synced(r) && before.get(r.id) !== r && !received.has(r));
    const ids = new Set(n.runs.map((r) => r.id));
    const removed = p.runs.filter((r) => synced(r) && !ids.has(r.id)).map((r) => r.id);
    if (changed.length) post({ type: 'upsert', runs: changed });
    if (removed.length) post({ type: 'remove', ids: removed });
  });
  channel.onmessage = (e: MessageEvent) => {
    const m = e.data as Message;
    if (m.type === 'hello' && leader) post({ type: 'upsert', runs: store.getState().runs.filter(synced) });
    else if (m.type === 'command' && leader) tabs.onCommand(m.action, m.id);
    else if (m.type === 'upsert') {
      for (const r of m.runs) received.add(r);
      const incoming = new Map(m.runs.map((r) => [r.id, r]));
      const runs = store.getState().runs;
      const known = new Set(runs.map((r) => r.id));
      const added = m.runs.filter((r) => !known.has(r.id));
      // Runs queued in another tab are run here, so they start the queue if it had stopped.
      const queues = leader && added.some((r) => r.status === 'queued');
      store.setState((s) => ({
        runs: [...s.runs.map((r) => incoming.get(r.id) ?? r), ...added],
        ...(queues ? { queueActive: true } : {}),
      }));
    } else if (m.type === 'remove') {
      const gone = new Set(m.ids);
      if (store.getState().runs.some((r) => gone.has(r.id)))
        store.setState((s) => ({ runs: s.runs.filter((r) => !gone.has(r.id)) }));
    }
  };
  // A tab that opens late asks for the queue as it is now (its stored copy may be a moment old).
  if (!leader) {
    post({ type: 'hello' });
    store.getState().pushBanner({
      kind: 'info',
      title: 'The lab is open in another tab, which runs the queue',
      lines: ['This tab shows it live; runs you add here are queued there. Close the other tab to run them here.'],
    });
  }
  return tabs;
}

/** The running tab closed: its active run is lost with it (marked, as a reload marks it), the queue goes on here. */
function takeOver(store: LabStore): void {
  const s = store.getState();
  store.setState({
    runs: s.runs.map((r) =>
      synced(r) && ACTIVE.includes(r.status)
        ? {
            ...r,
            status: 'interrupted',
            error: {
              kind: 'internal',
              message: `interrupted: the tab that ran it closed at step ${r.progress?.step ?? 0}; press Re-run`,
            },
          }
        : r,
    ),
    queueActive: s.runs.some((r) => synced(r) && r.status === 'queued'),
  });
  s.pushBanner({
    kind: 'info',
    title: 'This tab now runs the queue',
    lines: ['The tab that ran it was closed; its queued runs continue here.'],
  });
}
