// The safetensors format, written by the lab's own few lines: an 8-byte
// little-endian header length, a JSON header (dtype, shape, byte offsets per
// tensor, padded with spaces to 8 bytes), then the raw little-endian data.
// Python reads it with the safetensors package or lab_data.py's reader.

export type TensorData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

export interface Tensor {
  shape: number[];
  data: TensorData;
}

const DTYPE = (d: TensorData): string =>
  d instanceof Float32Array
    ? 'F32'
    : d instanceof Float64Array
      ? 'F64'
      : d instanceof Int32Array
        ? 'I32'
        : d instanceof BigInt64Array
          ? 'I64'
          : 'U8';

/** Typed arrays are in the platform's byte order; every platform the lab runs on is little-endian. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeSafetensors(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  if (!LITTLE_ENDIAN) throw new Error('safetensors: this platform is big-endian; the format is little-endian');
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length)
      throw new Error(`safetensors: ${name} has ${t.data.length} values for shape ${t.shape}`);
    header[name] = { dtype: DTYPE(t.data), shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** The header of a safetensors file: {name: {dtype, shape, data_offsets}} (for tests and tools). */
export function safetensorsHeader(
  bytes: Uint8Array,
): Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
}
