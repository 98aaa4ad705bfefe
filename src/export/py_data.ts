// lab_data.py of an exported run (generated text, not run by the lab): the
// lab's seeded random numbers (src/util/random.ts), its data windows
// (src/data/batch.ts) and safetensors reading and writing, ported line for
// line so train.py draws the lab's own batches and validation windows.

export const LAB_DATA_PY = String.raw`"""The lab's data, ported from its TypeScript (no numerics of the model here).

- LabRng, derive_seed: the lab's seeded random numbers (Mulberry32 and Box-Muller,
  src/util/random.ts), bit for bit: they draw the training batches, the validation
  windows and the fixed random stream of rndembqk.
- train_batch, eval_windows: the lab's data windows (src/data/batch.ts): a window never
  crosses a document, every valid start is equally likely, and the validation starts
  are drawn once, for the longest length, so every length reads a prefix of the same windows.
- load_safetensors, save_safetensors: the safetensors format (8-byte little-endian header
  length, a JSON header, raw little-endian data), with or without the safetensors package.
"""
import bisect
import json
import math
import struct

import torch

M32 = 0xFFFFFFFF


def imul(a, b):
    """JavaScript's Math.imul on unsigned 32-bit patterns."""
    return (a * b) & M32


class LabRng:
    """Mulberry32: uniform numbers in [0, 1), integers in [0, n), normals (both Box-Muller values used)."""

    def __init__(self, seed):
        self.state = (seed & M32) ^ 0x9E3779B9
        self.spare = None

    def next(self):
        self.state = (self.state + 0x6D2B79F5) & M32
        t = self.state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296.0

    def int(self, n):
        return math.floor(self.next() * n)

    def normal(self):
        if self.spare is not None:
            s, self.spare = self.spare, None
            return s
        u = 0.0
        while u == 0.0:
            u = self.next()
        v = self.next()
        r = math.sqrt(-2.0 * math.log(u))
        self.spare = r * math.sin(2.0 * math.pi * v)
        return r * math.cos(2.0 * math.pi * v)


def derive_seed(seed, name):
    """An independent seed for a named sub-stream (FNV-style hash, then a finaliser)."""
    h = (seed & M32) ^ 0x811C9DC5
    for ch in name:
        h = imul(h ^ ord(ch), 16777619)
    h ^= h >> 16
    h = imul(h, 0x85EBCA6B)
    h ^= h >> 13
    return h & M32


def stream_rows(seed, length, width, std):
    """rndembqk's stream X_0: rows i.i.d. N(0, std^2), row t drawn t-th (a prefix at any longer length)."""
    rng = LabRng(derive_seed(seed, "rndembqk-stream"))
    return torch.tensor([rng.normal() * std for _ in range(length * width)], dtype=torch.float32).view(length, width)


class Starts:
    """Every start where a window of need tokens fits, numbered across documents."""

    def __init__(self, docs, need):
        self.cum, total = [], 0
        for d in docs:
            total += max(0, len(d) - need + 1)
            self.cum.append(total)
        self.total = total

    def locate(self, r):
        doc = bisect.bisect_right(self.cum, r)
        return doc, r - (self.cum[doc - 1] if doc > 0 else 0)


def train_batch(docs, B, T, rng):
    """B random windows of T + 1 tokens: (input, target) [B, T], target shifted by one."""
    starts = Starts(docs, T + 1)
    if starts.total == 0:
        raise SystemExit(f"no training document holds {T + 1} tokens")
    rows = []
    for _ in range(B):
        doc, s = starts.locate(rng.int(starts.total))
        rows.append(docs[doc][s:s + T + 1])
    w = torch.stack(rows).long()
    return w[:, :-1], w[:, 1:]


def eval_windows(docs, count, max_length, seed):
    """The fixed validation windows: (doc, start) pairs, sorted, where max_length + 1 tokens fit."""
    starts = Starts(docs, max_length + 1)
    if starts.total == 0:
        raise SystemExit(f"no validation document holds {max_length + 1} tokens")
    rng = LabRng(derive_seed(seed, "eval-windows"))
    n = min(count, starts.total)
    picked = set()
    if n > starts.total / 2:
        picked = set(range(n))
    else:
        while len(picked) < n:
            picked.add(rng.int(starts.total))
    return [starts.locate(r) for r in sorted(picked)]


def documents(tokens, offsets):
    """Documents stored as one token array and its offsets."""
    return [tokens[offsets[i]:offsets[i + 1]].long() for i in range(len(offsets) - 1)]


DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64, "U8": torch.uint8}


def load_safetensors(path):
    """{name: tensor}; the safetensors package when installed, else these few lines."""
    try:
        from safetensors.torch import load_file
        return load_file(path)
    except ImportError:
        pass
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        dtype = DTYPES[t["dtype"]]
        data = bytearray(raw[8 + n + a:8 + n + b])
        flat = torch.frombuffer(data, dtype=dtype) if data else torch.zeros(0, dtype=dtype)
        out[name] = flat.reshape(t["shape"])
    return out


def save_safetensors(path, tensors):
    """Writes {name: tensor} (little-endian, as the lab writes it)."""
    names = {v: k for k, v in DTYPES.items()}
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        b = t.detach().cpu().contiguous().numpy().tobytes()
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    head = json.dumps(header).encode()
    head += b" " * (-len(head) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(head)) + head)
        for b in blobs:
            f.write(b)
`;
