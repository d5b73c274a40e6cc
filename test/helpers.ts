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
  stdout.on('data', (d: Buffer | string) => (out += d.toString()));
  stderr.on('data', (d: Buffer | string) => (err += d.toString()));
  const code = await main(argv, { stdout, stderr, cwd, env: options.env ?? {} });
  return { code, out, err, json: () => readReport(out) };
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
  severity: 'error' | 'warning' | 'note';
  resource: string;
  root: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  messageId?: string;
  trace: { file: string; line: number; column: number; note: string }[];
  stack?: string;
  constructPath?: string;
  suppressed?: boolean;
  suppression?: { source: 'tagguard' | 'checkov' | 'trivy' | 'tfsec' | 'kics'; reason?: string; until?: string; file: string; line: number };
}

/** A JSON report's text, read. */
export function readReport(text: string): JsonReport {
  return JSON.parse(text) as JsonReport;
}

/** The parts of a SARIF 2.1.0 log that tests read (the schema test checks all of it). */
export interface SarifLog {
  runs: {
    tool: { driver: { name: string; version?: string; rules: { id: string; helpUri?: string; [key: string]: unknown }[] } };
    results: SarifResult[];
    invocations: { executionSuccessful: boolean; toolExecutionNotifications: { message: { text: string }; locations: { physicalLocation: { region: unknown } }[] }[] }[];
  }[];
}

export interface SarifResult {
  ruleId: string;
  level: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string }; region: unknown }; logicalLocations?: { fullyQualifiedName: string }[] }[];
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
  const dir = mkdtempSync(path.join(tmpdir(), `tagguard-${options.prefix ?? 'tree'}-`));
  if (options.repository) mkdirSync(path.join(dir, '.git'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}
