import { execFileSync } from 'node:child_process';
import { UsageError } from './usage';

/** git with arguments that never pass through a shell; stdout as bytes. */
export function git(cwd: string, args: string[], maxBuffer = 16 * 1024 * 1024): Buffer {
  return execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: Math.max(maxBuffer, 1024) });
}

/** What git said on failing: its stderr, else the error's code or message. */
export function gitMessage(e: unknown): string {
  // An empty stderr or code says nothing: the next one is shown.
  const stderr = (e as { stderr?: Buffer | string }).stderr?.toString().trim();
  if (stderr) return stderr;
  const code = (e as NodeJS.ErrnoException).code;
  if (code) return code;
  return (e as Error).message;
}

/**
 * The files changed since a commit (--changed-since). The ref is verified as a commit
 * first, after `--end-of-options`, and git diff is given the commit's id: a ref such as
 * `--output=/tmp/x` or `-p` is never read as an option, and a ref that is not a
 * commit (a missing branch, a tree) is a usage error, never an empty, passing scan.
 */
export function changedFiles(ref: string, cwd: string): string[] {
  const run = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const stderrOf = (e: unknown) => {
    // An empty stderr says nothing: the error's message is shown.
    const stderr = (e as { stderr?: string }).stderr?.trim();
    if (stderr) return stderr;
    return (e as Error).message;
  };
  let commit = '';
  try {
    commit = run('rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`).trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT')
      throw new UsageError(`--changed-since ${ref}: git is not installed (${(e as Error).message})`);
    const why = (e as { status?: number }).status === 1 ? '' : stderrOf(e);
    throw new UsageError(`--changed-since ${ref}: not a commit in this repository${why ? ` (${why})` : ''}`);
  }
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(commit)) throw new UsageError(`--changed-since ${ref}: not a commit in this repository`);
  try {
    // -z: names as they are, not quoted (core.quotePath would turn é.tf into "\303\251.tf", which matches no file).
    const diff = run('diff', '-z', '--name-only', '--relative', '--no-ext-diff', commit, '--');
    const untracked = run('ls-files', '-z', '--others', '--exclude-standard');
    return [...diff.split('\0'), ...untracked.split('\0')].filter(Boolean);
  } catch (e) {
    throw new UsageError(`--changed-since ${ref}: ${stderrOf(e)}`);
  }
}
