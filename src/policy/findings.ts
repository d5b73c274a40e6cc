import type { Suppression } from './suppressions';
import type { ResourceInstance } from '../terraform/instances/module-tree';
import type { RawFinding } from './engine';
import type { TraceStep } from '../terraform/eval/value';

/** How much a finding counts: an error fails the scan (exit 1), a warning and a note do not. */
export type Severity = 'error' | 'warning' | 'note';

const SEVERITIES: ReadonlySet<unknown> = new Set<Severity>(['error', 'warning', 'note']);

/** Whether outside data (a custom rule's descriptor) names one of the three severities. */
export function isSeverity(value: unknown): value is Severity {
  return SEVERITIES.has(value);
}

export interface Finding {
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
  /** The key of the message in the rule's messages, as ESLint's messageId; custom policies may omit it. */
  messageId?: string;
  trace: TraceStep[];
  /** --each-var-file: the variables file the root was judged with, from the root's directory. */
  variant?: string;
  /** CDKTF synth output only. */
  stack?: string;
  constructPath?: string;
  /** Set when a comment in the source suppresses the finding: it is reported, but does not fail. */
  suppression?: Suppression;
}

/**
 * Policy results as findings. A policy names the object it objects to; where that
 * object has no location (an unknown with no origin), the resource block stands in.
 */
export function toFindings(raw: RawFinding[], resources: ResourceInstance[]): Finding[] {
  const byAddress = new Map(resources.map((r) => [resourceKey(r.root, r.address), r]));
  const findings = raw.map((f): Finding => {
    const resource = byAddress.get(resourceKey(f.root, f.resource));
    const at =
      f.location ??
      (resource && {
        file: resource.location.file,
        line: resource.location.line,
        column: resource.location.column,
        end_line: resource.location.endLine,
        end_column: resource.location.endColumn,
      });
    return {
      ruleId: f.ruleId,
      severity: f.severity,
      resource: f.resource,
      root: f.root,
      file: at?.file ?? '',
      line: at?.line ?? 0,
      column: at?.column ?? 0,
      endLine: at?.end_line ?? at?.line ?? 0,
      endColumn: at?.end_column ?? at?.column ?? 0,
      message: f.message,
      ...(f.messageId !== undefined ? { messageId: f.messageId } : {}),
      trace: f.trace,
      ...(resource?.variant !== undefined ? { variant: resource.variant } : {}),
      ...(resource?.stack ? { stack: resource.stack } : {}),
      ...(resource?.constructPath ? { constructPath: resource.constructPath } : {}),
    };
  });
  return findings.sort(compareFindings);
}

/** One resource instance of one root, as a map key: an address is unique only within its root. */
export function resourceKey(root: string, address: string): string {
  return `${root}\u0000${address}`;
}

/** Code-unit order: the same on every machine, and free of ICU's start-up (about 10 ms). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.file, b.file) ||
    a.line - b.line ||
    a.column - b.column ||
    compareText(a.resource, b.resource) ||
    compareText(a.message, b.message) ||
    compareText(a.variant ?? '', b.variant ?? '')
  );
}
