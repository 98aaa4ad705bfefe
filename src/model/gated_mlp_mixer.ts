// `mlp` (Deconstructing's "MLP"): no token mixing. The mixing sub-layer is a
// gated MLP out = W_dn (silu(x W_gt) * (x W_up)) of width round(4C/3), so its
// 3*C*m parameters match attention's 4*C^2. Each token sees only itself.
import type { Binding } from '../gpu/context';
import type { Program } from '../gpu/program';
import { matmul_backward, matmul_forward } from '../kernels/matmul';
import { add_inplace } from '../kernels/residual';
import { swiglu_backward, swiglu_forward } from '../kernels/silu';
import type { Mixer } from './mixer';
import { PlanBuilder, type PlannedBuffer } from './plan';
import type { PlanSlots } from './plan_allocator';
import type { Shapes } from './shapes';

export interface GatedMlpWeights {
  gate: Binding;
  up: Binding;
  down: Binding;
  dgate: Binding;
  dup: Binding;
  ddown: Binding;
}

/** The buffers a gated MLP layer of width m holds and its programs' scratch (GatedMlpMixer takes exactly these). */
export function planGatedMlp(s: Shapes, m: number, training: boolean): PlannedBuffer[] {
  const { N, C } = s;
  const p = new PlanBuilder()
    .buf('mix.gate', N * m)
    .buf('mix.up', N * m)
    .buf('mix.hidden', N * m);
  if (training)
    p.buf('d_mix.gate', N * m)
      .buf('d_mix.up', N * m)
      .buf('d_mix.hidden', N * m)
      .buf('d_mix.inp_up', N * C);
  // Program scratch, in recording order.
  p.matmulForward('forward', 'mix.gate', { N, IC: C, OC: m });
  p.matmulForward('forward', 'mix.up', { N, IC: C, OC: m });
  p.matmulForward('forward', 'mix.down', { N, IC: m, OC: C });
  if (training) {
    p.matmulBackward('backward', 'mix.down', { N, IC: m, OC: C });
    p.matmulBackward('backward', 'mix.gate', { N, IC: C, OC: m });
    p.matmulBackward('backward', 'mix.up', { N, IC: C, OC: m });
  }
  return p.entries;
}

export class GatedMlpMixer implements Mixer {
  private gate: Binding;
  private up: Binding;
  private hid: Binding;
  private g: { gate: Binding; up: Binding; hid: Binding; dinpUp: Binding } | null = null;

  /** Takes the buffers planGatedMlp planned (and no others). */
  constructor(
    private s: Shapes,
    private m: number,
    private w: GatedMlpWeights,
    slots: PlanSlots,
    training: boolean,
  ) {
    this.gate = slots.take('mix.gate');
    this.up = slots.take('mix.up');
    this.hid = slots.take('mix.hidden');
    if (training)
      this.g = {
        gate: slots.take('d_mix.gate'),
        up: slots.take('d_mix.up'),
        hid: slots.take('d_mix.hidden'),
        dinpUp: slots.take('d_mix.inp_up'),
      };
  }

  forward(p: Program, out: Binding, inp: Binding): void {
    const { N, C } = this.s;
    matmul_forward(p, this.gate, inp, this.w.gate, N, C, this.m);
    matmul_forward(p, this.up, inp, this.w.up, N, C, this.m);
    swiglu_forward(p, this.hid, this.gate, this.up, N * this.m);
    matmul_forward(p, out, this.hid, this.w.down, N, this.m, C);
  }

  backward(p: Program, dinp: Binding, dout: Binding, inp: Binding): void {
    const g = this.g;
    if (!g) throw new Error('gated MLP mixer built without gradient buffers');
    const { N, C } = this.s;
    matmul_backward(p, {
      dinp: g.hid,
      dweight: this.w.ddown,
      dout,
      inp: this.hid,
      weight: this.w.down,
      N,
      IC: this.m,
      OC: C,
    });
    swiglu_backward(p, g.gate, g.up, this.gate, this.up, g.hid, N * this.m);
    matmul_backward(p, { dinp, dweight: this.w.dgate, dout: g.gate, inp, weight: this.w.gate, N, IC: C, OC: this.m });
    matmul_backward(p, {
      dinp: g.dinpUp,
      dweight: this.w.dup,
      dout: g.up,
      inp,
      weight: this.w.up,
      N,
      IC: C,
      OC: this.m,
    });
    add_inplace(p, dinp, g.dinpUp, N * C);
  }
}
