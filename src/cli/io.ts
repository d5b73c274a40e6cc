import { realpathSync } from 'node:fs';
import path from 'node:path';
import { lazy } from '../lazy';
import { packageJson } from '../package-root';
import { forTerminal } from '../report/escape';
import { checkPath, UsageError } from './usage';

/** design.md: 0 clean, 1 at least one error-severity finding, 2 a usage or parse error. */
export const EXIT = { clean: 0, findings: 1, usage: 2 } as const;

/** Where a command writes and what it runs in: given to main(), so that the CLI runs in-process in tests. */
export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export const defaultIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env });

/** A line on stderr: `tagguard: ` and the text, with what the scanned code controls made safe (report/escape.ts). */
export function say(io: Io, text: string): void {
  io.stderr.write(`tagguard: ${forTerminal(text)}\n`);
}

export function packageVersion(): string {
  return packageJson().version;
}

/**
 * Writes a file an option names, checked again as before the scan (usage.ts): never
 * through a symlink, never outside the working directory. The path given to the
 * atomic write is already real, so that its own resolving of links changes nothing.
 */
export async function writeInside(option: string, value: string, text: string, cwd: string): Promise<void> {
  checkPath(option, value, 'output-file', cwd);
  const abs = path.resolve(cwd, value);
  try {
    await writeFileAtomic(path.join(realpathSync(path.dirname(abs)), path.basename(abs)), text);
  } catch (e) {
    // The error names the temporary file the atomic write goes through: the user named another.
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${option} ${value}: cannot be written${code ? `: ${code}` : ''}`);
  }
}

const loadWriteFileAtomic = lazy<typeof import('write-file-atomic')>(require, 'write-file-atomic');

/** Atomic writes (a temporary file, then a rename), loaded when something is written. */
export function writeFileAtomic(file: string, text: string): Promise<void> {
  return loadWriteFileAtomic()(file, text);
}
