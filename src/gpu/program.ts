// A recorded list of dispatches. Models build their forward, backward and
// optimiser programs once (pipelines, bind groups and uniforms fixed), and each
// training step only encodes them: no allocation on the hot path.
import type { Access, BindingLike, GpuContext } from './context';
import type { UniformLayout } from './uniform';

export interface Dispatch {
  label: string;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

export interface KernelSpec {
  label: string;
  code: string;
  access: readonly Access[];
  constants?: Record<string, number>;
  entryPoint?: string;
  /**
   * The layout of each uniform struct the shader reads, by struct name: the table
   * its uniforms are packed with (`packUniform`, src/gpu/uniform.ts), checked
   * against the WGSL by tests/unit/uniform_layout.test.ts.
   */
  uniforms?: Readonly<Record<string, UniformLayout>>;
}

/** Hands a program its scratch from elsewhere (a memory plan, which then owns it). */
export type ScratchSource = (label: string, floats: number) => GPUBuffer;

export class Program {
  readonly dispatches: Dispatch[] = [];
  private owned: GPUBuffer[] = [];
  constructor(
    readonly ctx: GpuContext,
    /** Where scratch comes from; by default the program allocates and owns it. */
    private scratchSource?: ScratchSource,
  ) {}

  /** A uniform buffer owned by this program (freed by `destroy`). */
  uniform(label: string, data: ArrayBuffer): GPUBuffer {
    const buf = this.ctx.uniform(label, new Uint8Array(data));
    this.owned.push(buf);
    return buf;
  }

  /** A scratch storage buffer: from the scratch source, else owned by this program (freed by `destroy`). */
  scratch(label: string, floats: number): GPUBuffer {
    if (this.scratchSource) return this.scratchSource(label, floats);
    const buf = this.ctx.storage(label, floats);
    this.owned.push(buf);
    return buf;
  }

  destroy(): void {
    this.ctx.destroyAll(this.owned);
    this.owned = [];
    this.dispatches.length = 0;
  }

  /** Adds one dispatch; bindings follow `spec.access` in order. */
  add(spec: KernelSpec, bindings: readonly BindingLike[], workgroups: [number, number?, number?]): this {
    const { pipeline, layout } = this.ctx.pipeline(spec.label, spec.code, spec.access, spec.constants, spec.entryPoint);
    const wg: [number, number, number] = [workgroups[0], workgroups[1] ?? 1, workgroups[2] ?? 1];
    const limit = this.ctx.device.limits.maxComputeWorkgroupsPerDimension;
    if (wg.some((w) => w > limit))
      throw new Error(`${spec.label}: dispatch ${wg.join('x')} exceeds maxComputeWorkgroupsPerDimension ${limit}`);
    if (wg.some((w) => w === 0)) return this;
    this.dispatches.push({
      label: spec.label,
      pipeline,
      bindGroup: this.ctx.bindGroup(spec.label, layout, bindings),
      workgroups: wg,
    });
    return this;
  }

  append(other: Program): this {
    this.dispatches.push(...other.dispatches);
    this.owned.push(...other.owned);
    other.owned = [];
    return this;
  }

  encode(pass: GPUComputePassEncoder): void {
    for (const d of this.dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
    }
  }

  /** Encodes and submits this program alone (tests and one-off work). */
  run(): void {
    const enc = this.ctx.device.createCommandEncoder();
    const pass = enc.beginComputePass();
    this.encode(pass);
    pass.end();
    this.ctx.device.queue.submit([enc.finish()]);
  }
}

export const ceilDiv = (a: number, b: number): number => Math.ceil(a / b);

const MAX_WORKGROUPS_PER_DIM = 65535;

/**
 * Spreads `count` workgroups over x and y so that no dimension exceeds 65535.
 * Shaders rebuild the flat index as `wg.y * num_workgroups.x + wg.x` and skip
 * indices >= count (the grid may hold up to one row of extra workgroups).
 */
export function grid1d(count: number): [number, number] {
  if (count <= MAX_WORKGROUPS_PER_DIM) return [count, 1];
  const y = ceilDiv(count, MAX_WORKGROUPS_PER_DIM);
  return [ceilDiv(count, y), y];
}

/** Workgroup grid for one thread per element of `n`, 256 threads per workgroup. */
export const elementGrid = (n: number): [number, number] => grid1d(ceilDiv(n, 256));
