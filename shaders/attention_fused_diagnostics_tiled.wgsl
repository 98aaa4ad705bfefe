// attention_fused_diagnostics.wgsl register-tiled (HD <= TILE_MAXHD): the same bindings,
// Params and statistics, compiled after attention_fused_tile.wgsl. A thread owns query
// rows 4g..4g+3 of head bh; each key's k_j is loaded once for the 4 rows, in every sweep.
// Dispatch: (ceil(ceil(L/4)/64), B*H) workgroups of 64.

@group(0) @binding(2) var<storage, read_write> diag: array<f32>;
@group(0) @binding(3) var<uniform> P: Params;

fn diag_step(r: Row, j: u32, t: Key, s: ptr<function, Stats>) {
  if (!sees(r, j)) { return; }
  let w = tile_weight_log(r, tile_logit(r, j, t));
  let u = w.x;
  let d = r.i - j;
  (*s).z += u;
  if (u > 0.0) { (*s).ulu = fma(u, w.y, (*s).ulu); }
  if (j == 0u) { (*s).sink = u; }
  if (d <= 3u) { (*s).near += u; }
  (*s).dist = fma(u, f32(d), (*s).dist);
}

fn diag_store(bh: u32, i: u32, s: Stats) {
  if (i >= P.L) { return; }
  let r = diag_finish(s);
  let o = (bh * P.L + i) * 4u;
  diag[o] = r.x;
  diag[o + 1u] = r.y;
  diag[o + 2u] = r.z;
  diag[o + 3u] = r.w;
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i0 = gid.x * 4u;
  let bh = gid.y;
  if (i0 >= P.L) { return; }
  let last = P.L - 1u;
  var r0 = tile_row(bh, i0);
  var r1 = tile_row(bh, min(i0 + 1u, last));
  var r2 = tile_row(bh, min(i0 + 2u, last));
  var r3 = tile_row(bh, min(i0 + 3u, last));
  tile_prepare(&r0, &r1, &r2, &r3);

  var s0 = Stats(0.0, 0.0, 0.0, 0.0, 0.0);
  var s1 = s0;
  var s2 = s0;
  var s3 = s0;
  for (var j = r0.j0; j <= r3.i; j++) {
    let t = tile_key(r0.kb, j);
    diag_step(r0, j, t, &s0);
    diag_step(r1, j, t, &s1);
    diag_step(r2, j, t, &s2);
    diag_step(r3, j, t, &s3);
  }
  diag_store(bh, i0, s0);
  diag_store(bh, i0 + 1u, s1);
  diag_store(bh, i0 + 2u, s2);
  diag_store(bh, i0 + 3u, s3);
}
