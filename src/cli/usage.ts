import { lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { isWithin } from '../discover/inside';
import { isConfigFile, isVarFile } from '../discover/terraform-files';
import type { OptionSpec } from './options';

/** A command line or an input named on it that cannot be used: exit 2, the message and no "internal error". */
export class UsageError extends Error {
  /**
   * `severalLines`: the message is a list by design (a config file's errors), and its
   * line breaks are kept when it is shown; in any other message a line break comes
   * from a value (a path, a key) and is escaped as every control character is.
   */
  constructor(
    message: string,
    readonly severalLines = false,
  ) {
    super(message);
  }
}

/**
 * Checks every path the table's options name, before anything is read or written, so
 * that a directory given as `--var-file` is a usage error naming the option, never a
 * crash or an empty scan. Symlinks are followed, as reading them would; a path to
 * write is refused when it is a symlink or leads outside the working directory.
 */
export function checkOptionPaths(table: Readonly<Record<string, OptionSpec>>, args: Record<string, unknown>, cwd: string): void {
  for (const [name, spec] of Object.entries(table)) {
    if (!spec.path) continue;
    // One value, or a repeated option's list of them.
    const values: unknown[] = [args[name] ?? []].flat();
    for (const value of values) checkPath(`--${name}`, String(value), spec.path, cwd);
  }
}

/** `what` names where the path was given: `--var-file`, or a config file's key. */
export function checkPath(what: string, value: string, kind: NonNullable<OptionSpec['path']>, cwd: string): void {
  if (!value) throw new UsageError(`${what} needs a path`);
  const abs = path.resolve(cwd, value);
  // Typed where it is declared, so that a call narrows as a throw does.
  const fail: (problem: string) => never = (problem) => {
    throw new UsageError(`${what} ${value}: ${problem}`);
  };
  if (kind === 'output-directory') {
    const link = statOf(abs, fail, lstatSync, 'written');
    if (link?.isSymbolicLink()) fail(NO_LINKS);
    if (link && !link.isDirectory()) fail('is not a directory');
    // Created when missing, below the nearest directory that exists.
    let existing = abs;
    while (!statOf(existing, fail, lstatSync)) existing = path.dirname(existing);
    if (!statOf(existing, fail)?.isDirectory()) fail(`${path.relative(cwd, existing)} is not a directory`);
    staysInside(existing, cwd, fail);
    return;
  }
  if (kind === 'output-file') {
    // A report written over code a scan reads would destroy it (`-o main.tf` for `-f text`).
    const name = path.basename(abs);
    if (isConfigFile(name) || isVarFile(name) || /^\.tagguard\.ya?ml$/.test(name))
      fail('is a file tagguard reads (Terraform code, variables or its configuration); write the report to another file');
    const link = statOf(abs, fail, lstatSync, 'written');
    if (link?.isSymbolicLink()) fail(NO_LINKS);
    if (link?.isDirectory()) fail('is a directory; name a file to write');
    if (!statOf(path.dirname(abs), fail)?.isDirectory()) fail(`no directory ${path.dirname(value)} to write into`);
    staysInside(path.dirname(abs), cwd, fail);
    return;
  }
  const stat = statOf(abs, fail);
  if (!stat) fail(kind === 'file' ? 'no such file' : 'no such directory');
  if (kind === 'directory' && !stat.isDirectory()) fail('is not a directory');
  // Each option takes one value: a directory here is most often a path to scan given after the option.
  if (kind === 'file' && stat.isDirectory()) fail('is a directory, not a file (an option takes one value; paths to scan go on their own)');
  if (kind === 'file' && !stat.isFile()) fail('is not a regular file');
}

/**
 * What a write through a symlink would do: write-file-atomic resolves links and writes
 * their target, so a committed `tagguard.sarif -> ~/.bashrc` would have the action
 * overwrite that file.
 */
const NO_LINKS = 'is a symlink; tagguard does not write through one (remove it or name another file)';

/**
 * A file is written only where the real path of the directory that holds it is inside
 * the working directory's real path: not elsewhere by an absolute path or `../`, nor
 * through a symlinked directory on the way.
 */
function staysInside(dir: string, cwd: string, fail: (problem: string) => never): void {
  const top = realpathSync(cwd);
  let real: string;
  try {
    real = realpathSync(dir);
  } catch (e) {
    return fail(`cannot be resolved: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (isWithin(top, real)) return;
  const lexically = isWithin(path.resolve(cwd), path.resolve(dir));
  fail(
    lexically
      ? `is outside the working directory through a symlink (it leads to ${real}); tagguard writes only inside it`
      : 'is outside the working directory; tagguard writes only inside it',
  );
}

/** undefined when nothing is there; any other failure (EACCES, a loop) is the user's to see. `stat` follows links, `lstat` does not. */
function statOf(abs: string, fail: (problem: string) => never, stat: typeof statSync = statSync, doing = 'read'): Stats | undefined {
  try {
    return stat(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    return fail(`cannot be ${doing}: ${code ?? (e as Error).message}`);
  }
}
