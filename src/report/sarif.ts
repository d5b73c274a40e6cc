import { pathToFileURL } from 'node:url';
import { packageJson } from '../package-root';
import type { Problem } from '../parse/source';
import type { ScanResult } from '../scan/types';
import type { RuleDescriptor } from '../policy/engine';
import type { Finding, Severity } from '../policy/findings';
import { guardJson } from './escape';
import { fingerprint } from './fingerprint';
import { groupByRoot } from './group';

export interface SarifOptions {
  /** tool.driver.version; default: the version in package.json. */
  version?: string;
  /** tool.driver.informationUri; default: package.json homepage, else the project's repository. */
  informationUri?: string;
  /**
   * The absolute directory that report paths are relative to (the scan's working
   * directory). When given, `%SRCROOT%` is declared in originalUriBaseIds so that a
   * viewer outside CI can resolve the files; left out by default, since code
   * scanning resolves `%SRCROOT%` to the checkout itself and an absolute path of
   * this machine does not belong in a report that is uploaded.
   */
  srcRoot?: string;
}

const SRCROOT = '%SRCROOT%';
const LEVEL = new Map<string, Severity>([
  ['error', 'error'],
  ['warning', 'warning'],
  ['note', 'note'],
]);
// A custom descriptor's severity is outside data: only the three levels map, anything else is a warning.
const level = (severity: string) => LEVEL.get(severity) ?? 'warning';

/** properties.tags of a rule whose METADATA declares none (custom.tags). */
export const DEFAULT_TAGS: readonly string[] = ['security', 'terraform', 'iac'];

/** The rule's own tags: a custom policy's descriptor is not validated, and SARIF wants unique strings. */
function tagsOf(r: RuleDescriptor): string[] {
  const declared: unknown = r.tags;
  if (!Array.isArray(declared)) return [...DEFAULT_TAGS];
  return [...new Set(declared.filter((t): t is string => typeof t === 'string' && t !== ''))];
}

/** Rules that tagguard itself reports (not from a policy), described here since no METADATA names them. */
const BUILT_IN: RuleDescriptor[] = [
  {
    id: 'suppression-comment',
    title: 'Suppression comments must be well-formed',
    description:
      'A suppression comment (tagguard:ignore, or one of checkov, trivy, tfsec or kics) has no reason or a date that is not YYYY-MM-DD.',
    severity: 'warning',
    links: [],
    recommended_action: 'Write the comment as # tagguard:ignore <rule> reason="why this resource may keep mutable tags" until=YYYY-MM-DD.',
  },
];

/**
 * Fingerprints that survive moved lines: the hash of rule id, root and resource
 * address (fingerprint.ts). A rule can report one resource more than once (one
 * finding per exclusion filter that leaves tags mutable, say); such findings would
 * share that hash, and code scanning and GitLab merge findings with the same
 * fingerprint, so those are told apart by their message (which names the filter,
 * never a line), and identical messages by their order. Findings with no resource
 * address fall back to file and line (fingerprint.ts).
 */
export function findingFingerprints(findings: readonly Finding[], algorithm: 'sha256' | 'md5'): string[] {
  const base = findings.map((f) => fingerprint(f, algorithm));
  const count = new Map<string, number>();
  for (const b of base) count.set(b, (count.get(b) ?? 0) + 1);
  const seen = new Map<string, number>();
  return findings.map((f, i) => {
    if (count.get(base[i]) === 1) return base[i];
    const key = `${base[i]}\u0000${f.message}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    return fingerprint({ ...f, resource: `${f.resource}\u0000${f.message}${n ? `\u0000${n}` : ''}` }, algorithm);
  });
}

/** A relative report path as a URI reference: each segment percent-encoded, `/` kept (a `#` or `?` in a name is not a fragment). */
function fileUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

interface Place {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

/** A SARIF region: 1-based; columns only where known, the end never before the start. */
function region(p: Place) {
  if (!(p.line > 0)) return undefined;
  const start = { startLine: p.line, ...(p.column > 0 ? { startColumn: p.column } : {}) };
  if (!p.endLine || p.endLine < p.line) return start;
  const sameLine = p.endLine === p.line;
  const endColumn = p.endColumn && p.column > 0 && (!sameLine || p.endColumn >= p.column) ? p.endColumn : undefined;
  return { ...start, endLine: p.endLine, ...(endColumn ? { endColumn } : {}) };
}

function physicalLocation(p: Place) {
  if (!p.file) return undefined;
  const r = region(p);
  return { artifactLocation: { uri: fileUri(p.file), uriBaseId: SRCROOT }, ...(r ? { region: r } : {}) };
}

/** The first of the texts that is not empty (a custom policy's descriptor may leave out its title and description, or leave them empty); '' when none is. */
function firstText(...texts: (string | undefined)[]): string {
  return texts.find((t) => t) ?? '';
}

function helpFor(r: RuleDescriptor): { text: string; markdown: string } {
  const text = [
    r.recommended_action,
    r.fix_hcl && `Fix (HCL):\n${r.fix_hcl}`,
    r.fix_cdktf && `Fix (CDKTF):\n${r.fix_cdktf}`,
    r.links.length ? `See:\n${r.links.join('\n')}` : '',
  ].filter(Boolean);
  const markdown = [
    r.description,
    r.recommended_action && `**Recommended action:** ${r.recommended_action}`,
    r.fix_hcl && `Terraform / OpenTofu:\n\n\`\`\`hcl\n${r.fix_hcl}\n\`\`\``,
    r.fix_cdktf && `CDKTF:\n\n\`\`\`ts\n${r.fix_cdktf}\n\`\`\``,
    r.aliases?.length ? `Also known as: ${r.aliases.map((a) => `\`${a}\``).join(', ')}` : '',
    r.links.length ? r.links.map((l) => `- <${l}>`).join('\n') : '',
  ].filter(Boolean);
  return { text: firstText(text.join('\n\n'), r.description, r.title, r.id), markdown: firstText(markdown.join('\n\n'), r.title, r.id) };
}

/** PascalCase of a rule id, as SARIF's reportingDescriptor.name suggests: ecr-tag-immutability → EcrTagImmutability. */
function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
}

function descriptor(r: RuleDescriptor) {
  return {
    id: r.id,
    name: ruleName(r.id) || r.id,
    shortDescription: { text: firstText(r.title, r.id) },
    fullDescription: { text: firstText(r.description, r.title, r.id) },
    help: helpFor(r),
    ...(r.links[0] ? { helpUri: r.links[0] } : {}),
    defaultConfiguration: { level: level(r.severity ?? 'warning') },
    properties: {
      tags: tagsOf(r),
      ...(r.aliases?.length ? { aliases: r.aliases } : {}),
      ...(r.source ? { source: r.source } : {}),
    },
  };
}

function notification(e: Problem) {
  const loc = physicalLocation(e);
  return { level: 'error' as const, message: { text: e.message }, ...(loc ? { locations: [{ physicalLocation: loc }] } : {}) };
}

function packageInfo(): { version: string; informationUri?: string } {
  const pkg = packageJson();
  return { version: pkg.version, ...(pkg.homepage ? { informationUri: pkg.homepage } : {}) };
}

/**
 * SARIF 2.1.0 for code scanning: one run, rule descriptors from the policies'
 * METADATA, a result per finding and location (suppressed ones marked, not left out) and the
 * input errors as tool execution notifications. `options` may be a version string
 * (the older call form).
 */
export function formatSarif(result: ScanResult, rules: RuleDescriptor[] = result.rules, options: SarifOptions | string = {}): string {
  const opts: SarifOptions = typeof options === 'string' ? { version: options } : options;
  const pkg = packageInfo();
  const known: RuleDescriptor[] = [...rules];
  const index = new Map(known.map((r, i) => [r.id, i]));
  const indexOf = (f: Finding): number => {
    let i = index.get(f.ruleId);
    if (i === undefined) {
      const builtIn = BUILT_IN.find((r) => r.id === f.ruleId);
      i = known.push(builtIn ?? { id: f.ruleId, title: f.ruleId, description: f.ruleId, severity: f.severity, links: [] }) - 1;
      index.set(f.ruleId, i);
    }
    return i;
  };
  const prints = new Map(findingFingerprints(result.findings, 'sha256').map((p, n) => [result.findings[n], p]));
  // One result per location: a finding that several roots reach (a module both call) is one
  // result naming the roots, with its first root's fingerprint, so that a single-root finding
  // keeps its fingerprint when it is one of several.
  const results = groupByRoot(result.findings).map(({ finding: f, roots, trace: steps }) => {
    const loc = physicalLocation(f);
    const trace = steps.map((t, id) => {
      const at = physicalLocation({ ...t, endLine: undefined });
      return { id, ...(at ? { physicalLocation: at } : {}), message: { text: t.note } };
    });
    return {
      ruleId: f.ruleId,
      ruleIndex: indexOf(f),
      level: level(f.severity),
      message: { text: f.message },
      ...(loc || f.resource
        ? {
            locations: [
              {
                ...(loc ? { physicalLocation: loc } : {}),
                ...(f.resource ? { logicalLocations: [{ fullyQualifiedName: f.resource, kind: 'resource' }] } : {}),
              },
            ],
          }
        : {}),
      ...(trace.length ? { relatedLocations: trace } : {}),
      partialFingerprints: { 'tagguard/v1': prints.get(f) ?? '' },
      ...(f.suppression
        ? {
            suppressions: [
              {
                kind: 'inSource',
                justification: f.suppression.reason ?? `${f.suppression.source} comment at ${f.suppression.file}:${f.suppression.line}`,
              },
            ],
          }
        : {}),
      // message.id would reference the rule's messageStrings, which the descriptors do not carry.
      properties: {
        root: f.root,
        ...(roots.length > 1 ? { roots } : {}),
        ...(f.variant !== undefined ? { variant: f.variant } : {}),
        ...(f.messageId !== undefined ? { messageId: f.messageId } : {}),
        ...(f.stack ? { stack: f.stack } : {}),
        ...(f.constructPath ? { constructPath: f.constructPath } : {}),
      },
    };
  });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tagguard',
            version: opts.version ?? pkg.version,
            // The project's home when package.json names one; no placeholder.
            ...((opts.informationUri ?? pkg.informationUri) ? { informationUri: opts.informationUri ?? pkg.informationUri } : {}),
            rules: known.map(descriptor),
          },
        },
        ...(opts.srcRoot ? { originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(opts.srcRoot).href.replace(/\/?$/, '/') } } } : {}),
        invocations: [
          {
            executionSuccessful: result.errors.length === 0,
            ...(result.errors.length ? { toolExecutionNotifications: result.errors.map(notification) } : {}),
          },
        ],
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return guardJson(JSON.stringify(sarif, null, 2)) + '\n';
}
