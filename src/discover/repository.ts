import { existsSync } from 'node:fs';
import path from 'node:path';

const roots = new Map<string, string | undefined>();

/**
 * The enclosing repository's root: the nearest directory from `dir` upward that holds
 * `.git` (a directory, or the file of a worktree or submodule); undefined outside one.
 * Remembered per directory: the walk asks once for every directory it enters.
 */
export function repositoryRoot(dir: string): string | undefined {
  const d = path.resolve(dir);
  if (roots.has(d)) return roots.get(d);
  const parent = path.dirname(d);
  const root = existsSync(path.join(d, '.git')) ? d : parent === d ? undefined : repositoryRoot(parent);
  roots.set(d, root);
  return root;
}
