import type { ScanResult } from '../scan/types';
import { guardJson } from './escape';
import type { RuleDescriptor } from '../policy/engine';
import { findingFingerprints } from './sarif';
import { groupByRoot } from './group';

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
  const prints = new Map(findingFingerprints(result.findings, 'md5').map((p, n) => [result.findings[n], p]));
  // A finding that several roots reach (a module both call) is one issue naming the roots, with
  // its first root's fingerprint (as in SARIF), so that a single-root finding keeps its fingerprint
  // when it is one of several; each variant stays an issue of its own.
  const issues: GitlabIssue[] = groupByRoot(result.findings.filter((f) => !f.suppression)).map(({ finding: f, roots }) => {
    const description = f.resource ? `${f.resource}: ${f.message}` : f.message;
    return {
      description: roots.length > 1 ? `${description} (roots: ${roots.join(', ')})` : description,
      check_name: f.ruleId,
      fingerprint: prints.get(f) ?? '',
      severity: Object.hasOwn(SEVERITY, f.severity) ? SEVERITY[f.severity] : 'minor',
      location: { path: f.file, lines: { begin: Math.max(f.line, 1) } },
    };
  });
  return guardJson(JSON.stringify(issues, null, 2)) + '\n';
}
