// Issue 15: which presets' reference bands the lab fetches (only the open ones: the experiment being built, and the
// experiments its runs were queued or shared as), and that a preset's share link, with or without its results,
// opens with the same bands as the lab that made it.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { openPresets, plotReference, recordMatch } from '../../app/reference_view';
import { createLabStore } from '../../app/store';
import { referenceFile, resultsOf } from '../../scripts/referenceBands';
import { defaultExperiment } from '../../src/experiment/experiment';
import { PRESETS, presetExperiment, QUICK_DEMO } from '../../src/experiment/presets';
import { linkWithResults, readLinkResults } from '../../src/experiment/results_link';
import { decodeExperiment, encodeExperiment } from '../../src/experiment/url';
import { seriesOf } from '../../src/report/common';
import { checkBand, decodeReference, describeMatch } from '../../src/report/reference';

const demo = presetExperiment(QUICK_DEMO);
const reference = (id: string) => decodeReference(new Uint8Array(readFileSync(referenceFile(id))));
/** The quick demo's reference runs at seed 1, as a finished run of it would report them. */
const seed1 = () => resultsOf(QUICK_DEMO.id).filter((d) => d.seed === 1);

describe('open presets', () => {
  it("a fresh page's quick demo is open; an experiment of one's own opens none", () => {
    expect(openPresets(demo.label, [])).toEqual(['quick-demo']);
    expect(openPresets(defaultExperiment().label, [])).toEqual([]);
  });

  it("the runs' presets stay open after another preset is loaded, the experiment's first", () => {
    const runs = [{ experimentLabel: PRESETS[0].title }, { experimentLabel: 'mine' }, { experimentLabel: demo.label }];
    expect(openPresets(PRESETS[1].title, runs)).toEqual([PRESETS[1].id, PRESETS[0].id, 'quick-demo']);
  });

  it("every card's share link opens its preset", () => {
    for (const p of [QUICK_DEMO, ...PRESETS]) {
      const link = encodeExperiment(presetExperiment(p));
      expect(openPresets(decodeExperiment(new URLSearchParams(link.toString())).experiment.label, [])).toEqual([p.id]);
    }
  });
});

describe("a preset's runs against its band", () => {
  it('a results link of the quick demo opens with its runs inside the band at T and 16x', async () => {
    const link = await linkWithResults(demo, null, seed1());
    const decoded = decodeExperiment(new URLSearchParams(link.toString()));
    const store = createLabStore({ experiment: decoded.experiment });
    store.getState().addShared(await readLinkResults(link.get('res')!), 'link', decoded.experiment.label);
    const refs = [await reference(QUICK_DEMO.id)];
    const runs = store.getState().runs;
    expect(openPresets(store.getState().experiment.label, runs)).toEqual(['quick-demo']);
    expect(runs).toHaveLength(2);
    for (const r of runs) {
      const m = recordMatch(r, refs);
      expect(m?.kind, r.label).toBe('match');
      if (m?.kind !== 'match') continue;
      expect(checkBand(r.doc!, m.run).map((c) => `${c.at} ${c.where}`)).toEqual(['T inside', '16x inside']);
      expect(describeMatch(r.doc!, m)).toMatch(/^Reference \(seeds 1-3\): at T \d\.\d{3} inside .*; at 16x /);
    }
  });

  it('the plot bands each series that is a reference run, by its name in the plot', async () => {
    const refs = [await reference(QUICK_DEMO.id)];
    const docs = [...seed1(), { ...seed1()[0], label: 'softmax (shared)' }];
    const band = plotReference(seriesOf(docs), refs);
    expect([...band.runs.keys()]).toEqual(['softmax', 'lssar (p = 15)', 'softmax (shared)']);
    expect(band.runs.get('softmax (shared)')?.label).toBe('softmax');
    expect(band).toMatchObject({ seeds: 3, presets: ['quick-demo'] });
    const shrunk = seed1().map((d) => ({ ...d, train: { ...d.train, steps: 20 } }));
    expect(plotReference(seriesOf(shrunk), refs).runs.size).toBe(0);
  });

  it("a run queued as the preset at another budget is told it is not the preset's budget", async () => {
    const refs = [await reference(QUICK_DEMO.id)];
    const store = createLabStore();
    const [doc] = seed1();
    store.getState().addShared([{ ...doc, train: { ...doc.train, steps: 20 } }], 'file', demo.label);
    const m = recordMatch(store.getState().runs[0], refs);
    expect(describeMatch(store.getState().runs[0].doc!, m!)).toBe(
      "No reference band: not the preset's budget (400 steps in the reference, 20 here)",
    );
    // The same run in an experiment of one's own: no preset, nothing said.
    store.getState().addShared([{ ...doc, train: { ...doc.train, steps: 20 } }], 'file', 'mine');
    expect(recordMatch(store.getState().runs[1], refs)).toBeNull();
  });
});
