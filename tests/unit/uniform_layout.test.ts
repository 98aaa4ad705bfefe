// Every shader's uniform structs against the TypeScript tables their kernels pack
// them with (KernelSpec.uniforms, src/gpu/uniform.ts): field order, names, WGSL
// types, byte offsets and size. A mismatch fails naming the kernel and the field
// instead of showing up as wrong numbers on the GPU.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import type { KernelSpec } from '../../src/gpu/program';
import { packUniform, structLayout, typeLayout, type UniformLayout, uniformLayout } from '../../src/gpu/uniform';
import { compareLayout, parseStructs, uniformVars } from './wgsl_structs';

const modules = import.meta.glob<{ KERNELS?: readonly KernelSpec[] }>('../../src/kernels/*.ts', { eager: true });
const sources = import.meta.glob<string>('../../src/kernels/*.ts', { eager: true, query: '?raw', import: 'default' });
const SHADERS = new URL('../../shaders/', import.meta.url);
const shaderFiles = readdirSync(SHADERS).filter((f) => f.endsWith('.wgsl'));
const shaderText = (f: string) => readFileSync(new URL(f, SHADERS), 'utf8');

const specs: KernelSpec[] = Object.values(modules).flatMap((m) => [...(m.KERNELS ?? [])]);

/** Every mismatch between a spec's shader code and its declared uniform layouts. */
function checkSpec(spec: KernelSpec): string[] {
  const errors: string[] = [];
  let structs: ReturnType<typeof parseStructs>;
  try {
    structs = parseStructs(spec.code);
  } catch (e) {
    return [`${spec.label}: ${(e as Error).message}`];
  }
  const used = new Set(uniformVars(spec.code).values());
  for (const s of used) {
    const shader = structs.get(s);
    const ts = spec.uniforms?.[s];
    if (!shader) errors.push(`${spec.label}: uniform struct ${s} is not declared in the shader`);
    else if (!ts) errors.push(`${spec.label}: struct ${s} is a uniform of the shader but has no TypeScript layout`);
    else errors.push(...compareLayout(spec.label, s, shader, ts));
  }
  for (const s of Object.keys(spec.uniforms ?? {}))
    if (!used.has(s)) errors.push(`${spec.label}: TypeScript declares struct ${s}, which the shader has no uniform of`);
  return errors;
}

describe('uniform layouts', () => {
  test('every kernel module declares its kernels', () => {
    const missing = Object.entries(sources)
      .filter(([path, text]) => text.includes('.wgsl?raw') && !modules[path]?.KERNELS)
      .map(([path]) => path);
    expect(missing).toEqual([]);
    expect(specs.length).toBeGreaterThan(40);
    expect(new Set(specs.map((s) => s.label)).size).toBe(specs.length);
  });

  test('every shader with an entry point is compiled by a declared kernel', () => {
    const kernels = shaderFiles.filter((f) => /\bfn\s+main\b/.test(shaderText(f)));
    expect(kernels.length).toBeGreaterThan(40);
    const orphans = kernels.filter((f) => !specs.some((s) => s.code.includes(shaderText(f))));
    expect(orphans).toEqual([]);
    // Preludes (no entry point) are covered through the kernels that prepend them.
    for (const f of shaderFiles.filter((f) => !kernels.includes(f)))
      expect(
        specs.some((s) => s.code.includes(shaderText(f))),
        f,
      ).toBe(true);
  });

  test('every uniform struct matches the table its kernel packs it with', () => {
    const errors = specs.flatMap(checkSpec);
    expect(errors).toEqual([]);
    const checked = specs.reduce((n, s) => n + uniformVars(s.code).size, 0);
    expect(checked).toBeGreaterThanOrEqual(specs.length);
  });

  test('packUniform writes each field at the offset the shader reads it from', () => {
    for (const spec of specs)
      for (const [name, layout] of Object.entries(spec.uniforms ?? {})) {
        const values: Record<string, number | number[]> = {};
        layout.forEach(([f, t], i) => {
          const lanes = Array.from(
            { length: typeLayout(t).lanes },
            (_, j) => 10 * i + j + (t.includes('f32') ? 0.5 : 1),
          );
          values[f] = lanes.length === 1 ? lanes[0] : lanes;
        });
        const view = new DataView(packUniform(layout as UniformLayout, values as never));
        const shader = structLayout(parseStructs(spec.code).get(name) as never);
        for (const m of shader.members) {
          const t = typeLayout(m.type);
          const got = Array.from({ length: t.lanes }, (_, j) => {
            const o = m.offset + 4 * j;
            return t.scalar === 'f32' ? view.getFloat32(o, true) : view.getUint32(o, true);
          });
          expect(got, `${spec.label} ${name}.${m.name}`).toEqual([values[m.name]].flat());
        }
        expect(view.byteLength % 16, `${spec.label} ${name}`).toBe(0);
        expect(view.byteLength, `${spec.label} ${name}`).toBeGreaterThanOrEqual(shader.size);
      }
  });

  test('a wrong layout is reported by kernel and field', () => {
    const probs = specs.find((s) => s.label === 'attention_probs_backward');
    if (!probs?.uniforms) throw new Error('attention_probs_backward not declared');
    const right = probs.uniforms.Params;
    const wrong = (l: UniformLayout) => checkSpec({ ...probs, uniforms: { Params: l } });
    expect(wrong(right)).toEqual([]);
    // Two fields swapped: the numbers would land in each other's slot.
    const swapped = right.map((f) => (f[0] === 'lnHd' ? right[4] : f[0] === 'invSqrtHd' ? right[5] : f));
    expect(wrong(swapped)).toEqual([
      "attention_probs_backward: struct Params field 4 'invSqrtHd': " +
        'shader has invSqrtHd: f32 at byte 16, TypeScript has lnHd: f32 at byte 16',
      "attention_probs_backward: struct Params field 5 'lnHd': " +
        'shader has lnHd: f32 at byte 20, TypeScript has invSqrtHd: f32 at byte 20',
    ]);
    // A float packed as an integer.
    const retyped: UniformLayout = right.map((f) => (f[0] === 'lnTrain' ? (['lnTrain', 'u32'] as const) : f));
    expect(wrong(retyped)).toEqual([
      "attention_probs_backward: struct Params field 6 'lnTrain': " +
        'shader has lnTrain: f32 at byte 24, TypeScript has lnTrain: u32 at byte 24',
    ]);
    // A padding field left out: the field is missing and the struct is short.
    expect(wrong(right.filter((f) => f[0] !== '_pad2'))).toEqual([
      "attention_probs_backward: struct Params field 7 '_pad2': " +
        'shader has _pad2: f32 at byte 28, TypeScript has nothing',
      'attention_probs_backward: struct Params: size 32 bytes in the shader, 28 in TypeScript',
    ]);
    // A vec4 after a scalar is aligned to 16 bytes: the offsets tell it apart.
    const v = uniformLayout([
      ['n', 'u32'],
      ['w', 'vec4<f32>'],
    ]);
    const code = 'struct P { n: u32, _a: u32, w: vec4f }\n@group(0) @binding(0) var<uniform> u: P;';
    expect(checkSpec({ label: 'toy', code, access: ['uniform'], uniforms: { P: v } })).toEqual([
      "toy: struct P field 1 '_a': shader has _a: u32 at byte 4, TypeScript has w: vec4<f32> at byte 16",
      "toy: struct P field 2 'w': shader has w: vec4<f32> at byte 16, TypeScript has nothing",
    ]);
    // A uniform without a table, and a table without a uniform.
    expect(checkSpec({ label: 'toy', code, access: ['uniform'] })).toEqual([
      'toy: struct P is a uniform of the shader but has no TypeScript layout',
    ]);
    expect(checkSpec({ label: 'toy', code, access: ['uniform'], uniforms: { P: v, Q: v } })).toContain(
      'toy: TypeScript declares struct Q, which the shader has no uniform of',
    );
  });
});

describe('packUniform', () => {
  const L = uniformLayout([
    ['n', 'u32'],
    ['x', 'f32'],
    ['s', 'i32'],
    ['_p', 'u32'],
    ['v', 'vec2<f32>'],
  ]);

  test('packs by name, padding to 16 bytes, pads default to 0', () => {
    const buf = packUniform(L, { n: 7, x: 0.1, s: -3, v: [1, 2] });
    expect(buf.byteLength).toBe(32);
    const d = new DataView(buf);
    expect([d.getUint32(0, true), d.getFloat32(4, true), d.getInt32(8, true), d.getUint32(12, true)]).toEqual([
      7,
      Math.fround(0.1),
      -3,
      0,
    ]);
    expect([d.getFloat32(16, true), d.getFloat32(20, true)]).toEqual([1, 2]);
  });

  test('refuses missing, unknown and out-of-range fields', () => {
    expect(() => packUniform(L, { n: 1, x: 0, v: [0, 0] } as never)).toThrow(/field 's' missing/);
    expect(() => packUniform(L, { n: 1, x: 0, s: 0, v: [0, 0], m: 2 } as never)).toThrow(/'m' is not a field/);
    expect(() => packUniform(L, { n: -1, x: 0, s: 0, v: [0, 0] })).toThrow(/'n' is u32/);
    expect(() => packUniform(L, { n: 1.5, x: 0, s: 0, v: [0, 0] })).toThrow(/'n' is u32/);
    expect(() => packUniform(L, { n: 1, x: 0, s: 0, v: [0] })).toThrow(/'v' is vec2<f32>/);
  });
});
