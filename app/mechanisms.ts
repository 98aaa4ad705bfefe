// One line and one formula per mechanism, from docs/mechanisms.md (the
// builder shows them next to the mechanism picker).
import type { Mechanism } from '../src/config';

export const MECHANISM_INFO: Record<Mechanism, { line: string; formula: string }> = {
  softmax: { line: 'standard attention', formula: 'A_ij = exp(q_i·k_j/√d_h + b_ij) / Σ_j′ exp(…)' },
  lssa: {
    line: 'length-scaled softplus',
    formula: 'A_ij = softplus(ln(d_h)·ln(i)·q̂_i·k̂_j + b_ij) / Σ_j′ (…), q̂, k̂ L2-normalised',
  },
  lssar: {
    line: 'lssa + re-weighting in training',
    formula: 'A′_ij = relu(i·A_ij − o_i)^p / Σ_j′ relu(i·A_ij′ − o_i)^p on top of lssa',
  },
  taylor: { line: 'second-order Taylor of exp', formula: 'A_ij = (1 + x + x²/2) / Σ_j′ (…), x = q_i·k_j/√d_h + b_ij' },
  sigmoid: { line: 'unnormalised sigmoid', formula: 'A_ij = sigmoid(q_i·k_j/√d_h + b_ij − ln T)' },
  relu: { line: 'unnormalised ReLU', formula: 'A_ij = relu(q_i·k_j/√d_h + b_ij) / i' },
  nonapprox: {
    line: 'no pairwise scores: a running mean',
    formula: 'o_i = Σ_{j≤i} exp(s_j)·v_j / Σ_{j≤i} exp(s_j), s_j = silu(h_j W_Q)·(h_j W_K)/√d_h',
  },
  mlp: { line: 'no token mixing', formula: 'out = W_dn (silu(H W_gt) ⊙ (H W_up)), width round(4d/3)' },
  rndembqk: {
    line: 'q, k from a fixed random stream',
    formula: 'Q, K from the stream X_l (X_0 ~ N(0, 0.02²)), V from H; softmax',
  },
  fixedseqqk: { line: 'q, k from a fixed passage', formula: 'as rndembqk, X_0 = Emb(fixed passage)' },
  staticembqk: {
    line: 'q, k from token embeddings only',
    formula: 'Q, K = RMSNorm(E) W_Q, W_K, E = layer-0 embeddings; V from H; softmax',
  },
  softplus: {
    line: 'softplus + l1 on the plain logit',
    formula: 'A_ij = softplus(q_i·k_j/√d_h + b_ij) / Σ_j′ (…)',
  },
  lssacap: {
    line: 'lssa, scale frozen past T',
    formula: 'A_ij = softplus(ln(d_h)·ln(min(i, T))·q̂_i·k̂_j + b_ij) / Σ_j′ (…)',
  },
  lssmax: {
    line: "exp on lssa's logit",
    formula: 'A_ij = exp(ln(d_h)·ln(i)·q̂_i·k̂_j + b_ij) / Σ_j′ exp(…), q̂, k̂ L2-normalised',
  },
};

export const BIAS_NOTE = "b_ij is ALiBi's −slope_h·(i − j) when the model uses ALiBi, else 0.";
