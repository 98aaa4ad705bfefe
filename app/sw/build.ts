// Build side of the service worker (Node, in vite.config.ts): a tiny Vite
// plugin that writes `sw.js` beside index.html once every other file of the
// build is known. sw.js is app/sw/sw.ts with its types stripped, after two
// constants: the build's version (a hash of every file it caches, so any
// change to any file is a new version and a new cache) and the list of those
// files. The page registers it in production builds only (app/sw/register.ts).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { type Plugin, type ResolvedConfig, transformWithOxc } from 'vite';

export const SW_FILE = 'sw.js';

/** First 12 hex digits of the SHA-256 of `bytes`. */
export const contentHash = (bytes: Uint8Array | string) =>
  createHash('sha256').update(bytes).digest('hex').slice(0, 12);

/**
 * The corpus's address relative to the lab's folder, named by its content
 * (`data/brown.json?v=HASH`), or the bare path when it is not built yet.
 */
export function corpusPath(publicDir: string): string {
  const file = join(publicDir, 'data', 'brown.json');
  return existsSync(file) ? `data/brown.json?v=${contentHash(readFileSync(file))}` : 'data/brown.json';
}

export interface BuiltFile {
  /** Path in the build folder, '/'-separated, e.g. 'assets/main-abc.js'. */
  name: string;
  bytes: Uint8Array | string;
}

/**
 * What the service worker caches: every file of the build but sw.js itself,
 * each as the page requests it (`urls` maps a file to another address, e.g.
 * the corpus to its `?v=` form), sorted; and the version, a hash of every
 * file's address and content.
 */
export function precache(files: BuiltFile[], urls: Record<string, string> = {}): { version: string; files: string[] } {
  const list = files
    .filter((f) => f.name !== SW_FILE)
    .map((f) => ({ url: urls[f.name] ?? f.name, bytes: f.bytes }))
    .sort((a, b) => (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  const h = createHash('sha256');
  for (const f of list) h.update(`${f.url}\0`).update(f.bytes).update('\0');
  return { version: h.digest('hex').slice(0, 12), files: list.map((f) => f.url) };
}

/** sw.js: the worker's code (app/sw/sw.ts, types stripped) after its version and file list. */
export async function serviceWorkerSource(version: string, files: string[]): Promise<string> {
  const path = join(import.meta.dirname, 'sw.ts');
  const out = await transformWithOxc(readFileSync(path, 'utf8'), path, { lang: 'ts' });
  // sw.ts is a module only to the type checker (`export {};`): sw.js must be a classic script, for every browser.
  const code = out.code.replace(/^export \{\};\n/m, '');
  if (/^\s*(import|export)\b/m.test(code)) throw new Error('app/sw/sw.ts must not import or export anything');
  return (
    '// Attention Lab service worker, written by the build (app/sw/build.ts from app/sw/sw.ts).\n' +
    `const __SW_VERSION__ = ${JSON.stringify(version)};\n` +
    `const __SW_FILES__ = ${JSON.stringify(files, null, 1)};\n${code}`
  );
}

function walk(dir: string, root = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? walk(join(dir, d.name), root) : [relative(root, join(dir, d.name)).split(sep).join('/')],
  );
}

/** The Vite plugin: emits sw.js in a build (not in the dev server). */
export function serviceWorker(urls: Record<string, string> = {}): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'attention-lab:service-worker',
    apply: 'build',
    enforce: 'post',
    configResolved(c) {
      config = c;
    },
    async generateBundle(_, bundle) {
      const files: BuiltFile[] = Object.values(bundle).map((f) => ({
        name: f.fileName,
        bytes: f.type === 'chunk' ? f.code : f.source,
      }));
      if (!files.some((f) => f.name === 'index.html'))
        this.error('no index.html in the build: sw.js would cache no page');
      if (config.build.copyPublicDir && config.publicDir)
        for (const name of walk(config.publicDir))
          files.push({ name, bytes: readFileSync(join(config.publicDir, ...name.split('/'))) });
      const p = precache(files, urls);
      this.emitFile({ type: 'asset', fileName: SW_FILE, source: await serviceWorkerSource(p.version, p.files) });
    },
  };
}
