// Learning-rate schedule: linear warm-up, then cosine decay to lr*minLrRatio.

export interface ScheduleConfig {
  lr: number;
  warmupSteps: number;
  steps: number;
  minLrRatio: number;
}

/**
 * Learning rate at 0-based `step`:
 * - step < warmupSteps: (step+1)/warmupSteps * lr (reaches lr at warmupSteps-1);
 * - then cosine from lr at step warmupSteps to lr*minLrRatio at the last step
 *   (steps-1); later steps stay at the minimum.
 * When no step is left to decay over (steps <= warmupSteps+1, e.g. a one-step
 * run), the post-warm-up steps use the peak lr: a run never starts at the floor.
 */
export function learningRate(step: number, s: ScheduleConfig): number {
  if (step < s.warmupSteps) return ((step + 1) / s.warmupSteps) * s.lr;
  const span = s.steps - 1 - s.warmupSteps;
  if (span <= 0) return s.lr;
  const t = Math.min(1, (step - s.warmupSteps) / span);
  const minLr = s.lr * s.minLrRatio;
  return minLr + 0.5 * (1 + Math.cos(Math.PI * t)) * (s.lr - minLr);
}
