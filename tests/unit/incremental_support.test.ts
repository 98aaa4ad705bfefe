// Which mechanisms continue a growing context from the key/value cache and
// which recompute (src/sample/incremental_support.ts), and the one-line
// refusal of a growing context the fused evaluation cannot hold.
import { describe, expect, test } from 'vitest';
import { DEFAULT_MODEL, MECHANISMS, type Mechanism } from '../../src/config';
import { ResourceLimitError } from '../../src/errors';
import { checkGrowFits, incrementalSupport } from '../../src/sample/incremental_support';

const RECOMPUTE: Mechanism[] = ['nonapprox'];

describe('incrementalSupport', () => {
  test('every self-attention mechanism uses the cache, mlp its own row, the rest recompute, each with a reason', () => {
    for (const m of MECHANISMS) {
      const s = incrementalSupport({ layers: [m, m] });
      expect(s.layers.map((l) => l.path)).toEqual(
        Array(2).fill(RECOMPUTE.includes(m) ? 'recompute' : m === 'mlp' ? 'row' : 'cache'),
      );
      expect(s.incremental, m).toBe(!RECOMPUTE.includes(m));
      expect(s.layers[0].why.length, m).toBeGreaterThan(20);
    }
  });

  test('one layer that cannot use the cache makes the whole model recompute, and the summary names it', () => {
    const s = incrementalSupport({ layers: ['softmax', 'mlp', 'nonapprox', 'nonapprox'] });
    expect(s.incremental).toBe(false);
    expect(s.summary).toMatch(/^grow mode recomputes the whole context each character: nonapprox \(/);
    expect(s.summary).not.toContain('softmax (');
    expect(incrementalSupport({ layers: ['softmax', 'mlp', 'lssar'] }).summary).toMatch(/uses the key\/value cache/);
  });
});

describe('checkGrowFits', () => {
  const config = {
    ...DEFAULT_MODEL,
    vocabSize: 64,
    nEmbd: 32,
    nHead: 2,
    nLayer: 2,
    layers: ['softmax', 'softmax'] as Mechanism[],
  };
  // Generous limits but for the binding size: 1 MiB holds the MLP hidden rows (4C = 128 floats) of 2048 positions.
  const limits = {
    maxStorageBufferBindingSize: 1 << 20,
    maxBufferSize: 1 << 30,
    maxComputeWorkgroupStorageSize: 16384,
    maxComputeWorkgroupsPerDimension: 65535,
    maxComputeInvocationsPerWorkgroup: 256,
  };

  test('a context that fits passes; one that does not is refused in one line naming what fits', () => {
    expect(() => checkGrowFits(config, 100, 1500, limits)).not.toThrow();
    let err: unknown;
    try {
      checkGrowFits(config, 100, 9000, limits);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ResourceLimitError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/^a context growing to 9099 characters \(a 100-character prompt, 9000 to generate\) does not/);
    expect(msg).toContain('maxStorageBufferBindingSize');
    expect(msg).not.toContain('\n');
    // The most it names fits, and one more does not.
    const most = Number(/generate at most (\d+) characters/.exec(msg)?.[1]);
    expect(most).toBeGreaterThan(0);
    expect(() => checkGrowFits(config, 100, most, limits)).not.toThrow();
    expect(() => checkGrowFits(config, 100, most + 1, limits)).toThrow(ResourceLimitError);
  });
});
