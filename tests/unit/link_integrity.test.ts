// Issue 20: links are whole or refused. A real student link (a teacher's
// locks and hides) and a real results link (three runs of the extrapolation
// preset, from docs/figures) cut at every position of their parameters, and
// altered a character at a time: each is refused whole with the one sentence,
// loading nothing of itself. Older links without the check still open.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { pastedParams } from '../../app/export';
import type { ResultsDoc } from '../../src/eval/results';
import { defaultExperiment } from '../../src/experiment/experiment';
import { labLink } from '../../src/experiment/lab_address';
import { LINK_INCOMPLETE, linkIntegrity, sealLink } from '../../src/experiment/link_check';
import { PRESETS, presetExperiment } from '../../src/experiment/presets';
import { linkWithResults, readLinkResults } from '../../src/experiment/results_link';
import { decodeExperiment, decompressText, encodeExperiment, RESULTS_UNREADABLE } from '../../src/experiment/url';

const LAB = 'https://school.example/lab/';
const experiment = () => presetExperiment(PRESETS.find((p) => p.id === 'extrapolation')!);
const teacher = { locked: ['train.steps', 'train.seqLen', 'model.layers'], hidden: ['model.positional'] };
const docs = (JSON.parse(readFileSync('docs/figures/extrapolation.json', 'utf8')) as ResultsDoc[]).filter(
  (d) => d.seed === 1,
);

const studentLink = () => labLink(LAB, sealLink(encodeExperiment(experiment(), teacher)));
const resultsLink = async () =>
  labLink(LAB, sealLink(await linkWithResults(experiment(), teacher, docs, null, 'Ana')), true);

/** Decodes every prefix of the link's parameters; counts how many were refused whole and loaded nothing. */
function cutEverywhere(link: string): { cuts: number; refused: number } {
  const params = pastedParams(link);
  const blank = defaultExperiment();
  let refused = 0;
  for (let n = 1; n < params.length; n++) {
    const d = decodeExperiment(params.slice(0, n));
    if (
      d.refused === LINK_INCOMPLETE &&
      d.results === null &&
      d.teacher === null &&
      d.sweep === null &&
      d.student === null &&
      d.problems.length === 0 &&
      JSON.stringify(d.experiment) === JSON.stringify(blank)
    )
      refused++;
  }
  return { cuts: params.length - 1, refused };
}

describe('links are whole or refused', () => {
  test('a whole student link and a whole results link open, carrying everything', async () => {
    const s = decodeExperiment(pastedParams(studentLink()));
    expect(s.refused).toBeNull();
    expect(s.problems).toEqual([]);
    expect(s.teacher).toEqual(teacher);
    expect(s.experiment).toEqual(experiment());
    const r = decodeExperiment(pastedParams(await resultsLink()));
    expect(r.refused).toBeNull();
    expect(r.student).toBe('Ana');
    expect((await readLinkResults(r.results!)).map((d) => d.label)).toEqual(docs.map((d) => d.label));
  });

  test('the student link cut at every position of its parameters is refused whole', () => {
    const { cuts, refused } = cutEverywhere(studentLink());
    console.log(`truncation fuzz, student link: ${refused} of ${cuts} cuts refused whole`);
    expect(cuts).toBeGreaterThan(150);
    expect(refused).toBe(cuts);
  });

  test('the results link cut at every position of its parameters is refused whole', async () => {
    const { cuts, refused } = cutEverywhere(await resultsLink());
    console.log(`truncation fuzz, results link: ${refused} of ${cuts} cuts refused whole`);
    expect(cuts).toBeGreaterThan(10_000);
    expect(refused).toBe(cuts);
  });

  test('a character changed anywhere in the student link: refused, or an equivalent link', () => {
    const params = pastedParams(studentLink());
    const whole = JSON.stringify(decodeExperiment(params));
    let refused = 0;
    for (let i = 0; i < params.length; i++)
      for (const c of ['a', '7', '%', '&']) {
        if (params[i] === c) continue;
        const d = decodeExperiment(params.slice(0, i) + c + params.slice(i + 1));
        if (d.refused)
          refused++; // a changed version number gets the newer-lab sentence
        // The check's own name ("k=") changed: an older (unchecked) link with an unknown field, reported as such.
        else if (i <= 1) expect(d.problems[0]).toMatch(/unknown field/);
        else expect(JSON.stringify(d), `changed at ${i} to ${c}`).toBe(whole);
      }
    expect(refused).toBeGreaterThan(params.length * 3);
  });

  test('a re-escaped character (a chat app writing %20 for +) keeps a link whole', () => {
    const params = pastedParams(studentLink()).replace(/\+/g, '%20');
    expect(linkIntegrity(new URLSearchParams(params))).toBe('sealed');
    expect(decodeExperiment(params).teacher).toEqual(teacher);
  });

  test('an older link (no check, labels escaped twice) still opens as it did', () => {
    const old =
      'v=1&x=Extrapolation%3A+softmax+vs+softplus&H=2&C=32&steps=600&B=8&T=32&lr=0.01&ew=16' +
      '&run=label%3Asoftmax%2Cmech%3Asoftmax&run=label%3Alssa%2Cmech%3Alssa' +
      '&run=label%3Alssar%2520%28p%2520%253D%252015%29%2Cmech%3Alssar%2Cp%3A15';
    const d = decodeExperiment(old);
    expect(d.refused).toBeNull();
    expect(d.problems).toEqual([]);
    // As it did: the preset has evaluated windowed too since (issue 14); a link made before says nothing of it.
    const then = experiment();
    then.base.eval.windowed = false;
    expect(d.experiment).toEqual(then);
  });

  test('run labels are escaped once: a label with commas, percent and spaces round-trips', () => {
    const e = experiment();
    e.runs[0] = { ...e.runs[0], label: 'a, b: 100% (p = 15)' };
    const q = encodeExperiment(e);
    expect(q.toString()).toContain('run=label%3Aa%252C+b%3A+100%2525+%28p+%3D+15%29');
    expect(decodeExperiment(sealLink(q)).experiment.runs[0].label).toBe('a, b: 100% (p = 15)');
  });

  test('a link from a newer lab keeps its own message, whole or not', () => {
    const q = sealLink(new URLSearchParams('v=9&L=2'));
    expect(decodeExperiment(q).problems[0]).toMatch(/newer lab \(config version 9/);
    const cut = q.toString().slice(0, -1);
    expect(decodeExperiment(cut).refused).toMatch(/made by a newer version of the lab \(config version 9/);
  });

  test('results that do not read say so in words, never the browser or library text', async () => {
    const res = new URLSearchParams(pastedParams(await resultsLink())).get('res')!;
    for (const bad of [res.slice(0, 4001), res.slice(0, 4000), res.slice(0, 3999), '!!', 'A'])
      await expect(decompressText(bad)).rejects.toThrow(RESULTS_UNREADABLE);
  });

  test('link lengths: a 3-run results link (real runs of the extrapolation preset)', async () => {
    const link = await resultsLink();
    const res = new URLSearchParams(pastedParams(link)).get('res')!;
    console.log(
      `3-run results link: ${link.length} characters (results ${res.length}, the rest ${link.length - res.length})`,
    );
    expect(link).not.toContain('%25');
  });
});
