import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fdir } from 'fdir';
import ignore, { type Ignore } from 'ignore';
import { readTextFile } from './read';
import { applyTofuPrecedence, isConfigFile, type Engine } from './terraform-files';
import { repositoryRoot } from './repository';
import { slashPath } from './paths';
import { isWithin } from './inside';
import { cdktfOutput, enclosingCdktfOutputs } from './cdktf-output';

/** .gitignore files and CDKTF manifests are small; a larger one is not read. */
const MAX_SMALL_FILE_BYTES = 1024 * 1024;

const ALWAYS_SKIPPED = new Set(['.terraform', 'node_modules', '.git']);

export interface Discovered {
  /** Absolute paths of the Terraform files that count, sorted. */
  files: string[];
  /** Paths that do not exist, as the user wrote them. */
  missing: string[];
  /** Absolute directories that could not be listed, with the error code. */
  unreadable: { dir: string; code: string }[];
  /** Files discovery reads itself (.gitignore, a CDKTF manifest) that could not be read, and why. */
  problems: { file: string; message: string }[];
  /** Things the user should know that are no problem (a CDKTF project that is not synthesized), by absolute file. */
  hints?: { file: string; message: string }[];
  /** The output folders of the CDKTF projects found (cdktf.json's "output", or cdktf.out), absolute: their files are always read. */
  cdktfOutputs?: string[];
}

/**
 * Finds the Terraform and OpenTofu files under the given paths: .gitignore files
 * from the repository root down are honoured, .terraform/ and node_modules/ are
 * skipped, and a `.tofu` file hides the `.tf` file of the same name beside it.
 * A file named on the command line is taken even when ignored.
 */
export function discover(
  paths: string[],
  cwd: string,
  exclude?: Exclusions | readonly Exclusions[],
  options: DiscoverOptions = {},
): Discovered {
  const found = new Set<string>();
  const missing: string[] = [];
  const unreadable: Discovered['unreadable'] = [];
  // The walker passes over a directory it cannot list without a word: test each before it goes in.
  const listable = (dir: string) => {
    try {
      accessSync(dir, constants.R_OK | constants.X_OK);
      return true;
    } catch (e) {
      unreadable.push({ dir: dir.replace(/[\\/]+$/, ''), code: (e as NodeJS.ErrnoException).code ?? 'EACCES' });
      return false;
    }
  };
  const problems: Discovered['problems'] = [];
  const hints: NonNullable<Discovered['hints']> = [];
  const rules: Pick<GitignoreRules, 'ignores'> = options.gitignore === false ? { ignores: () => false } : new GitignoreRules(problems);
  const excluded = exclusionTest(exclude);
  const outputs = new Set<string>();
  for (const p of paths) {
    const abs = path.resolve(cwd, p);
    if (!existsSync(abs)) {
      missing.push(p);
      continue;
    }
    if (statSync(abs).isFile()) {
      if (isConfigFile(abs, options.engine)) found.add(abs);
      continue;
    }
    // A directory named on the command line is scanned even when ignored itself (a CDKTF output folder usually is).
    const ignoredRoot = rules.ignores(abs, true);
    if (ignoredRoot && options.shallow) continue;
    const floor = ignoredRoot ? abs : undefined;
    if (!listable(abs)) continue;
    const crawler = new fdir().withFullPaths();
    if (options.shallow) crawler.withMaxDepth(0);
    const files = crawler
      .exclude(
        (name, dirPath) => ALWAYS_SKIPPED.has(name) || rules.ignores(dirPath, true, floor) || excluded(dirPath, true) || !listable(dirPath),
      )
      .filter((file, isDir) => !isDir && isConfigFile(file, options.engine) && !rules.ignores(file, false, floor) && !excluded(file, false))
      .crawl(abs)
      .sync();
    // fdir joins onto the resolved root with "/": only Windows needs separators normalized.
    for (const f of files) found.add(path.sep === '/' ? f : path.normalize(f));
    for (const f of cdktfStacks(abs, problems, hints, outputs)) found.add(f);
  }
  const files = applyTofuPrecedence([...found]).sort();
  return { files, missing, unreadable, problems, hints, cdktfOutputs: [...outputs] };
}

/**
 * The CDKTF output folders the files lie in, from the folders above them (a stack scanned on its own, or in an
 * output folder no scanned cdktf.json names), up to the working directory or the path that was scanned. Only --fix
 * needs these, to leave generated files alone.
 */
export function enclosingOutputs(files: readonly string[], paths: readonly string[], cwd: string): Set<string> {
  const named = paths.map((p) => path.resolve(cwd, p));
  const top = (file: string) =>
    isWithin(path.resolve(cwd), file) ? path.resolve(cwd) : (named.find((n) => isWithin(n, file)) ?? path.dirname(file));
  return enclosingCdktfOutputs(files, top);
}

export interface DiscoverOptions {
  /** `terraform`: `.tofu` files are not configuration at all. */
  engine?: Engine;
  /** false: .gitignore files are not honoured (the code under review wrote them, and Terraform does not read them). */
  gitignore?: boolean;
  /** Only the files directly in each directory, and no directory that is itself ignored (directories found by tagguard, not named by a user). */
  shallow?: boolean;
}

/** Paths left out by configuration, in .gitignore syntax relative to `base`. */
export interface Exclusions {
  base: string;
  patterns: string[];
}

function exclusionTest(exclude: Exclusions | readonly Exclusions[] | undefined): (target: string, isDir: boolean) => boolean {
  const tests = [exclude ?? []].flat().map((e) => {
    const rules = ignore().add(e.patterns);
    return (target: string, isDir: boolean) => {
      const rel = slashPath(path.relative(e.base, path.resolve(target)));
      if (!rel || rel.startsWith('..')) return false;
      return rules.ignores(isDir ? rel.replace(/\/?$/, '/') : rel);
    };
  });
  return (target, isDir) => tests.some((test) => test(target, isDir));
}

/**
 * The synthesized stacks of a CDKTF project (a directory with cdktf.json and
 * manifest.json in its output folder, cdktf.json's "output" or cdktf.out), which
 * .gitignore usually hides. A project that is not synthesized is a hint: there is
 * nothing to scan until `cdktf synth` runs. `outputs` gets each output folder found.
 */
function cdktfStacks(
  dir: string,
  problems: Discovered['problems'],
  hints: NonNullable<Discovered['hints']>,
  outputs: Set<string>,
): string[] {
  if (!existsSync(path.join(dir, 'cdktf.json'))) return [];
  const output = cdktfOutput(dir, problems);
  if (!output) return [];
  const { out, name } = output;
  const manifest = path.join(out, 'manifest.json');
  // The constructs are TypeScript: only the synthesized stacks are Terraform to scan.
  if (!existsSync(out)) {
    hints.push({ file: path.join(dir, 'cdktf.json'), message: `no ${name} here; run cdktf synth first, then scan again` });
    return [];
  }
  outputs.add(out);
  if (!existsSync(manifest)) {
    hints.push({ file: out, message: 'no manifest.json here; run cdktf synth first, then scan again' });
    return [];
  }
  const read = readTextFile(manifest, MAX_SMALL_FILE_BYTES);
  if (!read.ok) {
    problems.push({ file: manifest, message: read.message });
    return [];
  }
  try {
    const data = JSON.parse(read.text) as { stacks?: Record<string, { synthesizedStackPath?: unknown } | null> };
    return Object.values(data.stacks ?? {})
      .flatMap((s) => {
        const stack = s?.synthesizedStackPath;
        if (typeof stack !== 'string' || stack === '') return [];
        const file = path.resolve(out, stack);
        // A stack is a file in the output folder: a manifest cannot lead the scan anywhere else.
        if (path.isAbsolute(stack) || !isWithin(out, file) || file === out) {
          problems.push({ file: manifest, message: `stack path ${JSON.stringify(stack)} leaves ${name}; not scanned` });
          return [];
        }
        return [file];
      })
      .filter((f) => existsSync(f));
  } catch {
    return [];
  }
}

/** .gitignore rules of every directory from the enclosing repository's root down. */
class GitignoreRules {
  constructor(private readonly problems: Discovered['problems'] = []) {}

  private readonly perDir = new Map<string, Ignore | null>();
  /** The .gitignore files that apply in a directory, outermost first, by floor and directory. */
  private readonly chains = new Map<string | undefined, Map<string, [string, Ignore][]>>();

  /** floor: consult only .gitignore files at or below this directory. */
  ignores(target: string, isDir: boolean, floor?: string): boolean {
    const abs = path.isAbsolute(target) ? target : path.resolve(target);
    for (const [d, rules] of this.chain(path.dirname(abs), floor)) {
      const rel = slashPath(path.relative(d, abs));
      if (rel && rules.ignores(isDir ? rel + '/' : rel)) return true;
    }
    return false;
  }

  private chain(dir: string, floor: string | undefined): [string, Ignore][] {
    let byDir = this.chains.get(floor);
    if (!byDir) this.chains.set(floor, (byDir = new Map<string, [string, Ignore][]>()));
    let chain = byDir.get(dir);
    if (!chain) {
      // Outside a repository, .gitignore files are read up to the filesystem's root.
      const top = floor ?? repositoryRoot(dir) ?? path.parse(dir).root;
      const parent = path.dirname(dir);
      chain = dir === top || parent === dir ? [] : this.chain(parent, floor);
      const own = this.rulesOf(dir);
      if (own) chain = [...chain, [dir, own]];
      byDir.set(dir, chain);
    }
    return chain;
  }

  private rulesOf(dir: string): Ignore | null {
    const known = this.perDir.get(dir);
    if (known !== undefined) return known;
    const file = path.join(dir, '.gitignore');
    // A .gitignore that cannot be read, or is not a small regular file, is reported and ignores nothing.
    const read = existsSync(file) ? readTextFile(file, MAX_SMALL_FILE_BYTES) : undefined;
    if (read && !read.ok) this.problems.push({ file, message: read.message });
    const rules = read?.ok ? ignore().add(read.text) : null;
    this.perDir.set(dir, rules);
    return rules;
  }
}
