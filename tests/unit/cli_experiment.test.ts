// The headless runner (`npm run experiment`, scripts/experiment.ts) as a
// user runs it: a child process on a preset shrunk to seconds (Vite, headless
// Chromium, WebGPU), then its files; and its refusals of bad input (exit 2,
// one line, nothing written, an existing file untouched).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readResultsFileWithWeights } from '../../app/export';
import { parseResults } from '../../src/eval/results';
import { linkIntegrity } from '../../src/experiment/link_check';
import { RUNNABLE_PRESETS } from '../../src/experiment/presets';
import { linkJson } from '../../src/experiment/results_link';
import { decodeExperiment, decompressText } from '../../src/experiment/url';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'cli-experiment-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'scripts/experiment.ts', ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Links point at the default address whatever this machine or project says (LAB_URL, config.labUrl).
      env: { ...process.env, LAB_URL: '', npm_package_config_labUrl: '' },
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code) => done({ code, stdout, stderr }));
  });
}

// Seconds on the software adapter: one layer, width 16, T = 16, two lengths, two windows.
const TINY = [
  '--steps',
  '24',
  '--batch',
  '2',
  '--seq-len',
  '16',
  '--layers',
  '1',
  '--width',
  '16',
  '--heads',
  '2',
  '--factors',
  '1,2',
  '--windows',
  '2',
  '--set',
  'log=6',
];

describe('npm run experiment', () => {
  test('a shrunk preset runs end to end: results, plots, progress, a link that carries the results', async () => {
    const out = join(dir, 'results.json');
    const svg = join(dir, 'loss.svg');
    const png = join(dir, 'loss.png');
    const r = await cli([
      '--preset',
      'reweight-eval',
      ...TINY,
      '--seeds',
      '1,2',
      '--out',
      out,
      '--plot',
      svg,
      '--plot',
      png,
      '--print-link',
    ]);
    expect(r.stderr).not.toMatch(/page error/);
    expect(r.code, r.stderr).toBe(0);

    const raw = JSON.parse(readFileSync(out, 'utf8')) as unknown[];
    expect(raw).toHaveLength(2); // one run of the preset, once per seed
    const docs = raw.map((d) => parseResults(d));
    expect(docs.map((d) => d.seed)).toEqual([1, 2]);
    for (const d of docs) {
      expect(d.label).toBe('lssa, re-weighting swept at evaluation');
      expect(d.model).toMatchObject({ nLayer: 1, nEmbd: 16, nHead: 2, trainLength: 16, layers: ['lssa'] });
      expect(d.train.steps).toBe(24);
      expect(d.trainingCurve.map((c) => c.step)).toEqual([6, 12, 18, 24]);
      expect(d.trainingCurve[3].loss).toBeLessThan(d.trainingCurve[0].loss - 0.1); // it learned something
      expect(d.lossVsLength.map((v) => v.reweightP)).toEqual([null, 1, 3, 7, 15]);
      expect(d.lossVsLength[0].lengths.map((l) => l.length)).toEqual([16, 32]);
    }
    expect(docs[0].trainingCurve[3].loss).not.toBe(docs[1].trainingCurve[3].loss); // the seeds differ

    const svgText = readFileSync(svg, 'utf8');
    expect(svgText).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svgText).toContain('Re-weighting without retraining'); // title
    expect(svgText).toMatch(/<text[^>]*>lssa, re-weighting swept at evaluation<\/text>/); // the legend
    expect(svgText).toMatch(/<text[^>]*>p = 15<\/text>/); // a variant line's label
    // Above the loss plot, the preset's answer figure: loss at the longest length (2x here), a row per variant.
    expect(svgText).toContain('aria-label="panel: At 2x (length 32)"');
    expect(readFileSync(png).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);

    expect(r.stderr).toMatch(
      /run 1\/2 lssa, re-weighting swept at evaluation \(seed 1\)\s+\[#+\] 24\/24\s+loss \d\.\d{3}\s+[\d.k]+ tok\/s/,
    );
    expect(r.stderr).toMatch(/run 2\/2 .* done in \d+:\d\d/);
    expect(r.stdout).toMatch(
      /^lssa, re-weighting swept at evaluation\s+2\s+\d\.\d{3}±\d\.\d{3}\s+\d\.\d{3}±\d\.\d{3}$/m,
    );

    const link = r.stdout.trim().split('\n').pop()!;
    expect(link).toMatch(/^http:\/\/localhost:5173\/#k=\d+-\w+&v=1&/); // sealed, as the lab's links are
    expect(linkIntegrity(new URLSearchParams(new URL(link).hash.slice(1)))).toBe('sealed');
    const decoded = decodeExperiment(new URL(link).hash);
    expect(decoded.problems).toEqual([]);
    expect(decoded.experiment.base.model.nEmbd).toBe(16);
    expect(decoded.experiment.runs).toHaveLength(1);
    const carried = JSON.parse(await decompressText(decoded.results!)) as unknown[];
    // The lab's link encoding: every fractional number at LINK_DIGITS significant digits.
    expect(carried.map((d) => parseResults(d))).toEqual(JSON.parse(linkJson(docs)));
  }, 180_000);

  test('--sample: each run continues the same validation prompt at each context length, side by side', async () => {
    const args = ['--preset', 'reweight-eval', ...TINY, '--seeds', '1,2', '--out', join(dir, 'sampled.json')];
    // --with-weights rides along (one read-back per run): checked at the end.
    const r = await cli([...args, '--sample', '--sample-context', '1,2', '--sample-chars', '50', '--with-weights']);
    expect(r.code, r.stderr).toBe(0);
    const blocks = r.stdout.split('\n── ').slice(1);
    expect(blocks).toHaveLength(2); // one block per run and seed
    const columns = /^1x T = 16 \([\d.]+ chars\/s\) +│ 2x T = 32 \([\d.]+ chars\/s\) +│ the passage goes on$/m;
    const rows = blocks.map((b) => {
      expect(b).toMatch(/^run \d\/2 .*: temperature 0\.8, top-k all, seed 1, 50 characters, the context slides\n/);
      expect(b).toMatch(columns);
      const lines = b.split('\n');
      const body = lines.slice(lines.findIndex((l) => l.startsWith('───')) + 1).filter((l) => l.includes('│'));
      const cells = body.map((l) => l.split(' │ '));
      // Each column holds 50 characters of text; the last is the passage's own continuation.
      for (let c = 0; c < 3; c++) expect(cells.map((x) => x[c].trimEnd()).join('').length).toBeGreaterThan(40);
      return { prompt: lines[2], truth: cells.map((x) => x[2]).join('') };
    });
    // The same prompt and the same true continuation for every run.
    expect(rows[1]).toEqual(rows[0]);
    // --with-weights: each run's document carries its own weights, which read back (checksum, config, shape).
    const file = readResultsFileWithWeights(readFileSync(join(dir, 'sampled.json'), 'utf8'));
    expect(file.refused).toEqual([]);
    expect(file.weights.map((w) => w?.run.seed)).toEqual([1, 2]);
    const [w1, w2] = file.weights.map((w) => Array.from(w!.params.slice(0, 64)));
    expect(w1.length).toBe(64);
    expect(w1).not.toEqual(w2);
  }, 240_000);

  test('bad input: exit 2, one line naming the problem, nothing written', async () => {
    const out = join(dir, 'kept.json');
    writeFileSync(out, 'previous results\n');
    const badJson = join(dir, 'bad.json');
    writeFileSync(badJson, '{"base": {"model": ');
    const badField = join(dir, 'field.json');
    writeFileSync(badField, JSON.stringify({ base: { model: { nLayers: 2 } }, runs: [{}] }));
    const cases: [string[], RegExp][] = [
      [['--preset', 'extrapolation', '--stepz', '3'], /unknown flag --stepz/],
      [['--steps', '3'], /say what to run/],
      [['--preset', 'extrapolation', '--config', badJson], /one of --preset, --config and --url/],
      [['--preset', 'no-such-preset'], /unknown preset 'no-such-preset'/],
      [['--preset', 'extrapolation', '--steps', '0'], /--steps "0": Steps must be an integer in \[1, 100000\]/],
      [['--preset', 'extrapolation', '--width', '30', '--heads', '4'], /width 30 is not divisible by 4 heads/],
      [['--preset', 'extrapolation', '--factors', '1,two'], /--factors "1,two": Length factors must be a list/],
      [['--preset', 'extrapolation', '--seeds', '1,1'], /--seeds lists a seed twice/],
      [['--config', badJson], /bad\.json: not valid JSON/],
      [['--config', badField], /unknown field 'model\.nLayers'/],
      [['--config', join(dir, 'missing.json')], /missing\.json: cannot read it \(ENOENT\)/],
      [
        ['--url', 'http://localhost:5173/#v=1&C=abc&run=mech:softmax'],
        /^experiment: --url: Width must be an integer in \[8, 512\]\n$/,
      ],
      [['--url', '#v=1&zz=1'], /--url: unknown field 'zz'/],
      [['--preset', 'extrapolation', '--plot', join(dir, 'plot.pdf')], /must end in \.svg or \.png/],
      [['--preset', 'extrapolation', '--out', join(dir, 'no', 'such', 'x.json')], /does not exist/],
      [['--preset', 'extrapolation', '--temperature', '0.5'], /--temperature needs --sample/],
      [['--preset', 'extrapolation', '--sample', '--sample-context', '1,0'], /--sample: context lengths are/],
      [['--preset', 'extrapolation', '--sample', '--top-k', 'many'], /--top-k 'many' is not a number/],
      [['--preset', 'passkey', '--sample'], /--sample continues text; run 1 trains on a task/],
      // Found by the page's data check, after the browser starts and before any training.
      [
        ['--preset', 'reweight-eval', ...TINY, '--set', 'data=text'],
        /run 1: this run trains on your own text, but none was given/,
      ],
    ];
    // Four at a time: each starts Vite (and one a browser), mostly waiting.
    const results: Awaited<ReturnType<typeof cli>>[] = [];
    for (let i = 0; i < cases.length; i += 4)
      results.push(
        ...(await Promise.all(
          cases.slice(i, i + 4).map(([args]) => cli(args.includes('--out') ? args : [...args, '--out', out])),
        )),
      );
    cases.forEach(([args, message], i) => {
      const r = results[i];
      const what = `${args.join(' ')} -> ${r.stderr}`;
      expect(r.code, what).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), what).toHaveLength(1);
      expect(r.stderr, what).toMatch(/^experiment: /);
      expect(r.stderr, what).toMatch(message);
      expect(r.stdout, what).toBe('');
    });
    expect(readFileSync(out, 'utf8')).toBe('previous results\n');
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  }, 120_000);

  test('--help documents every flag; --list gives one line per preset', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    for (const flag of [
      '--preset',
      '--config',
      '--url',
      '--out',
      '--plot',
      '--plot-size',
      '--steps',
      '--seed',
      '--seeds',
      '--batch',
      '--seq-len',
      '--layers',
      '--width',
      '--heads',
      '--factors',
      '--windows',
      '--set',
      '--text',
      '--print-link',
      '--link-base',
      '--list',
      '--fields',
      '--dry-run',
      '--verbose',
      '--help',
      '--sample',
      '--sample-context',
      '--sample-mode',
      '--sample-chars',
      '--temperature',
      '--top-k',
      '--sample-seed',
      '--prompt',
    ])
      expect(help.stdout).toContain(`  ${flag} `);
    const list = await cli(['--list']);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(RUNNABLE_PRESETS.map((p) => p.id));
    expect(lines[0]).toMatch(/^extrapolation\s+3 runs\s+Extrapolation: softmax vs softplus$/);
  }, 60_000);
});
