/** The global teardown of every jest run: names what the tests left in the run's temporary directory, then removes it. */
import { readdirSync } from 'node:fs';
import { removeTree, RUN_ENV } from './run-setup';

export default function runTeardown(): void {
  const dir = process.env[RUN_ENV.dir];
  if (!dir) return;
  const saved = process.env[RUN_ENV.saved];
  if (saved) process.env.TMPDIR = saved;
  else delete process.env.TMPDIR;
  delete process.env[RUN_ENV.dir];
  delete process.env[RUN_ENV.saved];
  const left = readdirSync(dir);
  removeTree(dir);
  if (left.length > 0) process.stderr.write(`tagguard tests: the tests left ${left.length} entries in the temporary directory (removed now): ${left.join(', ')}\n`);
}
