// The experiment a command line describes: a preset, a config file or a
// share link, with the size flags and --set on top, resolved into every run
// to execute (runs x seeds, in order). Field values are read with the share
// link's decoder (src/experiment/url.ts), after the command line's own
// spellings (commas in lists, yes/no) are brought to the link's; each value
// is checked against its field. Problems are UsageErrors naming them.
import { readFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { applyOverrides, type Experiment, type RunOverrides } from '../src/experiment/experiment';
import { checkValue, FIELD_BY_KEY, FIELD_BY_PATH, type Field, type FieldValue } from '../src/experiment/fields';
import { presetById, presetExperiment, RUNNABLE_PRESETS } from '../src/experiment/presets';
import { DEFAULT_RUN, type RunConfig } from '../src/experiment/run_config';
import { sweepRuns } from '../src/experiment/sweep';
import { decodeExperiment, decodeValue } from '../src/experiment/url';
import { type Flags, SIZE_FLAGS, type SizeFlag, UsageError } from './args';
import { userPath } from './outputs';

const oneLine = (e: unknown) => String(e instanceof Error ? e.message : e).split('\n')[0];

/** A command-line value in the share link's spelling: lists by commas or +, yes/no/on/off for booleans. */
function linkSpelling(f: Field, raw: string): string {
  switch (f.kind.type) {
    case 'int':
    case 'float':
      return raw.trim();
    case 'bool':
      return ['yes', 'on'].includes(raw) ? '1' : ['no', 'off'].includes(raw) ? '0' : raw;
    case 'intList':
    case 'floatList':
    case 'enumList':
      return raw.trim() === ''
        ? ''
        : raw
            .split(/[,+]/)
            .map((x) => x.trim())
            .join('+');
    default:
      return raw;
  }
}

/** A command-line value -> the field's value, checked; `name` is how the message names it. */
function fieldValue(name: string, f: Field, raw: string): FieldValue {
  const v = decodeValue(f, linkSpelling(f, raw));
  const err = checkValue(f, v ?? raw);
  if (err) throw new UsageError(`${name} ${JSON.stringify(raw.slice(0, 40))}: ${err}`);
  return v!;
}

/** The command line's field overrides (path -> value), each checked against its field. */
export function cliOverrides(o: Flags): RunOverrides {
  const over: RunOverrides = {};
  for (const [flag, raw] of Object.entries(o.sizes) as [SizeFlag, string][]) {
    const f = FIELD_BY_PATH.get(SIZE_FLAGS[flag])!;
    over[f.path] = fieldValue(flag, f, raw);
  }
  for (const s of o.set) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${JSON.stringify(s.slice(0, 40))}: write KEY=VALUE`);
    const key = s.slice(0, eq);
    const f = FIELD_BY_PATH.get(key) ?? FIELD_BY_KEY.get(key);
    if (!f) throw new UsageError(`--set: unknown field '${key.slice(0, 40)}' (see --fields)`);
    over[f.path] = fieldValue(`--set ${key}`, f, s.slice(eq + 1));
  }
  return over;
}

export function parseSeeds(raw: string): number[] {
  const f = FIELD_BY_PATH.get('seed')!;
  const parts = raw.split(',').map((x) => x.trim());
  const seeds = parts.map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));
  for (const [i, s] of seeds.entries()) {
    const err = checkValue(f, s);
    if (err) throw new UsageError(`--seeds: '${parts[i].slice(0, 20)}' is not a seed (${err})`);
  }
  if (seeds.length > 16) throw new UsageError(`--seeds lists ${seeds.length} seeds; at most 16`);
  if (new Set(seeds).size !== seeds.length) throw new UsageError('--seeds lists a seed twice');
  return seeds;
}

/** Nested or dotted object -> field path -> value; unknown paths are errors. */
function flatten(obj: unknown, where: string, prefix = '', out: RunOverrides = {}): RunOverrides {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new UsageError(`${where} must be an object`);
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (FIELD_BY_PATH.has(path)) out[path] = v;
    else if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      [...FIELD_BY_PATH.keys()].some((p) => p.startsWith(`${path}.`))
    )
      flatten(v, where, path, out);
    else throw new UsageError(`${where}: unknown field '${path.slice(0, 60)}'`);
  }
  return out;
}

const codeOf = (e: unknown) => (e as NodeJS.ErrnoException).code ?? oneLine(e);

function experimentFromConfig(file: string): Experiment {
  let text: string;
  try {
    text = readFileSync(userPath(file), 'utf8');
  } catch (e) {
    throw new UsageError(`--config ${file}: cannot read it (${codeOf(e)})`);
  }
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${file}: not valid JSON (${oneLine(e)})`);
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj))
    throw new UsageError(`--config ${file}: expected an object with "base" and "runs"`);
  const spec = obj as { label?: unknown; base?: unknown; runs?: unknown };
  const extra = Object.keys(spec).filter((k) => !['label', 'base', 'runs'].includes(k));
  if (extra.length)
    throw new UsageError(`--config ${file}: unknown key '${extra[0].slice(0, 40)}' (expected label, base, runs)`);
  if (spec.label !== undefined && typeof spec.label !== 'string')
    throw new UsageError(`--config ${file}: "label" must be text`);
  if (spec.runs !== undefined && (!Array.isArray(spec.runs) || spec.runs.length === 0))
    throw new UsageError(`--config ${file}: "runs" must be a non-empty list`);
  try {
    const base = applyOverrides(DEFAULT_RUN, flatten(spec.base ?? {}, `--config ${file}: base`));
    const runs = ((spec.runs as unknown[] | undefined) ?? [{}]).map((r, i) =>
      flatten(r, `--config ${file}: run ${i + 1}`),
    );
    return { label: (spec.label ?? basename(file, extname(file))).slice(0, 120), base, runs };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--config ${file}: ${oneLine(e)}`);
  }
}

/** The parameter part of a share link: its #fragment, else its ?query, else the text itself. */
export function linkParams(link: string): string {
  try {
    const u = new URL(link);
    return u.hash.length > 1 ? u.hash.slice(1) : u.search.slice(1);
  } catch {
    return link.replace(/^.*?[#?]/, '');
  }
}

function experimentFromLink(link: string, warn: (msg: string) => void): Experiment {
  const d = decodeExperiment(linkParams(link));
  // The lab opens a link whatever it holds, keeping defaults; a headless run of a misread experiment would waste
  // hours, so any problem is fatal here.
  if (d.problems.length) {
    const more = d.problems.length > 1 ? ` (and ${d.problems.length - 1} more)` : '';
    throw new UsageError(`--url: ${d.problems[0].replace(/; kept the (default|base value)$/, '')}${more}`);
  }
  if (d.results) warn('the link carries results; they are ignored and the experiment is run again');
  if (d.teacher) warn('the link is a teacher link; its locks are ignored here');
  return d.experiment;
}

export interface BuiltExperiment {
  /** The experiment (for links) with the command line applied. */
  experiment: Experiment;
  /** Every run to execute, in order: a full validated run config with a label. */
  runs: RunConfig[];
  /** --seeds, when given. */
  seeds: number[] | null;
}

/** Flags -> the experiment and every run to execute (runs x seeds, in order). */
export function buildExperiment(o: Flags, warn: (msg: string) => void): BuiltExperiment {
  let e: Experiment;
  if (o.preset !== undefined) {
    const p = presetById(o.preset);
    if (!p)
      throw new UsageError(
        `unknown preset '${o.preset.slice(0, 40)}' (one of: ${RUNNABLE_PRESETS.map((x) => x.id).join(', ')})`,
      );
    e = presetExperiment(p);
  } else if (o.config !== undefined) e = experimentFromConfig(o.config);
  else e = experimentFromLink(o.url!, warn);
  const over = cliOverrides(o);
  const seeds = o.seeds !== undefined ? parseSeeds(o.seeds) : null;
  if (seeds) over.seed = seeds[0];
  // The command line wins over the preset's runs too: those paths move to the base.
  e.runs = e.runs.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !(k in over))));
  try {
    e.base = applyOverrides(e.base, over);
  } catch (err) {
    throw new UsageError(oneLine(err));
  }
  if ('train.steps' in over && !('train.warmupSteps' in over) && e.base.train.warmupSteps > e.base.train.steps) {
    e.base.train.warmupSteps = Math.floor(e.base.train.steps / 10);
  }
  // The runs are the sweep's grid (src/experiment/sweep.ts): every run once per seed, in order.
  let runs: RunConfig[];
  try {
    runs = sweepRuns(e, seeds);
  } catch (err) {
    throw new UsageError(oneLine(err));
  }
  return { experiment: e, runs, seeds };
}
