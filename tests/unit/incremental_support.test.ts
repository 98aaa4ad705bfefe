// Which mechanisms continue a growing context from the key/value cache and
// which recompute (src/sample/incremental_support.ts), and the one-line
// refusal of a growing context the fused evaluation cannot hold.
import { describe, expect, test } from 'vitest';
import { DEFAULT_MODEL, MECHANISMS, type Mechanism } from '../../src/config';
import { ResourceLimitError } from '../../src/errors';
import {
  checkGrowFits,
  type IncrementalTable,
  incrementalSupport,
  type LayerPath,
} from '../../src/sample/incremental_support';

describe('incrementalSupport', () => {
  test('every mechanism continues from the cache but mlp, which needs only its own row; each says why', () => {
    for (const m of MECHANISMS) {
      const s = incrementalSupport({ layers: [m, m] });
      expect(s.layers.map((l) => l.path)).toEqual(Array(2).fill(m === 'mlp' ? 'row' : 'cache'));
      expect(s.incremental, m).toBe(true);
      expect(s.layers[0].why.length, m).toBeGreaterThan(20);
    }
  });

  test('one layer without a one-row form would make the whole model recompute, and the summary names it', () => {
    const engine = incrementalSupport({ layers: [...MECHANISMS] }).layers;
    const table: IncrementalTable = Object.fromEntries(engine.map((l) => [l.mechanism, [l.path, l.why] as const])) as {
      [m in Mechanism]: readonly [LayerPath, string];
    };
    const noRow: IncrementalTable = { ...table, nonapprox: ['recompute', 'no one-row scan here'] };
    const s = incrementalSupport({ layers: ['softmax', 'mlp', 'nonapprox', 'nonapprox'] }, noRow);
    expect(s.incremental).toBe(false);
    expect(s.summary).toBe('grow mode recomputes the whole context each character: nonapprox (no one-row scan here)');
    expect(incrementalSupport({ layers: ['softmax', 'mlp', 'lssar'] }, noRow).summary).toMatch(
      /uses the key\/value cache/,
    );
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
