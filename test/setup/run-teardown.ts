/** The global teardown of every jest run: removes the run's temporary directory, naming what was left in it. */
import { readdirSync } from 'node:fs';
import { removeTree, RUN_ENV } from './run-setup';

export default function runTeardown(): void {
  const dir = process.env[RUN_ENV.dir];
  if (!dir) return;
  const saved = process.env[RUN_ENV.saved];
  if (saved) process.env.TMPDIR = saved;
  else delete process.env.TMPDIR;
  // Unsets the variables (process.env keeps a variable set to undefined as the text "undefined").
  Reflect.deleteProperty(process.env, RUN_ENV.dir);
  Reflect.deleteProperty(process.env, RUN_ENV.saved);
  const left = readdirSync(dir);
  removeTree(dir);
  if (left.length === 0) return;
  // Libraries and processes make their own (cdktf's Testing: cdktf.outdir.XXXXXX): counted by name, the random part left out.
  const counts = new Map<string, number>();
  for (const name of left) {
    const key = name.replace(/[._-][A-Za-z0-9]{6}$/, '.*');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const names = [...counts].map(([name, n]) => (n > 1 ? `${name} (${n})` : name)).join(', ');
  process.stderr.write(
    `tagguard tests: removed the run's temporary directory and what was left in it, which tempDir() did not make: ${names}\n`,
  );
}
