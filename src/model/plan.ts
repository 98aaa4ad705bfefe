// The memory plan's building blocks (llm.c's fill_in_activation_sizes): every
// component (a mixer, the graph's blocks, the model's arenas, the trainer)
// declares each buffer it holds once, by label, size and usage, in a plan.
// The component allocates exactly its plan (src/model/plan_allocator.ts) and
// the limit check reads the same plan (src/model/budget.ts), so what is
// checked is what is allocated.
import { type GemmArgs, ntOk, planGemm } from '../kernels/matmul';

/** storage: bound by kernels; uniform: a kernel's parameters; readback: MAP_READ staging. */
export type BufferUsage = 'storage' | 'uniform' | 'readback';

/** A program whose scratch a plan lists (src/gpu/program.ts Program.scratch). */
export type ProgramName = 'forward' | 'backward' | 'optimiser';

export interface PlannedBuffer {
  label: string;
  /** Size as requested, in 4-byte words. */
  floats: number;
  /** Bytes as GpuContext allocates them (rounded up to 16, at least 16). */
  bytes: number;
  /** Bound as a storage buffer (so maxStorageBufferBindingSize applies). */
  binding: boolean;
  usage: BufferUsage;
  /** Taken by several components (a graph's shared scratch): planned and allocated once. */
  shared?: boolean;
  /** Program scratch: the program that records it and the label its kernel asks for, in recording order. */
  scratch?: { program: ProgramName; request: string };
}

/** Bytes GpuContext.createBuffer takes for `floats` floats. */
export function bufferBytes(floats: number): number {
  return Math.max(16, Math.ceil((floats * 4) / 16) * 16);
}

function entry(label: string, floats: number, usage: BufferUsage): PlannedBuffer {
  if (!Number.isInteger(floats) || floats < 0) throw new Error(`plan: ${label} has ${floats} floats`);
  return { label, floats, bytes: bufferBytes(floats), binding: usage === 'storage', usage };
}

// Program scratch of the matmuls, as src/kernels/matmul.ts records it: none for
// forwards that read W in place (ntOk), else W^T for vec4 forwards (OC a
// multiple of 4), then split-K partials where planGemm splits K. The programs'
// scratch source (PlanAllocator.scratchFor) refuses a request that differs, so
// a change there is caught when a graph is built.

/** A gemm's sizes and strides (GemmArgs without its buffers). */
export type GemmShape = Pick<GemmArgs, 'M' | 'N' | 'K' | 'sAm' | 'sAk' | 'sBk' | 'sBn'>;

/** out[N, OC] = inp[N, IC] . weight[OC, IC]^T, as matmul_forward and matmul_backward take it. */
export interface MatmulShape {
  N: number;
  IC: number;
  OC: number;
}

/** Collects a component's plan in declaration order; labels are unique (shared ones must agree in size). */
export class PlanBuilder {
  readonly entries: PlannedBuffer[] = [];
  private byLabel = new Map<string, PlannedBuffer>();

  private push(e: PlannedBuffer): void {
    const seen = this.byLabel.get(e.label);
    if (seen) {
      if (!(seen.shared && e.shared && seen.floats === e.floats))
        throw new Error(`plan: ${e.label} is declared twice (${seen.floats} and ${e.floats} floats)`);
      return;
    }
    this.byLabel.set(e.label, e);
    this.entries.push(e);
  }

  /** A storage buffer the component takes by label. */
  buf(label: string, floats: number): this {
    this.push(entry(label, floats, 'storage'));
    return this;
  }

  /** A storage buffer several components take (the first declaration allocates it). */
  shared(label: string, floats: number): this {
    this.push({ ...entry(label, floats, 'storage'), shared: true });
    return this;
  }

  uniform(label: string, bytes: number): this {
    this.push(entry(label, bytes / 4, 'uniform'));
    return this;
  }

  readback(label: string, bytes: number): this {
    this.push(entry(label, bytes / 4, 'readback'));
    return this;
  }

  /** Scratch a kernel of `program` asks for as `request` (program order). */
  scratch(program: ProgramName, label: string, request: string, floats: number): this {
    this.push({ ...entry(label, floats, 'storage'), scratch: { program, request } });
    return this;
  }

  /** The scratch of gemm: split-K partials when it splits K. */
  gemm(program: ProgramName, label: string, g: GemmShape): this {
    // planGemm reads only sizes and strides; the buffers are not needed to plan.
    const S = planGemm({ ...g, a: null, b: null, c: null } as unknown as GemmArgs).splitK;
    if (S > 1) this.scratch(program, `${label} split-K partials`, 'matmul split-K partials', S * g.M * g.N);
    return this;
  }

  /**
   * The scratch of matmul_forward (and matmul_forward_gelu): none when W is read in place (ntOk),
   * else W^T when OC is a multiple of 4 (the vec4 path), then its gemm's.
   */
  matmulForward(program: ProgramName, label: string, { N, IC, OC }: MatmulShape): this {
    if (ntOk(IC, OC)) return this;
    if (OC % 4 === 0) {
      this.scratch(program, `${label} W^T`, 'matmul W^T', IC * OC);
      return this.gemm(program, label, { M: N, N: OC, K: IC, sAm: IC, sAk: 1, sBk: OC, sBn: 1 });
    }
    return this.gemm(program, label, { M: N, N: OC, K: IC, sAm: IC, sAk: 1, sBk: 1, sBn: IC });
  }

  /** The scratch of matmul_backward: the dinp gemm (unless `dinp` is false), then the dweight gemm. */
  matmulBackward(program: ProgramName, label: string, { N, IC, OC }: MatmulShape, dinp = true): this {
    if (dinp) this.gemm(program, `${label} dinp`, { M: N, N: IC, K: OC, sAm: OC, sAk: 1, sBk: IC, sBn: 1 });
    return this.gemm(program, `${label} dweight`, { M: OC, N: IC, K: N, sAm: 1, sAk: OC, sBk: IC, sBn: 1 });
  }

  /** The scratch of matmul_backward_dgelu: the dinp gemm's unless its store applies GELU (IC a multiple of 4). */
  matmulBackwardDgelu(program: ProgramName, label: string, shape: MatmulShape): this {
    return this.matmulBackward(program, label, shape, shape.IC % 4 !== 0);
  }

  /** Adds a component's plan with its labels under `prefix` (shared buffers keep theirs). */
  add(plan: readonly PlannedBuffer[], prefix: string): this {
    for (const e of plan) this.push(e.shared ? e : { ...e, label: prefix + e.label });
    return this;
  }
}

/** The part of a component's plan that is not program scratch. */
export const held = (plan: readonly PlannedBuffer[]): PlannedBuffer[] => plan.filter((e) => !e.scratch);

/** The scratch a component's plan lists for `program`, in recording order. */
export const scratchOf = (plan: readonly PlannedBuffer[], program: ProgramName): PlannedBuffer[] =>
  plan.filter((e) => e.scratch?.program === program);
