// The run host's kept weights (src/host/kept_weights.ts): bounded by bytes,
// the oldest runs dropped first, a run larger than the bound not kept.
import { expect, test } from 'vitest';
import type { Corpus } from '../../src/data/corpus';
import { DEFAULT_RUN } from '../../src/experiment/run_config';
import { KeptWeights } from '../../src/host/kept_weights';

const corpus = {} as Corpus;
const run = (floats: number) => ({ run: DEFAULT_RUN, corpus, params: new Float32Array(floats) });

test('kept weights stay under their bound, oldest dropped first', () => {
  const k = new KeptWeights(100 * 4);
  k.keep('a', run(40));
  k.keep('b', run(40));
  expect(k.ids()).toEqual(['a', 'b']);
  k.keep('c', run(40)); // 120 floats: a goes
  expect(k.ids()).toEqual(['b', 'c']);
  expect(k.bytes).toBe(80 * 4);
  k.keep('b', run(10)); // kept again: now the newest
  expect(k.ids()).toEqual(['c', 'b']);
  k.keep('huge', run(101)); // larger than the bound: not kept, nothing else dropped
  expect(k.ids()).toEqual(['c', 'b']);
  expect(k.get('c')?.params.length).toBe(40);
  expect(k.get('a')).toBeUndefined();
  expect(new KeptWeights(0).maxBytes).toBe(0);
});
