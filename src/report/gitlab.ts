import type { ScanResult } from '../scan/types';
import { guardJson } from './escape';
import type { RuleDescriptor } from '../policy/engine';
import { findingFingerprints } from './sarif';

const SEVERITY: Record<string, 'major' | 'minor' | 'info'> = { error: 'major', warning: 'minor', note: 'info' };

export interface GitlabIssue {
  description: string;
  check_name: string;
  /** md5 hex, stable when lines move and unique within the report (GitLab shows one issue per fingerprint). */
  fingerprint: string;
  severity: 'blocker' | 'critical' | 'major' | 'minor' | 'info';
  location: { path: string; lines: { begin: number } };
}

/**
 * GitLab Code Quality report: a JSON array with an issue per open finding
 * (suppressed ones are left out). Input errors are not code-quality issues and
 * are not listed; the scan's exit code (2) reports them. `rules` is accepted for
 * the formatters' common signature.
 */
export function formatGitlab(result: ScanResult, _rules: RuleDescriptor[] = result.rules): string {
  const prints = findingFingerprints(result.findings, 'md5');
  const issues: GitlabIssue[] = [];
  result.findings.forEach((f, i) => {
    if (f.suppression) return;
    issues.push({
      description: f.resource ? `${f.resource}: ${f.message}` : f.message,
      check_name: f.ruleId,
      fingerprint: prints[i],
      severity: SEVERITY[f.severity] ?? 'minor',
      location: { path: f.file, lines: { begin: Math.max(f.line, 1) } },
    });
  });
  return guardJson(JSON.stringify(issues, null, 2)) + '\n';
}
