import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { discover } from './discover';

/** A text search over Terraform files, written both as a POSIX extended regular expression and as a JS one. */
export interface TextSearch {
  ere: string;
  regex: RegExp;
}

const INCLUDE = ['*.tf', '*.tofu', '*.tf.json', '*.tofu.json'];
const SKIP_DIRS = ['.git', '.terraform', 'node_modules'];

/**
 * The Terraform files under `root` whose text matches, as absolute paths. The
 * system's grep does this several times faster than Node can read the files, so it
 * runs where there is one, in parallel with tagguard's own start-up; else the files
 * are read here. The list may hold files that .gitignore hides: callers only use it
 * to choose directories, whose files are then discovered with the usual rules.
 */
export function filesMatching(root: string, search: TextSearch): Promise<string[]> {
  return new Promise((resolve) => {
    const args = ['-rlsI', '--null', '-E', ...INCLUDE.map((g) => `--include=${g}`), ...SKIP_DIRS.map((d) => `--exclude-dir=${d}`), '-e', search.ere, '.'];
    let out = '';
    let done = false;
    const fallback = () => {
      if (!done) resolve(readAndMatch(root, search.regex));
      done = true;
    };
    let child;
    try {
      child = spawn('grep', args, { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      fallback();
      return;
    }
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (out += d));
    child.on('error', fallback);
    child.on('close', (code) => {
      // 0: matches, 1: none; anything else (2: an unreadable file, say) is not trusted.
      if (code !== 0 && code !== 1) return fallback();
      if (done) return;
      done = true;
      resolve(out.split('\0').filter(Boolean).map((f) => path.resolve(root, f)));
    });
  });
}

function readAndMatch(root: string, regex: RegExp): string[] {
  return discover(['.'], root).files.filter((f) => {
    try {
      return regex.test(readFileSync(f, 'utf8'));
    } catch {
      return false;
    }
  });
}
