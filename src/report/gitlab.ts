import type { ScanResult } from '../cli/scan';
import { fingerprint } from './fingerprint';

const SEVERITY: Record<string, string> = { error: 'major', warning: 'minor', note: 'info' };

/** GitLab code quality report (a JSON array of issues). */
export function formatGitlab(result: ScanResult): string {
  const issues = result.findings
    .filter((f) => !f.suppression)
    .map((f) => ({
      description: `${f.resource}: ${f.message}`,
      check_name: f.ruleId,
      fingerprint: fingerprint(f, 'md5'),
      severity: SEVERITY[f.severity] ?? 'minor',
      location: { path: f.file, lines: { begin: f.line } },
    }));
  return JSON.stringify(issues, null, 2) + '\n';
}
