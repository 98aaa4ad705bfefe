import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The lab (index.html) plus the benchmark pages, which run the same engine
// code in the browser.
export default defineConfig({
  server: { host: '127.0.0.1' },
  build: {
    target: 'es2022',
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
      },
    },
  },
  worker: { format: 'es' },
});
