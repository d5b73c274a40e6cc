import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { discover } from '../discover/discover';
import { parseHcl, type ParseResult } from '../parse/hcl';
import { parseTerraformJson } from '../parse/json';
import { SourceFile, type SyntaxProblem } from '../parse/source';
import { PolicyEngine } from '../policy/engine';
import { toFindings, type Finding } from '../policy/findings';
import { policyInput, type PolicyConfig } from '../policy/input';
import { modulesOf } from '../terraform/config';
import { resourceInstances } from '../terraform/resources';

export interface ScanOptions {
  paths: string[];
  cwd: string;
  policy: PolicyConfig;
}

export interface ScanProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface ScanResult {
  findings: Finding[];
  errors: ScanProblem[];
  summary: { files: number; resources: number; errors: number; warnings: number; parseErrors: number };
  /** The scanned files by reported path, for code frames. */
  sources: Map<string, SourceFile>;
}

/** Paths in reports are relative to the working directory, with `/` separators. */
export function displayPath(cwd: string, abs: string): string {
  return path.relative(cwd, abs).split(path.sep).join('/') || '.';
}

export async function scan(options: ScanOptions, engine?: PolicyEngine): Promise<ScanResult> {
  const { cwd } = options;
  const found = discover(options.paths, cwd);
  const errors: ScanProblem[] = found.missing.map((p) => ({ file: p, line: 0, column: 0, message: 'no such file or directory' }));
  const sources = new Map<string, SourceFile>();
  const parsed = [];
  let parseErrors = 0;
  for (const absPath of found.files) {
    const source = new SourceFile(displayPath(cwd, absPath), await readFile(absPath, 'utf8'));
    sources.set(source.path, source);
    const result: ParseResult = absPath.endsWith('.json') ? await parseTerraformJson(source) : await parseHcl(source);
    if (result.ok) parsed.push({ absPath, parsed: result.file });
    else {
      parseErrors++;
      errors.push(...result.problems.map((p: SyntaxProblem) => ({ ...p })));
    }
  }
  const policy = engine ?? (await PolicyEngine.load());
  const types = new Set(policy.rules().flatMap((r) => r.resource_types ?? []));
  const resources = modulesOf(parsed).flatMap((m) => resourceInstances(m, types, cwd));
  const findings = toFindings(policy.findings(policyInput(resources, options.policy)), resources);
  return {
    findings,
    errors,
    sources,
    summary: {
      files: found.files.length,
      resources: resources.length,
      errors: findings.filter((f) => f.severity === 'error').length,
      warnings: findings.filter((f) => f.severity === 'warning').length,
      parseErrors,
    },
  };
}

/** design.md: 0 clean, 1 an error-severity finding, 2 a usage or parse error. */
export function exitCode(result: ScanResult): number {
  if (result.errors.length > 0) return 2;
  return result.summary.errors > 0 ? 1 : 0;
}
