import path from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';

/** Whether a path written in a configuration file is a glob rather than a plain path. */
export function isGlob(pattern: string): boolean {
  return isDynamicPattern(pattern);
}

/**
 * The files or directories a `/`-separated glob relative to `base` names, as absolute
 * paths, sorted. Wildcards match no name that starts with `.` (as shells and .gitignore
 * globs do), so `**` never enters `.terraform` or another hidden directory; a pattern
 * without wildcards names itself when it exists.
 */
export function expandGlob(base: string, pattern: string, kind: 'file' | 'directory'): string[] {
  return globSync(pattern, {
    cwd: base,
    absolute: true,
    dot: false,
    expandDirectories: false,
    followSymbolicLinks: true,
    onlyFiles: kind === 'file',
    onlyDirectories: kind === 'directory',
  })
    .map((p) => path.resolve(p))
    .sort();
}
