import { isUtf8 } from 'node:buffer';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { size } from '../discover/read';
import { CONFIG_NAMES, ConfigError, parseConfig, MAX_CONFIG_BYTES, type LoadedConfig } from './config-file';
import { git, gitMessage } from './git';
import { UsageError } from './usage';
import { slashPath } from '../discover/paths';

/** One entry of a git tree: `git ls-tree -l -z`. */
interface TreeEntry {
  mode: string;
  type: string;
  oid: string;
  size: number;
}

/** A file read from the commit, or why it cannot be used; undefined from `read` when nothing is at that path. */
export type CommitRead = { ok: true; bytes: Buffer } | { ok: false; message: string };

/**
 * The files of one commit, for --config-from: a pull request can edit .tagguard.yml
 * and the baseline in its own tree, so CI reads them from the base branch instead.
 * The ref is verified to name a commit (`git rev-parse --verify --end-of-options`),
 * and files are found by walking trees by object id (`git ls-tree <oid>`, then
 * `git cat-file blob <oid>`): no path or ref from the tree reaches git's option or
 * pathspec parser. Only regular files are read (a symlink at the commit is refused),
 * within a size limit checked before reading.
 */
export class CommitFiles {
  private readonly trees = new Map<string, Map<string, TreeEntry>>();

  private constructor(
    /** The ref as the user gave it: messages name files as `<ref>:<path>`. */
    readonly ref: string,
    readonly commit: string,
    /** The repository's root in the working tree (a real path). */
    readonly top: string,
    private readonly cwd: string,
  ) {}

  /** The commit a ref names, in the repository around `cwd`; anything else is a usage error. */
  static open(ref: string, cwd: string): CommitFiles {
    const what = `--config-from ${ref}`;
    if (!ref) throw new UsageError('--config-from needs a git ref');
    let top: string;
    try {
      top = git(cwd, ['rev-parse', '--show-toplevel']).toString('utf8').trim();
    } catch (e) {
      throw new UsageError(`${what}: not inside a git repository (${gitMessage(e)})`);
    }
    let commit: string;
    try {
      commit = git(cwd, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`])
        .toString('utf8')
        .trim();
    } catch {
      commit = '';
    }
    if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new UsageError(`${what}: not a commit in this repository`);
    return new CommitFiles(ref, commit, top, cwd);
  }

  /** `<ref>:<path>`, as messages name a file of the commit. */
  display(rel: string): string {
    return `${this.ref}:${rel}`;
  }

  /** The repository-relative path (with `/`) of a working-tree path, or undefined when it lies outside the repository. */
  relative(abs: string): string | undefined {
    const rel = path.relative(this.top, realPath(abs));
    if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
    return slashPath(rel);
  }

  /** Where a repository-relative path is in the working tree, as seen from the working directory (so that it reads as the user's path). */
  workingPath(rel: string): string {
    const cwdRel = this.relative(this.cwd) ?? '';
    return path.resolve(this.cwd, path.posix.relative(cwdRel, rel));
  }

  /** A regular file at the commit; undefined when nothing is there. */
  read(rel: string, maxBytes: number, limitName: string): CommitRead | undefined {
    let entry: TreeEntry | undefined;
    try {
      entry = this.entry(rel);
    } catch (e) {
      return { ok: false, message: `cannot list the commit's tree with git: ${gitMessage(e)}` };
    }
    if (!entry) return undefined;
    if (entry.type !== 'blob' || (entry.mode !== '100644' && entry.mode !== '100755')) {
      return {
        ok: false,
        message: entry.mode === '120000' ? 'is a symbolic link at that commit; not followed' : 'is not a regular file at that commit',
      };
    }
    if (entry.size > maxBytes)
      return { ok: false, message: `file is ${size(entry.size)}, over the ${size(maxBytes, true)} limit (${limitName})` };
    try {
      return { ok: true, bytes: git(this.top, ['cat-file', 'blob', entry.oid], entry.size + 1) };
    } catch (e) {
      return { ok: false, message: `cannot read it with git: ${gitMessage(e)}` };
    }
  }

  /** Like `read`, for a UTF-8 text file. */
  readText(rel: string, maxBytes: number, limitName: string): { ok: true; text: string } | { ok: false; message: string } | undefined {
    const read = this.read(rel, maxBytes, limitName);
    if (!read?.ok) return read;
    return isUtf8(read.bytes) ? { ok: true, text: read.bytes.toString('utf8') } : { ok: false, message: 'not valid UTF-8 text' };
  }

  /** A path in this commit's tree, found component by component from the root tree. */
  private entry(rel: string): TreeEntry | undefined {
    const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
    if (parts.length === 0 || parts.includes('..')) return undefined;
    let tree = this.commit;
    for (const [i, name] of parts.entries()) {
      const entry = this.list(tree).get(name);
      if (!entry || i === parts.length - 1) return entry;
      if (entry.type !== 'tree') return undefined;
      tree = entry.oid;
    }
    return undefined;
  }

  private list(tree: string): Map<string, TreeEntry> {
    let entries = this.trees.get(tree);
    if (!entries) {
      entries = new Map();
      // A tree lists each name once; names are raw bytes after the tab (-z: no quoting).
      // --full-tree: from a subdirectory, ls-tree would list only what lies under it.
      for (const record of git(this.top, ['ls-tree', '--full-tree', '-l', '-z', tree]).toString('utf8').split('\0')) {
        const m = /^(\d+) (\w+) ([0-9a-f]+) +(-|\d+)\t(.+)$/s.exec(record);
        if (m) entries.set(m[5], { mode: m[1], type: m[2], oid: m[3], size: m[4] === '-' ? 0 : Number(m[4]) });
      }
      this.trees.set(tree, entries);
    }
    return entries;
  }
}

/**
 * The configuration as it is at the commit: the file `--config` names, or else the
 * nearest .tagguard.yml from the working directory up to the repository's root, at the
 * same paths as in the working tree. Nothing there means no configuration.
 */
export function configAtCommit(commit: CommitFiles, cwd: string, named: string | undefined): LoadedConfig | undefined {
  const candidates = named ? [namedPath(commit, cwd, named)] : searchPaths(commit, cwd);
  for (const rel of candidates) {
    const display = commit.display(rel);
    const read = commit.readText(rel, MAX_CONFIG_BYTES, 'configuration files are read up to 1 MiB');
    if (!read) continue;
    try {
      if (!read.ok) throw new ConfigError(`${display}: ${read.message}`);
      const file = commit.workingPath(rel);
      return { file, dir: path.dirname(file), display, config: parseConfig(read.text, display) };
    } catch (e) {
      throw e instanceof ConfigError ? new UsageError(`invalid config:\n${e.message}`, true) : new UsageError((e as Error).message);
    }
  }
  return undefined;
}

/** A path the configuration at the commit names (a baseline, a policy), relative to it, as a repository-relative path. */
export function pathAtCommit(commit: CommitFiles, config: LoadedConfig, key: string, value: string): string {
  const configRel = commit.relative(config.dir) ?? '';
  const rel = path.posix.normalize(path.posix.join(configRel, slashPath(value)));
  if (path.posix.isAbsolute(value) || rel === '..' || rel.startsWith('../'))
    throw new UsageError(`${config.display}: ${key}: ${value} is outside the repository (--config-from reads files from ${commit.ref})`);
  return rel;
}

function namedPath(commit: CommitFiles, cwd: string, named: string): string {
  const rel = commit.relative(path.resolve(cwd, named));
  if (rel === undefined)
    throw new UsageError(`--config ${named}: outside the repository, so it cannot be read from ${commit.ref} (--config-from)`);
  return rel;
}

/** .tagguard.yml and .tagguard.yaml in the working directory and each directory above it, up to the repository's root. */
function searchPaths(commit: CommitFiles, cwd: string): string[] {
  const rel = commit.relative(cwd) ?? '';
  const dirs: string[] = [];
  for (let d = rel; ; d = path.posix.dirname(d)) {
    dirs.push(d === '.' ? '' : d);
    if (d === '' || d === '.') break;
  }
  return dirs.flatMap((d) => CONFIG_NAMES.map((name) => (d ? `${d}/${name}` : name)));
}

/** The real path of a file or of its nearest existing directory, so that paths through symlinks compare with git's root. */
function realPath(abs: string): string {
  const rest: string[] = [];
  for (let p = path.resolve(abs); ; p = path.dirname(p)) {
    try {
      return path.join(realpathSync(p), ...rest.reverse());
    } catch {
      if (path.dirname(p) === p) return path.resolve(abs);
      rest.push(path.basename(p));
    }
  }
}
