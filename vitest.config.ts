import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
// @ts-expect-error plain .mjs helper shared with the Node scripts
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';

// Two projects: `unit` runs in Node (CPU references, data, config); `gpu` runs
// in headless Chromium with WebGPU (every kernel against its reference).
//
// The projects run one after the other (groupOrder), not at once: on CI's two
// cores the unit project's command-line tests (each starts Vite and a second
// Chromium) used to overlap the GPU project's training tests and slow them
// toward their timeouts; under load the default-model learning test took 83 s
// of its 120 s, and 120 s and failed once the machine was busier still.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          sequence: { groupOrder: 0 },
          // Vitest's 5 s default is a speed limit: the 2,000-link codec fuzz and the protocol test took 2.8-3.2 s
          // on a busy machine. A minute only catches a hang.
          testTimeout: 60_000,
          include: ['src/**/*.test.ts', 'app/**/*.test.ts', 'tests/unit/**/*.test.ts'],
        },
      },
      {
        // Pre-bundle the benchmark peers so their first import does not reload the test page.
        optimizeDeps: {
          include: [
            '@jax-js/jax',
            '@tensorflow/tfjs-core',
            '@tensorflow/tfjs-backend-webgpu',
            '@observablehq/plot',
            'zod',
          ],
        },
        test: {
          name: 'gpu',
          include: ['tests/gpu/**/*.test.ts'],
          sequence: { groupOrder: 1 },
          // A hang detector, not a speed limit (speed lives in the benchmarks): the heaviest tests train for
          // 30-40 s alone on SwiftShader and took 2-3 times that on a busy two-core machine.
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false,
            provider: playwright({
              launchOptions: {
                executablePath: findChromium() ?? undefined,
                args: CHROMIUM_ARGS,
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        },
      },
    ],
  },
});
