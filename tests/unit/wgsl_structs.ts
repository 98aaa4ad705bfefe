// Reads the uniform structs out of WGSL source and compares them with the
// TypeScript layouts the kernels pack them with (tests/unit/uniform_layout.test.ts).
import { type StructLayout, structLayout, type UniformLayout, type WgslType } from '../../src/gpu/uniform';

/** Source without comments (line and block), so a commented-out field is not read. */
export const stripComments = (code: string): string => code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');

/** Every `struct Name { field: type, ... }` in the code, by name, as [field, type] in order. */
export function parseStructs(code: string): Map<string, [string, string][]> {
  const out = new Map<string, [string, string][]>();
  for (const m of stripComments(code).matchAll(/\bstruct\s+(\w+)\s*\{([^}]*)\}/g)) {
    const fields = m[2]
      .split(/,(?![^<]*>)/)
      .map((f) => f.trim())
      .filter(Boolean)
      .map((f): [string, string] => {
        const fm = /^(\w+)\s*:\s*(.+)$/.exec(f);
        if (!fm) throw new Error(`struct ${m[1]}: cannot read member '${f}'`);
        return [fm[1], normaliseType(fm[2].replace(/\s+/g, ''))];
      });
    if (out.has(m[1])) throw new Error(`struct ${m[1]} declared twice`);
    out.set(m[1], fields);
  }
  return out;
}

/** WGSL's predeclared aliases (vec4f, vec2u, ...) written out. */
function normaliseType(t: string): string {
  const m = /^vec([234])([fui])$/.exec(t);
  if (!m) return t;
  return `vec${m[1]}<${{ f: 'f32', u: 'u32', i: 'i32' }[m[2] as 'f' | 'u' | 'i']}>`;
}

/** The struct of every `var<uniform> name: Struct;`, by variable name. */
export function uniformVars(code: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of stripComments(code).matchAll(/var\s*<\s*uniform\s*>\s*(\w+)\s*:\s*(\w+)/g)) out.set(m[1], m[2]);
  return out;
}

function layoutOf(what: string, fields: readonly (readonly [string, string])[]): StructLayout | string {
  try {
    return structLayout(fields as readonly (readonly [string, WgslType])[]);
  } catch (e) {
    return `${what}: ${(e as Error).message}`;
  }
}

/**
 * Differences between a shader's struct (its fields as parsed) and the TypeScript
 * layout a kernel packs it with, one message per mismatch, each naming the kernel,
 * the struct and the field: name, type, byte offset, and the struct's size.
 */
export function compareLayout(
  kernel: string,
  struct: string,
  shader: readonly (readonly [string, string])[],
  ts: UniformLayout,
): string[] {
  const where = `${kernel}: struct ${struct}`;
  const s = layoutOf(`${where} (shader)`, shader);
  const t = layoutOf(`${where} (TypeScript)`, ts);
  if (typeof s === 'string' || typeof t === 'string') return [s, t].filter((x): x is string => typeof x === 'string');
  const errors: string[] = [];
  const n = Math.max(s.members.length, t.members.length);
  for (let i = 0; i < n; i++) {
    const a = s.members[i];
    const b = t.members[i];
    const fmt = (m: typeof a) => (m ? `${m.name}: ${m.type} at byte ${m.offset}` : 'nothing');
    if (!a || !b || a.name !== b.name || a.type !== b.type || a.offset !== b.offset)
      errors.push(`${where} field ${i} '${(a ?? b).name}': shader has ${fmt(a)}, TypeScript has ${fmt(b)}`);
  }
  if (s.size !== t.size) errors.push(`${where}: size ${s.size} bytes in the shader, ${t.size} in TypeScript`);
  return errors;
}
