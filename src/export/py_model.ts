// model.py of an exported run (generated text): the lab's GPT as a readable
// torch.nn.Module, every formula the lab's float64 reference (src/reference/).
// Parameter names and shapes are the lab's parameter table
// (src/model/params.ts), "h3." written "h.3." as PyTorch names a ModuleList.
import type { ModelConfig } from '../config';
import { mechanismClasses, mechanismTable } from './py_mechanisms';

const HEAD = String.raw`import math
from dataclasses import dataclass
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from lab_data import stream_rows

RMSNORM_EPS = 1e-5
LSSA_EPS = 1e-6


def rmsnorm(x, weight=None):
    """x / sqrt(mean(x^2) + 1e-5), times the gain when there is one."""
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + RMSNORM_EPS)
    return y if weight is None else y * weight


class RMSNorm(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.w = nn.Parameter(torch.ones(width))

    def forward(self, x):
        return rmsnorm(x, self.w)


def causal(x):
    """[T, T] mask of the last two dimensions of x: True where key j <= query i."""
    T = x.shape[-1]
    return torch.ones(T, T, dtype=torch.bool, device=x.device).tril()


def rope(x):
    """Half-split RoPE on [B, H, T, d_h]: element m pairs with m + d_h/2, rotated by t 10000^(-2m/d_h)."""
    T, d = x.shape[-2], x.shape[-1]
    t = torch.arange(T, dtype=torch.float64, device=x.device)[:, None]
    m = torch.arange(d // 2, dtype=torch.float64, device=x.device)[None, :]
    angle = t * torch.pow(10000.0, -2.0 * m / d)  # float64: the angles reach hundreds of radians
    cos, sin = angle.cos().to(x.dtype), angle.sin().to(x.dtype)
    x1, x2 = x[..., : d // 2], x[..., d // 2 :]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], -1)


def alibi_bias(H, T, like):
    """b_ij = -slope_h (i - j), slope_h = 2^(-8 (h + 1) / H) for 0-based head h: [H, T, T]."""
    slope = torch.tensor([2.0 ** (-8.0 * (h + 1) / H) for h in range(H)], dtype=torch.float64)
    i = torch.arange(T, dtype=torch.float64)
    return (-slope[:, None, None] * (i[:, None] - i[None, :])).to(device=like.device, dtype=like.dtype)


def reweight(A, p):
    """Re-weighting of row-normalised causal weights A [..., T, T], per row i (1-based):
    r_j = relu(i A_ij - o), o = 0 if i <= 3 else 1;  A'_ij = (r_j / m)^p / sum_j' (r_j' / m)^p,
    m = max_j r_j (no gradient: A' does not change when r is scaled); a row with m = 0 keeps A.
    """
    i1 = torch.arange(1, A.shape[-1] + 1, device=A.device, dtype=A.dtype)[:, None]
    r = torch.relu(i1 * A - (i1 > 3).to(A.dtype))
    m = r.amax(-1, keepdim=True).detach()
    kept = m > 0
    w = (r / torch.where(kept, m, torch.ones_like(m))).pow(p)
    total = w.sum(-1, keepdim=True)
    return torch.where(kept, w / torch.where(kept, total, torch.ones_like(total)), A)


@dataclass
class Pass:
    """What every layer of one forward pass shares."""

    positional: str  # rope | alibi | nope
    train_length: int  # T: sigmoid's ln T, lssacap's cap
    reweight_p: Optional[float]  # the pass's re-weighting exponent (None: off)
    lssar_p: float  # lssar's own p
    batch_rows: int  # rows [0, n) are the batch; rows [n, 2n) the fixed stream's copies, if any
    static_input: Optional[torch.Tensor]  # staticembqk: RMSNorm of the layer-0 embeddings`;

const TAIL = String.raw`class MLP(nn.Module):
    """Every block's MLP: W_proj gelu(W_fc x), GELU with GPT-2's tanh approximation."""

    def __init__(self, width, hidden):
        super().__init__()
        self.w_fc = nn.Parameter(torch.empty(hidden, width))
        self.w_proj = nn.Parameter(torch.empty(width, hidden))

    def forward(self, x):
        return F.linear(F.gelu(F.linear(x, self.w_fc), approximate="tanh"), self.w_proj)


class Block(nn.Module):
    """x + mix(RMSNorm(x)), then + MLP(RMSNorm(x)); the mixer is the layer's mechanism."""

    def __init__(self, mechanism, cfg):
        super().__init__()
        C = cfg["nEmbd"]
        self.mechanism = mechanism
        self.ln1 = RMSNorm(C)
        mixer = MECHANISMS[mechanism](C, cfg["nHead"])
        # The lab names the gated MLP's weights h{l}.mix.*, attention's h{l}.attn.*.
        self.mixer_name = "mix" if mechanism == "mlp" else "attn"
        setattr(self, self.mixer_name, mixer)
        self.ln2 = RMSNorm(C)
        self.mlp = MLP(C, cfg["mlpRatio"] * C)

    def forward(self, x, ps):
        x = x + getattr(self, self.mixer_name)(self.ln1(x), ps)
        return x + self.mlp(self.ln2(x))


class GPT(nn.Module):
    """The lab's GPT: token embedding, blocks, final RMSNorm, logits (tied to the embedding unless lm_head)."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        C, V = cfg["nEmbd"], cfg["vocabSize"]
        for m in cfg["layers"]:
            if m not in MECHANISMS:
                raise SystemExit(f"model.py has no class for mechanism '{m}'")
        self.wte = nn.Parameter(torch.empty(V, C))
        if not cfg["tiedEmbeddings"]:
            self.lm_head = nn.Parameter(torch.empty(V, C))
        self.h = nn.ModuleList(Block(m, cfg) for m in cfg["layers"])
        self.lnf = RMSNorm(C)
        rnd, fixed = "rndembqk" in cfg["layers"], "fixedseqqk" in cfg["layers"]
        if rnd and fixed:
            raise SystemExit("a model cannot mix rndembqk and fixedseqqk layers")
        self.stream = "rndemb" if rnd else "fixedseq" if fixed else None
        self.passage = torch.tensor(cfg.get("fixedPassage") or [], dtype=torch.long)
        self._rows = None

    def stream_input(self, T):
        """X_0 of the fixed stream at length T, [T, C] (None without rndembqk/fixedseqqk layers)."""
        if self.stream == "rndemb":
            if self._rows is None or self._rows.shape[0] < T:
                c = self.cfg
                self._rows = stream_rows(c["seed"], max(T, c["trainLength"]), c["nEmbd"], c["initStd"])
            return self._rows[:T].to(device=self.wte.device, dtype=self.wte.dtype)
        if self.stream == "fixedseq":
            if len(self.passage) < T:
                raise SystemExit(f"fixedseqqk's passage holds {len(self.passage)} tokens; length {T} needs more")
            return F.embedding(self.passage[:T].to(self.wte.device), self.wte)
        return None

    def pass_p(self):
        """The pass's re-weighting exponent: p in training when mode is train; at evaluation when train or eval."""
        mode, p = self.cfg["reweight"]["mode"], self.cfg["reweight"]["p"]
        return p if mode == "train" or (mode == "eval" and not self.training) else None

    def forward(self, idx, targets=None, reweight_p="auto", hybridskip=False):
        """Logits [n, T, V], or the mean loss over scored targets (target -1: not scored).
        reweight_p: "auto" (the model's setting), None (off) or an exponent; hybridskip: every
        non-softmax block is the identity (an evaluation of the lab)."""
        n, T = idx.shape
        x = F.embedding(idx, self.wte)
        s = self.stream_input(T)
        if s is not None:
            x = torch.cat([x, s.expand(n, -1, -1)])
        static = rmsnorm(x) if "staticembqk" in self.cfg["layers"] else None
        p = self.pass_p() if reweight_p == "auto" else reweight_p
        ps = Pass(self.cfg["positional"], self.cfg["trainLength"], p, self.cfg["reweight"]["p"], n, static)
        for block in self.h:
            if hybridskip and block.mechanism != "softmax":
                continue
            x = block(x, ps)
        logits = F.linear(rmsnorm(x[:n], self.lnf.w), self.wte if self.cfg["tiedEmbeddings"] else self.lm_head)
        if targets is None:
            return logits
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), ignore_index=-1)

    @staticmethod
    def torch_name(lab_name):
        """The lab's "h3.attn.w_qkv" is PyTorch's "h.3.attn.w_qkv"."""
        return "h." + lab_name[1:] if lab_name[0] == "h" and lab_name[1].isdigit() else lab_name

    def load_lab(self, tensors, prefix=""):
        """Loads the lab's parameters by their lab names (every one, shapes checked)."""
        own = dict(self.named_parameters())
        lab = {self.torch_name(k[len(prefix):]): v for k, v in tensors.items() if k.startswith(prefix)}
        missing = sorted(set(own) - set(lab))
        if missing:
            raise SystemExit(f"the weights lack {', '.join(missing)}")
        with torch.no_grad():
            for name, p in own.items():
                if tuple(lab[name].shape) != tuple(p.shape):
                    raise SystemExit(f"{name}: the weights hold {tuple(lab[name].shape)}, the model {tuple(p.shape)}")
                p.copy_(lab[name])

    @staticmethod
    def lab_state_name(torch_name):
        """PyTorch's "h.3.attn.w_qkv" is the lab's "h3.attn.w_qkv"."""
        return "h" + torch_name[2:] if torch_name.startswith("h.") else torch_name

    def lab_state(self):
        """{lab name: tensor}, as weights.safetensors names them."""
        return {self.lab_state_name(n): p for n, p in self.named_parameters()}

    def init_fresh(self, generator=None):
        """A new random start as the lab draws one (normal initStd; residual outputs / sqrt(2 nLayer); gains 1)."""
        std = self.cfg["initStd"]
        with torch.no_grad():
            for name, p in self.named_parameters():
                if p.dim() == 1:
                    p.fill_(1.0)
                else:
                    resid = name.endswith(("w_o", "w_proj", "w_down"))
                    p.normal_(0.0, std / math.sqrt(2 * self.cfg["nLayer"]) if resid else std, generator=generator)`;

/** model.py for a run: a docstring naming the run, then the module (the same for every run). */
export function modelPy(label: string, c: ModelConfig): string {
  const doc = [
    `"""The Attention Lab model of run "${label.replace(/["\\]/g, '')}", as PyTorch.`,
    '',
    `Layers: ${c.layers.join(', ')}; ${c.positional}; ${c.nLayer} x ${c.nEmbd} wide, ${c.nHead} heads;`,
    `re-weighting ${c.reweight.mode} (p = ${c.reweight.p}); trained at T = ${c.trainLength}.`,
    'config.json holds the settings, weights.safetensors the trained parameters (the lab names).',
    "Every formula is the lab's float64 reference (src/reference/*.ts); the mechanisms are in",
    'docs/mechanisms.md, one class each below. Generated by the lab (src/export/): edit freely.',
    '"""',
  ].join('\n');
  return `${doc}\n${HEAD}\n\n\n${mechanismClasses()}\n\n\nMECHANISMS = {\n${mechanismTable()}\n}\n\n\n${TAIL}\n`;
}
