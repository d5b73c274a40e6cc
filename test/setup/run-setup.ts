/**
 * The global setup of every jest run: the tests and every process they start (git, opa,
 * cdktf, npm) get a temporary directory of their own for the run (TMPDIR), which the run's
 * teardown checks for leftovers and removes. Tests make their directories with tempDir()
 * (test/helpers.ts), which removes them after each test file.
 */
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The variables through which the teardown finds the run's directory and what TMPDIR was. */
export const RUN_ENV = { dir: 'TAGGUARD_TEST_TMPDIR', saved: 'TAGGUARD_TEST_SAVED_TMPDIR' } as const;

export default function runSetup(): void {
  if (process.env[RUN_ENV.dir]) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'tagguard-jest-'));
  // Others may enter, as they may enter /tmp: some tests run the CLI as nobody on their trees.
  chmodSync(dir, 0o755);
  process.env[RUN_ENV.saved] = process.env.TMPDIR ?? '';
  process.env[RUN_ENV.dir] = dir;
  process.env.TMPDIR = dir;
}

/** Removes a tree, even one whose directories a test made unreadable or unwritable. */
export function removeTree(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    const open = (p: string) => {
      if (!lstatSync(p, { throwIfNoEntry: false })?.isDirectory()) return;
      chmodSync(p, 0o700);
      for (const name of readdirSync(p)) open(path.join(p, name));
    };
    open(dir);
    rmSync(dir, { recursive: true, force: true });
  }
}
