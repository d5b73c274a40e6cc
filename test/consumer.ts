import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ROOT, tempDir } from './helpers';

/** What `npm pack` puts in the package, as paths inside it. Scripts are not run: the global setup has built dist/. */
export function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', '--logs-max=0'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [pack] = JSON.parse(out) as { files: { path: string }[] }[];
  return pack.files.map((f) => f.path).sort();
}

/**
 * A project that depends on tagguard as an installed package: node_modules/tagguard holds
 * exactly the files `npm pack` ships, and every other package in node_modules is a link to
 * this checkout's (cdktf, constructs, @cdktf/provider-aws, typescript, tagguard's own
 * dependencies), as npm would install them side by side; `without` leaves those entries out.
 */
export function consumerProject(prefix = 'consumer', options: { without?: string[] } = {}): string {
  const dir = tempDir(prefix);
  const modules = path.join(dir, 'node_modules');
  for (const file of packedFiles()) {
    const to = path.join(modules, 'tagguard', file);
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(path.join(ROOT, file), to);
  }
  const installed = path.join(ROOT, 'node_modules');
  for (const entry of readdirSync(installed)) {
    if (entry.startsWith('.') || entry === 'tagguard' || options.without?.includes(entry)) continue;
    symlinkSync(path.join(installed, entry), path.join(modules, entry));
  }
  return dir;
}

/** Runs tsc from this checkout in a folder (its tsconfig.json); throws with tsc's output when it fails. */
export function tsc(cwd: string): void {
  runNode([path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], cwd);
}

/** Runs node with these arguments; returns stdout, or throws with stdout and stderr when it fails. */
export function runNode(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(process.execPath, args, { cwd, encoding: 'utf8', stdio: 'pipe', env: { ...process.env, ...env } });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`node ${args.join(' ')} failed in ${cwd}:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}
