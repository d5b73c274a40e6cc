import { existsSync } from 'node:fs';
import path from 'node:path';
import { discover, type Discovered, type Exclusions } from './discover';
import type { PlannedSearch, PreSearch } from './pre-search';
import { readTextFile } from './read';
import { factsOf, withCallers } from './relevance';
import { applyTofuPrecedence, type Engine } from './terraform-files';

export interface FocusOptions {
  cwd: string;
  paths: readonly string[];
  /** The files the report is limited to (paths as reported). */
  onlyFiles?: ReadonlySet<string>;
  exclude?: Exclusions | readonly Exclusions[];
  engine?: Engine;
  gitignore?: boolean;
  maxFileBytes: number;
}

/**
 * The files of the focus directories and of the directories whose local module calls
 * lead to them, found without reading the whole tree: a text search lists the files
 * that write a local module source (pre-search.ts), and only those are read.
 */
export async function discoverFocus(
  options: FocusOptions,
  focus: ReadonlySet<string>,
  searches: PlannedSearch[],
  preSearch: PreSearch,
): Promise<Discovered> {
  const { cwd } = options;
  const candidates = (await Promise.all(searches.map((s) => preSearch.filesMatching(s.root, s.search)))).flat();
  const calls = new Map<string, string[]>();
  for (const file of new Set(candidates)) {
    const read = readTextFile(file, options.maxFileBytes);
    // A file that cannot be read is reported if its directory is loaded.
    if (!read.ok) continue;
    const dir = path.dirname(file);
    calls.set(dir, [...(calls.get(dir) ?? []), ...factsOf(read.text, []).localSources.map((s) => path.resolve(dir, s))]);
  }
  const dirs = [...withCallers(focus, calls)].map((d) => path.relative(cwd, d) || '.');
  const named = [...(options.onlyFiles ?? [])].filter((f) => existsSync(path.resolve(cwd, f)));
  const listed = discover(dirs, cwd, options.exclude, { shallow: true, engine: options.engine, gitignore: options.gitignore });
  const files = discover(named, cwd, options.exclude, { engine: options.engine, gitignore: options.gitignore });
  const missing = options.paths.filter((p) => !existsSync(path.resolve(cwd, p)));
  return {
    files: applyTofuPrecedence([...new Set([...listed.files, ...files.files])]).sort(),
    missing,
    unreadable: listed.unreadable,
    problems: [...listed.problems, ...files.problems],
  };
}
