// Issue 7: thousands of random and mutated share links (mutations of every
// preset's link included). Each either loads a valid experiment or is
// reported; decoding never throws and never lets a bad value through.
import { expect, test } from 'vitest';
import { defaultExperiment, resolveRuns } from '../../src/experiment/experiment';
import { fuzzLinks } from '../../src/experiment/fuzz';
import { decodeExperiment } from '../../src/experiment/url';

test('2000 hostile links: each loads a valid config or names what it rejected', () => {
  const links = fuzzLinks(2000, 7);
  let clean = 0,
    reported = 0,
    refused = 0,
    invalidCombination = 0;
  const blank = JSON.stringify(defaultExperiment());
  for (const link of links) {
    let d: ReturnType<typeof decodeExperiment>;
    try {
      d = decodeExperiment(link);
    } catch (e) {
      throw new Error(`decodeExperiment threw on ${JSON.stringify(link.slice(0, 200))}: ${e}`);
    }
    // A sealed link (the lab's own, with its check) that was mutated is refused whole: nothing of it loads.
    if (d.refused) {
      refused++;
      expect(JSON.stringify(d.experiment)).toBe(blank);
      expect([d.problems, d.results, d.teacher, d.sweep]).toEqual([[], null, null, null]);
      continue;
    }
    // Field by field, whatever was accepted is in range; a combination may
    // still be invalid (e.g. width not divisible by heads): resolveRuns says so.
    let runsOk = true;
    try {
      resolveRuns(d.experiment);
    } catch (e) {
      runsOk = false;
      expect(String(e)).toMatch(/run \d+: /);
    }
    if (d.problems.length) reported++;
    else if (runsOk) clean++;
    if (!runsOk) invalidCombination++;
    for (const p of d.problems) expect(p.length).toBeLessThan(400);
  }
  console.log(
    `link fuzz: ${links.length} links, ${clean} loaded cleanly, ${reported} reported problems, ` +
      `${refused} refused whole, ${invalidCombination} had an invalid combination`,
  );
  expect(clean + reported + refused + invalidCombination).toBeGreaterThanOrEqual(links.length);
  expect(refused).toBeGreaterThan(20);
  expect(reported).toBeGreaterThan(1000);
  expect(clean).toBeGreaterThan(0);
});
