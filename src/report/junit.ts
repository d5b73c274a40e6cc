import { create } from 'xmlbuilder2';
import type { ScanResult } from '../cli/scan';

/**
 * JUnit XML: a test suite per root module with a test case per finding (a failure
 * for errors), and a suite "input" with a failing case per input error. Resources
 * that pass leave no finding, so they have no test case.
 */
export function formatJunit(result: ScanResult): string {
  const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', { name: 'tagguard', tests: result.findings.length + result.errors.length, failures: result.summary.errors, errors: result.errors.length });
  const byRoot = new Map<string, typeof result.findings>();
  for (const f of result.findings) byRoot.set(f.root || '.', [...(byRoot.get(f.root || '.') ?? []), f]);
  for (const [root, findings] of byRoot) {
    const suite = doc.ele('testsuite', { name: root, tests: findings.length, failures: findings.filter((f) => f.severity === 'error' && !f.suppression).length });
    for (const f of findings) {
      const test = suite.ele('testcase', { name: f.resource || `${f.file}:${f.line}`, classname: f.ruleId, file: f.file, line: f.line });
      if (f.suppression) test.ele('skipped', { message: f.suppression.reason ?? `suppressed by a ${f.suppression.source} comment` });
      else if (f.severity === 'error') test.ele('failure', { message: f.message, type: f.ruleId }).txt(`${f.file}:${f.line}:${f.column}\n${f.message}`);
      else test.ele('system-out').txt(`${f.severity}: ${f.file}:${f.line}:${f.column} ${f.message}`);
    }
  }
  if (result.errors.length) {
    const suite = doc.ele('testsuite', { name: 'input', tests: result.errors.length, errors: result.errors.length });
    for (const e of result.errors) suite.ele('testcase', { name: `${e.file}:${e.line}:${e.column}`, classname: 'input' }).ele('error', { message: e.message });
  }
  return doc.end({ prettyPrint: true }) + '\n';
}
