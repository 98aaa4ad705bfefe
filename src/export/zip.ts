// A zip archive of an export's files, stored without compression (the lab's
// download of "Export as PyTorch"): local headers, the data, a central
// directory and its end record, CRC-32 per file. No library: about 40 lines.
import type { ExportFile } from './bundle';

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The files in one folder `dir` of a zip archive (names ASCII, each under 4 GiB). */
export function zipFiles(dir: string, files: ExportFile[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    const name = enc.encode(`${dir}/${f.name}`);
    const data = typeof f.data === 'string' ? enc.encode(f.data) : f.data;
    const crc = crc32(data);
    const local = new DataView(new ArrayBuffer(30));
    // Signature, version 2.0, no flags, stored, no date; CRC, sizes, name length.
    [0x04034b50, 20, 0, 0, 0, 0, crc, data.length, data.length, name.length, 0].forEach((v, i) => {
      const at = [0, 4, 6, 8, 10, 12, 14, 18, 22, 26, 28][i];
      if (i === 0 || (i >= 6 && i <= 8)) local.setUint32(at, v, true);
      else local.setUint16(at, v, true);
    });
    const dirEntry = new DataView(new ArrayBuffer(46));
    dirEntry.setUint32(0, 0x02014b50, true);
    dirEntry.setUint16(4, 20, true);
    dirEntry.setUint16(6, 20, true);
    dirEntry.setUint32(16, crc, true);
    dirEntry.setUint32(20, data.length, true);
    dirEntry.setUint32(24, data.length, true);
    dirEntry.setUint16(28, name.length, true);
    dirEntry.setUint32(42, offset, true);
    parts.push(new Uint8Array(local.buffer), name, data);
    central.push(new Uint8Array(dirEntry.buffer), name);
    offset += 30 + name.length + data.length;
  }
  const dirSize = central.reduce((a, p) => a + p.length, 0);
  const end = new DataView(new ArrayBuffer(22));
  end.setUint32(0, 0x06054b50, true);
  end.setUint16(8, files.length, true);
  end.setUint16(10, files.length, true);
  end.setUint32(12, dirSize, true);
  end.setUint32(16, offset, true);
  const all = [...parts, ...central, new Uint8Array(end.buffer)];
  const out = new Uint8Array(all.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
