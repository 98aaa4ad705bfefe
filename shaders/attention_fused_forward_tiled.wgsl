// attention_fused_forward.wgsl register-tiled (HD <= TILE_MAXHD): the same bindings,
// Params and outputs, compiled after attention_fused_tile.wgsl. A thread owns query
// rows 4g..4g+3 of head bh; each key's k_j and v_j are loaded once for the 4 rows.
// v_j is loaded only when some row's weight is non-zero (re-weighted rows are mostly
// exact zeros), and added to a row only where its weight is, as the one-row code does.
// Dispatch: (ceil(ceil(L/4)/64), B*H) workgroups of 64.

@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> P: Params;

// A row's output sums: 4 channel groups, sum u, and the online softmax's running max.
struct Acc { a0: vec4<f32>, a1: vec4<f32>, a2: vec4<f32>, a3: vec4<f32>, z: f32, m: f32 }

fn v4(o: u32, g: u32) -> vec4<f32> {
  return vec4<f32>(v[o + at(g, 0u)], v[o + at(g, 1u)], v[o + at(g, 2u)], v[o + at(g, 3u)]);
}

// The weight of key j in row r (0 for a key the row does not see); sum u and the
// online rescaling as in the one-row loop.
fn fwd_weight(r: Row, j: u32, t: Key, s: ptr<function, Acc>) -> f32 {
  if (!sees(r, j)) { return 0.0; }
  let x = tile_logit(r, j, t);
  var u: f32;
  if (MECH == 0u && RW == 0u) {
    if (x > (*s).m) {
      let e = exp((*s).m - x);
      (*s).z *= e;
      (*s).a0 *= e;
      (*s).a1 *= e;
      (*s).a2 *= e;
      (*s).a3 *= e;
      (*s).m = x;
    }
    u = exp(x - (*s).m);
  } else {
    u = tile_weight(r, x);
  }
  (*s).z += u;
  return u;
}

fn fwd_add(u: f32, b0: vec4<f32>, b1: vec4<f32>, b2: vec4<f32>, b3: vec4<f32>, s: ptr<function, Acc>) {
  if (u == 0.0) { return; }
  let w = vec4<f32>(u);
  (*s).a0 = fma(w, b0, (*s).a0);
  if (HD > 4u) { (*s).a1 = fma(w, b1, (*s).a1); }
  if (HD > 8u) { (*s).a2 = fma(w, b2, (*s).a2); }
  if (HD > 12u) { (*s).a3 = fma(w, b3, (*s).a3); }
}

fn put4(o: u32, g: u32, a: vec4<f32>) {
  out[o + 4u * g] = a.x;
  if (4u * g + 1u < HD) { out[o + 4u * g + 1u] = a.y; }
  if (4u * g + 2u < HD) { out[o + 4u * g + 2u] = a.z; }
  if (4u * g + 3u < HD) { out[o + 4u * g + 3u] = a.w; }
}

fn fwd_store(bh: u32, i: u32, s: Acc) {
  if (i >= P.L) { return; }
  var inv = 1.0;
  if (MECH <= LAST_NORMALISED) { inv = 1.0 / s.z; }
  let o = (bh * P.L + i) * HD;
  put4(o, 0u, s.a0 * inv);
  if (HD > 4u) { put4(o, 1u, s.a1 * inv); }
  if (HD > 8u) { put4(o, 2u, s.a2 * inv); }
  if (HD > 12u) { put4(o, 3u, s.a3 * inv); }
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
  if (!(MECH == 0u && RW == 0u)) { tile_prepare(&r0, &r1, &r2, &r3); }

  var s0 = Acc(vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), vec4<f32>(0.0), 0.0, -3.4e38);
  var s1 = s0;
  var s2 = s0;
  var s3 = s0;
  for (var j = r0.j0; j <= r3.i; j++) {
    let t = tile_key(r0.kb, j);
    let u0 = fwd_weight(r0, j, t, &s0);
    let u1 = fwd_weight(r1, j, t, &s1);
    let u2 = fwd_weight(r2, j, t, &s2);
    let u3 = fwd_weight(r3, j, t, &s3);
    if (u0 != 0.0 || u1 != 0.0 || u2 != 0.0 || u3 != 0.0) {
      let o = r0.kb + j * HD;
      let b0 = v4(o, 0u);
      var b1 = b0;
      var b2 = b0;
      var b3 = b0;
      if (HD > 4u) { b1 = v4(o, 1u); }
      if (HD > 8u) { b2 = v4(o, 2u); }
      if (HD > 12u) { b3 = v4(o, 3u); }
      fwd_add(u0, b0, b1, b2, b3, &s0);
      fwd_add(u1, b0, b1, b2, b3, &s1);
      fwd_add(u2, b0, b1, b2, b3, &s2);
      fwd_add(u3, b0, b1, b2, b3, &s3);
    }
  }
  fwd_store(bh, i0, s0);
  fwd_store(bh, i0 + 1u, s1);
  fwd_store(bh, i0 + 2u, s2);
  fwd_store(bh, i0 + 3u, s3);
}
