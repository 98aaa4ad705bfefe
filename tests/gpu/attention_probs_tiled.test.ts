// The register-tiled probabilities forward (shaders/attention_probs_forward.wgsl, 4 query
// rows a thread) and values backward (shaders/attention_values_backward.wgsl, 8 x 8 datt
// tiles) against the float64 references and, bit for bit, against the one-row kernels they
// replaced (tests/gpu/fixtures/*_rows.wgsl): every output keeps its operations and their
// order, so nothing may move. T straddles both tiles (1, 7, 9, 17, 33, 130), hd is below,
// at and past a vec4 (1, 3, 4, 16, 20, 64) (every pair for softmax and datt; each other
// mechanism, with and without ALiBi, at the pairs that reach each code path), dout in both
// layouts. Each kernel with its diagonal-corner predicate broken (j <= i made j < i) must
// fail the comparison: the test can fail.
import { describe, expect, test } from 'vitest';
import probsCode from '../../shaders/attention_probs_forward.wgsl?raw';
import dattCode from '../../shaders/attention_values_backward.wgsl?raw';
import { ceilDiv, type Program } from '../../src/gpu/program';
import { packUniform, uniformLayout } from '../../src/gpu/uniform';
import * as K from '../../src/kernels/attention';
import { formConstants, NORMALISED_MECHANISMS, type NormalisedMechanism } from '../../src/kernels/attention_constants';
import * as R from '../../src/reference/attention';
import { assertClose } from '../../src/util/compare';
import { randn } from '../../src/util/random';
import probsRowsCode from './fixtures/attention_probs_forward_rows.wgsl?raw';
import dattRowsCode from './fixtures/attention_values_backward_rows.wgsl?raw';
import { gpu, runProgram } from './gpu';

const TS = [1, 7, 9, 17, 33, 130];
const HDS = [1, 3, 4, 16, 20, 64];
const B = 1;
const H = 2;

interface Shape {
  T: number;
  hd: number;
}
type Mutate = (code: string) => string;
const same: Mutate = (c) => c;

function probsUniform(p: Program, { T, hd }: Shape, params: K.ProbsParams, grid?: { gridX: number; total: number }) {
  const values = {
    T,
    hd,
    H,
    invSqrtHd: 1 / Math.sqrt(hd),
    lnHd: Math.log(hd),
    lnTrain: Math.log(params.trainLength),
  };
  const data = grid ? packUniform(K.PROBS_FWD_PARAMS, { ...values, ...grid }) : packUniform(K.PROBS_PARAMS, values);
  return p.uniform('probs test params', data);
}

/** The one-row forward (the fixture) or, with `mutate`, the tiled shader's text changed. */
function probsKernel(p: Program, bufs: GPUBuffer[], s: Shape, params: K.ProbsParams, mutate: Mutate | null) {
  const constants = { ...formConstants(params.mechanism), ALIBI: params.alibi ? 1 : 0, HD: s.hd };
  const access = ['read', 'read', 'write', 'write', 'uniform'] as const;
  if (!mutate) {
    const spec = { label: 'probs_rows', code: K.withAttentionPrelude(probsRowsCode), access, constants };
    p.add(
      { ...spec, uniforms: { Params: K.PROBS_PARAMS } },
      [...bufs, probsUniform(p, s, params)],
      [ceilDiv(s.T, 64), B * H],
    );
    return;
  }
  const total = B * H * ceilDiv(s.T, K.PROBS_ROWS);
  const [gx, gy] = K.grid(total);
  const u = probsUniform(p, s, params, { gridX: gx, total });
  const spec = { label: 'probs_mutant', code: K.withAttentionPrelude(mutate(probsCode)), access, constants };
  p.add({ ...spec, uniforms: { Params: K.PROBS_FWD_PARAMS } }, [...bufs, u], [gx, gy]);
}

const DATT_ROWS_PARAMS = uniformLayout([
  ['T', 'u32'],
  ['hd', 'u32'],
  ['jb', 'u32'],
  ['gridX', 'u32'],
  ['total', 'u32'],
  ['H', 'u32'],
  ['doutMerged', 'u32'],
  ['_p2', 'u32'],
]);

/** The one-row datt kernel (the fixture) or, with `mutate`, the tiled shader's text changed. */
function dattKernel(p: Program, bufs: GPUBuffer[], { T, hd }: Shape, merged: boolean, mutate: Mutate | null) {
  const doutMerged = merged ? 1 : 0;
  const access = ['read', 'read', 'write', 'uniform'] as const;
  if (!mutate) {
    const jb = ceilDiv(T, 4);
    const total = B * H * T * jb;
    const [gx, gy] = K.grid(total);
    const u = p.uniform('datt rows', packUniform(DATT_ROWS_PARAMS, { T, hd, jb, gridX: gx, total, H, doutMerged }));
    const code = K.withAttentionPrelude(dattRowsCode);
    p.add({ label: 'datt_rows', code, access, uniforms: { Params: DATT_ROWS_PARAMS } }, [...bufs, u], [gx, gy]);
    return;
  }
  const tiles = ceilDiv(T, K.DATT_TILE);
  const total = B * H * tiles * tiles;
  const [gx, gy] = K.grid(total);
  const layout = K.DATT.uniforms.Params;
  const u = p.uniform('datt mutant', packUniform(layout, { T, hd, tiles, gridX: gx, total, H, doutMerged }));
  const code = K.withAttentionPrelude(mutate(dattCode));
  p.add({ label: 'datt_mutant', code, access, uniforms: { Params: layout } }, [...bufs, u], [gx, gy]);
}

const shapes: Shape[] = TS.flatMap((T) => HDS.map((hd) => ({ T, hd })));
/**
 * Per mechanism, fewer shapes (each head width is a pipeline to compile, the suite's main cost here):
 * every T at the written-out width 16, and the private-array path at a width below and past a vec4.
 */
const mechanismShapes: Shape[] = [
  ...TS.map((T) => ({ T, hd: 16 })),
  ...[3, 20].flatMap((hd) => [9, 33].map((T) => ({ T, hd }))),
];
const label = (s: Shape) => `T=${s.T} hd=${s.hd}`;

/** Runs the tiled forward (or a mutant of it) and the one-row fixture on every shape; returns their outputs. */
async function probsCases(params: K.ProbsParams, mutate: Mutate | null, list = shapes) {
  const ctx = await gpu();
  const runs = list.map((s, n) => {
    const [q, k] = [randn(B * H * s.T * s.hd, 2 * n + 1), randn(B * H * s.T * s.hd, 2 * n + 2)];
    const ins = [ctx.upload('q', q), ctx.upload('k', k)];
    const outs = [0, 1].map(() => [ctx.storage('att', B * H * s.T * s.T), ctx.storage('rowstat', B * H * s.T)]);
    return { s, q, k, ins, outs };
  });
  await runProgram(ctx, (p) => {
    for (const { s, ins, outs } of runs) {
      const [att, rowstat] = outs[0];
      if (mutate) probsKernel(p, [...ins, ...outs[0]], s, params, mutate);
      else K.attention_probs_forward(p, { B, H, ...s, q: ins[0], k: ins[1], att, rowstat, params });
      probsKernel(p, [...ins, ...outs[1]], s, params, null);
    }
  });
  const got = [];
  for (const r of runs) {
    const read = await Promise.all(r.outs.flat().map((b) => ctx.read(b)));
    got.push({ ...r, tiled: read.slice(0, 2), rows: read.slice(2) });
    ctx.destroyAll([...r.ins, ...r.outs.flat()]);
  }
  return got;
}

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

describe('attention probabilities forward: 4-row tile vs the one-row kernel and float64', () => {
  for (const mechanism of NORMALISED_MECHANISMS as readonly NormalisedMechanism[])
    for (const alibi of [false, true])
      test(`${mechanism}${alibi ? '+alibi' : ''}, T x hd`, async () => {
        const params = { mechanism, alibi, trainLength: mechanism === 'lssacap' ? 5 : 64 };
        // Softmax without ALiBi takes every T x hd; the others the shapes that reach each code path.
        const list = mechanism === 'softmax' && !alibi ? shapes : mechanismShapes;
        for (const { s, q, k, tiled, rows } of await probsCases(params, null, list)) {
          const [att, rowstat] = [new Float64Array(B * H * s.T * s.T), new Float64Array(B * H * s.T)];
          R.attention_probs_forward(att, rowstat, q, k, B, H, s.T, s.hd, params);
          assertClose(`att ${label(s)}`, tiled[0], att, { rtol: 1e-4, atol: 1e-6 });
          assertClose(`rowstat ${label(s)}`, tiled[1], rowstat, { rtol: 1e-4, atol: 1e-5 });
          expect(bits(tiled[0]), `att ${label(s)}`).toEqual(bits(rows[0]));
          expect(bits(tiled[1]), `rowstat ${label(s)}`).toEqual(bits(rows[1]));
        }
      });
  test('a wrong corner predicate (j < i) fails the comparison', async () => {
    const wrong: Mutate = (c) => {
      const out = c.replace('vec4<u32>(j) <= iv', 'vec4<u32>(j) < iv');
      expect(out).not.toBe(c);
      return out;
    };
    const params = { mechanism: 'softmax' as const, alibi: false, trainLength: 64 };
    const check = async (m: Mutate) =>
      (await probsCases(params, m)).filter((r) => bits(r.tiled[0]).join() !== bits(r.rows[0]).join()).length;
    expect(await check(same)).toBe(0);
    expect(await check(wrong)).toBe(shapes.length);
  });
});

/** Runs the tiled datt (or a mutant of it) and the one-row fixture on every shape; returns their outputs. */
async function dattCases(merged: boolean, mutate: Mutate | null) {
  const ctx = await gpu();
  const runs = shapes.map((s, n) => {
    const [dout, v] = [randn(B * H * s.T * s.hd, 3 * n + 1), randn(B * H * s.T * s.hd, 3 * n + 2)];
    const ins = [ctx.upload('dout', dout), ctx.upload('v', v)];
    const outs = [0, 1].map(() => ctx.storage('datt', B * H * s.T * s.T));
    return { s, dout, v, ins, outs };
  });
  await runProgram(ctx, (p) => {
    for (const { s, ins, outs } of runs) {
      if (mutate) dattKernel(p, [...ins, outs[0]], s, merged, mutate);
      else {
        // The whole values backward; its dv half (the mix) is tests/gpu/attention_mix.test.ts's.
        const dv = p.scratch('dv', B * H * s.T * s.hd);
        const att = p.scratch('att', B * H * s.T * s.T);
        const a = { B, H, ...s, datt: outs[0], dv, dout: ins[0], doutMerged: merged, att, v: ins[1] };
        K.attention_values_backward(p, a);
      }
      dattKernel(p, [...ins, outs[1]], s, merged, null);
    }
  });
  const got = [];
  for (const r of runs) {
    const [tiled, rows] = await Promise.all(r.outs.map((b) => ctx.read(b)));
    got.push({ ...r, tiled, rows });
    ctx.destroyAll([...r.ins, ...r.outs]);
  }
  return got;
}

/** [B,T,H*hd] -> [B,H,T,hd]. */
function split(x: Float32Array, T: number, hd: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      for (let h = 0; h < H; h++)
        out.set(x.subarray(((b * T + t) * H + h) * hd, ((b * T + t) * H + h + 1) * hd), ((b * H + h) * T + t) * hd);
  return out;
}

describe('attention values backward: 8 x 8 datt tile vs the one-row kernel and float64', () => {
  for (const merged of [false, true])
    test(`dout ${merged ? 'merged [B,T,H*hd]' : 'in heads [B,H,T,hd]'}, T x hd`, async () => {
      for (const { s, dout, v, tiled, rows } of await dattCases(merged, null)) {
        const n = B * H * s.T;
        const [datt, dv] = [new Float64Array(n * s.T), new Float64Array(n * s.hd)];
        const att = new Float32Array(n * s.T);
        R.attention_values_backward(datt, dv, merged ? split(dout, s.T, s.hd) : dout, att, v, B, H, s.T, s.hd);
        assertClose(`datt ${label(s)}`, tiled, datt, { rtol: 1e-4, atol: 1e-5 });
        expect(bits(tiled), `datt ${label(s)}`).toEqual(bits(rows));
      }
    });
  test('a wrong corner predicate (j < i) fails the comparison', async () => {
    const wrong: Mutate = (c) => {
      const out = c.replace('select(0.0, a[e], j <= i)', 'select(0.0, a[e], j < i)');
      expect(out).not.toBe(c);
      return out;
    };
    const check = async (m: Mutate) =>
      (await dattCases(false, m)).filter((r) => bits(r.tiled).join() !== bits(r.rows).join()).length;
    expect(await check(same)).toBe(0);
    expect(await check(wrong)).toBe(shapes.length);
  });
});
