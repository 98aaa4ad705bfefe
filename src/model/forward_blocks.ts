// The forward of the blocks and the head, as one recording: embedding rows in,
// logits out. The graph (src/model/gpt.ts) records it over its N rows; the
// incremental sampler (src/sample/incremental.ts) over one row, with its own
// attention mixers. One recording, so the two cannot compute differently.
import type { Binding } from '../gpu/context';
import type { Program } from '../gpu/program';
import { matmul_forward, matmul_forward_gelu } from '../kernels/matmul';
import { residual_rmsnorm_forward, rmsnorm_forward } from '../kernels/rmsnorm';
import type { BlockBuffer } from './memory_plan';
import type { Mixer } from './mixer';

/** One block's activations, its token mixer, and whether it is skipped (the identity: hybridskip). */
export type BlockActs = Record<BlockBuffer, Binding> & { mixer: Pick<Mixer, 'forward'>; skip: boolean };

export interface HeadActs {
  lnf: Binding;
  rstdf: Binding;
  logits: Binding;
}

/**
 * Records x0 -> blocks -> final norm -> logits over N rows (params from `P`).
 * Returns each block's input and the last block's output (the backward reads them).
 */
export function recordBlocksForward(
  f: Program,
  a: { x0: Binding; blocks: BlockActs[]; head: HeadActs; P: (name: string) => Binding; wout: string },
  N: number,
  C: number,
  F: number,
  V: number,
): { inputs: Binding[]; last: Binding } {
  const { blocks, head, P } = a;
  let xin = a.x0;
  const inputs: Binding[] = [];
  // A residual add waits for the norm that reads its sum and runs in that norm's
  // dispatch (residual_rmsnorm_forward); a skipped block passes it on unchanged.
  let pending: { res: Binding; a: Binding; b: Binding } | null = null;
  const norm = (out: Binding, rstd: Binding, weight: Binding) => {
    if (pending) residual_rmsnorm_forward(f, { ...pending, out, rstd, weight, N, C });
    else rmsnorm_forward(f, out, rstd, xin, weight, N, C);
    pending = null;
  };
  for (let l = 0; l < blocks.length; l++) {
    const b = blocks[l];
    inputs.push(xin);
    if (b.skip) {
      // hybridskip: the block is the identity, so its output is its input.
      b.res2 = xin;
      continue;
    }
    norm(b.ln1, b.rstd1, P(`h${l}.ln1.w`));
    b.mixer.forward(f, b.mix, b.ln1);
    pending = { res: b.res1, a: xin, b: b.mix };
    norm(b.ln2, b.rstd2, P(`h${l}.ln2.w`));
    matmul_forward_gelu(f, b.fc, b.fc_gelu, b.ln2, P(`h${l}.mlp.w_fc`), N, C, F);
    matmul_forward(f, b.proj, b.fc_gelu, P(`h${l}.mlp.w_proj`), N, F, C);
    pending = { res: b.res2, a: b.res1, b: b.proj };
    xin = b.res2;
  }
  norm(head.lnf, head.rstdf, P('lnf.w'));
  matmul_forward(f, head.logits, head.lnf, P(a.wout), N, C, V);
  return { inputs, last: xin };
}
