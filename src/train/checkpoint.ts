// A CPU copy of the training state: parameters, both Adam moments and the
// step they are after. Taken at logging points when the step was finite, it
// survives a diverged run (the trainer rolls back to it) and a lost device
// (a new device's model is restored from it and training resumes).
import type { ParamTable } from '../model/params';

export interface Checkpoint {
  /** Completed optimisation steps the state is after (0: the initial state). */
  step: number;
  /** The step's loss (NaN for step 0 or when unknown). */
  loss: number;
  /** The parameter, m and v arenas, each laid out by the parameter table. */
  params: Float32Array;
  m: Float32Array;
  v: Float32Array;
}

/** Throws unless `ck` was taken from a model with this parameter table. */
export function checkCheckpoint(ck: Checkpoint, table: ParamTable): void {
  const n = table.total;
  if (!Number.isInteger(ck.step) || ck.step < 0)
    throw new Error(`checkpoint step must be a non-negative integer, got ${ck.step}`);
  for (const [k, a] of [
    ['params', ck.params],
    ['m', ck.m],
    ['v', ck.v],
  ] as const)
    if (a.length !== n)
      throw new Error(
        `checkpoint ${k} holds ${a.length} floats but this model's arenas hold ${n}: ` +
          'it was taken from a different model',
      );
}

/** A deep copy (callers may keep one while the trainer reuses its arrays). */
export function cloneCheckpoint(ck: Checkpoint): Checkpoint {
  return { step: ck.step, loss: ck.loss, params: ck.params.slice(), m: ck.m.slice(), v: ck.v.slice() };
}
