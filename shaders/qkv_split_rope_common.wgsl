// Shared by qkv_split_rope_forward.wgsl and qkv_split_rope_backward.wgsl
// (prepended): the sizes, and where one thread's pair lives.
//   qkv [B, T, 3C]  per token [q (C) | k (C) | v (C)], head h at columns h*hd..h*hd+hd-1
//   q, k, v [B, H, T, hd]  element m pairs with m + hd/2 (RoPE's half-split form)
//   table [T, hd/2, 2]  (cos, sin), rope_forward's float64-computed table

struct Params { B: u32, T: u32, H: u32, hd: u32 }

@group(0) @binding(5) var<uniform> P: Params;

struct SplitRopePair {
  /** The pair's first element in q, k, v (its second is npair further). */
  head: u32,
  /** The same element's q column in qkv (k is C further, v 2C). */
  packed: u32,
  /** The pair's (cos, sin) in the table. */
  angle: u32,
  C: u32,
  npair: u32,
}

/** The pair of thread idx (one per pair, 1-D over x and y); false past the end. */
fn split_rope_pair(idx: u32, out: ptr<function, SplitRopePair>) -> bool {
  let npair = P.hd / 2u;
  if (idx >= P.B * P.H * P.T * npair) { return false; }
  let m = idx % npair;
  let row = idx / npair; // (b, h, t)
  let t = row % P.T;
  let h = (row / P.T) % P.H;
  let b = row / (P.T * P.H);
  let C = P.H * P.hd;
  *out = SplitRopePair(row * P.hd + m, (b * P.T + t) * 3u * C + h * P.hd + m, (t * npair + m) * 2u, C, npair);
  return true;
}
