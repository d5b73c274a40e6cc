import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_MAX_FILE_BYTES, readTextFile } from './read';
import { decidesSearch, LOCAL_SOURCE, mattersSearch } from './relevance';
import { CONFIG_GLOBS } from './terraform-files';
import { CDKTF_DEFAULT_OUTPUT } from './cdktf-output';
import { lazy } from '../lazy';

// The walk (fdir, ignore) is loaded only when no faster search answers.
const loadDiscover = lazy<typeof import('./discover')>(require, './discover');

/** A text search over Terraform files, written both as a POSIX extended regular expression and as a JS one. */
export interface TextSearch {
  ere: string;
  regex: RegExp;
}

export interface PlannedSearch {
  root: string;
  search: TextSearch;
  /** callers: files with local module calls (a scan of named files); matters: files worth reading (a whole-tree scan). */
  kind: 'callers' | 'matters';
}

/** What of a scan's options decides its searches. */
export interface SearchScope {
  cwd: string;
  paths: readonly string[];
  onlyFiles?: ReadonlySet<string>;
  plan?: string;
  policies?: readonly unknown[];
  /** --strict: every file that may matter is read, as before (mattersSearch), not only those that decide (decidesSearch). */
  strict?: boolean;
}

const SKIP_DIRS = ['.git', '.terraform', 'node_modules'];
const GREP_TIMEOUT_MS = 20_000;

const key = (root: string, search: TextSearch) => `${root}\u0000${search.ere}`;

/**
 * The grep pre-search: the system's grep lists the files worth reading while the
 * scanner's modules load and the tree is walked. One instance serves one command:
 * the CLI starts its searches from a first reading of the command line (early.ts),
 * and the scan takes each result once.
 */
export class PreSearch {
  /** Searches started and not yet taken, by root and pattern. */
  private readonly started = new Map<string, Promise<string[] | undefined>>();

  /**
   * The searches a scan will use, decided from its options alone, so that they can
   * start before the scanner loads. A scan that judges with custom policies, or a
   * plan, reads every file itself: their resource types are known only once they are
   * loaded. `judgedTypes`: the resource types of the built-in rules.
   */
  static plan(scope: SearchScope, judgedTypes: () => readonly string[], customEngine = false): PlannedSearch[] {
    if (scope.plan) return [];
    const roots = scope.paths.map((p) => path.resolve(scope.cwd, p)).filter((p) => existsSync(p) && statSync(p).isDirectory());
    if (scope.onlyFiles) return roots.map((root) => ({ root, search: LOCAL_SOURCE, kind: 'callers' }));
    if (customEngine || scope.policies?.length) return [];
    const search = (scope.strict ? mattersSearch : decidesSearch)(judgedTypes());
    return roots.map((root) => ({ root, search, kind: 'matters' }));
  }

  /** Starts these searches, and forgets those started earlier that are not among them (their results would go stale). */
  start(planned: readonly PlannedSearch[]): void {
    const wanted = new Set(planned.map((p) => key(p.root, p.search)));
    for (const k of this.started.keys()) if (!wanted.has(k)) this.started.delete(k);
    for (const p of planned)
      if (!this.started.has(key(p.root, p.search))) this.started.set(key(p.root, p.search), runGrep(p.root, p.search));
  }

  /**
   * The Terraform files under `root` (absolute paths) in which the system's grep finds
   * the search, or undefined where there is no grep or it fails (an unreadable file,
   * say): callers then read the files themselves. grep reads a tree several times
   * faster than Node can and runs on another core. It skips .git, .terraform,
   * node_modules, devices and FIFOs, and knows nothing of .gitignore: the list is only
   * ever intersected with what discovery found. A search started earlier is taken.
   */
  grepFiles(root: string, search: TextSearch): Promise<string[] | undefined> {
    const k = key(root, search);
    const early = this.started.get(k);
    this.started.delete(k);
    return early ?? runGrep(root, search);
  }

  /** As grepFiles, with the files read here where grep cannot do it. */
  async filesMatching(root: string, search: TextSearch): Promise<string[]> {
    return (await this.grepFiles(root, search)) ?? readAndMatch(root, search.regex);
  }
}

/**
 * The files worth reading, when every directory was searched: the search's hits
 * and every file outside the searched directories (named on the command line,
 * CDKTF stacks from a manifest) or in a CDKTF output folder (`cdktfOutputs`, absolute,
 * and any folder named cdktf.out). Undefined, so that every file is read, when a
 * search could not run.
 */
export async function readableFiles(
  results: Promise<(string[] | undefined)[]>,
  roots: string[],
  files: string[],
  links: ReadonlySet<string>,
  cdktfOutputs: readonly string[] = [],
): Promise<Set<string> | undefined> {
  if (roots.length === 0) return undefined;
  const hits = await results;
  if (hits.some((h) => h === undefined)) return undefined;
  const set = new Set(hits.flat() as string[]);
  // CDKTF output: a folder named cdktf.out, or the output folder a cdktf.json names.
  const cdktfOut = `${path.sep}${CDKTF_DEFAULT_OUTPUT}${path.sep}`;
  const under = (f: string, dir: string) => f.startsWith(dir) && f[dir.length] === path.sep;
  const synthesized = (f: string) => f.includes(cdktfOut) || cdktfOutputs.some((o) => under(f, o));
  const inside = (f: string) => !synthesized(f) && roots.some((r) => under(f, r));
  for (const f of files) if (!inside(f)) set.add(f);
  // Node reads linked files itself, within its bounds.
  for (const f of links) set.add(f);
  return set;
}

/** The files among these that are symbolic links (grep does not follow them): one listing per directory costs less than one lstat per file. */
export function symlinks(files: string[]): Set<string> {
  const links = new Set<string>();
  for (const dir of new Set(files.map((f) => path.dirname(f)))) {
    try {
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isSymbolicLink()) links.add(path.join(dir, e.name));
    } catch {
      // reported when the directory is loaded
    }
  }
  return new Set(files.filter((f) => links.has(f)));
}

function runGrep(root: string, search: TextSearch): Promise<string[] | undefined> {
  return new Promise((resolve) => {
    // -r, not -R: a symlink can lead to a file that never ends (/proc/self/pagemap); Node reads linked files itself, bounded (symlinks).
    const args = [
      '-rls',
      '--null',
      '--devices=skip',
      '-E',
      ...CONFIG_GLOBS.map((g) => `--include=${g}`),
      ...SKIP_DIRS.map((d) => `--exclude-dir=${d}`),
      '-e',
      search.ere,
      '.',
    ];
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
    child.on('close', () => {
      clearTimeout(timer);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', () => {
      settle(undefined);
    });
    // 0: matches, 1: none; anything else (2: an unreadable file, say) is not trusted.
    child.on('close', (code) => {
      settle(
        code === 0 || code === 1
          ? out
              .split('\0')
              .filter(Boolean)
              .map((f) => path.resolve(root, f))
          : undefined,
      );
    });
  });
}

function readAndMatch(root: string, regex: RegExp): string[] {
  const { discover } = loadDiscover();
  return discover(['.'], root).files.filter((f) => {
    const read = readTextFile(f, DEFAULT_MAX_FILE_BYTES);
    return read.ok && regex.test(read.text);
  });
}
