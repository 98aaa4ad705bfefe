// `mlp` (Deconstructing's "MLP"): no token mixing. The mixing sub-layer is a
// gated MLP out = W_dn (silu(x W_gt) * (x W_up)) of width round(4C/3), so its
// 3*C*m parameters match attention's 4*C^2. Each token sees only itself.
import type { Binding } from '../gpu/context';
import type { Program } from '../gpu/program';
import { matmul_backward, matmul_forward } from '../kernels/matmul';
import { add_inplace } from '../kernels/residual';
import { swiglu_backward, swiglu_forward } from '../kernels/silu';
import type { Allocator, Mixer } from './mixer';
import type { Shapes } from './shapes';

export interface GatedMlpWeights {
  gate: Binding;
  up: Binding;
  down: Binding;
  dgate: Binding;
  dup: Binding;
  ddown: Binding;
}

export class GatedMlpMixer implements Mixer {
  private gate: Binding;
  private up: Binding;
  private hid: Binding;
  private g: { gate: Binding; up: Binding; hid: Binding; dinpUp: Binding } | null = null;

  constructor(
    private s: Shapes,
    private m: number,
    private w: GatedMlpWeights,
    alloc: Allocator,
    training: boolean,
  ) {
    const NM = s.N * m;
    this.gate = alloc('mix.gate', NM);
    this.up = alloc('mix.up', NM);
    this.hid = alloc('mix.hidden', NM);
    if (training)
      this.g = {
        gate: alloc('d_mix.gate', NM),
        up: alloc('d_mix.up', NM),
        hid: alloc('d_mix.hidden', NM),
        dinpUp: alloc('d_mix.inp_up', s.N * s.C),
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
    matmul_backward(p, g.hid, this.w.ddown, dout, this.hid, this.w.down, N, this.m, C);
    swiglu_backward(p, g.gate, g.up, this.gate, this.up, g.hid, N * this.m);
    matmul_backward(p, dinp, this.w.dgate, g.gate, inp, this.w.gate, N, C, this.m);
    matmul_backward(p, g.dinpUp, this.w.dup, g.up, inp, this.w.up, N, C, this.m);
    add_inplace(p, dinp, g.dinpUp, N * C);
  }
}
