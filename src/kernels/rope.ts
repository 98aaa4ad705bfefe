// Rotary position embedding on the GPU (shaders/rope_forward.wgsl, rope_backward.wgsl).
// Half-split form: element m pairs with m + hd/2, rotated by t * 10000^(-2m/hd),
// t the 0-based position within T. The (cos, sin) table is computed in float64
// here (WGSL sin/cos are too coarse at angles of hundreds of radians) and uploaded
// once when the program is recorded.

import bwdCode from '../../shaders/rope_backward.wgsl?raw';
import fwdCode from '../../shaders/rope_forward.wgsl?raw';
import type { BindingLike } from '../gpu/context';
import { elementGrid, type KernelSpec, type Program } from '../gpu/program';
import { packUniform, uniformLayout } from '../gpu/uniform';
import { ropeAngle } from '../reference/rope';

const SIZES = uniformLayout([
  ['BH', 'u32'],
  ['T', 'u32'],
  ['npair', 'u32'],
  ['_p', 'u32'],
]);
const ACCESS = ['read', 'read', 'write', 'uniform'] as const;
const FWD = { label: 'rope_forward', code: fwdCode, access: ACCESS, uniforms: { Params: SIZES } };
const BWD = { label: 'rope_backward', code: bwdCode, access: ACCESS, uniforms: { Params: SIZES } };
export const KERNELS: readonly KernelSpec[] = [FWD, BWD];

function checkHd(hd: number): void {
  if (hd % 2 !== 0 || hd <= 0) throw new Error(`rope: head width ${hd} must be even and positive`);
}

/** The [T, hd/2, 2] (cos, sin) table's contents, computed in float64. */
export function ropeTableData(T: number, hd: number): Float32Array {
  checkHd(hd);
  const half = hd / 2;
  const data = new Float32Array(T * half * 2);
  for (let t = 0; t < T; t++)
    for (let m = 0; m < half; m++) {
      const a = ropeAngle(t, m, hd);
      data[(t * half + m) * 2] = Math.cos(a);
      data[(t * half + m) * 2 + 1] = Math.sin(a);
    }
  return data;
}

/** The [T, hd/2, 2] (cos, sin) table, a scratch buffer owned by `p`; share it between calls of the same T and hd. */
export function rope_table(p: Program, T: number, hd: number): GPUBuffer {
  const data = ropeTableData(T, hd);
  const buf = p.scratch('rope table', data.length);
  p.ctx.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
  return buf;
}

function record(
  p: Program,
  spec: typeof FWD,
  out: BindingLike,
  inp: BindingLike,
  BH: number,
  T: number,
  hd: number,
  table?: BindingLike,
): void {
  checkHd(hd);
  const tab = table ?? rope_table(p, T, hd);
  const u = p.uniform(`${spec.label} sizes`, packUniform(SIZES, { BH, T, npair: hd / 2 }));
  p.add(spec, [inp, tab, out, u], elementGrid((BH * T * hd) / 2));
}

/** out[BH,T,hd] = rope(inp). `table` (from rope_table, same T and hd) avoids a new upload per call. */
export function rope_forward(
  p: Program,
  out: BindingLike,
  inp: BindingLike,
  BH: number,
  T: number,
  hd: number,
  table?: BindingLike,
): void {
  record(p, FWD, out, inp, BH, T, hd, table);
}

/** dinp[BH,T,hd] written (= rotation by -angle of dout). */
export function rope_backward(
  p: Program,
  dinp: BindingLike,
  dout: BindingLike,
  BH: number,
  T: number,
  hd: number,
  table?: BindingLike,
): void {
  record(p, BWD, dinp, dout, BH, T, hd, table);
}
