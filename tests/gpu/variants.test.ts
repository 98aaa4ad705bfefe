// Properties of the Deconstructing variants that the gradient tests cannot see.
import { describe, expect, test } from 'vitest';
import { DEFAULT_MODEL, type Mechanism, type ModelConfig } from '../../src/config';
import { AttentionMixer } from '../../src/model/attention_mixer';
import { GptModel, Graph } from '../../src/model/gpt';
import { Rng } from '../../src/util/random';
import { gpu } from './gpu';

const V = 19,
  B = 3,
  T = 12,
  H = 2,
  hd = 8;

function model(layers: Mechanism[], positional: 'rope' | 'nope' = 'rope'): ModelConfig {
  return {
    ...DEFAULT_MODEL,
    vocabSize: V,
    nLayer: layers.length,
    nEmbd: H * hd,
    nHead: H,
    layers,
    positional,
    trainLength: T,
    seed: 3,
  };
}

function tokens(seed: number): Uint32Array {
  const rng = new Rng(seed);
  return Uint32Array.from({ length: B * T }, () => rng.int(V));
}

async function forwardRead(
  graph: Graph,
  input: Uint32Array,
  read: (m: AttentionMixer) => GPUBuffer,
): Promise<Float32Array> {
  graph.setBatch(input, input);
  graph.forward.run();
  const m = graph.mixer(1);
  if (!(m instanceof AttentionMixer)) throw new Error('layer 1 is not an attention mixer');
  return graph.model.ctx.read(read(m));
}

describe('fixed-stream and static variants', () => {
  test("rndembqk's attention map is the same for every input batch (and softmax's is not)", async () => {
    const ctx = await gpu();
    const nA = B * H * T * T; // the batch rows' maps; stream rows follow
    for (const [mech, same] of [
      ['rndembqk', true],
      ['softmax', false],
    ] as const) {
      const m = new GptModel(ctx, model(['softmax', mech]));
      const g = new Graph(m, B, T, { training: false });
      const a1 = (await forwardRead(g, tokens(1), (x) => x.weights.buffer)).slice(0, nA);
      const a2 = (await forwardRead(g, tokens(2), (x) => x.weights.buffer)).slice(0, nA);
      const differ = a1.some((v, i) => v !== a2[i]);
      expect(differ).toBe(!same);
      if (same) {
        // Every batch row shares one map: row b equals row 0.
        const per = H * T * T;
        for (let b = 1; b < B; b++)
          expect(Array.from(a1.slice(b * per, (b + 1) * per))).toEqual(Array.from(a1.slice(0, per)));
      }
      g.destroy();
      m.destroy();
    }
  });

  test("staticembqk's queries and keys depend only on each token's identity (softmax's do not)", async () => {
    const ctx = await gpu();
    for (const [mech, contextFree] of [
      ['staticembqk', true],
      ['softmax', false],
    ] as const) {
      const m = new GptModel(ctx, model(['softmax', mech], 'nope'));
      const g = new Graph(m, B, T, { training: false });
      const input = tokens(5);
      const q = await forwardRead(g, input, (x) => x.queriesKeys.q.buffer);
      // q is [B, H, T, hd]; compare every pair of positions holding the same token.
      let maxDiff = 0;
      let pairs = 0;
      for (let n1 = 0; n1 < B * T; n1++)
        for (let n2 = n1 + 1; n2 < B * T; n2++) {
          if (input[n1] !== input[n2]) continue;
          pairs++;
          const [b1, t1, b2, t2] = [Math.floor(n1 / T), n1 % T, Math.floor(n2 / T), n2 % T];
          for (let h = 0; h < H; h++)
            for (let d = 0; d < hd; d++) {
              const x1 = q[((b1 * H + h) * T + t1) * hd + d];
              const x2 = q[((b2 * H + h) * T + t2) * hd + d];
              maxDiff = Math.max(maxDiff, Math.abs(x1 - x2));
            }
        }
      expect(pairs).toBeGreaterThan(5);
      if (contextFree) expect(maxDiff).toBe(0);
      else expect(maxDiff).toBeGreaterThan(1e-4);
      g.destroy();
      m.destroy();
    }
  });

  test('fixedseqqk without a passage is a clear error', async () => {
    const ctx = await gpu();
    const m = new GptModel(ctx, model(['softmax', 'fixedseqqk']));
    expect(() => new Graph(m, B, T, { training: false })).toThrow(
      /fixedseqqk needs a fixed passage of at least 12 tokens/,
    );
    m.destroy();
  });
});
