import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

let root: string | undefined;

/**
 * The directory of tagguard's package.json: data files (the compiled policies, the
 * registry models) are read from there, whether the code runs from src/ or dist/src/.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`tagguard's package.json was not found above ${__dirname}`);
    dir = up;
  }
  return (root = dir);
}

/** tagguard's own package.json (its version and home page, for reports). */
export function packageJson(): { version: string; homepage?: string } {
  return JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string; homepage?: string };
}
