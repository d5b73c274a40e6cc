import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { main } from '../src/cli/main';
import { scan } from '../src/scan/run';
import type { ScanOptions, ScanResult } from '../src/scan/types';
import type { PolicyConfig } from '../src/policy/input';

export const ROOT = path.join(__dirname, '..');

export const DEFAULT_POLICY: PolicyConfig = { allowedMutableTags: ['latest'], unknown: 'warn' };

/** Scans fixture folders as a user in the repository root would. */
export function scanFixtures(paths: string[], policy: Partial<PolicyConfig> = {}, variables: Partial<ScanOptions['variables']> = {}): Promise<ScanResult> {
  return scan({
    paths: paths.map((p) => path.join('fixtures', p)),
    cwd: ROOT,
    policy: { ...DEFAULT_POLICY, ...policy },
    variables: { varFiles: [], vars: [], env: {}, ...variables },
  });
}

/** Scans a throwaway tree as a user inside it would; options and variables replace the defaults. */
export function scanDir(cwd: string, options: Omit<Partial<ScanOptions>, 'variables'> & { variables?: Partial<ScanOptions['variables']> } = {}): Promise<ScanResult> {
  const { variables, ...rest } = options;
  return scan({ paths: ['.'], cwd, policy: DEFAULT_POLICY, ...rest, variables: { varFiles: [], vars: [], env: {}, ...variables } });
}

/** The parts of findings that tests assert: place, severity, resource. */
export function places(result: ScanResult) {
  return result.findings.map((f) => ({ file: f.file, line: f.line, column: f.column, severity: f.severity, resource: f.resource }));
}

/** Runs the command line in-process, as a user in `cwd` would, capturing both streams. */
export async function runCli(argv: string[], cwd: string, options: { env?: NodeJS.ProcessEnv; tty?: boolean } = {}) {
  const stdout = Object.assign(new PassThrough(), { isTTY: options.tty ?? false });
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await main(argv, { stdout, stderr, cwd, env: options.env ?? {} });
  return { code, out, err, json: () => JSON.parse(out) };
}

/** A throwaway tree: keys are relative paths, values the file contents; `repository` adds a .git folder. */
export function tree(files: Record<string, string>, options: { prefix?: string; repository?: boolean } = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), `tagguard-${options.prefix ?? 'tree'}-`));
  if (options.repository) mkdirSync(path.join(dir, '.git'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
