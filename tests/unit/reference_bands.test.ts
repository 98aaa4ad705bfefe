// Issue 15's reference bands: each first-screen preset's committed band file (docs/figures/reference/<id>.json.gz)
// is what src/report/reference.ts derives from its reproduction results, read back through the lab's own decoder;
// its runs are runs of the preset's current definition; every reference seed lies inside its band; and a run is
// matched to its band by config, or told why it has none.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { referenceFile, referenceOf, referencePresets, resultsOf } from '../../scripts/referenceBands';
import type { ResultsDoc } from '../../src/eval/results';
import { resolveRuns } from '../../src/experiment/experiment';
import { presetExperiment, QUICK_DEMO } from '../../src/experiment/presets';
import { toEvalConfig, toModelConfig, toTrainConfig } from '../../src/experiment/run_config';
import {
  checkBand,
  configDiff,
  decodeReference,
  deriveReference,
  describeMatch,
  matchReference,
  REFERENCE_DECIMALS,
  type RecordedConfig,
} from '../../src/report/reference';

const presets = referencePresets();
/**
 * Fields that docs/figures' results predate: windowed evaluation and window placement (a run with them matches its
 * band on the reference's fields, configDiff, and the windowed twin has no band), and the live evaluation's
 * interval, which leaves training and the final evaluation bit for bit as they were (tests/gpu/live_eval.test.ts).
 */
const ADDED_SINCE = ['evaluation.windowed', 'evaluation.placement', 'train.liveEvalEvery'];
const committed = (id: string) => decodeReference(new Uint8Array(readFileSync(referenceFile(id))));
/** A copy of a document with its own-evaluation losses moved by `delta` nats and train fields overridden. */
function variantOf(d: ResultsDoc, delta = 0, train: Record<string, unknown> = {}): ResultsDoc {
  const c = structuredClone(d);
  for (const l of c.lossVsLength[0].lengths) l.meanLoss += delta;
  c.train = { ...c.train, ...train } as ResultsDoc['train'];
  return c;
}

describe('reference bands', () => {
  it('ship for the quick demo and every preset of the lab with results', () => {
    expect(presets[0]).toBe(QUICK_DEMO);
    expect(presets.length).toBeGreaterThanOrEqual(9);
  });

  for (const p of presets)
    it(`${p.id}: the committed file is the band of docs/figures/${p.id}.json (else: npm run bands)`, async () => {
      expect(await committed(p.id)).toEqual(referenceOf(p.id));
    });

  for (const p of presets)
    it(`${p.id}: the band's runs are the preset's current runs, config for config`, async () => {
      const ref = await committed(p.id);
      const runs = resolveRuns(presetExperiment(p));
      expect(ref.runs.map((r) => r.label)).toEqual(runs.map((r) => r.label));
      for (const r of runs) {
        const band = ref.runs.find((x) => x.label === r.label)!;
        const { seed: _m, ...model } = toModelConfig(r, band.config.model.vocabSize as number);
        const { seed: _t, ...train } = toTrainConfig(r);
        const now: RecordedConfig = { model, train, evaluation: { ...toEvalConfig(r) }, data: band.config.data };
        expect(configDiff(band.config, now), r.label).toEqual([]);
        // The other way round, only the fields the engine gained after the paper presets were measured.
        for (const f of configDiff(now, band.config)) expect(ADDED_SINCE, `${r.label}: ${f}`).toContain(f);
      }
    });

  for (const p of presets)
    it(`${p.id}: each reference seed matches its run, inside its band at T and 16x`, async () => {
      const ref = await committed(p.id);
      for (const d of resultsOf(p.id)) {
        const m = matchReference(d, [ref]);
        expect(m?.kind, `${d.label} seed ${d.seed}`).toBe('match');
        if (m?.kind !== 'match') continue;
        expect(m.run.label).toBe(d.label);
        const checks = checkBand(d, m.run);
        expect(checks.map((c) => c.at)).toEqual(['T', '16x']);
        for (const c of checks) expect(c.where, `${d.label} seed ${d.seed} at ${c.at}`).toBe('inside');
      }
    });

  it('the stored band is the min and max over seeds, widened by at most the rounding', async () => {
    const ref = await committed(QUICK_DEMO.id);
    const docs = resultsOf(QUICK_DEMO.id);
    for (const run of ref.runs)
      for (const [factor, length, lo, mean, hi] of run.variants[0].points) {
        const xs = docs
          .filter((d) => d.label === run.label)
          .map((d) => d.lossVsLength[0].lengths.find((l) => l.length === length)!.meanLoss);
        const tol = 10 ** -REFERENCE_DECIMALS;
        expect(Math.min(...xs) - lo, `${run.label} ${factor}x lo`).toBeGreaterThanOrEqual(0);
        expect(Math.min(...xs) - lo).toBeLessThan(tol);
        expect(hi - Math.max(...xs), `${run.label} ${factor}x hi`).toBeGreaterThanOrEqual(0);
        expect(hi - Math.max(...xs)).toBeLessThan(tol);
        expect(Math.abs(mean - xs.reduce((a, b) => a + b, 0) / xs.length)).toBeLessThanOrEqual(tol / 2);
      }
  });

  it('a run whose loss leaves the band is told above or below, with the band', async () => {
    const ref = await committed(QUICK_DEMO.id);
    const seed1 = resultsOf(QUICK_DEMO.id).find((d) => d.label === 'softmax' && d.seed === 1)!;
    const run = ref.runs.find((r) => r.label === 'softmax')!;
    const [, , lo, , hi] = run.variants[0].points.at(-1)!;
    const at16 = seed1.lossVsLength[0].lengths.at(-1)!.meanLoss;
    const up = variantOf(seed1, hi - at16 + 0.01);
    const m = matchReference(up, [ref]);
    expect(m?.kind).toBe('match');
    expect(checkBand(up, run).at(-1)).toMatchObject({ at: '16x', where: 'above', lo, hi });
    expect(describeMatch(up, m!)).toMatch(
      new RegExp(`^Reference \\(seeds 1-3\\): at T .*; at 16x ${(hi + 0.01).toFixed(3)} above ${lo.toFixed(3)}-`),
    );
    const down = variantOf(seed1, lo - at16 - 0.01);
    expect(checkBand(down, run).at(-1)?.where).toBe('below');
  });

  it("a preset run at another budget: no band, not the preset's budget; another change is named", async () => {
    const ref = await committed(QUICK_DEMO.id);
    const seed1 = resultsOf(QUICK_DEMO.id)[0];
    const fewer = variantOf(seed1, 0, { steps: 300 });
    const m = matchReference(fewer, [ref], QUICK_DEMO.id);
    expect(m).toMatchObject({ kind: 'differs', fields: ['train.steps'] });
    expect(describeMatch(fewer, m!)).toBe(
      "No reference band: not the preset's budget (400 steps in the reference, 300 here)",
    );
    const lr = variantOf(seed1, 0, { lr: 0.02 });
    expect(describeMatch(lr, matchReference(lr, [ref], QUICK_DEMO.id)!)).toBe(
      "No reference band: not the preset's config (differs in train.lr)",
    );
    const quick = variantOf(seed1, 0, { steps: 20, batchSize: 4, seqLen: 16, warmupSteps: 2, logEvery: 5, lr: 0.02 });
    expect(describeMatch(quick, matchReference(quick, [ref], QUICK_DEMO.id)!)).toBe(
      "No reference band: not the preset's config (differs in train.steps, train.batchSize, train.seqLen, train.lr " +
        'and 2 more)',
    );
    // Not opened as the preset (another experiment's run): nothing to say.
    expect(matchReference(fewer, [ref])).toBeNull();
    expect(matchReference(fewer, [ref], 'extrapolation')).toBeNull();
    // A field the engine gained after the reference was measured does not break the match.
    expect(matchReference(variantOf(seed1, 0, { liveEvery: 50 }), [ref])?.kind).toBe('match');
  });

  it('reads a file a server already inflated, and names what is wrong with a bad one', async () => {
    const ref = await committed(QUICK_DEMO.id);
    expect(await decodeReference(new TextEncoder().encode(JSON.stringify(ref)))).toEqual(ref);
    await expect(decodeReference(new TextEncoder().encode('{"schema":"x"}'))).rejects.toThrow(
      /^reference field 'schema' is invalid/,
    );
    await expect(decodeReference(gzipSync('not json'))).rejects.toThrow(/^reference file is not valid JSON/);
  });

  it('refuses results whose seeds of one run record different configs', () => {
    const docs = resultsOf(QUICK_DEMO.id);
    const bad = docs.map((d, i) => (i === 0 ? variantOf(d, 0, { lr: 0.5 }) : d));
    expect(() => deriveReference('quick-demo', bad)).toThrow("quick-demo: seeds of 'softmax' differ in train.lr");
  });
});
