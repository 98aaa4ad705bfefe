// Sweeps (src/experiment/sweep.ts): the grid and its id, the cut into
// shards by estimated cost, and the merge rules and refusals the command line
// and the classroom share.
import { createHash } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { parseResults, type ResultsDoc } from '../../src/eval/results';
import type { Experiment } from '../../src/experiment/experiment';
import { PRESETS, presetExperiment } from '../../src/experiment/presets';
import {
  canonicalJson,
  estimateCost,
  MergeRefusal,
  makeSweep,
  mergeSweep,
  parseShard,
  planShards,
  type Sweep,
  SweepMerge,
  sha256Hex,
  shardCommand,
  shardOut,
  shellLine,
  sweepTag,
  withoutTimings,
} from '../../src/experiment/sweep';
import { decodeExperiment, encodeExperiment } from '../../src/experiment/url';
import { fakeDoc } from './app_fixture';

const extrapolation = () => presetExperiment(PRESETS.find((p) => p.id === 'extrapolation')!);

describe('sha256', () => {
  test('matches node:crypto on the standard vectors and on long, multi-block and non-ASCII text', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    for (const s of ['a'.repeat(55), 'a'.repeat(56), 'a'.repeat(64), 'x'.repeat(1000), 'é∑😀'.repeat(50)])
      expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
  });
});

describe('the grid and its id', () => {
  test('runs x seeds in run-major order, each pair a labelled config with its seed', () => {
    const s = makeSweep(extrapolation(), [1, 2, 3]);
    expect(s.pairs).toHaveLength(9);
    expect(s.pairs.map((p) => [p.run, p.seed])).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 1],
      [1, 2],
      [1, 3],
      [2, 1],
      [2, 2],
      [2, 3],
    ]);
    expect(s.labels).toEqual(['softmax', 'lssa', 'lssar (p = 15)']);
    expect(s.pairs.map((p) => p.config.seed)).toEqual([1, 2, 3, 1, 2, 3, 1, 2, 3]);
    expect(s.pairs[4].config.model.mechanism).toBe('lssa');
    expect(s.id).toMatch(/^[0-9a-f]{12}$/);
    expect(s.name).toBe('Extrapolation: softmax vs softplus');
  });

  test('without seeds each run keeps its own seed', () => {
    const e = extrapolation();
    e.runs[1] = { ...e.runs[1], seed: 7 };
    const s = makeSweep(e, null);
    expect(s.pairs.map((p) => [p.run, p.seed])).toEqual([
      [0, 1337],
      [1, 7],
      [2, 1337],
    ]);
  });

  test('the id follows the content: configs, seeds, lab version, the text; not key order or the link', () => {
    const a = makeSweep(extrapolation(), [1, 2, 3]);
    expect(makeSweep(extrapolation(), [1, 2, 3]).id).toBe(a.id);
    expect(makeSweep(extrapolation(), [1, 2]).id).not.toBe(a.id);
    expect(makeSweep(extrapolation(), [1, 2, 3], { version: '9.9.9' }).id).not.toBe(a.id);
    const wider = extrapolation();
    wider.base.model.nEmbd = 64;
    expect(makeSweep(wider, [1, 2, 3]).id).not.toBe(a.id);
    // Through a share link and back (the lab's classroom and the CLI's --url): the same sweep.
    const back = decodeExperiment(encodeExperiment(extrapolation()));
    expect(back.problems).toEqual([]);
    expect(makeSweep(back.experiment, [1, 2, 3]).id).toBe(a.id);
    // A renamed experiment trains the same runs: the same sweep, by another name.
    expect(makeSweep({ ...extrapolation(), label: 'other' }, [1, 2, 3]).id).toBe(a.id);
    // Text runs: the text is part of the sweep.
    const text: Experiment = {
      ...extrapolation(),
      base: { ...extrapolation().base, data: { source: 'text', task: 'passkey' } },
    };
    expect(makeSweep(text, [1], { textDigest: 'a'.repeat(64) }).id).not.toBe(
      makeSweep(text, [1], { textDigest: 'b'.repeat(64) }).id,
    );
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe(canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
  });
});

describe('shards', () => {
  test('every pair lands in exactly one shard for any N; no shard is empty; the cut is deterministic', () => {
    for (const p of PRESETS) {
      const s = makeSweep(presetExperiment(p), [1, 2, 3]);
      const costs = s.pairs.map((x) => x.cost);
      for (let n = 1; n <= s.pairs.length; n++) {
        const plan = planShards(costs, n);
        expect(plan).toHaveLength(s.pairs.length);
        for (const k of plan) expect(k >= 1 && k <= n).toBe(true);
        expect(new Set(plan).size).toBe(n);
        expect(planShards(costs, n)).toEqual(plan);
      }
    }
  });

  test('balanced by cost, not count: one long run gets a shard of its own', () => {
    expect(planShards([10, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 2)).toEqual([1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
    // The reproduction's largest preset: shards' estimated costs within a run's cost of each other.
    const how = makeSweep(presetExperiment(PRESETS.find((p) => p.id === 'deconstruct-hybrid')!), [1, 2, 3]);
    const costs = how.pairs.map((x) => x.cost);
    const plan = planShards(costs, 4);
    const load = [1, 2, 3, 4].map((k) => costs.reduce((a, c, i) => a + (plan[i] === k ? c : 0), 0));
    expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(Math.max(...costs) * (1 + 1e-9));
  });

  test('the estimate grows with steps, width, length and evaluation passes', () => {
    const base = extrapolation().base;
    const c = estimateCost(base);
    expect(estimateCost({ ...base, train: { ...base.train, steps: 1200 } })).toBeGreaterThan(c);
    expect(estimateCost({ ...base, model: { ...base.model, nEmbd: 64 } })).toBeGreaterThan(c);
    expect(estimateCost({ ...base, eval: { ...base.eval, reweightSweep: [1, 3] } })).toBeGreaterThan(c);
    // The presets' runs take about 40 s on a software adapter (docs/REPRODUCTION.md).
    expect(c).toBeGreaterThan(15);
    expect(c).toBeLessThan(120);
  });

  test('--shard K/N reads 1-based K of N', () => {
    expect(parseShard('2/3')).toEqual([2, 3]);
    expect(parseShard('1/1')).toEqual([1, 1]);
    for (const bad of ['0/3', '4/3', '3', '1/0', 'a/b', '1/2/3', '-1/2', '1/999'])
      expect(parseShard(bad), bad).toBeNull();
  });
});

// ---------- merging ----------

/** Fake documents of a sweep of two runs x two seeds, tagged as shard k of n ran them. */
function shardDocs(s: Sweep, k: number, n: number, command: string[] | null = null): ResultsDoc[] {
  const plan = planShards(
    s.pairs.map((p) => p.cost),
    n,
  );
  return s.pairs
    .filter((_, i) => plan[i] === k)
    .map((p) =>
      parseResults({
        ...fakeDoc(p.config.label, { seed: p.seed }),
        sweep: sweepTag(s, p.index, [k, n], plan, command),
      }),
    );
}

const tiny = (): Sweep => {
  const e = extrapolation();
  e.runs = e.runs.slice(0, 2);
  return makeSweep(e, [1, 2], { version: 'test' });
};

describe('merge', () => {
  test('shards merge into grid order, whatever order the files come in', () => {
    const s = tiny();
    const m = mergeSweep([3, 1, 2].map((k) => ({ source: `s${k}.json`, docs: shardDocs(s, k, 3) })))!;
    expect(m.id).toBe(s.id);
    expect(m.missing).toEqual([]);
    expect(m.docs.map((d) => d.sweep!.pair)).toEqual([0, 1, 2, 3]);
    expect(m.docs.map((d) => [d.label, d.seed])).toEqual([
      ['softmax', 1],
      ['softmax', 2],
      ['lssa', 1],
      ['lssa', 2],
    ]);
    expect(m.adapters).toEqual(['test cpu fixture']);
    // Equal to the unsharded run, timings and tags aside.
    const whole = shardDocs(s, 1, 1);
    expect(m.docs.map(withoutTimings)).toEqual(whole.map(withoutTimings));
  });

  test('refusals: untagged runs, another sweep (named), another lab version, a pair twice', () => {
    const s = tiny();
    const other = makeSweep({ ...extrapolation(), label: 'Another class' }, [5], { version: 'test' });
    const refusal = (inputs: { source: string; docs: ResultsDoc[] }[]) => {
      try {
        mergeSweep(inputs);
      } catch (e) {
        expect(e).toBeInstanceOf(MergeRefusal);
        return (e as Error).message;
      }
      throw new Error('merged');
    };
    expect(refusal([{ source: 'a.json', docs: [fakeDoc('plain')] }])).toMatch(
      /^a\.json: run 1 \(plain\) is not part of a sweep/,
    );
    expect(
      refusal([
        { source: 'a.json', docs: shardDocs(s, 1, 2) },
        { source: 'b.json', docs: shardDocs(other, 1, 1) },
      ]),
    ).toBe(
      `b.json is another sweep: 'Another class' (sweep ${other.id}), not ` +
        `'Extrapolation: softmax vs softplus' (sweep ${s.id}) of a.json`,
    );
    const newer = shardDocs(s, 2, 2).map((d) => ({ ...d, engineVersion: '0.3.0' }));
    expect(
      refusal([
        { source: 'a.json', docs: shardDocs(s, 1, 2) },
        { source: 'b.json', docs: newer },
      ]),
    ).toBe('b.json was made by lab 0.3.0, a.json by lab test: merge results of one lab version');
    expect(
      refusal([
        { source: 'a.json', docs: shardDocs(s, 1, 2) },
        { source: 'b.json', docs: shardDocs(s, 1, 2) },
      ]),
    ).toMatch(/^run 1\/4 softmax \(seed 1\) is in both a\.json and b\.json/);
    const twice = shardDocs(s, 1, 2);
    expect(refusal([{ source: 'a.json', docs: [...twice, twice[0]] }])).toMatch(/is in a\.json twice/);
    // A tag that does not describe its document.
    const lying = shardDocs(s, 1, 2).map((d) => ({ ...d, seed: 99 }));
    expect(refusal([{ source: 'a.json', docs: lying }])).toMatch(/sweep tag says seed 1, the run has seed 99/);
    for (const m of [refusal([{ source: 'a.json', docs: lying }])]) expect(m.split('\n')).toHaveLength(1);
  });

  test('a refused input leaves the merge as it was (the classroom adds links one at a time)', () => {
    const s = tiny();
    const m = new SweepMerge();
    m.add({ source: 'link 1', docs: shardDocs(s, 1, 2) });
    expect(() => m.add({ source: 'link 2', docs: shardDocs(s, 1, 2) })).toThrow(MergeRefusal);
    m.add({ source: 'link 3', docs: shardDocs(s, 2, 2) });
    expect(m.result()!.docs).toHaveLength(4);
    expect(m.result()!.sources).toEqual(['link 1', 'link 3', 'link 1', 'link 3']);
  });

  test('missing pairs are listed by shard, with the command that runs each missing shard', () => {
    const s = tiny();
    const cmd = (k: number) => [
      '--preset',
      'extrapolation',
      '--seeds',
      '1,2',
      '--shard',
      `${k}/3`,
      '--out',
      `out/shard-${k}-of-3.json`,
    ];
    // Shard 1 finished, shard 2 was killed before its run, shard 3 never ran.
    const m = mergeSweep([{ source: 'out/shard-1-of-3.json', docs: shardDocs(s, 1, 3, cmd(1)) }])!;
    const plan = planShards(
      s.pairs.map((p) => p.cost),
      3,
    );
    expect(m.missing.map((x) => x.shard)).toEqual([
      [2, 3],
      [3, 3],
    ]);
    expect(m.missing[0].pairs).toEqual(s.pairs.filter((_, i) => plan[i] === 2).map((p) => p.index));
    expect(m.missing[0].command).toEqual(cmd(2));
    expect(m.missing[1].command).toEqual(cmd(3));
    // A shard's own document, when there is one, gives its exact command (the same --out: it resumes).
    const partial = shardDocs(s, 1, 2, ['--config', 'x.json', '--shard', '1/2', '--out', 'mine.json']);
    const m2 = mergeSweep([{ source: 'mine.json', docs: partial.slice(0, 1) }])!;
    expect(m2.missing[0].command).toEqual(['--config', 'x.json', '--shard', '1/2', '--out', 'mine.json']);
    // Seats of a class have no command line.
    expect(mergeSweep([{ source: 'link 1', docs: shardDocs(s, 1, 3) }])!.missing[0].command).toBeNull();
  });

  test('command lines: --shard and the output file renumbered, quoted for a shell', () => {
    expect(shardCommand(['--preset', 'x', '--shard=2/3', '--out=a/r-2.json'], 2, 3, 3)).toEqual([
      '--preset',
      'x',
      '--shard=3/3',
      '--out=a/r-3.json',
    ]);
    expect(shardOut('shard-3-of-3.json', 3, 1)).toBe('shard-1-of-3.json');
    expect(shardOut('dir2/results.json', 2, 1)).toBe('dir2/results.shard-1.json');
    expect(shardOut('r12.json', 2, 1)).toBe('r12.shard-1.json');
    expect(shellLine(['--url', 'http://x/#v=1&a=b', '--out', 'a b.json', "it's"])).toBe(
      `--url 'http://x/#v=1&a=b' --out 'a b.json' 'it'\\''s'`,
    );
  });
});

describe('sweep links', () => {
  test('seeds, seats and a seat round-trip through a link; a link without them has no sweep', () => {
    const e = extrapolation();
    for (const sweep of [
      { seeds: [1, 2, 3], seats: 3, seat: null },
      { seeds: [7], seats: 1, seat: 1 },
      { seeds: null, seats: 4, seat: 2 },
    ]) {
      const d = decodeExperiment(encodeExperiment(e, null, sweep));
      expect(d.problems).toEqual([]);
      expect(d.sweep).toEqual(sweep);
      expect(makeSweep(d.experiment, d.sweep!.seeds).id).toBe(makeSweep(e, sweep.seeds).id);
    }
    expect(decodeExperiment(encodeExperiment(e)).sweep).toBeNull();
    expect(encodeExperiment(e, null, { seeds: [1, 2], seats: 3, seat: 2 }).toString()).toMatch(
      /&seeds=1%2B2&seats=3&seat=2$/,
    );
  });

  test('a sweep part that does not read is reported; the link still opens', () => {
    const cases: [string, RegExp, unknown][] = [
      ['seeds=1%2Bx', /classroom sweep: seed 'x' is not a seed; the sweep was ignored/, null],
      ['seeds=1%2B1', /a seed is listed twice/, null],
      ['seeds=1&seats=0', /seats '0' is not 1 to 64/, null],
      ['seeds=1&seats=999', /seats '999' is not 1 to 64/, null],
      ['seeds=1&seats=3&seat=4', /seat '4' is not 1 to 3; pick your seat/, { seeds: [1], seats: 3, seat: null }],
      ['seats=2', /^$/, { seeds: null, seats: 2, seat: null }],
    ];
    for (const [q, message, sweep] of cases) {
      const d = decodeExperiment(`v=1&${q}`);
      expect(d.problems.join('\n'), q).toMatch(message);
      expect(d.sweep, q).toEqual(sweep);
    }
  });
});
