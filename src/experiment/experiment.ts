// An experiment: a base run config and a list of runs, each a short list of
// field overrides (a preset is such a list). The whole experiment, seed
// included, is what a share link carries.
import { ConfigError } from '../config';
import { checkValue, FIELD_BY_PATH, type FieldValue, setPath } from './fields';
import { checkRunConfig, DEFAULT_RUN, type RunConfig } from './run_config';

/** Field path -> value, e.g. { 'model.mechanism': 'lssa', 'model.reweight.mode': 'train' }. */
export type RunOverrides = Record<string, FieldValue>;

export interface Experiment {
  label: string;
  base: RunConfig;
  runs: RunOverrides[];
}

export const MAX_RUNS = 32;

export function defaultExperiment(): Experiment {
  return { label: 'Default experiment', base: structuredClone(DEFAULT_RUN), runs: [{}] };
}

/** Applies flat path overrides to a run config (each value checked against its field). */
export function applyOverrides(base: RunConfig, over: RunOverrides): RunConfig {
  const o = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [path, v] of Object.entries(over)) {
    const f = FIELD_BY_PATH.get(path);
    if (!f) throw new ConfigError(`unknown field '${path}'`);
    const err = checkValue(f, v);
    if (err) throw new ConfigError(err);
    setPath(o, path, structuredClone(v));
  }
  return o as unknown as RunConfig;
}

/** Every run of the experiment as a full, validated config. */
export function resolveRuns(e: Experiment): RunConfig[] {
  if (e.runs.length === 0) throw new ConfigError('an experiment needs at least one run');
  if (e.runs.length > MAX_RUNS)
    throw new ConfigError(`an experiment holds at most ${MAX_RUNS} runs, got ${e.runs.length}`);
  return e.runs.map((r, i) => {
    try {
      return checkRunConfig(applyOverrides(e.base, r));
    } catch (err) {
      throw new ConfigError(`run ${i + 1}: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
}

/** A readable label for a run: its own label, else its overrides. */
export function runLabel(e: Experiment, i: number): string {
  const r = e.runs[i] ?? {};
  const own = r.label;
  if (typeof own === 'string' && own) return own;
  const parts = Object.entries(r).map(
    ([k, v]) => `${FIELD_BY_PATH.get(k)?.label ?? k}: ${Array.isArray(v) ? v.join(' ') : String(v)}`,
  );
  return parts.length ? parts.join(', ') : e.base.label || `run ${i + 1}`;
}
