// nonapprox backward, pass 2 of 2 (pass 1: shaders/nonapprox_backward.wgsl).
//   q, k: [B, H, T, hd] read
//   dq:   [B, H, T, hd] read_write  holds E_t[c] from pass 1 on entry; dq on exit
//   dk:   [B, H, T, hd] write
//   P:    uniform { BH, T, hd, gridX }
// One thread per (bh, t): ds_t = sum_c E_t[c] in channel order (deterministic),
// then dq_t = ds_t k_t / sqrt(hd) and dk_t = ds_t q_t / sqrt(hd). Each thread
// reads its whole row of dq before overwriting it, and no other thread touches
// that row, so reusing dq as the scratch is race-free.

struct Params { BH: u32, T: u32, hd: u32, gridX: u32 }

@group(0) @binding(0) var<storage, read> q: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read_write> dq: array<f32>;
@group(0) @binding(3) var<storage, read_write> dk: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let row = gid.x + gid.y * P.gridX * 64u;
  if (row >= P.BH * P.T) { return; }
  let o = row * P.hd;
  var ds = 0.0;
  for (var c = 0u; c < P.hd; c++) { ds += dq[o + c]; }
  ds *= inverseSqrt(f32(P.hd));
  for (var c = 0u; c < P.hd; c++) {
    dq[o + c] = ds * k[o + c];
    dk[o + c] = ds * q[o + c];
  }
}
