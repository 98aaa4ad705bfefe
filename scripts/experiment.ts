#!/usr/bin/env node
// `npm run experiment -- --preset NAME [options]`: the headless runner. Runs
// an experiment's runs in order in headless Chromium with WebGPU (the page
// runner/run.html, served by Vite), shows a progress bar per run, and writes
// the results documents and the loss-vs-length plot. `--help` for the flags.
// Input problems exit 2 with one line. Output files appear (by rename) only
// when every run finished; a failed or interrupted experiment writes its
// finished runs to OUT.partial.json instead, never to the output paths.
// TypeScript run by Node through tsx (`node --import tsx`, see package.json).
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright';
import type { ViteDevServer } from 'vite';
import { HELP, parseArgv, UsageError } from '../runner/args';
import { type BuiltExperiment, buildExperiment } from '../runner/experiment_from_flags';
import { checkTorchExport, runFolder, writeTorchExport } from '../runner/export_torch';
import { checkOutputs, type Outputs } from '../runner/outputs';
import { duration, RunBar, summaryTable } from '../runner/progress';
import type { WireFile } from '../runner/run';
import { formatSamples, sampleRequestOf } from '../runner/sample_text';
import { dropStaleTemps, planText, type ShardJob, shardJob } from '../runner/shard';
import { parseResults, type ResultsDoc } from '../src/eval/results';
import type { Experiment } from '../src/experiment/experiment';
import { FIELDS, type FieldKind } from '../src/experiment/fields';
import { sealLink } from '../src/experiment/link_check';
import { RUNNABLE_PRESETS } from '../src/experiment/presets';
import { linkJson, linkWithResults } from '../src/experiment/results_link';
import type { RunConfig } from '../src/experiment/run_config';
import { MAX_LINK_CHARS } from '../src/experiment/url';
import type { SampleRequest } from '../src/sample/request';

const ROOT = resolve(import.meta.dirname, '..');
let interrupted = false;
// After Ctrl-C, closing the browser fails whatever was waiting on it: not worth a line.
const err = (msg: string) => interrupted || process.stderr.write(`experiment: ${msg}\n`);
const warn = (msg: string) => process.stderr.write(`experiment: warning: ${msg}\n`);
const firstLine = (e: unknown) =>
  String(e instanceof Error ? e.message : e)
    .replace(/^(page|locator)\.\w+: /, '')
    .split('\n')[0];

const temps = new Set<string>();
/** Writes via a temp file in the same folder, renamed over `path` only by commit(). */
function staged(path: string) {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}${extname(path)}`);
  temps.add(tmp);
  return {
    tmp,
    commit() {
      renameSync(tmp, path);
      temps.delete(tmp);
    },
  };
}
const dropTemps = () => {
  for (const t of temps) rmSync(t, { force: true });
  temps.clear();
};

/** Finished runs' documents, and where they would go if the experiment stops early. */
const finished: { docs: ResultsDoc[]; out: string | null } = { docs: [], out: null };
/** With --shard: where the finished runs already are, said when the shard stops early. */
let resumeNote = '';
/** A failed or interrupted experiment keeps its finished runs beside --out, never at it. */
function savePartial(): string {
  if (!finished.docs.length || !finished.out) return '';
  const p = finished.out.replace(/(\.json)?$/i, '.partial.json');
  try {
    const s = staged(p);
    writeFileSync(s.tmp, `${JSON.stringify(finished.docs, null, 2)}\n`);
    s.commit();
    const n = finished.docs.length;
    return `; the ${n} finished run${n === 1 ? ' is' : 's are'} in ${p}`;
  } catch {
    return '';
  }
}

let server: ViteDevServer | null = null;
let browser: Browser | null = null;
async function shutdown() {
  dropTemps();
  await browser?.close().catch(() => {});
  await server?.close().catch(() => {});
  browser = server = null;
}

function listPresets() {
  const w = Math.max(...RUNNABLE_PRESETS.map((p) => p.id.length));
  for (const p of RUNNABLE_PRESETS)
    console.log(
      `${p.id.padEnd(w)}  ${String(p.runs.length).padStart(2)} run${p.runs.length === 1 ? ' ' : 's'}  ${p.title}`,
    );
}

function listFields() {
  const kind = (k: FieldKind) =>
    k.type === 'int' || k.type === 'float'
      ? `${k.type} ${k.min}..${k.max}`
      : k.type === 'enum'
        ? k.values.join('|')
        : k.type === 'enumList'
          ? `list of ${k.values.join('|')}`
          : k.type === 'intList' || k.type === 'floatList'
            ? `list of ${k.type.slice(0, -4)} ${k.min}..${k.max}`
            : k.type;
  // Values last: the mechanism lists are long.
  const rows = FIELDS.map((f) => [f.path, f.key, JSON.stringify(f.default), f.label, kind(f.kind)]);
  const w = [0, 1, 2, 3].map((j) => Math.max(...rows.map((r) => r[j].length)));
  console.log(
    ['path'.padEnd(w[0]), 'key'.padEnd(w[1]), 'default'.padEnd(w[2]), 'label'.padEnd(w[3]), 'values'].join('  '),
  );
  for (const r of rows) console.log(r.map((c, j) => (j < 4 ? c.padEnd(w[j]) : c)).join('  '));
}

function describeRun(r: RunConfig): string {
  const m = r.model;
  const data = r.data.source === 'task' ? `task ${r.data.task}` : r.data.source;
  return (
    `${m.nLayer} layers x ${m.nEmbd} wide, ${m.nHead} heads, ${m.mechanism}/${m.pattern}/${m.positional}; ` +
    `${r.train.steps} steps of ${r.train.batchSize} x ${r.train.seqLen}; ` +
    `eval at ${r.eval.factors.join(' ')}x on ${r.eval.windows} windows; ${data}`
  );
}

async function shareLink(experiment: Experiment, docs: ResultsDoc[], base: string): Promise<string> {
  // The lab's own encoding (results at LINK_DIGITS digits) and integrity check, so a cut link is refused whole.
  const q = await linkWithResults(experiment, null, docs);
  const res = q.get('res');
  // The lab refuses links past MAX_LINK_CHARS and results that inflate past 5 MB (decompressText's limit).
  if (res !== null && (linkJson(docs).length > 5_000_000 || q.toString().length > MAX_LINK_CHARS)) {
    warn(
      `the results are too large for a link (${(res.length / 1e6).toFixed(1)} M characters compressed); ` +
        'the link carries the experiment only: import the results file instead',
    );
    q.delete('res');
  }
  return `${base}#${sealLink(q).toString()}`;
}

async function openRunner(verbose: boolean, onLine: (line: string) => void): Promise<Page> {
  // Loaded only to run: Vite and Playwright take seconds to load, --help and --dry-run do not need them.
  const { createRunnerServer, launchChromium, openRunnerPage } = await import('./browser.mjs');
  server = await createRunnerServer(ROOT);
  // Signals are ours (save finished runs, then close the browser), not Playwright's.
  browser = await launchChromium({ handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false });
  return openRunnerPage(browser, server, { onLine, verbose });
}

/** Runs the job's runs in the page, in order; returns the exit code. */
async function runAll(
  built: BuiltExperiment,
  job: ShardJob,
  outs: Outputs,
  allNames: string[],
  verbose: boolean,
  torchDir: string | null,
  sampling: SampleRequest | null,
  withWeights = false,
): Promise<number> {
  const { experiment } = built;
  const exports: WireFile[][] = [];
  const samples: string[] = [];
  const runs = job.todo.map((i) => built.runs[i]);
  const names = job.todo.map((i) => allNames[i]);
  const t0 = Date.now();
  let bar: RunBar | null = null;
  const onLine = (l: string) => (bar ? bar.note(l) : process.stderr.write(`${l}\n`));
  let page: Page;
  try {
    page = await openRunner(verbose, onLine);
  } catch (e) {
    return (err(firstLine(e)), 1);
  }
  await page.exposeFunction('__progress', (p: Parameters<RunBar['update']>[0]) => bar?.update(p));
  const adapter = await page.evaluate(() => window.__runner!.init()).catch((e: Error) => e);
  if (adapter instanceof Error) return (err(`no WebGPU device: ${firstLine(adapter)}`), 1);
  // Every run's config, data and fit on this device, before the first one trains.
  const problem = await page.evaluate(([rs, text]) => window.__runner!.check(rs, text), [runs, outs.text] as const);
  if (problem) return (err(problem), 2);
  const what = `${runs.length} run${runs.length === 1 ? '' : 's'}`;
  const part = job.resumable
    ? `shard ${job.shard.join('/')} of sweep ${job.sweep.id}, ${what}` +
      (job.kept.length ? ` (${job.kept.length} more already in ${outs.out})` : '')
    : what;
  process.stderr.write(`${experiment.label}: ${part} on ${adapter}\n`);

  const docs = finished.docs;
  // With --shard, --out holds every finished run at once (by rename: a killed shard leaves a valid file).
  const shardDocs = () => [...job.kept, ...docs].sort((a, b) => a.sweep!.pair - b.sweep!.pair);
  const writeOut = () => {
    const s = staged(outs.out);
    writeFileSync(s.tmp, `${JSON.stringify(shardDocs(), null, 2)}\n`);
    s.commit();
  };
  finished.out = job.resumable ? null : outs.out;
  for (const [i, run] of runs.entries()) {
    bar = new RunBar(process.stderr, names[i]);
    try {
      const doc = parseResults(
        await page.evaluate(([r, text, ex]) => window.__runner!.run(r, text, ex), [
          run,
          outs.text,
          !!torchDir,
        ] as const),
      );
      if (torchDir) exports.push((await page.evaluate(() => window.__runner!.takeExport())) ?? []);
      // --with-weights: the block rides in the document (the file's schema reads it; parseResults drops it).
      if (withWeights && run.data.source !== 'task')
        Object.assign(doc, { weights: await page.evaluate((d) => window.__runner!.weights(d), doc) });
      if (sampling) {
        bar.note('continuing the prompt with the trained weights');
        const result = await page.evaluate((q) => window.__runner!.sample(q), sampling);
        samples.push(formatSamples(names[i], result, Math.max(80, process.stdout.columns ?? 120)));
      }
      bar.done(doc);
      docs.push({ ...doc, sweep: job.tag(job.todo[i]) });
      if (job.resumable) {
        writeOut();
        const n = job.kept.length + docs.length;
        const are = n === 1 ? ' is' : 's are';
        resumeNote = `; the ${n} finished run${are} in ${outs.out}: run the same command to go on`;
      }
    } catch (e) {
      bar.fail();
      bar = null;
      const kept = job.resumable ? resumeNote : savePartial();
      return (err(`${names[i]} failed: ${firstLine(e)}${interrupted ? '' : kept}`), 1);
    }
  }
  bar = null;
  finished.out = null;
  if (job.resumable) finished.docs = shardDocs();

  // Everything ran: stage every file, then rename them all.
  const files: [ReturnType<typeof staged>, string][] = [];
  const json = staged(outs.out);
  writeFileSync(json.tmp, `${JSON.stringify(finished.docs, null, 2)}\n`);
  files.push([json, outs.out]);
  for (const p of outs.plots) {
    const svg = await page.evaluate(([d, w, h, title]) => window.__runner!.plot(d, w, h, title), [
      finished.docs,
      ...outs.size,
      experiment.label,
    ] as const);
    const s = staged(p);
    if (extname(p).toLowerCase() === '.svg') writeFileSync(s.tmp, `${svg}\n`);
    else await page.locator('#plot > svg').screenshot({ path: s.tmp });
    files.push([s, p]);
  }
  for (const [s] of files) s.commit();
  if (torchDir) {
    const folders = exports.map((f, i) => {
      const folder = runFolder(torchDir, i, exports.length, runs[i].label || runs[i].model.mechanism);
      const kb = writeTorchExport(folder, f) / 1024;
      return `${folder} (${kb.toFixed(0)} KB)`;
    });
    console.log(`PyTorch export: ${folders.join(', ')}`);
  }

  console.log(summaryTable(finished.docs));
  for (const s of samples) console.log(`\n${s}\n`);
  const wrote = files.map(([, p]) => p).join(', ');
  console.log(
    `${runs.length} run${runs.length === 1 ? '' : 's'} in ${duration((Date.now() - t0) / 1000)}` +
      `${job.kept.length ? ` (${job.kept.length} already there)` : ''}; wrote ${wrote}`,
  );
  return 0;
}

async function main(argv: string[]): Promise<number> {
  let built: BuiltExperiment;
  let outs: Outputs;
  let job: ShardJob;
  let verbose = false;
  let printLink = false;
  let dryRun = false;
  let withWeights = false;
  let torchDir: string | null = null;
  let sampling: SampleRequest | null = null;
  try {
    const o = parseArgv(argv);
    if (o.help) return (console.log(HELP), 0);
    if (o.list) return (listPresets(), 0);
    if (o.fields) return (listFields(), 0);
    ({ verbose = false, printLink = false, dryRun = false, withWeights = false } = o);
    built = buildExperiment(o, warn);
    outs = checkOutputs(o);
    job = shardJob(built, o, outs.out, outs.text, argv);
    torchDir = checkTorchExport(o.exportTorch, built.runs);
    sampling = sampleRequestOf(o);
    const task = built.runs.findIndex((r) => r.data.source === 'task');
    if (sampling && task >= 0) throw new UsageError(`--sample continues text; run ${task + 1} trains on a task`);
    if (o.plan) return (console.log(planText(job)), 0);
  } catch (e) {
    if (e instanceof UsageError) return (err(e.message), 2);
    throw e;
  }
  const { experiment, runs } = built;
  const names = runs.map((r, i) => `run ${i + 1}/${runs.length} ${r.label}${built.seeds ? ` (seed ${r.seed})` : ''}`);
  if (!job.mine.length) {
    // More shards than runs: this one has none (every run is in another shard), and says so in an empty file.
    const s = staged(outs.out);
    writeFileSync(s.tmp, '[]\n');
    s.commit();
    const P = runs.length;
    const what = outs.plots.length ? '; no plot drawn' : '';
    console.log(`shard ${job.shard.join('/')} has no runs (the sweep has ${P}); wrote ${outs.out}${what}`);
    return 0;
  }
  if (job.resumable) {
    dropStaleTemps(outs.out);
    if (job.kept.length) resumeNote = `; the finished runs are in ${outs.out}: run the same command to go on`;
    for (const d of job.kept) process.stderr.write(`skipping ${names[d.sweep!.pair]}: already in ${outs.out}\n`);
  }
  if (dryRun) {
    console.log(`${experiment.label}: ${job.todo.length} run${job.todo.length === 1 ? '' : 's'}`);
    for (const i of job.todo) console.log(`${names[i]}: ${describeRun(runs[i])}`);
    if (printLink) console.log(await shareLink(experiment, [], outs.linkBase));
    return 0;
  }
  const code = await runAll(built, job, outs, names, verbose, torchDir, sampling, withWeights);
  if (code === 0 && printLink) console.log(await shareLink(experiment, finished.docs, outs.linkBase));
  return code;
}

// `| head` closing stdout early is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' ? process.exit(0) : undefined));

let signalCode = 0;
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
  ['SIGHUP', 129],
] as const)
  process.on(signal, () => {
    if (interrupted) process.exit(code);
    interrupted = true;
    signalCode = code;
    const kept = resumeNote || savePartial();
    const what = resumeNote ? '' : '; nothing written at the output paths';
    process.stderr.write(`\nexperiment: interrupted${what}${kept}\n`);
    shutdown().finally(() => process.exit(code));
  });

let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (e) {
  err(firstLine(e));
  code = 1;
} finally {
  await shutdown();
}
process.exit(interrupted ? signalCode : code!);
