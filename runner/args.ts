// The headless runner's command line: its flags (node:util's parseArgs
// splits them; the rules and messages are ours) and its help text. Every
// problem is a UsageError with one line that names it; the CLI exits 2 on
// those.
import { parseArgs } from 'node:util';

export class UsageError extends Error {
  override name = 'UsageError';
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
} as const;
export type SizeFlag = keyof typeof SIZE_FLAGS;

const BOOLEANS = ['help', 'list', 'fields', 'printLink', 'dryRun', 'verbose', 'plan', 'sample', 'withWeights'] as const;
/** The flags of --sample (runner/sample_text.ts reads them into a request). */
export const SAMPLE_FLAGS = [
  'sampleContext',
  'sampleMode',
  'sampleChars',
  'temperature',
  'topK',
  'sampleSeed',
  'prompt',
] as const;
const STRINGS = [
  'preset',
  'config',
  'url',
  'out',
  'seeds',
  'text',
  'linkBase',
  'plotSize',
  'shard',
  'exportTorch',
  ...SAMPLE_FLAGS,
] as const;
const LISTS = ['plot', 'set'] as const;

/** The command line, read: one field per flag (camelCase), the size flags by flag. */
export type Flags = { [K in (typeof BOOLEANS)[number]]?: true } & {
  [K in (typeof STRINGS)[number]]?: string;
} & { [K in (typeof LISTS)[number]]: string[] } & { sizes: Partial<Record<SizeFlag, string>> };

const flagOf = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const nameOf = (flag: string) => flag.slice(2).replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

const OPTIONS = Object.fromEntries([
  ...BOOLEANS.map((n) => [flagOf(n).slice(2), { type: 'boolean' as const }]),
  ...[...STRINGS, ...LISTS, ...Object.keys(SIZE_FLAGS).map(nameOf)].map((n) => [
    flagOf(n).slice(2),
    { type: 'string' as const },
  ]),
]);

export const HELP = `Usage: npm run experiment -- (--preset NAME | --config FILE.json | --url 'LINK') [options]

Runs an experiment's runs in order in headless Chromium with WebGPU, with a
progress bar per run, then writes the results (the lab's results documents)
and, if asked, its figures. Progress goes to stderr; the summary
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
  --shard K/N          run only shard K of N of the sweep (the experiment's runs x
                       --seeds), cut by estimated cost; each finished run is added
                       to --out at once, and the same command again skips the runs
                       already there. Merge the shards with \`npm run merge\`
  --set KEY=VALUE      any other field, by path or link key, e.g. --set lr=0.01
                       or --set model.positional=alibi; lists by commas (repeatable)
  With --steps below the warm-up, the warm-up shrinks to a tenth of the steps
  unless --set sets it.

Output:
  --out FILE.json      results file (default results.json): a JSON array of
                       results documents, one per run and seed, in run order
  --plot FILE          the figures, FILE ending in .svg or .png (repeatable): the
                       figure that answers the preset's question (e.g. loss at T and
                       at 16x, a dot per seed; for an experiment that is no preset's,
                       loss at T and at the longest length) above the loss-vs-length
                       plot and its legend, in one file
  --plot-size WxH      loss-vs-length plot size in CSS pixels (default 720x420); the
                       answer figure is as wide, its height set by its rows
  --print-link         print a lab link carrying the experiment and its results
  --link-base URL      where the lab is served, for --print-link: e.g. your hosted
                       copy, https://you.github.io/attention-lab/. Default: $LAB_URL,
                       else the project's config.labUrl (set it once for the project
                       with \`npm pkg set config.labUrl=URL\`), else
                       http://localhost:5173/ (the lab of npm start)
  --text FILE          your own text, for runs whose data source is text
  --export-torch DIR   also write each run as a PyTorch program and its weights
                       (model.py, train.py, weights.safetensors, ...; see DIR's
                       README.md): in DIR for one run, in DIR/NN-label/ for
                       several; text runs only (Brown or --text)
  --with-weights       also write each text run's trained weights into --out (float32
                       as base64: about 5.3 bytes a parameter, e.g. 150 KB a run of
                       quick-demo), so the lab continues text with the file's runs

Text (after each run, with its trained weights):
  --sample             continue the same prompt with every run, at each context
                       length, printed one block per run, the lengths side by side
  --sample-context 1,4,16  context lengths as multiples of T (default 1,4,16): the
                       model reads at most this many characters for each new one
  --sample-mode slide|grow  slide (default): the context is a window of that length
                       that slides; grow: that much prompt is read once and the
                       context grows with every character (cached keys and values
                       where the mechanisms allow it, else recomputed: said in the
                       output)
  --sample-chars N     characters to generate at each length (default 200)
  --temperature X      0 is greedy (argmax); default 0.8
  --top-k K            draw from the K most likely characters only (default 0: all)
  --sample-seed N      seed of the draws (default 1): the same seed, the same text
  --prompt TEXT        your prompt (default: a validation passage, cut to each
                       context length, its true continuation printed beside)
  Text runs only (Brown or --text).

Other:
  --list               list the presets, one a line, and exit
  --fields             list every field --set accepts, with bounds, and exit
  --dry-run            check everything and print the runs, without running them
  --plan               print the sweep's id and its grid of (run, seed) pairs with
                       their estimated cost (and, with --shard K/N, every pair's
                       shard and each shard's total), without running anything
  --verbose            show the runner page's console
  --help               this text

Exit status: 0 done; 2 bad flags, preset, config, link, sizes or data (one
line on stderr, nothing written); 1 a run failed, or no browser or WebGPU;
130 interrupted (143 on SIGTERM). Files appear at the output paths only when
every run finished; a failed or interrupted experiment leaves its finished
runs in OUT.partial.json instead. With --shard, OUT always holds the finished
runs (a killed shard leaves a valid file): run the same command to go on.`;

const isSize = (flag: string): flag is SizeFlag => flag in SIZE_FLAGS;
const among = <T extends string>(names: readonly T[], name: string): name is T => names.includes(name as T);

/** argv -> flags. Accepts --flag value and --flag=value. */
export function parseArgv(argv: string[]): Flags {
  const o: Flags = { plot: [], set: [], sizes: {} };
  const { tokens } = parseArgs({ args: argv, options: OPTIONS, strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    const raw = argv[t.index];
    if (t.kind === 'positional' || (t.kind === 'option' && !raw.startsWith('--')))
      throw new UsageError(`unexpected argument '${raw.slice(0, 60)}' (flags start with --; see --help)`);
    const eq = raw.indexOf('=');
    const flag = eq > 0 ? raw.slice(0, eq) : raw;
    const name = nameOf(flag);
    if (t.kind === 'option-terminator' || !Object.hasOwn(OPTIONS, flag.slice(2)))
      throw new UsageError(`unknown flag ${flag.slice(0, 60)} (see --help)`);
    if (among(BOOLEANS, name)) {
      if (t.value !== undefined) throw new UsageError(`${flag} takes no value`);
      o[name] = true;
      continue;
    }
    const value = t.value;
    if (value === undefined || (!t.inlineValue && value.startsWith('--') && value.length > 2))
      throw new UsageError(`${flag} needs a value`);
    if (isSize(flag)) {
      if (flag in o.sizes) throw new UsageError(`${flag} is given twice`);
      o.sizes[flag] = value;
    } else if (among(LISTS, name)) o[name].push(value);
    else if (among(STRINGS, name)) {
      if (name in o) throw new UsageError(`${flag} is given twice`);
      o[name] = value;
    }
  }
  if (o.help || o.list || o.fields) return o;
  const sources = (['preset', 'config', 'url'] as const).filter((k) => k in o);
  if (sources.length === 0)
    throw new UsageError('say what to run: --preset NAME, --config FILE.json or --url LINK (see --list, --help)');
  if (sources.length > 1)
    throw new UsageError(`give one of --preset, --config and --url, not ${sources.map((s) => `--${s}`).join(' and ')}`);
  if (o.seeds !== undefined && '--seed' in o.sizes) throw new UsageError('give --seed or --seeds, not both');
  if (o.shard !== undefined && !/^\d+\/\d+$/.test(o.shard))
    throw new UsageError(`--shard '${o.shard.slice(0, 20)}': write K/N, shard K (from 1) of N, e.g. --shard 2/3`);
  return o;
}
