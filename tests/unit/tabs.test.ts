// Two tabs of the lab (app/tabs.ts) without a browser: a fake Web Locks
// manager and a fake BroadcastChannel (messages structured-cloned, delivered
// later, as a real channel does) join two stores. The first tab runs the
// queue; a run queued in the second is queued in the first; every change the
// first makes shows in the second; nothing echoes back and forth; when the
// first tab closes, the second takes the queue over.
import { describe, expect, test } from 'vitest';
import { createLabStore } from '../../app/store';
import { type Channel, joinTabs, type TabAction } from '../../app/tabs';
import { DEFAULT_RUN } from '../../src/experiment/run_config';
import { fakeDoc } from './app_fixture';

/** One lock name's worth of Web Locks: granted in order; `ifAvailable` answers null when held. */
function fakeLocks(): LockManager {
  let held = false;
  const waiting: (() => void)[] = [];
  const grant = (cb: LockGrantedCallback<unknown>) => {
    held = true;
    const done = Promise.resolve(cb({ name: 'q', mode: 'exclusive' } as Lock));
    void done.then(() => {
      held = false;
      waiting.shift()?.();
    });
    return done;
  };
  const request = (_name: string, a: LockOptions | LockGrantedCallback<unknown>, b?: LockGrantedCallback<unknown>) => {
    const [opts, cb] = typeof a === 'function' ? [{}, a] : [a, b!];
    if (!held) return grant(cb);
    if (opts.ifAvailable) return Promise.resolve(cb(null));
    return new Promise((res) => waiting.push(() => res(grant(cb))));
  };
  return { request, query: async () => ({}) } as unknown as LockManager;
}

/** Channels of one name: each message cloned and delivered to the others on a later task. */
function fakeHub() {
  const open = new Set<Channel>();
  let sent = 0;
  let pending = 0;
  return {
    sent: () => sent,
    /** Resolves once every message sent (and every message those sent in turn) has been delivered. */
    async idle() {
      do await new Promise((r) => setTimeout(r, 0));
      while (pending > 0);
    },
    channel(): Channel {
      const c: Channel = {
        onmessage: null,
        postMessage(m) {
          sent++;
          const data = structuredClone(m);
          for (const o of open)
            if (o !== c) {
              pending++;
              setTimeout(() => {
                pending--;
                if (open.has(o)) o.onmessage?.({ data } as MessageEvent);
              });
            }
        },
        close: () => void open.delete(c),
      };
      open.add(c);
      return c;
    },
  };
}

describe('two tabs', () => {
  test('one runs the queue, the other mirrors it; runs queued anywhere run once, in the running tab', async () => {
    const [locks, hub] = [fakeLocks(), fakeHub()];
    const settle = hub.idle;
    const [A, B] = [createLabStore(), createLabStore()];
    const ta = await joinTabs(A, { locks, channel: hub.channel() });
    const tb = await joinTabs(B, { locks, channel: hub.channel() });
    expect([ta.leads(), tb.leads()]).toEqual([true, false]);
    expect(B.getState().banners.map((b) => b.title)).toEqual(['The lab is open in another tab, which runs the queue']);
    const commands: [TabAction, string | undefined][] = [];
    ta.onCommand = (action, id) => commands.push([action, id]);

    // Queued in A and in B: both queued in A, in order, and the queue on.
    const [a1] = A.getState().enqueue([{ ...DEFAULT_RUN, label: 'a1' }], 'x');
    await settle();
    const [b1] = B.getState().enqueue([{ ...DEFAULT_RUN, label: 'b1' }], 'x');
    await settle();
    expect(A.getState().runs.map((r) => [r.id, r.status])).toEqual([
      [a1, 'queued'],
      [b1, 'queued'],
    ]);
    expect(A.getState().queueActive).toBe(true);
    expect(A.getState().nextToStart()?.id).toBe(a1);

    // A runs a1: B sees it start, progress and finish.
    A.getState().markStarting(a1);
    A.getState().applyEvent({
      type: 'progress',
      runId: a1,
      phase: 'train',
      step: 7,
      steps: 20,
      loss: 3,
      tokensPerSecond: 1,
      etaSeconds: 1,
    });
    await settle();
    expect(B.getState().runs.find((r) => r.id === a1)?.progress?.step).toBe(7);
    expect(B.getState().runs.find((r) => r.id === a1)?.status).toBe('running');
    A.getState().applyEvent({ type: 'results', runId: a1, doc: fakeDoc('a1'), maps: [] });
    await settle();
    expect(B.getState().runs.map((r) => r.status)).toEqual(['done', 'queued']);
    expect(B.getState().runs[0].doc?.label).toBe('a1');
    // No echo: once settled, nothing more is sent.
    const quiet = hub.sent();
    await settle();
    expect(hub.sent()).toBe(quiet);

    // B's actions on runs go to A; a removal in B removes there too.
    tb.command('stop', b1);
    await settle();
    expect(commands).toEqual([['stop', b1]]);
    B.getState().removeRun(a1);
    await settle();
    expect(A.getState().runs.map((r) => r.id)).toEqual([b1]);

    // A starts b1 and closes mid-run: B takes over, marks b1 interrupted, and runs what is queued.
    A.getState().markStarting(b1);
    const [b2] = B.getState().enqueue([{ ...DEFAULT_RUN, label: 'b2' }], 'x');
    await settle();
    ta.close();
    await settle();
    expect(tb.leads()).toBe(true);
    const byId = new Map(B.getState().runs.map((r) => [r.id, r]));
    expect(byId.get(b1)?.status).toBe('interrupted');
    expect(byId.get(b1)?.error?.message).toMatch(/the tab that ran it closed/);
    expect(B.getState().nextToStart()?.id).toBe(b2);
    expect(B.getState().banners.at(-1)?.title).toBe('This tab now runs the queue');
    tb.close();
  });

  test('a tab that opens late is sent the queue as it is; without locks or a channel a tab runs alone', async () => {
    const [locks, hub] = [fakeLocks(), fakeHub()];
    const settle = hub.idle;
    const A = createLabStore();
    const ta = await joinTabs(A, { locks, channel: hub.channel() });
    const [a1] = A.getState().enqueue([DEFAULT_RUN], 'x');
    A.getState().markStarting(a1);
    A.getState().addShared([fakeDoc('shared')], 'link', 'x');
    const B = createLabStore();
    const tb = await joinTabs(B, { locks, channel: hub.channel() });
    await settle();
    // The running run, not the link's shared results (they stay in their tab).
    expect(B.getState().runs.map((r) => [r.id, r.status])).toEqual([[a1, 'running']]);
    const alone = await joinTabs(createLabStore(), {});
    expect(alone.leads()).toBe(true);
    for (const t of [ta, tb, alone]) t.close();
  });
});
