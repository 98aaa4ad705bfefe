import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { corpusPath, serviceWorker } from './app/sw/build.js';

// The corpus as the page requests it: named by its content (data/brown.json?v=HASH).
const CORPUS = corpusPath(resolve(import.meta.dirname, 'public'));

// The lab (index.html) plus the benchmark pages, which run the same engine
// code in the browser. `base: './'`: the build loads everything by relative
// path, so one dist/ works at a domain root, under any sub-path and from
// `vite preview` (the dev server still serves at /). The service worker
// (app/sw/) makes the build work offline after one visit.
export default defineConfig({
  base: './',
  server: { host: '127.0.0.1' },
  define: { __CORPUS_PATH__: JSON.stringify(CORPUS) },
  build: {
    target: 'es2022',
    rollupOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
      },
    },
  },
  worker: { format: 'es' },
  plugins: [serviceWorker({ 'data/brown.json': CORPUS })],
});
