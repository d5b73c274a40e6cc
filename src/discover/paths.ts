import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** A path with `/` separators, as reports, policies and .gitignore rules spell it. */
export function slashPath(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

/** Paths in reports are relative to the working directory, with `/` separators; the directory itself is `.`. */
export function displayPath(cwd: string, abs: string): string {
  return slashPath(path.relative(cwd, abs)) || '.';
}

/** Paths that are all files (a pre-commit hook's) limit the report to them, and the scan covers the working directory. */
export function namedFiles(paths: string[], cwd: string): { scanPaths: string[]; files?: Set<string> } {
  const named = paths.length > 0 && paths.every((p) => existsSync(path.resolve(cwd, p)) && statSync(path.resolve(cwd, p)).isFile());
  return named
    ? { scanPaths: ['.'], files: new Set(paths.map((p) => slashPath(path.relative(cwd, path.resolve(cwd, p))))) }
    : { scanPaths: paths };
}
