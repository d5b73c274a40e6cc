import { spawn } from 'node:child_process';
import { readTextFile } from './read';
import path from 'node:path';

/** A text search over Terraform files, written both as a POSIX extended regular expression and as a JS one. */
export interface TextSearch {
  ere: string;
  regex: RegExp;
}

const INCLUDE = ['*.tf', '*.tofu', '*.tf.json', '*.tofu.json'];
const SKIP_DIRS = ['.git', '.terraform', 'node_modules'];
const GREP_TIMEOUT_MS = 20_000;
/** As --max-file-size's default: a file larger than this is an input error anyway. */
const MAX_SEARCHED_BYTES = 10 * 1024 * 1024;

/** Searches started ahead of the scan (main.ts starts them before the scanner's modules load). */
const started = new Map<string, Promise<string[] | undefined>>();
const key = (root: string, search: TextSearch) => `${root}\u0000${search.ere}`;

/** Starts a search now; the next grepFiles call for the same root and search takes its result. */
export function startSearch(root: string, search: TextSearch): void {
  if (!started.has(key(root, search))) started.set(key(root, search), runGrep(root, search));
}

/** Forgets the searches started early that are not among these (their results would go stale). */
export function keepSearches(planned: ReadonlyArray<{ root: string; search: TextSearch }>): void {
  const wanted = new Set(planned.map((p) => key(p.root, p.search)));
  for (const k of started.keys()) if (!wanted.has(k)) started.delete(k);
}

/**
 * The Terraform files under `root` (absolute paths) in which the system's grep finds
 * the search, or undefined where there is no grep or it fails (an unreadable file,
 * say): callers then read the files themselves. grep reads a tree several times
 * faster than Node can and runs on another core. It skips .git, .terraform,
 * node_modules, devices and FIFOs, and knows nothing of .gitignore: the list is only
 * ever intersected with what discovery found.
 */
export function grepFiles(root: string, search: TextSearch): Promise<string[] | undefined> {
  const k = key(root, search);
  const early = started.get(k);
  started.delete(k);
  return early ?? runGrep(root, search);
}

/** As grepFiles, with the files read here where grep cannot do it. */
export async function filesMatching(root: string, search: TextSearch): Promise<string[]> {
  return (await grepFiles(root, search)) ?? readAndMatch(root, search.regex);
}

function runGrep(root: string, search: TextSearch): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    // -r, not -R: a symlink can lead to a file that never ends (/proc/self/pagemap); Node reads linked files itself, bounded (scan.ts).
    const args = ['-rls', '--null', '--devices=skip', '-E', ...INCLUDE.map((g) => `--include=${g}`), ...SKIP_DIRS.map((d) => `--exclude-dir=${d}`), '-e', search.ere, '.'];
    let out = '';
    let settled = false;
    const settle = (files: string[] | undefined) => {
      if (!settled) resolve(files);
      settled = true;
    };
    let child;
    try {
      // The C locale: every byte is a character, so that classes such as [^[:print:]] see non-ASCII bytes.
      child = spawn('grep', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C' } });
    } catch {
      settle(undefined);
      return;
    }
    // A search that has not ended by now is not worth waiting for: Node reads the files instead.
    const timer = setTimeout(() => {
      settle(undefined);
      child.kill('SIGKILL');
    }, GREP_TIMEOUT_MS);
    timer.unref();
    child.on('close', () => clearTimeout(timer));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', () => settle(undefined));
    // 0: matches, 1: none; anything else (2: an unreadable file, say) is not trusted.
    child.on('close', (code) => settle(code === 0 || code === 1 ? out.split('\0').filter(Boolean).map((f) => path.resolve(root, f)) : undefined));
  });
}

function readAndMatch(root: string, regex: RegExp): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { discover } = require('./discover') as typeof import('./discover');
  return discover(['.'], root).files.filter((f) => {
    const read = readTextFile(f, MAX_SEARCHED_BYTES);
    return read.ok && regex.test(read.text);
  });
}
