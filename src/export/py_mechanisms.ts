// The Python class of every mechanism, for model.py (generated text). Keyed
// by the lab's mechanism name: tests/unit/torch_export.test.ts checks that
// every name in MECHANISMS has one, so a new mechanism without a class fails
// a test (and the exporter refuses such a run in one line) rather than
// exporting a model that is not the lab's.

export interface PyMechanism {
  /** The class name in model.py. */
  cls: string;
  /** The class source, formula first (as docs/mechanisms.md writes it). */
  source: string;
}

const ATTENTION_BASE = String.raw`class CausalAttention(nn.Module):
    """Q, K, V = X W_QKV; per head, weights A(Q, K) (zero above the diagonal), then (A V) W_O.

    A subclass says how A comes from the logits x_ij = c_i q_i.k_j + b_ij (b: ALiBi's bias).
    Re-weighting applies to mechanisms whose rows sum to 1 (row_normalised).
    """

    row_normalised = True

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.w_qkv = nn.Parameter(torch.empty(3 * width, width))
        self.w_o = nn.Parameter(torch.empty(width, width))

    def split(self, x):
        """[B, T, C] -> q, k, v, each [B, H, T, d_h] (per token [q | k | v], head h at columns h d_h)."""
        B, T, C = x.shape
        qkv = F.linear(x, self.w_qkv).view(B, T, 3, self.heads, C // self.heads)
        return qkv.permute(2, 0, 3, 1, 4).unbind(0)

    def queries_keys(self, q, k, ps):
        """Where queries and keys come from (the variants take them from elsewhere)."""
        return q, k

    def reweight_p(self, ps):
        return ps.reweight_p if self.row_normalised else None

    def forward(self, x, ps):
        q, k, v = self.split(x)
        q, k = self.queries_keys(q, k, ps)
        if ps.positional == "rope":
            q, k = rope(q), rope(k)
        A = self.weights(q, k, ps)
        p = self.reweight_p(ps)
        if p is not None:
            A = reweight(A, p)
        y = (A @ v).transpose(1, 2).reshape(x.shape)
        return F.linear(y, self.w_o)

    def logits(self, q, k, scale, ps):
        """x_ij = scale_i q_i.k_j + b_ij."""
        x = (q @ k.transpose(-1, -2)) * scale
        if ps.positional == "alibi":
            x = x + alibi_bias(q.shape[1], q.shape[2], x)
        return x


def row_index(T, like):
    """1-based query positions i + 1 as a column [T, 1]."""
    return torch.arange(1, T + 1, device=like.device, dtype=like.dtype)[:, None]


def length_scale(T, d, like, cap=None):
    """c_i = ln(d_h) ln(i + 1) (0-based i), or ln(d_h) ln(min(i + 1, cap))."""
    i1 = row_index(T, like)
    if cap is not None:
        i1 = i1.clamp(max=cap)
    return math.log(d) * torch.log(i1)


def l2norm(x):
    """x / sqrt(|x|^2 + 1e-6): the epsilon inside the norm, so a zero vector has a gradient."""
    return x / torch.sqrt(x.pow(2).sum(-1, keepdim=True) + LSSA_EPS)


def softplus(x):
    """max(x, 0) + log1p(exp(-|x|)), as the lab writes it."""
    return torch.clamp(x, min=0) + torch.log1p(torch.exp(-x.abs()))


def normalise(phi):
    """Causal rows divided by their sums."""
    phi = phi.masked_fill(~causal(phi), 0.0)
    return phi / phi.sum(-1, keepdim=True)


def causal_softmax(x):
    return torch.softmax(x.masked_fill(~causal(x), float("-inf")), -1)`;

/** Mechanism classes; the base class and helpers come first (ATTENTION_BASE). */
const TABLE: Record<string, PyMechanism> = {
  softmax: {
    cls: 'Softmax',
    source: String.raw`class Softmax(CausalAttention):
    """softmax: A_ij = exp(q_i.k_j/sqrt(d_h) + b_ij) / sum_j' exp(...)"""

    def weights(self, q, k, ps):
        return causal_softmax(self.logits(q, k, q.shape[-1] ** -0.5, ps))`,
  },
  lssa: {
    cls: 'LSSA',
    source: String.raw`class LSSA(CausalAttention):
    """lssa: A_ij = softplus(ln(d_h) ln(i) q^_i.k^_j + b_ij) / sum_j' (...), q^, k^ L2-normalised"""

    def weights(self, q, k, ps):
        c = length_scale(q.shape[2], q.shape[-1], q)
        return normalise(softplus(self.logits(l2norm(q), l2norm(k), c, ps)))`,
  },
  lssar: {
    cls: 'LSSAR',
    source: String.raw`class LSSAR(LSSA):
    """lssar: lssa, always re-weighted: A'_ij = relu(i A_ij - o_i)^p / sum_j' relu(i A_ij' - o_i)^p

    With its own p, unless the pass sets one (an evaluation sweep's p).
    """

    def reweight_p(self, ps):
        return ps.reweight_p if ps.reweight_p is not None else ps.lssar_p`,
  },
  taylor: {
    cls: 'Taylor',
    source: String.raw`class Taylor(CausalAttention):
    """taylor: A_ij = (1 + x + x^2/2) / sum_j' (...), x = q_i.k_j/sqrt(d_h) + b_ij"""

    def weights(self, q, k, ps):
        x = self.logits(q, k, q.shape[-1] ** -0.5, ps)
        return normalise(1 + x + 0.5 * x * x)`,
  },
  sigmoid: {
    cls: 'Sigmoid',
    source: String.raw`class Sigmoid(CausalAttention):
    """sigmoid: A_ij = sigmoid(q_i.k_j/sqrt(d_h) + b_ij - ln T), rows not normalised (T: training length)"""

    row_normalised = False

    def weights(self, q, k, ps):
        x = self.logits(q, k, q.shape[-1] ** -0.5, ps)
        return torch.sigmoid(x - math.log(ps.train_length)).masked_fill(~causal(x), 0.0)`,
  },
  relu: {
    cls: 'ReLU',
    source: String.raw`class ReLU(CausalAttention):
    """relu: A_ij = relu(q_i.k_j/sqrt(d_h) + b_ij) / i, rows not normalised (i 1-based)"""

    row_normalised = False

    def weights(self, q, k, ps):
        x = self.logits(q, k, q.shape[-1] ** -0.5, ps)
        return (torch.relu(x) / row_index(x.shape[-1], x)).masked_fill(~causal(x), 0.0)`,
  },
  nonapprox: {
    cls: 'NonApprox',
    source: String.raw`class NonApprox(nn.Module):
    """nonapprox: o_i = sum_{j<=i} exp(s_j) v_j / sum_{j<=i} exp(s_j), s_j = silu(h_j W_Q).(h_j W_K)/sqrt(d_h)

    No pairwise scores, so no positional scheme and no re-weighting. Written as weights
    w_ij = exp(s_j - ln sum_{j'<=i} exp(s_j')) for clarity (the lab scans in linear time).
    """

    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.w_qkv = nn.Parameter(torch.empty(3 * width, width))
        self.w_o = nn.Parameter(torch.empty(width, width))

    def forward(self, x, ps):
        q, k, v = CausalAttention.split(self, x)
        s = (F.silu(q) * k).sum(-1) / math.sqrt(q.shape[-1])  # [B, H, T]
        log_d = torch.logcumsumexp(s, -1)  # ln sum_{j<=i} exp(s_j)
        e = s[..., None, :] - log_d[..., :, None]  # [B, H, T(i), T(j)]
        w = torch.exp(e.masked_fill(~causal(e), float("-inf")))
        y = (w @ v).transpose(1, 2).reshape(x.shape)
        return F.linear(y, self.w_o)`,
  },
  mlp: {
    cls: 'GatedMLP',
    source: String.raw`class GatedMLP(nn.Module):
    """mlp: no token mixing, out = W_dn (silu(H W_gt) * (H W_up)), width round(4d/3)"""

    def __init__(self, width, heads):
        super().__init__()
        m = round(4 * width / 3)
        self.w_gate = nn.Parameter(torch.empty(m, width))
        self.w_up = nn.Parameter(torch.empty(m, width))
        self.w_down = nn.Parameter(torch.empty(width, m))

    def forward(self, x, ps):
        return F.linear(F.silu(F.linear(x, self.w_gate)) * F.linear(x, self.w_up), self.w_down)`,
  },
  rndembqk: {
    cls: 'RndEmbQK',
    source: String.raw`class RndEmbQK(Softmax):
    """rndembqk: Q, K from the fixed random stream X_l (X_0 ~ N(0, initStd^2)), V from H; softmax

    The stream rides as extra rows of the batch ([batch; stream copies]) through every
    layer; here the batch rows take the queries and keys of their stream row.
    """

    def queries_keys(self, q, k, ps):
        n = ps.batch_rows
        return torch.cat([q[n:], q[n:]]), torch.cat([k[n:], k[n:]])`,
  },
  fixedseqqk: {
    cls: 'FixedSeqQK',
    source: String.raw`class FixedSeqQK(RndEmbQK):
    """fixedseqqk: as rndembqk, X_0 = Emb(fixed passage): the first L tokens of the longest validation document"""`,
  },
  staticembqk: {
    cls: 'StaticEmbQK',
    source: String.raw`class StaticEmbQK(Softmax):
    """staticembqk: Q, K = RMSNorm(E) W_Q, W_K, E = layer-0 embeddings (no gain); V from H; softmax"""

    def queries_keys(self, q, k, ps):
        q, k, _ = self.split(ps.static_input)
        return q, k`,
  },
  softplus: {
    cls: 'Softplus',
    source: String.raw`class Softplus(CausalAttention):
    """softplus: A_ij = softplus(q_i.k_j/sqrt(d_h) + b_ij) / sum_j' (...)"""

    def weights(self, q, k, ps):
        return normalise(softplus(self.logits(q, k, q.shape[-1] ** -0.5, ps)))`,
  },
  lssacap: {
    cls: 'LSSACap',
    source: String.raw`class LSSACap(CausalAttention):
    """lssacap: lssa with its scale frozen past T: c_i = ln(d_h) ln(min(i, T))"""

    def weights(self, q, k, ps):
        c = length_scale(q.shape[2], q.shape[-1], q, cap=ps.train_length)
        return normalise(softplus(self.logits(l2norm(q), l2norm(k), c, ps)))`,
  },
  lssmax: {
    cls: 'LSSMax',
    source: String.raw`class LSSMax(CausalAttention):
    """lssmax: softmax of lssa's logits: A_ij = exp(ln(d_h) ln(i) q^_i.k^_j + b_ij) / sum_j' exp(...)"""

    def weights(self, q, k, ps):
        c = length_scale(q.shape[2], q.shape[-1], q)
        return causal_softmax(self.logits(l2norm(q), l2norm(k), c, ps))`,
  },
};

/** The Python class of a mechanism, or undefined when model.py has none. */
export function pyMechanism(name: string): PyMechanism | undefined {
  return Object.hasOwn(TABLE, name) ? TABLE[name] : undefined;
}

/** Every class, in table order, after the shared base class and helpers. */
export function mechanismClasses(): string {
  return [ATTENTION_BASE, ...Object.values(TABLE).map((m) => m.source)].join('\n\n\n');
}

/** `"name": Class` lines of model.py's MECHANISMS table. */
export function mechanismTable(): string {
  return Object.entries(TABLE)
    .map(([name, m]) => `    "${name}": ${m.cls},`)
    .join('\n');
}
