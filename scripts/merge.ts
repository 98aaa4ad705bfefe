#!/usr/bin/env node
// `npm run merge -- --out FILE IN...`: merges the results files of a sweep's
// shards (`npm run experiment -- ... --shard K/N`) into the one results file a
// single machine would have written: every run once, in the sweep's order.
// The rules are the lab's classroom view's (src/experiment/sweep.ts): files of
// another sweep or lab version, and a run in two files, are refused (one line,
// exit 2, nothing written); missing runs are listed by shard with the command
// that runs each missing shard (exit 1, nothing written unless --partial).
// TypeScript run by Node through tsx (`node --import tsx`, see package.json).
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { userPath } from '../runner/outputs';
import { parseResults, type ResultsDoc } from '../src/eval/results';
import { MergeRefusal, mergeSweep, pairName, shellLine } from '../src/experiment/sweep';

const HELP = `Usage: npm run merge -- --out FILE.json IN.json...

Merges the results files of a sweep's shards (npm run experiment -- ...
--shard K/N --out IN.json) into one results file, every run once in the
sweep's order: the file one machine running the whole sweep writes, which
the lab imports and npm run report reads.

  --out FILE.json   the merged results file
  --partial         write the runs there are even when some are missing
  --help            this text

Refused with one line on stderr and exit 2, nothing written: a file that is
no results file, a run that is no part of a sweep, files of different sweeps
or lab versions, and a run in two files (or twice in one). When runs are
missing, each missing shard is listed with its runs and the command that
runs it (started again with its own --out, a shard runs only what that file
lacks); exit 1 and nothing written, unless --partial.`;

class UsageError extends Error {}
const oneLine = (e: unknown) => String(e instanceof Error ? e.message : e).split('\n')[0];

function readInput(path: string): ResultsDoc[] {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(userPath(path), 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${path}: ${code ? `cannot read it (${code})` : `not valid JSON (${oneLine(e)})`}`);
  }
  return (Array.isArray(value) ? value : [value]).map((v, i) => {
    try {
      return parseResults(v);
    } catch (e) {
      throw new UsageError(`${path}: run ${i + 1}: ${oneLine(e)}`);
    }
  });
}

function main(argv: string[]): number {
  let values: { out?: string; partial?: boolean; help?: boolean };
  let inputs: string[];
  try {
    ({ values, positionals: inputs } = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, partial: { type: 'boolean' }, help: { type: 'boolean' } },
      allowPositionals: true,
    }));
  } catch (e) {
    throw new UsageError(`${oneLine(e)} (see --help)`);
  }
  if (values.help) return (console.log(HELP), 0);
  if (!values.out) throw new UsageError('say where the merged results go: --out FILE.json (see --help)');
  if (!inputs.length) throw new UsageError("name the shards' results files to merge (see --help)");
  const out = userPath(values.out);

  let merged: ReturnType<typeof mergeSweep>;
  try {
    merged = mergeSweep(inputs.map((source) => ({ source, docs: readInput(source) })));
  } catch (e) {
    if (e instanceof MergeRefusal) throw new UsageError(e.message);
    throw e;
  }
  if (!merged) throw new UsageError('the files hold no runs');

  const total = merged.tag.pairs.length;
  const sweep = `sweep ${merged.id} '${merged.name}'`;
  if (merged.missing.length) {
    const n = merged.missing.reduce((a, m) => a + m.pairs.length, 0);
    process.stderr.write(`merge: ${n} of the ${total} runs of ${sweep} are missing:\n`);
    for (const m of merged.missing) {
      process.stderr.write(
        `  shard ${m.shard.join('/')}: ${m.pairs.map((i) => pairName(merged.tag, i)).join(', ')}\n` +
          (m.command
            ? `    npm run experiment -- ${shellLine(m.command)}\n`
            : `    (a seat of a class: open the sweep link and run seat ${m.shard[0]})\n`),
      );
    }
    if (!values.partial) {
      process.stderr.write('merge: nothing written (--partial writes the runs there are)\n');
      return 1;
    }
  }
  if (merged.adapters.length > 1)
    process.stderr.write(
      `merge: warning: the runs ran on ${merged.adapters.length} adapters (${merged.adapters.join('; ')}); ` +
        'runs are identical only across machines of one adapter\n',
    );
  const tmp = join(dirname(out), `.${basename(out)}.tmp-${process.pid}`);
  try {
    writeFileSync(tmp, `${JSON.stringify(merged.docs, null, 2)}\n`);
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UsageError(`--out ${values.out}: cannot write it (${(e as NodeJS.ErrnoException).code ?? oneLine(e)})`);
  }
  const files = new Set(merged.sources).size;
  console.log(
    `merged ${merged.docs.length} of ${total} runs of ${sweep} (lab ${merged.version}) ` +
      `from ${files} file${files === 1 ? '' : 's'} into ${values.out}`,
  );
  return 0;
}

let code: number;
try {
  code = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`merge: ${oneLine(e)}\n`);
  code = e instanceof UsageError ? 2 : 1;
}
process.exit(code);
