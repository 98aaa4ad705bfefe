// The lab's state: one zustand store with three typed slices — config (the
// experiment being built, the link's teacher mode and problems), runs (the
// queue, finished and shared runs) and ui (display choices, device state,
// banners). DOM-free and GPU-free: the controller (lab.ts) connects it to the
// worker and IndexedDB, and Node unit tests drive it directly.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AttentionMap } from '../src/eval/map';
import type { ResultsDoc } from '../src/eval/results';
import {
  applyOverrides,
  defaultExperiment,
  type Experiment,
  MAX_RUNS,
  type RunOverrides,
  resolveRuns,
  runLabel,
} from '../src/experiment/experiment';
import { checkValue, FIELD_BY_PATH, type FieldValue, getPath, setPath } from '../src/experiment/fields';
import type { RunConfig } from '../src/experiment/run_config';
import type { SweepTag } from '../src/experiment/sweep';
import type { SweepLink, TeacherMode } from '../src/experiment/url';
import type { AdapterInfo, ErrorKind, Event, Progress } from '../src/host/protocol';
import { isStudentLink, keepLocked } from './classroom';

// ---------- runs ----------

export type RunStatus = 'queued' | 'running' | 'paused' | 'done' | 'stopped' | 'error' | 'interrupted' | 'shared';

export interface CurvePoint {
  step: number;
  loss: number;
  valLoss?: number;
}

export interface RunRecord {
  id: string;
  label: string;
  experimentLabel: string;
  /** The run's full config (null for results shared without one). */
  config: RunConfig | null;
  status: RunStatus;
  /** Where the results came from: this lab, a share link, a file, a pasted student link. */
  source: 'local' | 'link' | 'file' | 'compare';
  /** The latest progress, as the engine reported it. */
  progress: Progress | null;
  curve: CurvePoint[];
  doc: ResultsDoc | null;
  maps: AttentionMap[];
  error: { kind: ErrorKind; message: string } | null;
  createdAt: number;
  /** For a re-run: the id of the run (often a shared one) it checks. */
  checks: string | null;
  /** A classroom seat's run: its sweep tag, given to its results document when it finishes. */
  sweep?: SweepTag | null;
  /** A run read from a results file that carried its weights, handed to the engine: it can speak. */
  weightsFromFile?: boolean;
}

/** The active statuses: a run that holds (or is about to hold) the device. */
export const ACTIVE: readonly RunStatus[] = ['running', 'paused'];

// ---------- ui ----------

export interface Banner {
  id: number;
  kind: 'info' | 'warning' | 'error';
  title: string;
  lines: string[];
}

export type GpuState =
  | { state: 'unknown' }
  | { state: 'ok'; adapter: AdapterInfo; mode: 'worker' | 'main' }
  | { state: 'none'; reason: string };

// ---------- the store ----------

export interface ConfigSlice {
  experiment: Experiment;
  teacher: TeacherMode | null;
  /** The classroom sweep the link handed out (seeds, seats, seat), or null. */
  sweep: SweepLink | null;
  /** A student link's student: the name the teacher's compare view shows (null: not asked yet). */
  student: string | null;
  setStudent(name: string): void;
  /** The user's own text (paste or file), kept in memory only. */
  userText: string | null;
  /** Per-field problems of the last edits (path or `run i:path` -> message). */
  fieldErrors: Record<string, string>;
  setBaseField(path: string, value: FieldValue): boolean;
  setRunField(i: number, path: string, value: FieldValue | undefined): boolean;
  setExperimentLabel(label: string): void;
  addExperimentRun(): void;
  removeExperimentRun(i: number): void;
  /** Repeats each run with `n` seeds (seed, seed+1, ...), keeping one label per config. */
  setSeeds(n: number): void;
  /** Loads an experiment; over a student link (teacher undefined) locked fields and the name are kept. */
  loadExperiment(e: Experiment, teacher?: TeacherMode | null): void;
  setSweep(s: SweepLink | null): void;
  setUserText(t: string | null): void;
  /** The experiment's runs as full configs, or the first problem. */
  resolved(): { runs: RunConfig[]; error: null } | { runs: null; error: string };
  isLocked(path: string): boolean;
  isHidden(path: string): boolean;
}

export interface RunsSlice {
  runs: RunRecord[];
  /** Whether queued runs start on their own, one after another. */
  queueActive: boolean;
  /** Queues runs; `tags`: a classroom seat's runs' sweep tags. */
  enqueue(
    configs: RunConfig[],
    experimentLabel: string,
    checks?: (string | null)[],
    tags?: (SweepTag | null)[],
  ): string[];
  setQueueActive(on: boolean): void;
  /** The next queued run, when none is active and the queue is on. */
  nextToStart(): RunRecord | null;
  markStarting(id: string): void;
  applyEvent(e: Event): void;
  removeRun(id: string): void;
  /** A new queued copy of a run's config; returns its id. */
  rerun(id: string): string | null;
  addShared(
    docs: ResultsDoc[],
    source: RunRecord['source'],
    experimentLabel: string,
    maps?: AttentionMap[][],
  ): string[];
  /** Records read back from storage: a run that was active is marked interrupted. */
  restore(records: RunRecord[]): void;
  clearFinished(): void;
}

export interface UiSlice {
  largeText: boolean;
  hidden: string[];
  highlight: string | null;
  gpu: GpuState;
  banners: Banner[];
  /** The compare view's pasted links, and the student link handed out that they are checked against. */
  compareText: string;
  assignment: string;
  setCompareText(t: string): void;
  setAssignment(link: string): void;
  toggleLargeText(): void;
  toggleHidden(name: string): void;
  setHighlight(name: string | null): void;
  setGpu(g: GpuState): void;
  pushBanner(b: Omit<Banner, 'id'>): number;
  dismissBanner(id: number): void;
}

export type LabState = ConfigSlice & RunsSlice & UiSlice;
export type LabStore = StoreApi<LabState>;

let idCounter = 0;
/** Run ids: time plus a counter, unique within and across page loads. */
export function newRunId(now = Date.now()): string {
  return `r${now.toString(36)}${(idCounter++).toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
}

function blankRecord(p: Partial<RunRecord> & Pick<RunRecord, 'label' | 'status' | 'source'>): RunRecord {
  return {
    id: newRunId(),
    experimentLabel: '',
    config: null,
    progress: null,
    curve: [],
    doc: null,
    maps: [],
    error: null,
    createdAt: Date.now(),
    checks: null,
    ...p,
  };
}

/** What a store starts from: the link's parts and the remembered display and classroom state (prefs.ts). */
export interface LabInit {
  experiment?: Experiment;
  teacher?: TeacherMode | null;
  sweep?: SweepLink | null;
  student?: string | null;
  largeText?: boolean;
  compareText?: string;
  assignment?: string;
}

export function createLabStore(init: LabInit = {}): LabStore {
  return createStore<LabState>()((set, get) => {
    const editRecord = (id: string, f: (r: RunRecord) => RunRecord) =>
      set((s) => ({ runs: s.runs.map((r) => (r.id === id ? f(r) : r)) }));
    const setFieldError = (key: string, msg: string | null) =>
      set((s) => {
        const fe = { ...s.fieldErrors };
        if (msg) fe[key] = msg;
        else delete fe[key];
        return { fieldErrors: fe };
      });
    return {
      // ----- config -----
      experiment: init.experiment ?? defaultExperiment(),
      teacher: init.teacher ?? null,
      sweep: init.sweep ?? null,
      student: init.student ?? null,
      setStudent: (name) => set({ student: name.trim() ? name.slice(0, 60) : null }),
      userText: null,
      fieldErrors: {},
      isLocked: (path) => !!get().teacher?.locked.includes(path),
      isHidden: (path) => !!get().teacher?.hidden.includes(path),
      setBaseField(path, value) {
        const f = FIELD_BY_PATH.get(path);
        if (!f || get().isLocked(path)) return false;
        const err = checkValue(f, value);
        setFieldError(path, err);
        if (err) return false;
        const base = structuredClone(get().experiment.base) as unknown as Record<string, unknown>;
        setPath(base, path, structuredClone(value));
        set((s) => ({ experiment: { ...s.experiment, base: base as unknown as RunConfig } }));
        return true;
      },
      setRunField(i, path, value) {
        const f = FIELD_BY_PATH.get(path);
        const e = get().experiment;
        if (!f || !e.runs[i] || get().isLocked(path)) return false;
        const key = `run ${i}:${path}`;
        if (value !== undefined) {
          const err = checkValue(f, value);
          setFieldError(key, err);
          if (err) return false;
        } else setFieldError(key, null);
        const runs = e.runs.map((r, j) => {
          if (j !== i) return r;
          const o: RunOverrides = { ...r };
          if (value === undefined) delete o[path];
          else o[path] = structuredClone(value);
          return o;
        });
        set({ experiment: { ...e, runs } });
        return true;
      },
      setExperimentLabel(label) {
        set((s) => ({ experiment: { ...s.experiment, label: label.slice(0, 120) } }));
      },
      addExperimentRun() {
        const e = get().experiment;
        if (e.runs.length >= MAX_RUNS) return;
        set({ experiment: { ...e, runs: [...e.runs, { label: `run ${e.runs.length + 1}` }] } });
      },
      removeExperimentRun(i) {
        const e = get().experiment;
        if (e.runs.length <= 1) return;
        set({ experiment: { ...e, runs: e.runs.filter((_, j) => j !== i) } });
      },
      setSeeds(n) {
        const e = get().experiment;
        const k = Math.max(1, Math.min(8, Math.floor(n)));
        // Collapse existing seed repeats (same overrides but the seed), then expand.
        const seen = new Map<string, RunOverrides>();
        e.runs.forEach((r, i) => {
          const { seed: _s, ...rest } = r;
          void _s;
          const withLabel = {
            ...rest,
            label: typeof rest.label === 'string' && rest.label ? rest.label : runLabel(e, i),
          };
          const key = JSON.stringify(withLabel);
          if (!seen.has(key)) seen.set(key, withLabel);
        });
        const configs = [...seen.values()];
        const per = Math.max(1, Math.floor(MAX_RUNS / Math.max(configs.length, 1)));
        const reps = Math.min(k, per);
        const baseSeed = e.base.seed;
        const runs = configs.flatMap((r) =>
          Array.from({ length: reps }, (_, j) => (j === 0 ? r : { ...r, seed: baseSeed + j })),
        );
        set({ experiment: { ...e, runs } });
      },
      loadExperiment(experiment, teacher) {
        const s = get();
        const keep = teacher === undefined && isStudentLink(s.teacher);
        set({
          experiment: keep ? keepLocked(experiment, s.experiment, s.teacher!.locked) : structuredClone(experiment),
          teacher: teacher === undefined ? get().teacher : teacher,
          fieldErrors: {},
        });
      },
      setSweep(sweep) {
        set({ sweep });
      },
      setUserText(t) {
        set({ userText: t });
      },
      resolved() {
        try {
          return {
            runs: resolveRuns(get().experiment).map((r, i) => ({
              ...r,
              label: r.label || runLabel(get().experiment, i),
            })),
            error: null,
          };
        } catch (e) {
          return { runs: null, error: e instanceof Error ? e.message : String(e) };
        }
      },

      // ----- runs -----
      runs: [],
      queueActive: false,
      enqueue(configs, experimentLabel, checks, tags) {
        const recs = configs.map((c, i) =>
          blankRecord({
            label: c.label || `run ${i + 1}`,
            experimentLabel,
            config: c,
            status: 'queued',
            source: 'local',
            checks: checks?.[i] ?? null,
            sweep: tags?.[i] ?? null,
          }),
        );
        set((s) => ({ runs: [...s.runs, ...recs], queueActive: true }));
        return recs.map((r) => r.id);
      },
      setQueueActive(on) {
        set({ queueActive: on });
      },
      nextToStart() {
        const s = get();
        if (!s.queueActive || s.runs.some((r) => ACTIVE.includes(r.status))) return null;
        return s.runs.find((r) => r.status === 'queued') ?? null;
      },
      markStarting(id) {
        editRecord(id, (r) => ({
          ...r,
          status: 'running',
          progress: {
            phase: 'loading',
            step: 0,
            steps: r.config?.train.steps ?? 0,
            loss: NaN,
            tokensPerSecond: 0,
            etaSeconds: NaN,
          },
          curve: [],
          error: null,
        }));
      },
      applyEvent(e) {
        if (e.type === 'ready') return;
        const id = e.runId;
        if (id === null) return;
        const rec = get().runs.find((r) => r.id === id);
        // Events of runs that are no longer active (stopped, removed) are dropped.
        if (!rec || !ACTIVE.includes(rec.status)) return;
        switch (e.type) {
          case 'progress': {
            const { type: _type, runId: _runId, ...progress } = e;
            editRecord(id, (r) => ({ ...r, progress }));
            break;
          }
          case 'metrics':
            editRecord(id, (r) => ({
              ...r,
              curve: [...r.curve.filter((c) => c.step !== e.step), { step: e.step, loss: e.loss, valLoss: e.valLoss }],
            }));
            break;
          case 'paused':
            editRecord(id, (r) => ({ ...r, status: e.paused ? 'paused' : 'running' }));
            break;
          case 'results':
            editRecord(id, (r) => ({
              ...r,
              status: 'done',
              // A seat's run: its document says which sweep and pair it is (src/experiment/sweep.ts).
              doc: r.sweep ? { ...e.doc, sweep: r.sweep } : e.doc,
              maps: e.maps,
              progress: r.progress && { ...r.progress, step: r.progress.steps, etaSeconds: 0 },
            }));
            break;
          case 'stopped':
            editRecord(id, (r) => ({ ...r, status: 'stopped' }));
            break;
          case 'error':
            editRecord(id, (r) => ({
              ...r,
              status: e.kind === 'device-lost' ? 'interrupted' : 'error',
              error: { kind: e.kind, message: e.message },
            }));
            break;
        }
      },
      removeRun(id) {
        set((s) => ({ runs: s.runs.filter((r) => r.id !== id) }));
      },
      rerun(id) {
        const r = get().runs.find((x) => x.id === id);
        if (!r?.config) return null;
        const checks = [r.status === 'shared' ? r.id : r.checks];
        return get().enqueue([r.config], r.experimentLabel, checks, [r.sweep ?? null])[0];
      },
      addShared(docs, source, experimentLabel, maps) {
        const recs = docs.map((d, i) =>
          blankRecord({
            label: d.label,
            experimentLabel,
            status: 'shared',
            source,
            doc: d,
            maps: maps?.[i] ?? [],
            curve: d.trainingCurve.map((c) => ({ step: c.step, loss: c.loss, valLoss: c.valLoss })),
          }),
        );
        set((s) => ({ runs: [...s.runs, ...recs] }));
        return recs.map((r) => r.id);
      },
      restore(records) {
        const fixed = records.map((r) =>
          ACTIVE.includes(r.status)
            ? {
                ...r,
                status: 'interrupted' as const,
                error: {
                  kind: 'internal' as const,
                  message:
                    `interrupted by a reload at step ${r.progress?.step ?? 0} of ${r.progress?.steps ?? '?'}; ` +
                    'press Re-run to run it again',
                },
              }
            : r,
        );
        const known = new Set(get().runs.map((r) => r.id));
        set((s) => ({
          runs: [...fixed.filter((r) => !known.has(r.id)).sort((a, b) => a.createdAt - b.createdAt), ...s.runs],
          queueActive: false,
        }));
      },
      clearFinished() {
        set((s) => ({
          runs: s.runs.filter((r) => r.source !== 'local' || r.status === 'queued' || ACTIVE.includes(r.status)),
        }));
      },

      // ----- ui -----
      largeText: init.largeText ?? false,
      compareText: init.compareText ?? '',
      assignment: init.assignment ?? '',
      setCompareText: (compareText) => set({ compareText }),
      setAssignment: (assignment) => set({ assignment }),
      hidden: [],
      highlight: null,
      gpu: { state: 'unknown' },
      banners: [],
      toggleLargeText: () => set((s) => ({ largeText: !s.largeText })),
      toggleHidden: (name) =>
        set((s) => ({ hidden: s.hidden.includes(name) ? s.hidden.filter((h) => h !== name) : [...s.hidden, name] })),
      setHighlight: (name) => set((s) => ({ highlight: s.highlight === name ? null : name })),
      setGpu: (gpu) => set({ gpu }),
      pushBanner(b) {
        const id = (get().banners.reduce((a, x) => Math.max(a, x.id), 0) || 0) + 1;
        set((s) => ({ banners: [...s.banners, { ...b, id }] }));
        return id;
      },
      dismissBanner: (id) => set((s) => ({ banners: s.banners.filter((b) => b.id !== id) })),
    };
  });
}

/** A field's current value in the experiment's base config. */
export function baseValue(e: Experiment, path: string): FieldValue {
  return getPath(e.base, path) as FieldValue;
}

/** A run's effective value of a field (its override, else the base). */
export function runValue(e: Experiment, i: number, path: string): FieldValue {
  const o = e.runs[i]?.[path];
  return o !== undefined ? o : (getPath(applyOverrides(e.base, {}), path) as FieldValue);
}

/** Finished documents to plot: done and shared runs, in queue order. */
export function finishedDocs(runs: readonly RunRecord[]): ResultsDoc[] {
  return runs.filter((r) => r.doc && (r.status === 'done' || r.status === 'shared')).map((r) => r.doc!);
}
