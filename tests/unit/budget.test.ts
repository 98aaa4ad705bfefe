// The resource budget from the config alone: the plan, the refusal of a run
// that exceeds a limit (naming it and what would fit), and the evaluator's
// window chunking under small limits. No GPU: fake limit objects.
import { describe, expect, test } from 'vitest';
import { ConfigError, DEFAULT_MODEL, type ModelConfig } from '../../src/config';
import { ResourceLimitError } from '../../src/errors';
import { EvalLimitError, widestPerToken, windowsPerChunk } from '../../src/eval/chunk';
import { checkFits, checkParamsFit, type DeviceLimits } from '../../src/model/budget';
import { bufferBytes, planGraph, planMemory, planParams } from '../../src/model/memory_plan';
import { buildParamTable, paramSpecs } from '../../src/model/params';

/** WebGPU's default limits (what any adapter must offer). */
const DEFAULTS: DeviceLimits = {
  maxStorageBufferBindingSize: 128 << 20,
  maxBufferSize: 256 << 20,
  maxComputeWorkgroupStorageSize: 16384,
  maxComputeWorkgroupsPerDimension: 65535,
  maxComputeInvocationsPerWorkgroup: 256,
};
const KiB = 1024;

const fits = (c: ModelConfig, B: number, T: number, l: DeviceLimits) => {
  try {
    checkFits(c, B, T, l);
    return true;
  } catch (e) {
    if (e instanceof ResourceLimitError) return false;
    throw e;
  }
};

function refusal(c: ModelConfig, B: number, T: number, l: DeviceLimits): ResourceLimitError {
  try {
    checkFits(c, B, T, l);
  } catch (e) {
    expect(e).toBeInstanceOf(ResourceLimitError);
    expect(e).toBeInstanceOf(ConfigError);
    return e as ResourceLimitError;
  }
  throw new Error('expected a refusal');
}

describe('planMemory', () => {
  test('the default run fits the WebGPU default limits; the plan adds up', () => {
    const plan = checkFits(DEFAULT_MODEL, 16, 64, DEFAULTS);
    expect(plan.totalBytes).toBe(plan.buffers.reduce((a, b) => a + b.bytes, 0));
    expect(plan.largestBinding.bytes).toBe(Math.max(...plan.buffers.filter((b) => b.binding).map((b) => b.bytes)));
    // Attention weights [B,H,T,T] are the largest tensor of the default training run.
    expect(plan.largestBinding.bytes).toBe(bufferBytes(16 * 4 * 64 * 64));
    const n = buildParamTable(paramSpecs(DEFAULT_MODEL)).total;
    expect(planParams(DEFAULT_MODEL).map((b) => b.bytes)).toEqual([...Array(4).fill(bufferBytes(n)), 64]);
  });

  test('activations scale with the batch; the arenas do not', () => {
    const a = planMemory(DEFAULT_MODEL, 4, 32, true);
    const b = planMemory(DEFAULT_MODEL, 8, 32, true);
    const fixed = planParams(DEFAULT_MODEL).reduce((s, x) => s + x.bytes, 0);
    expect(b.totalBytes).toBeGreaterThan(a.totalBytes);
    // Everything but arenas, trainer buffers and per-weight scratch doubles (within the 16-byte rounding).
    const graphA = planGraph(DEFAULT_MODEL, 4, 32, true).filter((x) => !/W\^T/.test(x.label));
    const graphB = planGraph(DEFAULT_MODEL, 8, 32, true).filter((x) => !/W\^T/.test(x.label));
    const sum = (xs: { bytes: number }[]) => xs.reduce((s, x) => s + x.bytes, 0);
    expect(Math.abs(sum(graphB) - 2 * sum(graphA))).toBeLessThan(
      16 * graphA.length + sum(graphA.filter((x) => /split-K|rope|partials/.test(x.label))) * 2,
    );
    expect(a.totalBytes).toBeGreaterThan(fixed);
  });

  test('evaluation (fused) plans no [B,H,T,T] buffer and no gradients', () => {
    const g = planGraph(DEFAULT_MODEL, 2, 256, { training: false, fused: true, diagnostics: true });
    expect(g.some((b) => /\.att$|d_/.test(b.label))).toBe(false);
    expect(g.some((b) => /att_diagnostics/.test(b.label))).toBe(true);
  });

  test('invalid graph options are refused before planning (so a Graph never half-allocates)', () => {
    expect(() => planGraph(DEFAULT_MODEL, 1, 8, { training: true, skipNonSoftmax: true })).toThrow(/hybridskip/);
    expect(() => planGraph(DEFAULT_MODEL, 1, 8, { training: true, fused: true })).toThrow(/forward-only/);
  });
});

describe('checkFits', () => {
  test('a binding limit names the buffer, the limit and the largest batch and length that fit', () => {
    // 1 MiB bindings hold the arenas (794 KiB); [16, 4, 128, 128] attention weights are 4 MiB.
    const small = { ...DEFAULTS, maxStorageBufferBindingSize: 1024 * KiB };
    const e = refusal(DEFAULT_MODEL, 16, 128, small);
    expect(e.limit).toBe('maxStorageBufferBindingSize');
    expect(e.needed).toBe(4 << 20);
    expect(e.allowed).toBe(1024 * KiB);
    expect(e.message).toMatch(
      new RegExp(
        '^the attention weights buffer \\(h\\d\\.(d_)?att\\) needs 4\\.00 MiB \\(4194304 bytes\\) ' +
          'but maxStorageBufferBindingSize is 1\\.00 MiB \\(1048576 bytes\\)',
      ),
    );
    expect(e.message).toMatch(
      new RegExp(
        `the largest batch that fits at seqLen 128 is ${e.largestBatch}, ` +
          `or the longest seqLen at batch 16 is ${e.longestSeqLen}`,
      ),
    );
    // The suggestions are the largest that fit: one more does not.
    expect(e.largestBatch).toBeGreaterThan(0);
    expect(fits(DEFAULT_MODEL, e.largestBatch, 128, small)).toBe(true);
    expect(fits(DEFAULT_MODEL, e.largestBatch + 1, 128, small)).toBe(false);
    expect(e.longestSeqLen).toBeGreaterThan(0);
    expect(fits(DEFAULT_MODEL, 16, e.longestSeqLen, small)).toBe(true);
    expect(fits(DEFAULT_MODEL, 16, e.longestSeqLen + 1, small)).toBe(false);
  });

  test('when no batch fits at this length, the longest length at batch 1 is suggested', () => {
    const small = { ...DEFAULTS, maxStorageBufferBindingSize: 1024 * KiB };
    const e = refusal(DEFAULT_MODEL, 2, 1024, small);
    expect(e.message).toMatch(/no batch fits at seqLen 1024; the longest seqLen at batch 2 is \d+/);
    expect(e.largestBatch).toBe(0);
    expect(fits(DEFAULT_MODEL, 2, e.longestSeqLen, small)).toBe(true);
  });

  test('the attention weights of a long training length exceed maxBufferSize, not only the binding size', () => {
    const l = { ...DEFAULTS, maxStorageBufferBindingSize: 1 << 30, maxBufferSize: 64 << 20 };
    const e = refusal(DEFAULT_MODEL, 16, 1024, l);
    expect(e.limit).toBe('maxBufferSize');
    expect(e.message).toMatch(/attention weights buffer/);
  });

  test('an arena too large for the device is refused whatever the batch', () => {
    const big: ModelConfig = { ...DEFAULT_MODEL, nEmbd: 1024, nHead: 8, nLayer: 8, layers: Array(8).fill('softmax') };
    const l = { ...DEFAULTS, maxBufferSize: 64 << 20, maxStorageBufferBindingSize: 64 << 20 };
    expect(() => checkParamsFit(big, l)).toThrow(
      new RegExp(
        'parameter arena buffer \\(params\\) needs .* ' +
          'but maxStorageBufferBindingSize is 64\\.0 MiB .*make the model smaller',
      ),
    );
    const e = refusal(big, 1, 8, l);
    expect(e.largestBatch).toBe(0);
    expect(() => checkParamsFit(DEFAULT_MODEL, l)).not.toThrow();
  });

  test('workgroup storage, invocations, head width and dispatch size are checked', () => {
    expect(refusal(DEFAULT_MODEL, 1, 8, { ...DEFAULTS, maxComputeWorkgroupStorageSize: 512 }).message).toMatch(
      /needs 1\.00 KiB .* but maxComputeWorkgroupStorageSize is 512 bytes/,
    );
    expect(refusal(DEFAULT_MODEL, 1, 8, { ...DEFAULTS, maxComputeInvocationsPerWorkgroup: 128 }).limit).toBe(
      'maxComputeInvocationsPerWorkgroup',
    );
    const wide: ModelConfig = { ...DEFAULT_MODEL, nEmbd: 1024, nHead: 2, nLayer: 1, layers: ['softmax'] };
    expect(refusal(wide, 1, 8, DEFAULTS).message).toMatch(
      /head width nEmbd \/ nHead = 512 needs 512 but the attention kernels' maximum head width is 256/,
    );
    // Without attention layers the head width does not matter.
    expect(fits({ ...wide, layers: ['mlp'], positional: 'nope' }, 1, 8, DEFAULTS)).toBe(true);
    const e = refusal(DEFAULT_MODEL, 20000, 1, DEFAULTS);
    expect(e.limit).toBe('maxComputeWorkgroupsPerDimension');
    expect(e.largestBatch).toBe(Math.floor(65535 / DEFAULT_MODEL.nHead));
  });

  test("a run's evaluation graphs are checked with the same limits, naming the length", () => {
    const small = { ...DEFAULTS, maxStorageBufferBindingSize: 1024 * KiB };
    const unfused = { training: false, reweightP: null };
    const at = (L: number) => ({ B: 1, T: L, options: unfused });
    expect(() =>
      checkFits(DEFAULT_MODEL, 4, 32, small, { training: true, evaluation: [at(64), at(256)] }),
    ).not.toThrow();
    // [1, 4, 1024, 1024] attention weights are 16 MiB.
    const e = (() => {
      try {
        checkFits(DEFAULT_MODEL, 4, 32, small, { training: true, evaluation: [at(64), at(1024)] });
      } catch (x) {
        return x as ResourceLimitError;
      }
    })();
    expect(e).toBeInstanceOf(ResourceLimitError);
    expect(e?.message).toMatch(
      /^evaluating at length 1024 \(1 windows at once\): the attention weights buffer \(h0\.att\)/,
    );
    expect(e?.message).toMatch(/evaluate shorter lengths/);
  });

  test('batch and length must be positive integers', () => {
    expect(() => checkFits(DEFAULT_MODEL, 0, 8, DEFAULTS)).toThrow(ConfigError);
    expect(() => checkFits(DEFAULT_MODEL, 2, 1.5, DEFAULTS)).toThrow(/seqLen must be a positive integer/);
  });
});

describe('evaluation lengths under small limits (src/eval/chunk.ts)', () => {
  // 1 MiB bindings: the default model's arenas (794 KiB) fit, long windows do not.
  const small = {
    ...DEFAULTS,
    maxStorageBufferBindingSize: 1024 * KiB,
    maxBufferSize: 2 << 20,
  } as unknown as GPUSupportedLimits;
  test('long windows are chunked so every chunk fits the binding limit', () => {
    for (const L of [64, 300, 1000]) {
      const B = windowsPerChunk(DEFAULT_MODEL, L, small);
      expect(B).toBeGreaterThan(0);
      expect(B * L * widestPerToken(DEFAULT_MODEL) * 4).toBeLessThanOrEqual(1024 * KiB);
      // The chunked evaluation graph also passes the full budget check.
      expect(() =>
        checkFits(DEFAULT_MODEL, B, L, small as unknown as DeviceLimits, {
          training: false,
          fused: true,
          diagnostics: true,
        }),
      ).not.toThrow();
    }
  });
  test('a window too long for one binding is refused, naming the longest length that fits', () => {
    const longest = Math.floor((1024 * KiB) / (widestPerToken(DEFAULT_MODEL) * 4));
    expect(() => windowsPerChunk(DEFAULT_MODEL, longest + 1, small)).toThrow(EvalLimitError);
    expect(() => windowsPerChunk(DEFAULT_MODEL, longest + 1, small)).toThrow(
      new RegExp(`longest length that fits is ${longest}`),
    );
    expect(windowsPerChunk(DEFAULT_MODEL, longest, small)).toBe(1);
  });
});
