// Where the headless runner writes, checked before anything runs: the
// results file and plots (folders that exist and are writable, plot names
// ending in .svg or .png), the plot size, the lab's address for links, and
// the user's text. Problems are UsageErrors naming them.
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { normalizeLabAddress } from '../src/experiment/lab_address';
import { type Flags, UsageError } from './args';

/**
 * Where relative paths start: the user's folder (npm runs scripts from the
 * project root and says where it was started in INIT_CWD).
 */
export const userPath = (p: string) => resolve(process.env.INIT_CWD || process.cwd(), p);

export interface Outputs {
  out: string;
  plots: string[];
  /** Plot width and height in CSS pixels. */
  size: [number, number];
  linkBase: string;
  /** The user's text (--text), or null. */
  text: string | null;
}

const oneLine = (e: unknown) => String(e instanceof Error ? e.message : e).split('\n')[0];

/** Where the lab is served when nothing says otherwise: the dev server of `npm start`. */
export const DEFAULT_LINK_BASE = 'http://localhost:5173/';

/**
 * The address links point at: --link-base, else LAB_URL from the environment,
 * else the project's `config.labUrl` in package.json (npm passes it as
 * npm_package_config_labUrl), else DEFAULT_LINK_BASE; normalized by
 * normalizeLabAddress. A bad address is a UsageError naming where it came from.
 */
export function labAddress(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const [from, text] =
    flag !== undefined
      ? ['--link-base', flag]
      : env.LAB_URL
        ? ['LAB_URL', env.LAB_URL]
        : env.npm_package_config_labUrl
          ? ["package.json's config.labUrl", env.npm_package_config_labUrl]
          : ['', DEFAULT_LINK_BASE];
  try {
    return normalizeLabAddress(text);
  } catch (e) {
    throw new UsageError(
      `${from} '${text.slice(0, 60)}' ${(e as Error).message}, e.g. https://you.github.io/attention-lab/`,
    );
  }
}

export function checkOutputs(o: Flags, env: NodeJS.ProcessEnv = process.env): Outputs {
  const out = userPath(o.out ?? 'results.json');
  const plots = o.plot.map((p) => userPath(p));
  for (const [flag, p] of [['--out', out], ...plots.map((p) => ['--plot', p])]) {
    if (existsSync(p) && statSync(p).isDirectory()) throw new UsageError(`${flag} ${p} is a directory`);
    const dir = dirname(p);
    if (!existsSync(dir)) throw new UsageError(`${flag} ${p}: the folder ${dir} does not exist`);
    try {
      accessSync(dir, constants.W_OK);
    } catch {
      throw new UsageError(`${flag} ${p}: the folder ${dir} is not writable`);
    }
  }
  for (const p of plots)
    if (!['.svg', '.png'].includes(extname(p).toLowerCase()))
      throw new UsageError(`--plot ${p}: the name must end in .svg or .png`);
  if (new Set([out, ...plots]).size !== plots.length + 1)
    throw new UsageError('--out and --plot name the same file twice');
  let size: [number, number] = [720, 420];
  if (o.plotSize !== undefined) {
    const m = /^(\d{2,4})x(\d{2,4})$/.exec(o.plotSize);
    if (!m || +m[1] < 200 || +m[2] < 120)
      throw new UsageError(
        `--plot-size '${o.plotSize.slice(0, 20)}': write WIDTHxHEIGHT, at least 200x120, e.g. 720x420`,
      );
    size = [+m[1], +m[2]];
  }
  const linkBase = labAddress(o.linkBase, env);
  let text: string | null = null;
  if (o.text !== undefined) {
    try {
      text = readFileSync(userPath(o.text), 'utf8');
    } catch (e) {
      throw new UsageError(`--text ${o.text}: cannot read it (${(e as NodeJS.ErrnoException).code ?? oneLine(e)})`);
    }
  }
  return { out, plots, size, linkBase, text };
}
