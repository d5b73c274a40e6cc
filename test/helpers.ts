import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import path from 'node:path';
import { main } from '../src/cli/main';
import { scan } from '../src/scan/run';
import type { ScanOptions, ScanResult } from '../src/scan/types';
import * as policyInputModule from '../src/policy/input';
import { DEFAULT_MOVING_TAGS, DEFAULT_UNSEEN_REGISTRY, type PolicyConfig, type PolicyInput } from '../src/policy/input';
import type { Severity } from '../src/policy/findings';
import type { TraceStep } from '../src/terraform/eval/value';
import { INSTALL_COMMAND, SETUP_ENV, TEST_POLICIES, type Tool } from './setup/integration-setup';
import { removeTree } from './setup/run-setup';

export const ROOT = path.join(__dirname, '..');

/** The built command line (jest's global setup keeps dist/ current): what a process of its own runs. */
export const CLI = path.join(ROOT, 'bin', 'tagguard.js');

const temporary: string[] = [];

/**
 * A new empty directory in the system's temporary directory (named tagguard-<prefix>-…),
 * removed with everything in it after the test file's last test.
 */
export function tempDir(prefix = 'tmp'): string {
  const dir = mkdtempSync(path.join(tmpdir(), `tagguard-${prefix}-`));
  temporary.push(dir);
  return dir;
}

// Registered once per test file, which loads its own copy of this module.
if (typeof afterAll === 'function')
  afterAll(() => {
    temporary.splice(0).forEach(removeTree);
  });

/** Why a tool the global setup installs is missing (outside CI only, where its tests are skipped), or undefined when it is there. */
export function missingTool(tool: Tool): string | undefined {
  const missing = process.env[SETUP_ENV.missing];
  if (missing === undefined) return 'the global setup did not run: run the suite with npx jest';
  return (JSON.parse(missing) as Partial<Record<Tool, string>>)[tool];
}

/** A test title for tests that need the tool: when it is missing, says that they are skipped and how to install it. */
export function needing(tool: Tool, title: string): string {
  return missingTool(tool) === undefined ? title : `${title} — SKIPPED: ${tool} is missing (${INSTALL_COMMAND(tool)} installs it)`;
}

/** jest's test, or test.skip when the tool is missing (see needing() for the title). */
export function testNeeding(tool: Tool): jest.It {
  return missingTool(tool) === undefined ? test : test.skip;
}

/**
 * A test policy (fixtures/policies/<name>) as the global setup compiled it with the pinned opa.
 * Without opa the files are not there, and the tests that need them are skipped (testNeeding).
 */
export function testPolicy(name: keyof typeof TEST_POLICIES): { bundle: string; wasm: string } {
  const dir = path.join(process.env[SETUP_ENV.policies] ?? path.join(ROOT, '.tools', 'no-test-policies'), name);
  return { bundle: path.join(dir, 'bundle.tar.gz'), wasm: path.join(dir, 'policy.wasm') };
}

export const DEFAULT_POLICY: PolicyConfig = {
  allowedMutableTags: ['latest'],
  unknown: 'warn',
  movingTags: [...DEFAULT_MOVING_TAGS],
  unseenRegistry: DEFAULT_UNSEEN_REGISTRY,
};

/** Scans fixture folders as a user in the repository root would. */
export function scanFixtures(
  paths: string[],
  policy: Partial<PolicyConfig> = {},
  variables: Partial<ScanOptions['variables']> = {},
): Promise<ScanResult> {
  return scan({
    paths: paths.map((p) => path.join('fixtures', p)),
    cwd: ROOT,
    policy: { ...DEFAULT_POLICY, ...policy },
    variables: { varFiles: [], vars: [], env: {}, ...variables },
  });
}

/** Scans with a plan (a path from the repository root), by default with the plan's own folder as the scanned path. */
export function scanPlan(plan: string, options: { paths?: string[]; policy?: Partial<PolicyConfig> } = {}): Promise<ScanResult> {
  return scan({
    paths: options.paths ?? [path.dirname(plan)],
    cwd: ROOT,
    plan,
    policy: { ...DEFAULT_POLICY, ...options.policy },
    variables: { varFiles: [], vars: [], env: {} },
  });
}

/** Scans a throwaway tree as a user inside it would; options and variables replace the defaults. */
export function scanDir(
  cwd: string,
  options: Omit<Partial<ScanOptions>, 'variables'> & { variables?: Partial<ScanOptions['variables']> } = {},
): Promise<ScanResult> {
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
  stdout.on('data', (d: Buffer | string) => (out += d.toString()));
  stderr.on('data', (d: Buffer | string) => (err += d.toString()));
  const code = await main(argv, { stdout, stderr, cwd, env: options.env ?? {} });
  return { code, out, err, json: () => readReport(out) };
}

/**
 * Runs `act` (a scan, say runCli) and also returns the `config` of every policy input
 * document built meanwhile (policyInput), as the rules see `input.config`: a setting no
 * rule reads yet is asserted here.
 */
export async function withInputConfigs<T extends object>(act: () => Promise<T>): Promise<T & { configs: PolicyInput['config'][] }> {
  const spy = jest.spyOn(policyInputModule, 'policyInput');
  try {
    const result = await act();
    return { ...result, configs: spy.mock.results.map((r) => (r.value as PolicyInput).config) };
  } finally {
    spy.mockRestore();
  }
}

/** The version-1 JSON report (src/report/json.ts) as tests read it. */
export interface JsonReport {
  version: number;
  findings: JsonFinding[];
  errors: { file: string; line: number; column: number; message: string }[];
  summary: { files: number; resources: number; errors: number; warnings: number; parseErrors: number; suppressed?: number };
}

export interface JsonFinding {
  ruleId: string;
  severity: Severity;
  resource: string;
  root: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  messageId?: string;
  trace: TraceStep[];
  stack?: string;
  constructPath?: string;
  suppressed?: boolean;
  suppression?: {
    source: 'tagguard' | 'checkov' | 'trivy' | 'tfsec' | 'kics';
    reason?: string;
    until?: string;
    file: string;
    line: number;
  };
}

/** A JSON report's text, read. */
export function readReport(text: string): JsonReport {
  return JSON.parse(text) as JsonReport;
}

/** The parts of a SARIF 2.1.0 log that tests read (the schema test checks all of it). */
export interface SarifLog {
  runs: {
    tool: {
      driver: {
        name: string;
        version?: string;
        rules: { id: string; helpUri?: string; properties?: { tags?: string[]; [key: string]: unknown }; [key: string]: unknown }[];
      };
    };
    results: SarifResult[];
    invocations: {
      executionSuccessful: boolean;
      toolExecutionNotifications: { message: { text: string }; locations: { physicalLocation: { region: unknown } }[] }[];
    }[];
  }[];
}

export interface SarifResult {
  ruleId: string;
  level: string;
  message: { text: string };
  locations: {
    physicalLocation: { artifactLocation: { uri: string }; region: unknown };
    logicalLocations?: { fullyQualifiedName: string }[];
  }[];
  partialFingerprints: Record<string, string>;
  properties?: Record<string, unknown>;
  suppressions?: { kind: string; justification?: string }[];
}

/** jest's asymmetric matchers are typed `any`; these give them the type of the value they stand for. */
export const matching = (pattern: RegExp | string): string => expect.stringMatching(pattern) as string;
export const anyNumber = (): number => expect.any(Number) as number;
export const anyString = (): string => expect.any(String) as string;

/** The value, or a test failure naming what was missing (instead of a `!` that fails later with a TypeError). */
export function defined<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`expected ${what} to be there`);
  return value;
}

/** A throwaway tree: keys are relative paths, values the file contents; `repository` adds a .git folder. */
export function tree(files: Record<string, string>, options: { prefix?: string; repository?: boolean } = {}): string {
  const dir = tempDir(options.prefix ?? 'tree');
  if (options.repository) mkdirSync(path.join(dir, '.git'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

/** A fixture folder's files (relative to the project root), by their paths inside it. */
export function filesOf(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const e of readdirSync(path.join(ROOT, dir), { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const full = path.join(e.parentPath, e.name);
    files[path.relative(path.join(ROOT, dir), full)] = readFileSync(full, 'utf8');
  }
  return files;
}

/** Where a finding points, and what it says: what the rule tests assert. */
export interface Place {
  file: string;
  line: number;
  column: number;
  severity: string;
  messageId?: string;
  resource: string;
}

export const placeOf = (f: Place): Place => ({
  file: f.file,
  line: f.line,
  column: f.column,
  severity: f.severity,
  messageId: f.messageId,
  resource: f.resource,
});

export const placeAt = (file: string, line: number, column: number, severity: string, messageId: string, resource: string): Place => ({
  file,
  line,
  column,
  severity,
  messageId,
  resource,
});
