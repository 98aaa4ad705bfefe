// The two contexts a continuation can read (a leaf, no imports: the request,
// the host protocol and the command line check the mode without GPU code).
// The reasons and the memory check are in src/sample/incremental_support.ts.

/** 'slide': a window of L characters that slides; 'grow': the prompt plus everything generated (never slides). */
export const CONTEXT_MODES = ['slide', 'grow'] as const;
export type ContextMode = (typeof CONTEXT_MODES)[number];

/** How a continuation's logits came: the sliding window, or the growing context recomputed or from the cache. */
export type ContinuationPath = 'slide' | 'grow-recompute' | 'grow-cache';

/** The tokens a growing context reaches: the prompt and every generated one but the last (never read). */
export const grownLength = (prompt: number, chars: number): number => prompt + Math.max(0, chars - 1);
