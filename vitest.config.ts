import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
// @ts-expect-error plain .mjs helper shared with the Node scripts
import { CHROMIUM_ARGS, findChromium } from './scripts/chromium.mjs';

// Two projects: `unit` runs in Node (CPU references, data, config); `gpu` runs
// in headless Chromium with WebGPU (every kernel against its reference).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
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
          testTimeout: 120_000,
          hookTimeout: 120_000,
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
