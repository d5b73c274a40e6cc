import type { Finding } from './findings';

/**
 * A record of accepted findings. Entries are matched by root, resource address and
 * rule, never by line, so that moving code does not bring a finding back.
 */
export interface Baseline {
  version: 1;
  findings: Array<{ ruleId: string; root: string; resource: string }>;
}

function key(f: { ruleId: string; root: string; resource: string }): string {
  return JSON.stringify([f.root, f.resource, f.ruleId]);
}

export function createBaseline(findings: Finding[]): Baseline {
  const entries = new Map(findings.filter((f) => !f.suppression && f.resource).map((f) => [key(f), { ruleId: f.ruleId, root: f.root, resource: f.resource }]));
  return { version: 1, findings: [...entries.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e) };
}

/** Reads a baseline file's text; throws a plain message when it is not one. */
export function parseBaseline(text: string): Baseline {
  const data = JSON.parse(text) as Partial<Baseline>;
  if (data.version !== 1 || !Array.isArray(data.findings)) throw new Error('not a tagguard baseline (expected {"version": 1, "findings": [...]})');
  return data as Baseline;
}

/** The findings that the baseline does not list. */
export function newFindings(findings: Finding[], baseline: Baseline): Finding[] {
  const known = new Set(baseline.findings.map(key));
  return findings.filter((f) => !known.has(key(f)));
}
