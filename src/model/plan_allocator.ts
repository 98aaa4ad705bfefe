// Allocates a plan (src/model/plan.ts) and hands its buffers out by label, as
// llm.c's malloc_and_point_activations points a struct into one allocation:
// every planned buffer is created up front, in plan order; a label that is
// not planned, a buffer taken twice, program scratch that differs from the
// plan, or a planned buffer nobody took is an error. So a component holds
// exactly what its plan declares, and the limit check that read the plan
// checked what is held.
import type { Binding, GpuContext } from '../gpu/context';
import type { PlannedBuffer, ProgramName } from './plan';

/** The labels one component takes (a graph layer: its own labels under its prefix). */
export interface PlanSlots {
  /** The planned buffer `label` (it must be planned). */
  take(label: string): Binding;
  /** The planned buffer `label`, or null when the plan does not hold it. */
  maybe(label: string): Binding | null;
  /** A shared planned buffer (the same one for every taker); `fill`'s data is written on the first take. */
  shared(label: string, fill?: () => Float32Array): Binding;
}

interface Slot {
  entry: PlannedBuffer;
  binding: Binding;
  taken: boolean;
}

const USAGE: Record<PlannedBuffer['usage'], () => GPUBufferUsageFlags> = {
  storage: () => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  uniform: () => GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
  readback: () => GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
};

export class PlanAllocator implements PlanSlots {
  /** Every buffer of the plan, in plan order (freed together by `destroy`). */
  readonly buffers: GPUBuffer[] = [];
  private slots = new Map<string, Slot>();
  private scratch = new Map<ProgramName, { entry: PlannedBuffer; buffer: GPUBuffer }[]>();

  constructor(
    private ctx: GpuContext,
    plan: readonly PlannedBuffer[],
  ) {
    for (const e of plan) {
      if (!e.scratch && this.slots.has(e.label)) throw new Error(`plan: ${e.label} is planned twice`);
      const buffer =
        e.usage === 'storage'
          ? ctx.storage(e.label, e.floats)
          : ctx.createBuffer(e.label, e.floats * 4, USAGE[e.usage]());
      this.buffers.push(buffer);
      if (e.scratch) {
        const q = this.scratch.get(e.scratch.program) ?? [];
        q.push({ entry: e, buffer });
        this.scratch.set(e.scratch.program, q);
      } else this.slots.set(e.label, { entry: e, binding: { buffer }, taken: false });
    }
  }

  private slot(label: string, shared: boolean): Slot {
    const s = this.slots.get(label);
    if (!s) throw new Error(`plan: no buffer '${label}' is planned`);
    if (!!s.entry.shared !== shared)
      throw new Error(`plan: '${label}' is ${s.entry.shared ? '' : 'not '}a shared buffer`);
    if (s.taken && !shared) throw new Error(`plan: '${label}' is taken twice`);
    return s;
  }

  take(label: string): Binding {
    const s = this.slot(label, false);
    s.taken = true;
    return s.binding;
  }

  maybe(label: string): Binding | null {
    return this.slots.has(label) ? this.take(label) : null;
  }

  shared(label: string, fill?: () => Float32Array): Binding {
    const s = this.slot(label, true);
    if (!s.taken && fill) {
      const data = fill();
      this.ctx.device.queue.writeBuffer(s.binding.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    }
    s.taken = true;
    return s.binding;
  }

  /** The labels under `prefix` (shared buffers keep their own labels). */
  scope(prefix: string): PlanSlots {
    return {
      take: (label) => this.take(prefix + label),
      maybe: (label) => this.maybe(prefix + label),
      shared: (label, fill) => this.shared(label, fill),
    };
  }

  /**
   * Program scratch source (src/gpu/program.ts): hands out `program`'s planned
   * scratch in recording order, refusing a request that is not the next one planned.
   */
  scratchFor(program: ProgramName): (label: string, floats: number) => GPUBuffer {
    return (label, floats) => {
      const next = this.scratch.get(program)?.shift();
      if (!next || next.entry.scratch!.request !== label || next.entry.floats !== floats)
        throw new Error(
          `plan: the ${program} program asks for scratch '${label}' (${floats} floats) but the plan's next is ` +
            (next ? `'${next.entry.label}' (${next.entry.floats} floats)` : 'none'),
        );
      return next.buffer;
    };
  }

  /** Throws unless every planned buffer was taken and every planned scratch handed out. */
  finish(): void {
    const left = [...this.slots.values()].filter((s) => !s.taken).map((s) => s.entry.label);
    for (const q of this.scratch.values()) left.push(...q.map((x) => x.entry.label));
    if (left.length) throw new Error(`plan: planned but never used: ${left.join(', ')}`);
  }

  destroy(): void {
    this.ctx.destroyAll(this.buffers);
    this.buffers.length = 0;
  }
}
