// The trained weights of finished runs, kept by the run host so a run can
// continue text after it finished (src/sample/). Bounded by bytes: the
// oldest runs' weights are dropped first, so a long session of large models
// cannot grow without limit. Held on the CPU (a read-back arena), not the
// GPU: a model is rebuilt from them for each sampling request.
import type { Corpus } from '../data/corpus';
import type { RunConfig } from '../experiment/run_config';

export interface KeptRun {
  run: RunConfig;
  /** The run's text data (sampling continues text only). */
  corpus: Corpus;
  /** The user's text, for a run on 'text' (a results file's weights carry it). */
  userText?: string;
  params: Float32Array;
}

/** 64 MB: the default model's weights are under 1 MB, so dozens of runs fit. */
export const KEPT_WEIGHTS_BYTES = 64 * 1024 * 1024;

export class KeptWeights {
  private runs = new Map<string, KeptRun>();

  constructor(readonly maxBytes = KEPT_WEIGHTS_BYTES) {}

  get bytes(): number {
    let n = 0;
    for (const r of this.runs.values()) n += r.params.byteLength;
    return n;
  }

  /** Keeps `runId`'s weights, dropping the oldest runs' until they fit (a run larger than the bound is not kept). */
  keep(runId: string, kept: KeptRun): void {
    this.runs.delete(runId);
    if (kept.params.byteLength > this.maxBytes) return;
    this.runs.set(runId, kept);
    for (const id of this.runs.keys()) {
      if (this.bytes <= this.maxBytes) break;
      this.runs.delete(id);
    }
  }

  get(runId: string): KeptRun | undefined {
    return this.runs.get(runId);
  }

  ids(): string[] {
    return [...this.runs.keys()];
  }
}
