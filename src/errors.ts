// Typed errors of a training run, so a caller (the app, a worker, a test) can
// tell a diverged run from a lost device from a bad configuration and act on
// each: show the step and tensor, resume from the checkpoint, or fix the config.
// Each typed error carries its kind, so a message that crosses a worker
// boundary (where classes do not) still says what went wrong.
import type { Checkpoint } from './train/checkpoint';

/** How a run failed, so the page can say what to do. */
export type ErrorKind = 'config' | 'data' | 'limits' | 'device-lost' | 'diverged' | 'internal';

export const ERROR_KINDS: readonly ErrorKind[] = ['config', 'data', 'limits', 'device-lost', 'diverged', 'internal'];

/** The kind a thrown value carries (every typed error of the engine has one); anything else is 'internal'. */
export function errorKind(e: unknown): ErrorKind {
  const kind = e instanceof Error && 'kind' in e ? e.kind : undefined;
  return ERROR_KINDS.includes(kind as ErrorKind) ? (kind as ErrorKind) : 'internal';
}

/**
 * A configuration the engine or the lab cannot run, named in the message.
 * Defined here, in a module with no runtime imports, so that modules the
 * field table loads (src/model/patterns.ts) can throw it without importing
 * src/config.ts, which builds its defaults from that table.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly kind: ErrorKind = 'config';
}

/** Which arena a non-finite value was found in ('loss' is the step's mean loss). */
export type NonFiniteArena = 'loss' | 'grads' | 'params';

/**
 * The loss, a gradient or a parameter became NaN or infinite. `step` is the
 * first (1-based) step whose forward, backward or update produced one;
 * `tensor` is 'loss' or the parameter's name in the table. The run has been
 * rolled back to `checkpoint` (null when there was none).
 */
export class NonFiniteError extends Error {
  override name = 'NonFiniteError';
  readonly kind: ErrorKind = 'diverged';
  constructor(
    readonly step: number,
    readonly tensor: string,
    readonly arena: NonFiniteArena,
    /** Element index within the tensor (0 for the loss). */
    readonly index: number,
    /** The step at which it was detected (the logging point). */
    readonly detectedAt: number,
    readonly checkpoint: Checkpoint | null,
  ) {
    const what =
      arena === 'loss'
        ? 'the loss'
        : arena === 'grads'
          ? `the gradient of ${tensor} (element ${index})`
          : `parameter ${tensor} (element ${index})`;
    const back = checkpoint
      ? `; rolled back to the checkpoint of step ${checkpoint.step}`
      : '; no checkpoint to roll back to';
    super(
      `training diverged: ${what} became NaN or infinite at step ${step} (detected at step ${detectedAt})${back}. ` +
        'Try a lower learning rate or gradient clipping.',
    );
  }
}

/**
 * The GPU device was lost (destroyed, driver reset, tab backgrounded). `step`
 * is the number of steps submitted when it happened; `checkpoint` is the last
 * good CPU copy of the training state, from which `Engine.train` can resume
 * on a new device.
 */
export class DeviceLostError extends Error {
  override name = 'DeviceLostError';
  readonly kind: ErrorKind = 'device-lost';
  constructor(
    readonly step: number,
    readonly checkpoint: Checkpoint | null,
    readonly reason: string,
  ) {
    super(
      `the GPU device was lost at step ${step} (${reason || 'no reason given'})` +
        (checkpoint ? `; the last checkpoint is at step ${checkpoint.step}` : '; there is no checkpoint'),
    );
  }
}

/**
 * Races `work` against the device's loss, so a readback never waits forever
 * on a device that is gone. Rejects with whatever `onLost` returns.
 */
export function unlessLost<T>(
  device: GPUDevice,
  work: Promise<T>,
  onLost: (info: GPUDeviceLostInfo) => Error,
): Promise<T> {
  return Promise.race([work, device.lost.then((info) => Promise.reject(onLost(info)))]);
}

/**
 * A configuration whose buffers or dispatches exceed what the device allows,
 * found before anything is allocated. `largestBatch` / `longestSeqLen` are the
 * largest values that fit with the other one unchanged (0 when none does, or
 * when the problem does not depend on them).
 */
export class ResourceLimitError extends ConfigError {
  override name = 'ResourceLimitError';
  override readonly kind: ErrorKind = 'limits';
  constructor(
    message: string,
    /** The device limit (or engine constant) that is exceeded. */
    readonly limit: string,
    readonly needed: number,
    readonly allowed: number,
    readonly largestBatch: number,
    readonly longestSeqLen: number,
  ) {
    super(message);
  }
}

/** The device's loss info if it is lost within `ms` (a rejected map can settle before device.lost does). */
export function lostWithin(device: GPUDevice, ms: number): Promise<GPUDeviceLostInfo | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((r) => {
    timer = setTimeout(() => r(null), ms);
  });
  return Promise.race([device.lost, late]).finally(() => clearTimeout(timer));
}

/**
 * Whether `error` (from a failed step, readback or evaluation) is the device going away, and if so its loss info.
 * A map that the loss aborted rejects with an AbortError, sometimes before device.lost settles: on a busy machine
 * the loss notice from the GPU process has lagged past the one second that used to be allowed, and the run was
 * then reported as an internal error instead of a device loss. So an AbortError waits for device.lost itself
 * (bounded only so that a map aborted for another reason cannot hang the run); anything else gets one second.
 */
export function lostBehind(device: GPUDevice, error: unknown): Promise<GPUDeviceLostInfo | null> {
  const aborted = typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
  return lostWithin(device, aborted ? 60_000 : 1000);
}
