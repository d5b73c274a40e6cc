import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** Whether a path written in a configuration file holds a wildcard: `*`, `?` or `**`. */
export function isGlob(pattern: string): boolean {
  return /[*?]/.test(pattern);
}

/** One path segment's wildcards as a regular expression: `*` any characters, `?` one; nothing else is special. */
function segmentPattern(segment: string): RegExp {
  const body = segment
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function entries(dir: string): { name: string; directory: boolean }[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).map((e) => ({
      name: e.name,
      directory: e.isDirectory() || (e.isSymbolicLink() && isDirectory(path.join(dir, e.name))),
    }));
  } catch {
    return [];
  }
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * The files or directories a `/`-separated pattern relative to `base` names, sorted:
 * `*` and `?` within one segment, `**` for any number of directories. Wildcards match
 * no name that starts with `.` (as shells and .gitignore globs), and `**` never enters
 * `.terraform` or another hidden directory. A pattern without wildcards names itself when it exists.
 */
export function expandGlob(base: string, pattern: string, kind: 'file' | 'directory'): string[] {
  const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
  const found = new Set<string>();
  const wanted = (p: string) => (kind === 'directory' ? isDirectory(p) : !isDirectory(p) && exists(p));
  const walk = (dir: string, rest: string[]) => {
    if (rest.length === 0) {
      if (wanted(dir)) found.add(dir);
      return;
    }
    const [head, ...tail] = rest as [string, ...string[]];
    if (head === '**') {
      walk(dir, tail);
      for (const e of entries(dir)) if (e.directory && !e.name.startsWith('.')) walk(path.join(dir, e.name), rest);
      return;
    }
    if (!isGlob(head)) {
      walk(path.join(dir, head), tail);
      return;
    }
    const match = segmentPattern(head);
    for (const e of entries(dir)) {
      if (e.name.startsWith('.') && !head.startsWith('.')) continue;
      if (match.test(e.name) && (tail.length === 0 || e.directory)) walk(path.join(dir, e.name), tail);
    }
  };
  walk(path.resolve(base), segments);
  return [...found].sort();
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}
