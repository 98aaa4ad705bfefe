// Types of scripts/browser.mjs for the TypeScript scripts that import it (the
// headless runner, the report); the plain .mjs scripts use it as is.
import type { Browser, LaunchOptions, Page } from 'playwright';
import type { InlineConfig, ViteDevServer } from 'vite';

/** Builds public/data/brown.json when it is missing (messages on stderr). */
export function ensureCorpus(): void;
export function launchChromium(options?: LaunchOptions): Promise<Browser>;
export function createPageServer(config?: InlineConfig): Promise<ViteDevServer>;
export function createRunnerServer(root: string): Promise<ViteDevServer>;
export function openRunnerPage(
  browser: Browser,
  server: ViteDevServer,
  options: { onLine: (line: string) => void; verbose?: boolean },
): Promise<Page>;
export function runPage(
  path: string,
  options?: {
    onLog?: (text: string) => void;
    timeoutMs?: number;
    polling?: number;
    vite?: InlineConfig;
    onPage?: (page: Page) => void;
  },
): Promise<unknown>;
