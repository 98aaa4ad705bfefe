// Issue 18, what Node can check: share links are built from the address the
// lab is served at; the command line's link address (--link-base, LAB_URL,
// the project's config.labUrl, the default); the host fetches the corpus
// where the page says; and the service worker's build (what it caches, its
// version) and its behaviour, run against a fake cache and network.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { contentHash, precache, SW_FILE, serviceWorkerSource } from '../../app/sw/build';
import { parseArgv, UsageError } from '../../runner/args';
import { checkOutputs, DEFAULT_LINK_BASE, labAddress } from '../../runner/outputs';
import { labLink, normalizeLabAddress } from '../../src/experiment/lab_address';
import { DEFAULT_RUN } from '../../src/experiment/run_config';
import { type Event, isCommand } from '../../src/host/protocol';

const q = new URLSearchParams('v=1&steps=20');

describe('share links are built from the address the lab is served at', () => {
  test('domain root, sub-path, index.html: the path is kept, the query and fragment replaced', () => {
    expect(labLink('https://school.example/?v=1&L=9#res=old', q)).toBe('https://school.example/?v=1&steps=20');
    expect(labLink('https://you.github.io/attention-lab/?v=1&C=64', q)).toBe(
      'https://you.github.io/attention-lab/?v=1&steps=20',
    );
    expect(labLink('http://192.168.1.20:8080/lab/index.html?x=1', q, true)).toBe(
      'http://192.168.1.20:8080/lab/index.html#v=1&steps=20',
    );
    expect(labLink(new URL('http://127.0.0.1:4173/lab/#v=1&res=abc'), q, true)).toBe(
      'http://127.0.0.1:4173/lab/#v=1&steps=20',
    );
  });

  test('an address as typed: http(s) only, a folder gets its slash, a page name is kept', () => {
    expect(normalizeLabAddress('https://you.github.io/attention-lab')).toBe('https://you.github.io/attention-lab/');
    expect(normalizeLabAddress(' https://you.github.io/attention-lab/?x=1#y ')).toBe(
      'https://you.github.io/attention-lab/',
    );
    expect(normalizeLabAddress('https://school.example')).toBe('https://school.example/');
    expect(normalizeLabAddress('http://10.0.0.5:8080/lab/index.html')).toBe('http://10.0.0.5:8080/lab/index.html');
    expect(() => normalizeLabAddress('localhost:5173')).toThrow(/http/);
    expect(() => normalizeLabAddress('not a url')).toThrow(/not a URL/);
    expect(() => normalizeLabAddress('ftp://example.org/lab/')).toThrow(/http/);
  });
});

describe("the command line's link address", () => {
  test('--link-base, else LAB_URL, else config.labUrl, else the dev server', () => {
    const env = { LAB_URL: 'https://a.example/lab', npm_package_config_labUrl: 'https://b.example/lab/' };
    expect(labAddress('https://c.example/x', env)).toBe('https://c.example/x/');
    expect(labAddress(undefined, env)).toBe('https://a.example/lab/');
    expect(labAddress(undefined, { ...env, LAB_URL: '' })).toBe('https://b.example/lab/');
    expect(labAddress(undefined, {})).toBe(DEFAULT_LINK_BASE);
    expect(DEFAULT_LINK_BASE).toBe('http://localhost:5173/');
  });

  test('a bad address is a usage error naming where it came from', () => {
    expect(() => labAddress('nope', {})).toThrow(UsageError);
    expect(() => labAddress('nope', {})).toThrow(/^--link-base 'nope' is not a URL/);
    expect(() => labAddress(undefined, { LAB_URL: 'example.org' })).toThrow(/^LAB_URL 'example.org' /);
    expect(() => labAddress(undefined, { npm_package_config_labUrl: 'x' })).toThrow(/config\.labUrl 'x'/);
  });

  test('checkOutputs takes its default from the environment it is given', () => {
    const o = parseArgv(['--preset', 'extrapolation']);
    expect(checkOutputs(o, { LAB_URL: 'https://you.github.io/attention-lab' }).linkBase).toBe(
      'https://you.github.io/attention-lab/',
    );
    expect(checkOutputs(o, {}).linkBase).toBe(DEFAULT_LINK_BASE);
  });

  test('npm run experiment: LAB_URL reaches the printed link; --help says how to point links elsewhere', async () => {
    const run = (args: string[], env: Record<string, string>) =>
      new Promise<{ code: number | null; out: string }>((done) => {
        const p = spawn(process.execPath, ['--import', 'tsx', 'scripts/experiment.ts', ...args], {
          cwd: resolve(import.meta.dirname, '../..'),
          env: { ...process.env, npm_package_config_labUrl: '', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let out = '';
        p.stdout.on('data', (d) => (out += d));
        p.on('close', (code) => done({ code, out }));
      });
    const dry = await run(['--preset', 'extrapolation', '--dry-run', '--print-link'], {
      LAB_URL: 'https://you.github.io/attention-lab',
    });
    expect(dry.code).toBe(0);
    expect(dry.out.trim().split('\n').pop()).toMatch(/^https:\/\/you\.github\.io\/attention-lab\/#k=\d+-\w+&v=1&/);
    const help = await run(['--help'], {});
    expect(help.out).toMatch(/--link-base URL\s+where the lab is served/);
    expect(help.out).toContain('$LAB_URL');
    expect(help.out).toContain('npm pkg set config.labUrl=URL');
  }, 60_000);
});

describe('the run host fetches the corpus where the page says', () => {
  afterEach(() => vi.unstubAllGlobals());

  test("hello's corpusUrl is checked by the protocol and used by the next load", async () => {
    expect(isCommand({ type: 'hello', corpusUrl: 'https://you.github.io/attention-lab/data/brown.json?v=1' })).toBe(
      true,
    );
    expect(isCommand({ type: 'hello', corpusUrl: 7 })).toBe(false);
    expect(isCommand({ type: 'hello', corpusUrl: 'x'.repeat(2001) })).toBe(false);
    const asked: string[] = [];
    vi.stubGlobal('fetch', (u: string) => {
      asked.push(String(u));
      return Promise.reject(new Error('offline'));
    });
    const { LabCore } = await import('../../src/host/core');
    const events: Event[] = [];
    const core = new LabCore((e) => events.push(e));
    const url = 'https://you.github.io/attention-lab/data/brown.json?v=abc';
    await core.handle({ type: 'hello', corpusUrl: url });
    await core.handle({ type: 'check', runId: 'c1', run: DEFAULT_RUN });
    expect(asked).toEqual([url]);
    expect(events.at(-1)).toMatchObject({ type: 'error', runId: 'c1', kind: 'data' });
    expect((events.at(-1) as { message: string }).message).toContain(url);
  });
});

describe('the service worker build', () => {
  const files = [
    { name: 'index.html', bytes: '<!doctype html>' },
    { name: 'assets/main-abc.js', bytes: 'console.log(1)' },
    { name: 'data/brown.json', bytes: new Uint8Array([1, 2, 3]) },
    { name: SW_FILE, bytes: 'old worker' },
  ];
  const urls = { 'data/brown.json': `data/brown.json?v=${contentHash(new Uint8Array([1, 2, 3]))}` };

  test('caches every file but sw.js, as the page asks for it; any change to any file is a new version', () => {
    const p = precache(files, urls);
    expect(p.files).toEqual([
      'assets/main-abc.js',
      `data/brown.json?v=${contentHash(new Uint8Array([1, 2, 3]))}`,
      'index.html',
    ]);
    expect(p.version).toMatch(/^[0-9a-f]{12}$/);
    expect(precache([...files].reverse(), urls).version).toBe(p.version);
    const changed = files.map((f) => (f.name === 'index.html' ? { ...f, bytes: '<!doctype html> ' } : f));
    expect(precache(changed, urls).version).not.toBe(p.version);
    expect(
      precache(
        files.map((f) => (f.name === SW_FILE ? { ...f, bytes: 'x' } : f)),
        urls,
      ).version,
    ).toBe(p.version);
    expect(precache(files, {}).version).not.toBe(p.version);
  });

  // sw.js run in a fake service worker global: a Map per cache, a scripted network.
  async function worker(version: string, list: string[], net: (url: string) => Promise<Response>) {
    const stores = new Map<string, Map<string, Response>>();
    const cacheOf = (name: string) => {
      if (!stores.has(name)) stores.set(name, new Map());
      const m = stores.get(name)!;
      return {
        addAll: async (reqs: Request[]) => {
          for (const r of reqs) m.set(r.url, await net(r.url));
        },
        match: async (r: Request | string) => m.get(typeof r === 'string' ? r : r.url)?.clone(),
      };
    };
    const handlers = new Map<string, (e: unknown) => void>();
    let claimed = false;
    const self = {
      location: { href: 'https://you.github.io/attention-lab/sw.js' },
      addEventListener: (t: string, h: (e: unknown) => void) => handlers.set(t, h),
      clients: { claim: async () => void (claimed = true) },
    };
    const caches = {
      open: async (n: string) => cacheOf(n),
      keys: async () => [...stores.keys()],
      delete: async (n: string) => stores.delete(n),
    };
    runInNewContext(await serviceWorkerSource(version, list), {
      self,
      caches,
      fetch: (r: Request) => net(r.url),
      Request,
      Response,
      URL,
      Set,
      Promise,
      // Looked up at each call, so the fake timers of a test apply.
      setTimeout: (f: () => void, ms: number) => setTimeout(f, ms),
    });
    const waitUntil = async (type: string) => {
      let p: Promise<unknown> = Promise.resolve();
      handlers.get(type)!({ waitUntil: (x: Promise<unknown>) => (p = x) });
      await p;
    };
    const fetchEvent = (url: string, mode: RequestMode | 'navigate') => {
      let answer: Promise<Response> | null = null;
      const request = { url, method: 'GET', mode };
      handlers.get('fetch')!({ request, respondWith: (r: Promise<Response>) => (answer = r) });
      return answer as Promise<Response> | null;
    };
    return { stores, waitUntil, fetchEvent, claimed: () => claimed };
  }

  test('install caches this version whole; activate deletes the other versions and claims the open pages', async () => {
    const got: string[] = [];
    const w = await worker('v2', ['index.html', 'assets/a.js'], async (u) => (got.push(u), new Response(u)));
    w.stores.set('attention-lab-v1', new Map());
    w.stores.set('another-app', new Map());
    await w.waitUntil('install');
    expect(got.sort()).toEqual([
      'https://you.github.io/attention-lab/assets/a.js',
      'https://you.github.io/attention-lab/index.html',
    ]);
    expect([...w.stores.keys()].sort()).toEqual(['another-app', 'attention-lab-v1', 'attention-lab-v2']);
    await w.waitUntil('activate');
    expect([...w.stores.keys()].sort()).toEqual(['another-app', 'attention-lab-v2']);
    expect(w.claimed()).toBe(true);
  });

  test('the page is network first (a new deployment shows), else the cached copy; files come from cache', async () => {
    let network: 'v1' | 'v2' | 'down' | 'hangs' = 'v1';
    const w = await worker('v1', ['index.html', 'assets/a.js'], (u) =>
      network === 'hangs'
        ? new Promise(() => {})
        : network === 'down'
          ? Promise.reject(new TypeError('Failed to fetch'))
          : Promise.resolve(new Response(`${network} ${u.replace(/^.*\//, '')}`)),
    );
    await w.waitUntil('install');
    const LAB = 'https://you.github.io/attention-lab/';
    const text = async (r: Promise<Response> | null) => (r ? (await r).text() : 'not handled');
    network = 'v2'; // a new deployment: its page comes from the network, this version's files from the cache
    expect(await text(w.fetchEvent(`${LAB}?v=1&steps=20`, 'navigate'))).toBe('v2 ?v=1&steps=20');
    expect(await text(w.fetchEvent(`${LAB}index.html`, 'navigate'))).toBe('v2 index.html');
    expect(await text(w.fetchEvent(`${LAB}assets/a.js`, 'cors'))).toBe('v1 a.js');
    network = 'down';
    expect(await text(w.fetchEvent(`${LAB}?v=1&steps=20`, 'navigate'))).toBe('v1 index.html');
    expect(await text(w.fetchEvent(`${LAB}assets/a.js`, 'cors'))).toBe('v1 a.js');
    // Outside the lab's files: not handled at all.
    expect(w.fetchEvent(`${LAB}other.html`, 'navigate')).toBeNull();
    expect(w.fetchEvent(`${LAB}assets/b.js`, 'cors')).toBeNull();
    expect(w.fetchEvent('https://elsewhere.example/x.js', 'cors')).toBeNull();
    // A network that never answers: the cached page once NAV_TIMEOUT_MS (4 s) have passed.
    vi.useFakeTimers();
    try {
      network = 'hangs';
      const late = w.fetchEvent(LAB, 'navigate')!;
      await vi.advanceTimersByTimeAsync(4000);
      expect(await (await late).text()).toBe('v1 index.html');
    } finally {
      vi.useRealTimers();
    }
  });
});
