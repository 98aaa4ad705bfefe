// The headless runner's command line: flags, help text, and the experiment
// they describe (a preset, a config file or a share link, with sizes from the
// command line on top). Every problem is a UsageError with one line that
// names it; the CLI exits 2 on those. The experiment modules are TypeScript,
// so the CLI loads them through Vite and passes them in as `lib`.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';

/** Where relative paths start: the user's folder (npm runs scripts from the project root and says where it was started in INIT_CWD). */
export const userPath = (p) => resolve(process.env.INIT_CWD || process.cwd(), p);

export class UsageError extends Error {
  name = 'UsageError';
}

/** Size flags: flag -> field path in the run config (bounds come from the field table). */
export const SIZE_FLAGS = {
  '--steps': 'train.steps',
  '--seed': 'seed',
  '--batch': 'train.batchSize',
  '--seq-len': 'train.seqLen',
  '--layers': 'model.nLayer',
  '--width': 'model.nEmbd',
  '--heads': 'model.nHead',
  '--factors': 'eval.factors',
  '--windows': 'eval.windows',
};

const VALUE_FLAGS = new Set([
  '--preset',
  '--config',
  '--url',
  '--out',
  '--plot',
  '--seeds',
  '--set',
  '--text',
  '--link-base',
  '--plot-size',
  ...Object.keys(SIZE_FLAGS),
]);
const BOOL_FLAGS = new Set(['--help', '--list', '--fields', '--print-link', '--dry-run', '--verbose']);
const REPEATABLE = new Set(['--plot', '--set']);

export const HELP = `Usage: npm run experiment -- (--preset NAME | --config FILE.json | --url 'LINK') [options]

Runs an experiment's runs in order in headless Chromium with WebGPU, with a
progress bar per run, then writes the results (the lab's results documents)
and, if asked, the loss-vs-length plot. Progress goes to stderr; the summary
table and the link to stdout. Paths are relative to the folder npm was run from.

What to run (exactly one):
  --preset NAME        a classroom preset (see --list)
  --config FILE.json   an experiment file: {"label": "...", "base": {...}, "runs": [{...}, ...]}
                       base: a (partial) run config, nested or by field path;
                       runs: per-run overrides by field path, e.g. {"model.mechanism": "lssa"}
  --url 'LINK'         a share link from the lab (quote it); any field the link
                       cannot carry is an error here, and results in it are ignored

Sizes (override the preset or file, for every run):
  --steps N            training steps               (train.steps)
  --seed N             seed                         (seed)
  --batch N            batch size                   (train.batchSize)
  --seq-len N          training length T            (train.seqLen)
  --layers N           layers                       (model.nLayer)
  --width N            model width                  (model.nEmbd)
  --heads N            heads                        (model.nHead)
  --factors 1,2,4      evaluation lengths, as multiples of T (eval.factors)
  --windows N          validation windows per length (eval.windows)
  --seeds 1,2,3        run every run once per seed (mean and spread in the plot);
                       not with --seed
  --set KEY=VALUE      any other field, by path or link key, e.g. --set lr=0.01
                       or --set model.positional=alibi; lists by commas (repeatable)
  With --steps below the warm-up, the warm-up shrinks to a tenth of the steps
  unless --set sets it.

Output:
  --out FILE.json      results file (default results.json): a JSON array of
                       results documents, one per run and seed, in run order
  --plot FILE          loss-vs-length plot, FILE ending in .svg or .png (repeatable)
  --plot-size WxH      plot size in CSS pixels (default 720x420)
  --print-link         print a lab link carrying the experiment and its results
  --link-base URL      where the lab is served (default http://localhost:5173/)
  --text FILE          your own text, for runs whose data source is text

Other:
  --list               list the presets, one a line, and exit
  --fields             list every field --set accepts, with bounds, and exit
  --dry-run            check everything and print the runs, without running them
  --verbose            show the runner page's console
  --help               this text

Exit status: 0 done; 2 bad flags, preset, config, link, sizes or data (one
line on stderr, nothing written); 1 a run failed, or no browser or WebGPU;
130 interrupted (143 on SIGTERM). Files appear at the output paths only when
every run finished; a failed or interrupted experiment leaves its finished
runs in OUT.partial.json instead.`;

/** argv -> flags. Accepts --flag value and --flag=value. */
export function parseArgv(argv) {
  const o = { plot: [], set: [], sizes: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--'))
      throw new UsageError(`unexpected argument '${a.slice(0, 60)}' (flags start with --; see --help)`);
    const eq = a.indexOf('=');
    const flag = eq > 0 ? a.slice(0, eq) : a;
    if (BOOL_FLAGS.has(flag)) {
      if (eq > 0) throw new UsageError(`${flag} takes no value`);
      o[flag.slice(2).replace(/-(\w)/g, (_, c) => c.toUpperCase())] = true;
      continue;
    }
    if (!VALUE_FLAGS.has(flag)) throw new UsageError(`unknown flag ${flag.slice(0, 60)} (see --help)`);
    let value;
    if (eq > 0) value = a.slice(eq + 1);
    else {
      value = argv[++i];
      if (value === undefined || (value.startsWith('--') && value.length > 2))
        throw new UsageError(`${flag} needs a value`);
    }
    if (flag in SIZE_FLAGS) {
      if (flag in o.sizes) throw new UsageError(`${flag} is given twice`);
      o.sizes[flag] = value;
      continue;
    }
    const key = flag.slice(2).replace(/-(\w)/g, (_, c) => c.toUpperCase());
    if (REPEATABLE.has(flag)) o[key].push(value);
    else if (key in o) throw new UsageError(`${flag} is given twice`);
    else o[key] = value;
  }
  if (o.help || o.list || o.fields) return o;
  const sources = ['preset', 'config', 'url'].filter((k) => k in o);
  if (sources.length === 0)
    throw new UsageError('say what to run: --preset NAME, --config FILE.json or --url LINK (see --list, --help)');
  if (sources.length > 1)
    throw new UsageError(`give one of --preset, --config and --url, not ${sources.map((s) => `--${s}`).join(' and ')}`);
  if (o.seeds !== undefined && '--seed' in o.sizes) throw new UsageError('give --seed or --seeds, not both');
  return o;
}

/** A command-line value -> the field's type (lists by commas or +). */
function parseFieldValue(f, raw) {
  const num = (x) => (/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(x.trim()) ? Number(x) : NaN);
  const list = () => (raw.trim() === '' ? [] : raw.split(/[,+]/).map((x) => x.trim()));
  switch (f.kind.type) {
    case 'int':
    case 'float':
      return num(raw);
    case 'bool':
      return ['1', 'true', 'yes', 'on'].includes(raw) ? true : ['0', 'false', 'no', 'off'].includes(raw) ? false : raw;
    case 'enum':
    case 'string':
      return raw;
    case 'intList':
    case 'floatList':
      return list().map(num);
    case 'enumList':
      return list();
  }
}

/** The command line's field overrides (path -> value), each checked against its field. */
export function cliOverrides(o, lib) {
  const over = {};
  const put = (name, f, raw) => {
    const v = parseFieldValue(f, raw);
    const err = lib.checkValue(f, v);
    if (err) throw new UsageError(`${name} ${JSON.stringify(raw.slice(0, 40))}: ${err}`);
    over[f.path] = v;
  };
  for (const [flag, raw] of Object.entries(o.sizes)) put(flag, lib.FIELD_BY_PATH.get(SIZE_FLAGS[flag]), raw);
  for (const s of o.set) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${JSON.stringify(s.slice(0, 40))}: write KEY=VALUE`);
    const key = s.slice(0, eq);
    const f = lib.FIELD_BY_PATH.get(key) ?? lib.FIELD_BY_KEY.get(key);
    if (!f) throw new UsageError(`--set: unknown field '${key.slice(0, 40)}' (see --fields)`);
    put(`--set ${key}`, f, s.slice(eq + 1));
  }
  return over;
}

export function parseSeeds(raw, lib) {
  const f = lib.FIELD_BY_PATH.get('seed');
  const parts = raw.split(',').map((x) => x.trim());
  const seeds = parts.map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));
  for (const [i, s] of seeds.entries())
    if (lib.checkValue(f, s))
      throw new UsageError(`--seeds: '${parts[i].slice(0, 20)}' is not a seed (${lib.checkValue(f, s)})`);
  if (seeds.length > 16) throw new UsageError(`--seeds lists ${seeds.length} seeds; at most 16`);
  if (new Set(seeds).size !== seeds.length) throw new UsageError('--seeds lists a seed twice');
  return seeds;
}

const oneLine = (e) => String(e instanceof Error ? e.message : e).split('\n')[0];

/** Nested or dotted object -> field path -> value; unknown paths are errors. */
function flatten(obj, where, lib, prefix = '', out = {}) {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw new UsageError(`${where} must be an object`);
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k;
    if (lib.FIELD_BY_PATH.has(path)) out[path] = v;
    else if (
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      [...lib.FIELD_BY_PATH.keys()].some((p) => p.startsWith(`${path}.`))
    )
      flatten(v, where, lib, path, out);
    else throw new UsageError(`${where}: unknown field '${path.slice(0, 60)}'`);
  }
  return out;
}

function experimentFromConfig(file, lib) {
  let text;
  try {
    text = readFileSync(userPath(file), 'utf8');
  } catch (e) {
    throw new UsageError(`--config ${file}: cannot read it (${e.code ?? oneLine(e)})`);
  }
  let obj;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${file}: not valid JSON (${oneLine(e)})`);
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj))
    throw new UsageError(`--config ${file}: expected an object with "base" and "runs"`);
  const extra = Object.keys(obj).filter((k) => !['label', 'base', 'runs'].includes(k));
  if (extra.length)
    throw new UsageError(`--config ${file}: unknown key '${extra[0].slice(0, 40)}' (expected label, base, runs)`);
  if (obj.label !== undefined && typeof obj.label !== 'string')
    throw new UsageError(`--config ${file}: "label" must be text`);
  if (obj.runs !== undefined && (!Array.isArray(obj.runs) || obj.runs.length === 0))
    throw new UsageError(`--config ${file}: "runs" must be a non-empty list`);
  try {
    const base = lib.applyOverrides(lib.DEFAULT_RUN, flatten(obj.base ?? {}, `--config ${file}: base`, lib));
    const runs = (obj.runs ?? [{}]).map((r, i) => flatten(r, `--config ${file}: run ${i + 1}`, lib));
    return { label: (obj.label ?? basename(file, extname(file))).slice(0, 120), base, runs };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--config ${file}: ${oneLine(e)}`);
  }
}

/** The parameter part of a share link: its #fragment, else its ?query, else the text itself. */
export function linkParams(link) {
  try {
    const u = new URL(link);
    return u.hash.length > 1 ? u.hash.slice(1) : u.search.slice(1);
  } catch {
    return link.replace(/^.*?[#?]/, '');
  }
}

function experimentFromLink(link, lib, warn) {
  const d = lib.decodeExperiment(linkParams(link));
  // The lab opens a link whatever it holds, keeping defaults; a headless run of a misread experiment would waste hours,
  // so any problem is fatal here.
  if (d.problems.length)
    throw new UsageError(
      `--url: ${d.problems[0].replace(/; kept the (default|base value)$/, '')}${d.problems.length > 1 ? ` (and ${d.problems.length - 1} more)` : ''}`,
    );
  if (d.results) warn('the link carries results; they are ignored and the experiment is run again');
  if (d.teacher) warn('the link is a teacher link; its locks are ignored here');
  return d.experiment;
}

/**
 * Flags -> { experiment, runs }: the experiment (for links) with the command
 * line applied, and every run to execute (runs x seeds, in order), each a full
 * validated run config with a label.
 */
export function buildExperiment(o, lib, warn) {
  let e;
  if (o.preset !== undefined) {
    const p = lib.presetById(o.preset);
    if (!p)
      throw new UsageError(
        `unknown preset '${o.preset.slice(0, 40)}' (one of: ${lib.PRESETS.map((x) => x.id).join(', ')})`,
      );
    e = lib.presetExperiment(p);
  } else if (o.config !== undefined) e = experimentFromConfig(o.config, lib);
  else e = experimentFromLink(o.url, lib, warn);
  const over = cliOverrides(o, lib);
  const seeds = o.seeds !== undefined ? parseSeeds(o.seeds, lib) : null;
  if (seeds) over.seed = seeds[0];
  // The command line wins over the preset's runs too: those paths move to the base.
  e.runs = e.runs.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !(k in over))));
  try {
    e.base = lib.applyOverrides(e.base, over);
  } catch (err) {
    throw new UsageError(oneLine(err));
  }
  if ('train.steps' in over && !('train.warmupSteps' in over) && e.base.train.warmupSteps > e.base.train.steps) {
    e.base.train.warmupSteps = Math.floor(e.base.train.steps / 10);
  }
  let resolved;
  try {
    resolved = lib.resolveRuns(e);
  } catch (err) {
    throw new UsageError(oneLine(err));
  }
  const labelled = resolved.map((r, i) => ({ ...r, label: r.label || lib.runLabel(e, i).slice(0, 80) }));
  const runs = labelled.flatMap((r) => (seeds ?? [r.seed]).map((seed) => ({ ...r, seed })));
  return { experiment: e, runs, seeds };
}

/** Output paths: the directory must exist and be writable; plots end in .svg or .png. */
export function checkOutputs(o) {
  const out = userPath(o.out ?? 'results.json');
  const plots = o.plot.map((p) => userPath(p));
  for (const [flag, p] of [['--out', out], ...plots.map((p) => ['--plot', p])]) {
    if (existsSync(p) && statSync(p).isDirectory()) throw new UsageError(`${flag} ${p} is a directory`);
    const dir = dirname(p);
    if (!existsSync(dir)) throw new UsageError(`${flag} ${p}: the folder ${dir} does not exist`);
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      throw new UsageError(`${flag} ${p}: the folder ${dir} is not writable`);
    }
  }
  for (const p of plots)
    if (!['.svg', '.png'].includes(extname(p).toLowerCase()))
      throw new UsageError(`--plot ${p}: the name must end in .svg or .png`);
  if (new Set([out, ...plots]).size !== plots.length + 1)
    throw new UsageError('--out and --plot name the same file twice');
  let size = [720, 420];
  if (o.plotSize !== undefined) {
    const m = /^(\d{2,4})x(\d{2,4})$/.exec(o.plotSize);
    if (!m || +m[1] < 200 || +m[2] < 120)
      throw new UsageError(
        `--plot-size '${o.plotSize.slice(0, 20)}': write WIDTHxHEIGHT, at least 200x120, e.g. 720x420`,
      );
    size = [+m[1], +m[2]];
  }
  let linkBase = 'http://localhost:5173/';
  if (o.linkBase !== undefined) {
    try {
      const u = new URL(o.linkBase);
      u.hash = '';
      linkBase = u.toString();
    } catch {
      throw new UsageError(`--link-base '${o.linkBase.slice(0, 60)}' is not a URL`);
    }
  }
  let text = null;
  if (o.text !== undefined) {
    try {
      text = readFileSync(userPath(o.text), 'utf8');
    } catch (e) {
      throw new UsageError(`--text ${o.text}: cannot read it (${e.code ?? oneLine(e)})`);
    }
  }
  return { out, plots, size, linkBase, text };
}
