// Uniform structs as data. Each kernel declares the layout of every uniform
// struct its shader reads (`uniforms` in its KernelSpec, src/gpu/program.ts) as
// a table of [field, WGSL type] in the struct's order, padding fields included;
// `packUniform` builds the buffer from that table by field name, and
// tests/unit/uniform_layout.test.ts parses each shader's structs and checks them
// against the same table, so a mismatch fails by kernel and field name.

export type WgslScalar = 'u32' | 'i32' | 'f32';
export type WgslType = WgslScalar | `vec${2 | 3 | 4}<${WgslScalar}>`;
/** [field name, WGSL type] in the struct's order. Fields named `_...` are padding (packed as 0 unless given). */
export type UniformLayout = readonly (readonly [string, WgslType])[];

/** The layout itself, with its field names kept as literal types (so `packUniform` checks them). */
export const uniformLayout = <const L extends UniformLayout>(fields: L): L => fields;

type Field = readonly [string, WgslType];
type Value<T extends WgslType> = T extends WgslScalar ? number : readonly number[];
/** The values `packUniform` takes for layout L: every field by name, padding optional. */
export type UniformValues<L extends UniformLayout> = {
  [F in L[number] as F[0] extends `_${string}` ? never : F[0]]: Value<F[1]>;
} & { [F in L[number] as F[0] extends `_${string}` ? F[0] : never]?: Value<F[1]> };

export interface MemberLayout {
  name: string;
  type: WgslType;
  offset: number;
  size: number;
}
export interface StructLayout {
  members: MemberLayout[];
  align: number;
  size: number;
}

const SCALARS: readonly string[] = ['u32', 'i32', 'f32'];

/** Alignment and size in bytes of a WGSL type (WGSL "Alignment and Size"); throws on any other type. */
export function typeLayout(type: string): { align: number; size: number; lanes: number; scalar: WgslScalar } {
  if (SCALARS.includes(type)) return { align: 4, size: 4, lanes: 1, scalar: type as WgslScalar };
  const m = /^vec([234])<(u32|i32|f32)>$/.exec(type);
  if (!m) throw new Error(`unsupported uniform field type '${type}' (u32, i32, f32 or vecN<u32|i32|f32>)`);
  const n = Number(m[1]);
  return { align: n === 2 ? 8 : 16, size: 4 * n, lanes: n, scalar: m[2] as WgslScalar };
}

const roundUp = (k: number, n: number) => Math.ceil(n / k) * k;

/** Offsets, alignment and size of a struct with these members, by WGSL's layout rules. */
export function structLayout(fields: UniformLayout): StructLayout {
  let end = 0;
  let align = 4;
  const members = fields.map(([name, type]) => {
    const t = typeLayout(type);
    const offset = roundUp(t.align, end);
    end = offset + t.size;
    align = Math.max(align, t.align);
    return { name, type, offset, size: t.size };
  });
  return { members, align, size: roundUp(align, end) };
}

/** Bytes of the buffer `packUniform` returns: the struct's size, at least 16 and a multiple of 16. */
export const uniformBytes = (layout: UniformLayout): number => Math.max(16, roundUp(16, structLayout(layout).size));

/**
 * The uniform buffer's contents for `layout`, every field taken from `values` by
 * name. A missing or unknown field, a vector of the wrong length, or a u32 / i32
 * value that is not an integer of that range throws.
 */
export function packUniform<const L extends UniformLayout>(layout: L, values: UniformValues<L>): ArrayBuffer {
  const s = structLayout(layout);
  const buf = new ArrayBuffer(uniformBytes(layout));
  const view = new DataView(buf);
  const given = values as Record<string, number | readonly number[] | undefined>;
  const names = new Set(layout.map((f: Field) => f[0]));
  for (const k of Object.keys(given))
    if (!names.has(k)) throw new Error(`packUniform: '${k}' is not a field of [${[...names].join(', ')}]`);
  for (const m of s.members) {
    const t = typeLayout(m.type);
    const v = given[m.name] ?? (m.name.startsWith('_') ? 0 : undefined);
    if (v === undefined) throw new Error(`packUniform: field '${m.name}' missing`);
    const lanes = typeof v === 'number' ? [v] : v;
    if (lanes.length !== t.lanes || (typeof v === 'number') !== (t.lanes === 1))
      throw new Error(`packUniform: field '${m.name}' is ${m.type}, got ${JSON.stringify(v)}`);
    lanes.forEach((x, i) => {
      const o = m.offset + 4 * i;
      if (t.scalar === 'f32') view.setFloat32(o, x, true);
      else {
        const [lo, hi] = t.scalar === 'u32' ? [0, 2 ** 32 - 1] : [-(2 ** 31), 2 ** 31 - 1];
        if (!Number.isInteger(x) || x < lo || x > hi)
          throw new Error(`packUniform: field '${m.name}' is ${t.scalar}, got ${x}`);
        if (t.scalar === 'u32') view.setUint32(o, x, true);
        else view.setInt32(o, x, true);
      }
    });
  }
  return buf;
}
