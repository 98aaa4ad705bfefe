// The page's side of the worker protocol: starts the module worker, checks
// every event it sends, and falls back to running the same engine code on
// the main thread when the worker reports no WebGPU (or cannot start).
import { KEPT_WEIGHTS_BYTES } from '../../src/host/kept_weights';
import { type Command, type Event, isEvent, NO_WORKER_GPU } from '../../src/host/protocol';
import { openWeightArchive } from './weight_archive';

export type ReadyEvent = Extract<Event, { type: 'ready' }>;

export interface LabClient {
  mode: 'worker' | 'main' | 'none';
  send(cmd: Command): void;
  close(): void;
}

export interface ConnectOptions {
  /** Skip the worker (testing the main-thread path). */
  forceMain?: boolean;
  /** How long to wait for the worker's first answer before falling back. */
  timeoutMs?: number;
}

declare const __CORPUS_PATH__: string | undefined;

/**
 * Where the Brown corpus is: beside the lab's page, wherever the lab is served
 * (domain root or sub-path). The build names it with its content's hash
 * (`data/brown.json?v=HASH`, vite.config.ts), so a page never gets another
 * deployment's corpus from the service worker's cache.
 */
export function corpusUrl(): string {
  const path = typeof __CORPUS_PATH__ === 'string' ? __CORPUS_PATH__ : 'data/brown.json';
  return new URL(path, document.baseURI).href;
}

const hello = (): Command => ({ type: 'hello', corpusUrl: corpusUrl() });

function onlyValid(onEvent: (e: Event) => void): (x: unknown) => void {
  return (x) => {
    if (isEvent(x)) onEvent(x);
    else console.warn('lab: ignored a malformed event from the engine', x);
  };
}

async function connectMain(onEvent: (e: Event) => void): Promise<{ client: LabClient; ready: ReadyEvent }> {
  const { LabCore } = await import('../../src/host/core');
  let resolveReady: (r: ReadyEvent) => void = () => {};
  const ready = new Promise<ReadyEvent>((r) => (resolveReady = r));
  const deliver = onlyValid(onEvent);
  // Events are delivered asynchronously, as from a worker, so the store never re-enters itself.
  const core = new LabCore(
    (e) => {
      if (e.type === 'ready') resolveReady(e);
      else queueMicrotask(() => deliver(structuredClone(e)));
    },
    { archive: openWeightArchive(KEPT_WEIGHTS_BYTES) },
  );
  void core.handle(hello());
  const r = await ready;
  return {
    client: { mode: r.gpu ? 'main' : 'none', send: (cmd) => void core.handle(structuredClone(cmd)), close: () => {} },
    ready: r,
  };
}

function connectWorker(
  onEvent: (e: Event) => void,
  timeoutMs: number,
): Promise<{ client: LabClient; ready: ReadyEvent } | null> {
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./lab.worker.ts', import.meta.url), { type: 'module', name: 'attention-lab' });
    } catch {
      resolve(null);
      return;
    }
    let settled = false;
    const deliver = onlyValid(onEvent);
    const timer = setTimeout(() => finish(null), timeoutMs);
    function finish(r: { client: LabClient; ready: ReadyEvent } | null) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!r) worker.terminate();
      resolve(r);
    }
    worker.onerror = () => finish(null);
    worker.onmessage = (m: MessageEvent<unknown>) => {
      const e = m.data;
      if (!settled) {
        if (isEvent(e) && e.type === 'ready') {
          if (!e.gpu && e.reason === NO_WORKER_GPU) finish(null);
          else
            finish({
              client: {
                mode: e.gpu ? 'worker' : 'none',
                send: (cmd) => worker.postMessage(cmd),
                close: () => worker.terminate(),
              },
              ready: e,
            });
        }
        return;
      }
      deliver(e);
    };
    worker.postMessage(hello());
  });
}

/** Why a page on a plain-http address from another computer (a laptop on the classroom network) has no WebGPU. */
const INSECURE = () =>
  `This page was opened over plain http from another computer (${location.origin}), and browsers offer WebGPU ` +
  "only to secure pages: https addresses, or this computer's own (localhost). Open the lab at its https address, " +
  'or ask your teacher to set up this address as docs/DEPLOY.md ("A laptop on the classroom network") says.';

/**
 * Connects to the engine: the worker when it has WebGPU, else the main
 * thread, else a client of mode 'none' whose ready event says why.
 */
export async function connectLab(
  onEvent: (e: Event) => void,
  opts: ConnectOptions = {},
): Promise<{ client: LabClient; ready: ReadyEvent }> {
  const none = (reason: string) => ({
    client: { mode: 'none' as const, send: () => {}, close: () => {} },
    ready: { type: 'ready' as const, gpu: false as const, reason },
  });
  if (typeof isSecureContext === 'boolean' && !isSecureContext) return none(INSECURE());
  if (typeof navigator === 'undefined' || !('gpu' in navigator) || !navigator.gpu)
    return none('WebGPU is not available in this browser (navigator.gpu is missing)');
  if (!opts.forceMain && typeof Worker !== 'undefined') {
    const w = await connectWorker(onEvent, opts.timeoutMs ?? 20_000);
    if (w) return w;
  }
  return connectMain(onEvent);
}
