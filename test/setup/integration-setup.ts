/**
 * The global setup of the suites that need more than Node (the `integration` project in
 * jest.config.js): jest runs it once, before them.
 * - dist/ is rebuilt when a TypeScript source or a tsconfig is newer than it: suites that start
 *   the command line as a process of its own run the built CLI (bin/tagguard.js).
 * - The pinned tools are installed when absent (scripts/install-tools.sh), saying what and why,
 *   and the test policies are compiled with the pinned opa into a temporary directory that the
 *   global teardown removes.
 * A tool that cannot be installed skips the suites that need it, with a message naming the
 * command that installs it; in CI (CI=true) it is a failure instead.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, '.tools', 'bin');

/** Environment variables through which the setup tells the suites what it prepared. */
export const SETUP_ENV = {
  /** The directory holding each compiled test policy: <name>/bundle.tar.gz and <name>/policy.wasm. */
  policies: 'TAGGUARD_TEST_POLICIES',
  /** JSON: tool name → why it is missing (outside CI only). */
  missing: 'TAGGUARD_TEST_MISSING_TOOLS',
} as const;

/** The test policies: fixtures/policies/<name>, compiled with these entry points. */
export const TEST_POLICIES = {
  'scan-on-push': { entrypoints: ['custom/ecr_scan_on_push/deny', 'custom/ecr_scan_on_push/rule'], print: false },
  prints: { entrypoints: ['tagguard/main/findings', 'tagguard/main/rules'], print: true },
  'malformed-result': { entrypoints: ['custom/malformed_result/deny', 'custom/malformed_result/rule'], print: false },
  'nested-blocks': { entrypoints: ['custom/root_volume_encrypted/deny', 'custom/root_volume_encrypted/rule'], print: false },
} as const;

export type Tool = 'opa' | 'pre-commit';

/** What each tool is for here, and how it is installed. */
const TOOLS: Record<Tool, { needs: string; how: string }> = {
  opa: { needs: 'custom-policies and policy-engine compile their test policies with it', how: 'go install; a few minutes the first time' },
  'pre-commit': { needs: 'the pre-commit suite drives the hook with it', how: 'pip, into .tools/venv; a minute the first time' },
};

export const INSTALL_COMMAND = (tool: Tool) => `bash scripts/install-tools.sh ${tool}`;

const say = (line: string) => process.stderr.write(`tagguard tests: ${line}\n`);

/** CI sets CI=true; a missing tool is then a failure, never a skip. */
const inCi = () => Boolean(process.env.CI) && process.env.CI !== 'false';

export default async function globalSetup(): Promise<void> {
  buildDist();
  const missing: Partial<Record<Tool, string>> = {};
  const installs = (Object.keys(TOOLS) as Tool[]).map(async (tool) => {
    const failure = await install(tool);
    if (failure !== undefined) missing[tool] = failure;
  });
  await Promise.all(installs);
  for (const [tool, reason] of Object.entries(missing) as [Tool, string][]) {
    const install = `Install it with \`${INSTALL_COMMAND(tool)}\`, then run the tests again.`;
    if (inCi())
      throw new Error(
        `tagguard tests: ${tool} is missing, and in CI (CI=${process.env.CI}) that is a failure: ${TOOLS[tool].needs}. ${reason}. ${install}`,
      );
    say(`SKIPPING the tests that need ${tool} (${TOOLS[tool].needs}): ${reason}. ${install}`);
  }
  process.env[SETUP_ENV.missing] = JSON.stringify(missing);
  if (!missing.opa) process.env[SETUP_ENV.policies] = compileTestPolicies();
}

/** Rebuilds dist/ from scratch (no outputs of renamed sources left behind) when any source is newer than it. */
function buildDist(): void {
  const built = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
  const builtAt = existsSync(built) ? statSync(built).mtimeMs : -1;
  const newer = buildInputs().find((file) => statSync(file).mtimeMs > builtAt);
  if (!newer) return;
  say(
    builtAt < 0
      ? 'building dist/ (tsc -p tsconfig.build.json): the CLI tests run the built bin/tagguard.js'
      : `rebuilding dist/ (${path.relative(ROOT, newer)} is newer): the CLI tests run the built bin/tagguard.js`,
  );
  rmSync(path.join(ROOT, 'dist'), { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (e) {
    const output = e as { stdout?: string; stderr?: string };
    throw new Error(`tagguard tests: tsc -p tsconfig.build.json failed:\n${output.stdout ?? ''}${output.stderr ?? ''}`);
  }
}

/** What dist/ is built from: the TypeScript of src/ and policies/, and the tsconfig files. */
function buildInputs(): string[] {
  const files = ['tsconfig.json', 'tsconfig.build.json'].map((f) => path.join(ROOT, f));
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts')) files.push(p);
    }
  };
  walk(path.join(ROOT, 'src'));
  walk(path.join(ROOT, 'policies'));
  return files;
}

/**
 * Runs scripts/install-tools.sh for the tool (quick when the pinned version is there; it names
 * what it installs). Resolves to undefined when the tool is there, else to why it is not.
 */
function install(tool: Tool): Promise<string | undefined> {
  if (!existsSync(path.join(BIN, tool)))
    say(`${tool} is not in .tools/bin: installing it (${TOOLS[tool].how}), because ${TOOLS[tool].needs}.`);
  return new Promise((resolve) => {
    const child = spawn('bash', [path.join(ROOT, 'scripts', 'install-tools.sh'), tool], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      process.stderr.write(d);
    });
    child.on('error', (e) => {
      resolve(`bash could not be started: ${e.message}`);
    });
    child.on('close', (code) => {
      if (code === 0 && existsSync(path.join(BIN, tool))) {
        resolve(undefined);
        return;
      }
      const last = err.trim().split('\n').at(-1);
      resolve(`${INSTALL_COMMAND(tool)} exited ${code}${last ? `: ${last.replace(/^install-tools: /, '')}` : ''}`);
    });
  });
}

/** Compiles each test policy with the pinned opa; returns the directory the teardown removes. */
function compileTestPolicies(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tagguard-test-policies-'));
  for (const [name, { entrypoints, print }] of Object.entries(TEST_POLICIES)) {
    const out = path.join(dir, name);
    mkdirSync(out);
    const bundle = path.join(out, 'bundle.tar.gz');
    const args = [
      'build',
      '-t',
      'wasm',
      ...entrypoints.flatMap((e) => ['-e', e]),
      ...(print ? ['--wasm-include-print'] : []),
      path.join(ROOT, 'fixtures', 'policies', name),
      '-o',
      bundle,
    ];
    execFileSync(path.join(BIN, 'opa'), args, { stdio: 'pipe' });
    execFileSync('tar', ['-xzf', bundle, '-C', out, '/policy.wasm'], { stdio: 'ignore' });
  }
  return dir;
}
