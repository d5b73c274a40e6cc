import type { ScanResult } from '../scan/types';
import { guardJson } from './escape';

/** design.md: the version-1 JSON report. Field order is part of the shape. */
export function formatJson(result: ScanResult): string {
  const report = {
    version: 1,
    findings: result.findings.map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      resource: f.resource,
      root: f.root,
      file: f.file,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      message: f.message,
      ...(f.messageId !== undefined ? { messageId: f.messageId } : {}),
      trace: f.trace,
      ...(f.variant !== undefined ? { variant: f.variant } : {}),
      ...(f.stack ? { stack: f.stack } : {}),
      ...(f.constructPath ? { constructPath: f.constructPath } : {}),
      ...(f.suppression ? { suppressed: true, suppression: f.suppression } : {}),
    })),
    errors: result.errors.map((e) => ({ file: e.file, line: e.line, column: e.column, message: e.message })),
    summary: result.summary,
  };
  return guardJson(JSON.stringify(report, null, 2)) + '\n';
}
