// The fixed stream of rndembqk / fixedseqqk (spec: "The mechanisms that are
// not the normalised family"). Pure functions, shared by the GPU graph and the
// float64 reference.
import { ConfigError, type Mechanism, type ModelConfig } from '../config';
import { deriveSeed, Rng } from '../util/random';

/** Which fixed stream a model's layers need, if any. */
export function streamKind(layers: readonly Mechanism[]): 'rndemb' | 'fixedseq' | null {
  const r = layers.includes('rndembqk');
  const f = layers.includes('fixedseqqk');
  if (r && f)
    throw new ConfigError('a model cannot mix rndembqk and fixedseqqk layers (they need different fixed streams)');
  return r ? 'rndemb' : f ? 'fixedseq' : null;
}

/**
 * rndembqk's stream X_0: rows i.i.d. N(0, initStd^2) from a fixed seed, row t
 * drawn t-th, so the rows for length L are a prefix of those for any longer L.
 */
export function streamRows(c: ModelConfig, T: number): Float32Array {
  const rng = new Rng(deriveSeed(c.seed, 'rndembqk-stream'));
  const out = new Float32Array(T * c.nEmbd);
  for (let i = 0; i < out.length; i++) out[i] = rng.normal() * c.initStd;
  return out;
}
