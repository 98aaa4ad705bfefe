// "Export as PyTorch" in the lab: the lab keeps a finished run's results, not
// its weights, so the export runs the run again in a run host of its own
// (a second device on the page; the engine is deterministic, so the same
// config and seed give the same weights) with torchExport, and zips the files.
import type { RunConfig } from '../experiment/run_config';
import { LabCore } from '../host/core';
import type { Event } from '../host/protocol';
import { zipFiles } from './zip';

export interface RerunExport {
  zip: Uint8Array;
  /** The re-run's loss at each length (its own evaluation), to compare with the stored run's. */
  losses: number[];
}

export function exportByRerun(
  run: RunConfig,
  userText: string | undefined,
  corpusUrl: string,
  onStep?: (step: number, steps: number) => void,
): Promise<RerunExport> {
  return new Promise((done, fail) => {
    const core = new LabCore(
      (e: Event) => {
        if (e.type === 'ready') {
          if (!e.gpu) fail(new Error(e.reason));
          else void core.handle({ type: 'start', runId: 'export', run, userText, torchExport: true });
        } else if (e.type === 'progress' && e.phase === 'train') onStep?.(e.step, e.steps);
        else if (e.type === 'error') fail(new Error(e.message));
        else if (e.type === 'stopped') fail(new Error(`the export stopped at step ${e.step}`));
        else if (e.type === 'results') {
          if (!e.torch) fail(new Error('the run host handed back no export'));
          else {
            const folder = (run.label || 'run').replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'run';
            const losses = e.doc.lossVsLength[0].lengths.map((l) => l.meanLoss);
            done({ zip: zipFiles(`${folder}-pytorch`, e.torch), losses });
          }
        }
      },
      { attentionMaps: false },
    );
    void core.handle({ type: 'hello', corpusUrl });
  });
}
