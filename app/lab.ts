// The controller: connects the store to the engine (worker or main thread),
// to IndexedDB and to the address bar. The only module with side effects;
// React components call its actions.
import { labLink } from '../src/experiment/lab_address';
import { sealLink } from '../src/experiment/link_check';
import { readLinkResults } from '../src/experiment/results_link';
import { makeSweep, shardPairs, textDigest } from '../src/experiment/sweep';
import { decodeExperiment, encodeExperiment } from '../src/experiment/url';
import type { Event } from '../src/host/protocol';
import { firstScreen } from './first_screen';
import { connectLive, createLiveStore, type LiveStore } from './live';
import { openRunStorage, type RunStorage } from './persist';
import { loadPrefs, pageStorage, prefsOf, savePrefs } from './prefs';
import { runWriter } from './run_writer';
import { SpeakChannel } from './speak';
import { ACTIVE, createLabStore, type LabStore } from './store';
import { joinTabs, type TabAction } from './tabs';
import { connectLab, type LabClient } from './worker/client';

export interface Lab {
  store: LabStore;
  /** The live evaluations of training runs and the replay slider's step (live.ts). */
  live: LiveStore;
  /** Whether "Build your own" starts open (first_screen.ts). */
  opensBuilder: boolean;
  /** Continue text and read passages with finished runs' weights (one request at a time). */
  speak: SpeakChannel;
  runExperiment(): void;
  /** Queues a classroom seat's runs of the link's sweep (`all`: the whole sweep, as one machine runs it). */
  runSeat(seat: number | 'all'): void;
  pause(id: string): void;
  resume(id: string): void;
  stop(id: string): void;
  stopAll(): void;
  resumeQueue(): void;
  rerun(id: string): void;
  remove(id: string): void;
  clearFinished(): void;
}

/**
 * A link to this page, at the address it is served at (any domain, any
 * sub-path), carrying `params` sealed with their integrity check
 * (link_check.ts); with results, in the fragment (labLink).
 */
export function shareUrl(params: URLSearchParams, fragment = false): string {
  return labLink(location.href, sealLink(params), fragment);
}

/** The link's parameters: from the fragment when it has any (results links), else the query. */
export function linkParams(): URLSearchParams {
  return new URLSearchParams(location.hash.length > 1 ? location.hash.slice(1) : location.search);
}

export async function startLab(): Promise<Lab> {
  // `engine=main` (tests, or a browser whose workers lack WebGPU) is read before the address is rewritten.
  const params = linkParams();
  const forceMain = params.get('engine') === 'main';
  params.delete('engine');
  const decoded = decodeExperiment(params);
  const { experiment, opensBuilder } = firstScreen(params, decoded);
  const prefs = pageStorage();
  const store = createLabStore({
    ...loadPrefs(prefs),
    experiment,
    teacher: decoded.teacher,
    sweep: decoded.sweep,
    student: decoded.student,
  });
  const s = () => store.getState();
  store.subscribe((n, p) => {
    if (n.largeText !== p.largeText || n.compareText !== p.compareText || n.assignment !== p.assignment)
      savePrefs(prefs, prefsOf(n));
  });
  // A link refused whole (cut or altered) says so in one sentence and loads nothing of itself.
  if (decoded.refused) s().pushBanner({ kind: 'error', title: decoded.refused, lines: [] });
  if (decoded.problems.length)
    s().pushBanner({
      kind: 'warning',
      title: 'Parts of this link could not be read; the rest of the experiment was loaded',
      lines: decoded.problems.slice(0, 20),
    });
  if (decoded.results) {
    try {
      const docs = await readLinkResults(decoded.results);
      s().addShared(docs, 'link', decoded.experiment.label);
      s().pushBanner({
        kind: 'info',
        title: `This link carries the results of ${docs.length} run${docs.length === 1 ? '' : 's'}`,
        // Whether they can be re-run here is the Run button's note (Builder): this banner cannot know the GPU yet.
        lines: [
          'They are plotted below. The address bar keeps this link, results included, until you change the experiment.',
        ],
      });
    } catch (e) {
      s().pushBanner({
        kind: 'error',
        title: 'The results in this link were rejected',
        lines: [e instanceof Error ? e.message : String(e)],
      });
    }
  }

  // Address bar: the experiment (not the results) follows every edit. A results link (or a refused one)
  // stays as it was opened until the first edit, so copying the address bar sends what was received.
  const writeUrl = () => {
    const q = sealLink(encodeExperiment(s().experiment, s().teacher, s().sweep, s().student));
    history.replaceState(null, '', `${location.pathname}?${q.toString()}`);
  };
  if (!decoded.results && !decoded.refused) writeUrl();
  store.subscribe((n, p) => {
    if (n.experiment !== p.experiment || n.teacher !== p.teacher || n.sweep !== p.sweep || n.student !== p.student)
      writeUrl();
  });

  // Other tabs of the lab: the one holding the queue's lock runs the queue, the others show it (tabs.ts).
  const tabs = await joinTabs(store);

  // Persistence: restore, then write every change.
  const storage: RunStorage | null = await openRunStorage();
  if (storage) {
    // Writes that fail (a full disk) say so once and lose nothing stored; the results stay in the page.
    const writer = runWriter(store, storage);
    try {
      // Where another tab runs the queue, its active run is not interrupted: that tab sends it over.
      const saved = (await storage.loadAll()).filter((r) => tabs.leads() || !ACTIVE.includes(r.status));
      const interrupted = saved.filter((r) => ACTIVE.includes(r.status)).length;
      s().restore(saved.filter((r) => r.source !== 'link' || !s().runs.some((x) => x.source === 'link')));
      if (interrupted)
        s().pushBanner({
          kind: 'warning',
          title: 'A run was interrupted by the reload',
          lines: ['It is marked "interrupted" in the queue; press Re-run to run it again. Finished runs were kept.'],
        });
      if (tabs.leads() && s().runs.some((r) => r.status === 'queued'))
        s().pushBanner({
          kind: 'info',
          title: 'Queued runs were restored',
          lines: ['Press "Resume queue" to continue them.'],
        });
      await writer.write([], s().runs);
    } catch {
      /* storage unreadable: start empty */
    }
    store.subscribe((n, p) => {
      if (n.runs !== p.runs) void writer.write(p.runs, n.runs);
    });
  }

  // Engine.
  let client: LabClient = { mode: 'none', send: () => {}, close: () => {} };
  const speak = new SpeakChannel((cmd) => {
    if (client.mode !== 'none') {
      client.send(cmd);
      return null;
    }
    const gpu = s().gpu;
    return gpu.state === 'none' ? gpu.reason : 'the engine is still starting; try again in a moment';
  });
  const live = createLiveStore();
  const takeLive = connectLive(store, live);
  const onEvent = (e: Event) => {
    if (e.type === 'error' && e.runId === null) console.warn('lab engine:', e.message);
    if (!speak.receive(e) && !takeLive(e)) s().applyEvent(e);
  };
  void connectLab(onEvent, { forceMain }).then(({ client: c, ready }) => {
    client = c;
    s().setGpu(
      ready.gpu
        ? { state: 'ok', adapter: ready.adapter, mode: c.mode === 'main' ? 'main' : 'worker' }
        : { state: 'none', reason: ready.reason },
    );
    schedule();
  });

  // The queue: start the next run when none is active.
  const schedule = () => {
    if (client.mode === 'none' || !tabs.leads()) return;
    const next = s().nextToStart();
    if (!next?.config) return;
    s().markStarting(next.id);
    client.send({
      type: 'start',
      runId: next.id,
      run: next.config,
      userText: next.config.data.source === 'text' ? (s().userText ?? undefined) : undefined,
    });
  };
  store.subscribe((n, p) => {
    if (n.runs !== p.runs || n.queueActive !== p.queueActive) schedule();
  });

  const active = () => s().runs.find((r) => ACTIVE.includes(r.status));
  // In a tab that does not run the queue, the actions on runs go to the tab that does.
  const elsewhere = (action: TabAction, id?: string) => !tabs.leads() && (tabs.command(action, id), true);
  const lab: Lab = {
    store,
    live,
    opensBuilder,
    speak,
    runExperiment() {
      const r = s().resolved();
      if (!r.runs) {
        s().pushBanner({ kind: 'error', title: 'This experiment cannot run', lines: [r.error] });
        return;
      }
      // A run re-running shared results is compared with them when it finishes.
      const shared = s().runs.filter((x) => x.status === 'shared' && x.source === 'link');
      const checks = r.runs.map((c) => shared.find((x) => x.doc?.label === c.label)?.id ?? null);
      s().enqueue(r.runs, s().experiment.label, checks);
    },
    runSeat(seat) {
      const link = s().sweep;
      if (!link) return;
      const text = s().userText;
      let pairs: ReturnType<typeof shardPairs>;
      try {
        const sweep = makeSweep(s().experiment, link.seeds, { textDigest: text === null ? null : textDigest(text) });
        pairs = shardPairs(sweep, seat === 'all' ? [1, 1] : [seat, link.seats], null);
      } catch (e) {
        s().pushBanner({
          kind: 'error',
          title: 'This sweep cannot run',
          lines: [e instanceof Error ? e.message : String(e)],
        });
        return;
      }
      s().enqueue(
        pairs.map((p) => p.pair.config),
        s().experiment.label,
        undefined,
        pairs.map((p) => p.tag),
      );
    },
    pause: (id) => elsewhere('pause', id) || client.send({ type: 'pause', runId: id }),
    resume: (id) => elsewhere('resume', id) || client.send({ type: 'resume', runId: id }),
    stop(id) {
      if (elsewhere('stop', id)) return;
      const r = s().runs.find((x) => x.id === id);
      if (r?.status === 'queued')
        store.setState((st) => ({ runs: st.runs.map((x) => (x.id === id ? { ...x, status: 'stopped' } : x)) }));
      else client.send({ type: 'stop', runId: id });
    },
    stopAll() {
      if (elsewhere('stopAll')) return;
      s().setQueueActive(false);
      const a = active();
      if (a) client.send({ type: 'stop', runId: a.id });
    },
    resumeQueue: () => elsewhere('resumeQueue') || s().setQueueActive(true),
    rerun: (id) => void s().rerun(id),
    remove(id) {
      const r = s().runs.find((x) => x.id === id);
      if (r && ACTIVE.includes(r.status)) client.send({ type: 'stop', runId: id });
      s().removeRun(id);
    },
    clearFinished: () => s().clearFinished(),
  };
  tabs.onCommand = (action, id) =>
    action === 'stopAll' || action === 'resumeQueue' ? lab[action]() : lab[action](id!);
  return lab;
}
