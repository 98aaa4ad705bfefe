// The engine's handle on a GPUDevice: pipeline cache and tracked allocations.
// Everything that allocates GPU memory goes through `createBuffer` here so the
// engine can report (and tests can assert) the bytes it holds.

export interface Binding {
  buffer: GPUBuffer;
  offset?: number; // bytes; must be a multiple of minStorageBufferOffsetAlignment
  size?: number; // bytes
}
export type BindingLike = GPUBuffer | Binding;

/** Shape of one binding in a kernel's explicit layout. */
export type Access = 'read' | 'write' | 'uniform';

export class GpuContext {
  readonly device: GPUDevice;
  private pipelines = new Map<string, { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>();
  private modules = new Map<string, GPUShaderModule>();
  private live = new Map<GPUBuffer, number>();
  private requested = new WeakMap<GPUBuffer, number>();
  private peak = 0;
  private current = 0;

  constructor(device: GPUDevice) {
    this.device = device;
  }

  /** Bytes currently held by buffers created through this context. */
  get bytesInUse(): number {
    return this.current;
  }
  get peakBytes(): number {
    return this.peak;
  }
  resetPeak(): void {
    this.peak = this.current;
  }

  createBuffer(label: string, bytes: number, usage: GPUBufferUsageFlags): GPUBuffer {
    const size = Math.max(16, Math.ceil(bytes / 16) * 16);
    const buffer = this.device.createBuffer({ label, size, usage });
    this.live.set(buffer, size);
    this.requested.set(buffer, bytes);
    this.current += size;
    this.peak = Math.max(this.peak, this.current);
    return buffer;
  }

  /** A storage buffer usable as kernel input/output, copy source and destination. */
  storage(label: string, floats: number): GPUBuffer {
    return this.createBuffer(
      label,
      floats * 4,
      GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
    );
  }

  uniform(label: string, data: ArrayBufferView): GPUBuffer {
    const buf = this.createBuffer(label, data.byteLength, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return buf;
  }

  upload(label: string, data: Float32Array | Uint32Array | Int32Array): GPUBuffer {
    const buf = this.storage(label, data.length);
    this.device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
    return buf;
  }

  destroy(buffer: GPUBuffer): void {
    const size = this.live.get(buffer);
    if (size === undefined) return;
    this.live.delete(buffer);
    this.current -= size;
    buffer.destroy();
  }

  destroyAll(buffers: Iterable<GPUBuffer | undefined>): void {
    for (const b of buffers) if (b) this.destroy(b);
  }

  /**
   * A compute pipeline with an explicit bind-group layout (inputs read-only,
   * outputs writable), cached by source, entry point and override constants.
   */
  pipeline(
    label: string,
    code: string,
    access: readonly Access[],
    constants: Record<string, number> = {},
    entryPoint = 'main',
  ): { pipeline: GPUComputePipeline; layout: GPUBindGroupLayout } {
    const key = `${label}|${entryPoint}|${access.join(',')}|${JSON.stringify(constants)}|${code.length}|${hash(code)}`;
    const hit = this.pipelines.get(key);
    if (hit) return hit;
    let module = this.modules.get(code);
    if (!module) {
      module = this.device.createShaderModule({ label, code });
      this.modules.set(code, module);
    }
    const layout = this.device.createBindGroupLayout({
      label: `${label} layout`,
      entries: access.map((a, i) => ({
        binding: i,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: a === 'uniform' ? 'uniform' : a === 'read' ? 'read-only-storage' : 'storage' },
      })),
    });
    const pipeline = this.device.createComputePipeline({
      label,
      layout: this.device.createPipelineLayout({ bindGroupLayouts: [layout] }),
      compute: { module, entryPoint, constants },
    });
    const entry = { pipeline, layout };
    this.pipelines.set(key, entry);
    return entry;
  }

  bindGroup(label: string, layout: GPUBindGroupLayout, bindings: readonly BindingLike[]): GPUBindGroup {
    return this.device.createBindGroup({
      label,
      layout,
      entries: bindings.map((b, i) => ({
        binding: i,
        resource: 'buffer' in b ? { buffer: b.buffer, offset: b.offset ?? 0, size: b.size } : { buffer: b },
      })),
    });
  }

  /** Reads a storage buffer back to the CPU. Every call is a GPU->CPU sync point. */
  async read(buffer: GPUBuffer, floats?: number, offsetFloats = 0): Promise<Float32Array> {
    const n = floats ?? Math.floor((this.requested.get(buffer) ?? buffer.size) / 4) - offsetFloats;
    const staging = this.device.createBuffer({
      size: Math.max(16, Math.ceil((n * 4) / 16) * 16),
      usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ,
    });
    const enc = this.device.createCommandEncoder({ label: 'readback' });
    enc.copyBufferToBuffer(buffer, offsetFloats * 4, staging, 0, Math.ceil((n * 4) / 4) * 4);
    this.device.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const out = new Float32Array(staging.getMappedRange().slice(0, n * 4));
    staging.unmap();
    staging.destroy();
    return out;
  }
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}
