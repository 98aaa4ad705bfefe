// The module worker that owns the GPU device: it checks each message against
// the protocol and hands it to LabCore. Where the worker has no WebGPU, the
// first 'hello' answers gpu: false with reason 'no-worker-gpu', and the page
// falls back to running LabCore on its main thread.
/// <reference lib="webworker" />
import { config as zodConfig } from 'zod';
import { LabCore } from '../../src/host/core';
import { KEPT_WEIGHTS_BYTES } from '../../src/host/kept_weights';
import { type Event, isCommand, NO_WORKER_GPU } from '../../src/host/protocol';
import { openWeightArchive } from './weight_archive';

declare const self: DedicatedWorkerGlobalScope;

zodConfig({ jitless: true }); // as on the page: no code generation at run time

const post = (e: Event) => self.postMessage(e);
// Finished runs' weights also go to IndexedDB, within the same bound as in memory, so they survive a reload.
const core = new LabCore(post, { archive: openWeightArchive(KEPT_WEIGHTS_BYTES) });

self.onmessage = (m: MessageEvent<unknown>) => {
  const cmd = m.data;
  if (!isCommand(cmd)) {
    post({
      type: 'error',
      runId: null,
      kind: 'internal',
      message: 'the worker received a message it does not understand',
    });
    return;
  }
  if (cmd.type === 'hello' && !('gpu' in navigator)) {
    post({ type: 'ready', gpu: false, reason: NO_WORKER_GPU });
    return;
  }
  void core.handle(cmd);
};
