import { statSync, type Stats } from 'node:fs';
import path from 'node:path';
import type { OptionSpec } from './options';

/** A command line or an input named on it that cannot be used: exit 2, the message and no "internal error". */
export class UsageError extends Error {}

/**
 * Checks every path the table's options name, before anything is read or written, so
 * that a directory given as `--var-file` is a usage error naming the option, never a
 * crash or an empty scan. Symlinks are followed, as reading them would.
 */
export function checkOptionPaths(table: Readonly<Record<string, OptionSpec>>, args: Record<string, unknown>, cwd: string): void {
  for (const [name, spec] of Object.entries(table)) {
    if (!spec.path) continue;
    for (const value of [args[name] ?? []].flat()) checkPath(`--${name}`, String(value), spec.path, cwd);
  }
}

/** `what` names where the path was given: `--var-file`, or a config file's key. */
export function checkPath(what: string, value: string, kind: NonNullable<OptionSpec['path']>, cwd: string): void {
  if (!value) throw new UsageError(`${what} needs a path`);
  const abs = path.resolve(cwd, value);
  const fail = (problem: string): never => {
    throw new UsageError(`${what} ${value}: ${problem}`);
  };
  if (kind === 'output-directory') {
    // Created when missing.
    if (statOf(abs, fail)?.isDirectory() === false) fail('is not a directory');
    return;
  }
  if (kind === 'output-file') {
    if (statOf(abs, fail)?.isDirectory()) fail('is a directory; name a file to write');
    if (!statOf(path.dirname(abs), fail)?.isDirectory()) fail(`no directory ${path.dirname(value)} to write into`);
    return;
  }
  const stat = statOf(abs, fail);
  if (!stat) fail(kind === 'file' ? 'no such file' : 'no such directory');
  if (kind === 'directory' && !stat!.isDirectory()) fail('is not a directory');
  // Each option takes one value: a directory here is most often a path to scan given after the option.
  if (kind === 'file' && stat!.isDirectory()) fail('is a directory, not a file (an option takes one value; paths to scan go on their own)');
  if (kind === 'file' && !stat!.isFile()) fail('is not a regular file');
}

/** undefined when nothing is there; any other failure (EACCES, a loop) is the user's to see. */
function statOf(abs: string, fail: (problem: string) => never): Stats | undefined {
  try {
    return statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    return fail(`cannot be read: ${code ?? (e as Error).message}`);
  }
}
