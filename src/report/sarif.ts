import type { ScanResult } from '../cli/scan';
import type { RuleDescriptor } from '../policy/engine';
import type { Finding } from '../policy/findings';
import { fingerprint } from './fingerprint';

const LEVEL: Record<string, string> = { error: 'error', warning: 'warning', note: 'note' };

function location(file: string, line: number, column: number, endLine?: number, endColumn?: number) {
  const region = line > 0 ? { startLine: line, startColumn: Math.max(column, 1), ...(endLine ? { endLine, endColumn: Math.max(endColumn ?? 1, 1) } : {}) } : undefined;
  return { physicalLocation: { artifactLocation: { uri: encodeURI(file), uriBaseId: '%SRCROOT%' }, ...(region ? { region } : {}) } };
}

function helpText(r: RuleDescriptor): { text: string; markdown: string } {
  const parts = [r.recommended_action ?? '', r.fix_hcl ? `HCL:\n${r.fix_hcl}` : '', r.fix_cdktf ? `CDKTF:\n${r.fix_cdktf}` : ''].filter(Boolean);
  const md = [r.recommended_action ?? '', r.fix_hcl ? '```hcl\n' + r.fix_hcl + '\n```' : '', r.fix_cdktf ? '```ts\n' + r.fix_cdktf + '\n```' : ''].filter(Boolean);
  return { text: parts.join('\n\n') || r.description, markdown: md.join('\n\n') || r.description };
}

/** SARIF 2.1.0 for code scanning: rule descriptors from the policies' METADATA. */
export function formatSarif(result: ScanResult, rules: RuleDescriptor[], version: string): string {
  const known = [...rules];
  const index = (f: Finding) => {
    let i = known.findIndex((r) => r.id === f.ruleId);
    if (i < 0) i = known.push({ id: f.ruleId, title: f.ruleId, description: f.ruleId, severity: f.severity, links: [] }) - 1;
    return i;
  };
  const results = result.findings.map((f) => ({
    ruleId: f.ruleId,
    ruleIndex: index(f),
    level: LEVEL[f.severity] ?? 'warning',
    message: { text: f.message },
    locations: [{ ...location(f.file, f.line, f.column, f.endLine, f.endColumn), ...(f.resource ? { logicalLocations: [{ fullyQualifiedName: f.resource, kind: 'resource' }] } : {}) }],
    relatedLocations: f.trace.filter((t) => t.line > 0).map((t, id) => ({ id, ...location(t.file, t.line, t.column), message: { text: t.note } })),
    partialFingerprints: { 'tagguard/v1': fingerprint(f) },
    ...(f.suppression ? { suppressions: [{ kind: 'inSource', justification: f.suppression.reason ?? `${f.suppression.source} comment at ${f.suppression.file}:${f.suppression.line}` }] } : {}),
    properties: { root: f.root, ...(f.constructPath ? { constructPath: f.constructPath, stack: f.stack } : {}) },
  }));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tagguard',
            version,
            informationUri: 'https://github.com/tagguard/tagguard',
            rules: known.map((r) => ({
              id: r.id,
              name: r.id.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()),
              shortDescription: { text: r.title },
              fullDescription: { text: r.description },
              help: helpText(r),
              ...(r.links[0] ? { helpUri: r.links[0] } : {}),
              defaultConfiguration: { level: LEVEL[r.severity] ?? 'warning' },
              properties: { tags: ['security', 'containers', 'terraform'], ...(r.aliases?.length ? { aliases: r.aliases } : {}) },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { '%SRCROOT%': { uri: 'file:///' } },
        invocations: [
          {
            executionSuccessful: result.errors.length === 0,
            toolExecutionNotifications: result.errors.map((e) => ({ level: 'error', message: { text: e.message }, locations: [location(e.file, e.line, e.column)] })),
          },
        ],
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
