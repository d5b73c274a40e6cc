import { create } from 'xmlbuilder2';
import type { ScanResult } from '../scan/types';
import type { RuleDescriptor } from '../policy/engine';
import { compareText, type Finding } from '../policy/findings';
import { guardXml } from './escape';

export interface JunitOptions {
  /** The name of the <testsuites> element (default: tagguard). */
  name?: string;
}

/** The suite that holds input errors (parse errors, missing paths, unreadable plans or policies). */
export const INPUT_SUITE = 'input';

const where = (file: string, line: number, column: number) => (line > 0 ? `${file}:${line}:${column}` : file);

function failureText(f: Finding, rule: RuleDescriptor | undefined): string {
  const lines = [`${where(f.file, f.line, f.column)}  ${f.resource}`, f.message];
  for (const t of f.trace) lines.push(t.line > 0 ? `  via ${where(t.file, t.line, t.column)}  ${t.note}` : `  via ${t.note}`);
  if (rule?.recommended_action) lines.push('', rule.recommended_action);
  if (rule?.links[0]) lines.push(rule.links[0]);
  return lines.join('\n');
}

/**
 * JUnit XML: a <testsuite> per root module with a <testcase> per finding (name: the
 * resource address, classname: the rule id), a <failure> for each error-severity
 * finding, <skipped> for a suppressed one; warnings and notes pass with the message
 * in <system-out>. Input errors go to a last suite, "input", as <error> cases.
 *
 * Only findings become test cases: ScanResult carries no record of which rule
 * passed which resource (a resource that passes simply yields no finding), so
 * passing checks are not listed and `tests` counts findings, not checks.
 *
 * XML escaping, including characters XML 1.0 cannot carry at all (control
 * characters, which a Terraform string could hold), is left to xmlbuilder2; CI
 * commands in the text (a line that starts with `::`, `##[`) are made inert (escape.ts).
 */
export function formatJunit(result: ScanResult, rules: RuleDescriptor[] = result.rules, options: JunitOptions = {}): string {
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  const failed = (f: Finding) => f.severity === 'error' && !f.suppression;
  const byRoot = new Map<string, Finding[]>();
  for (const f of result.findings) {
    const root = f.root || '.';
    byRoot.set(root, [...(byRoot.get(root) ?? []), f]);
  }
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\uFFFD' });
  const all = doc.ele('testsuites', {
    name: options.name ?? 'tagguard',
    tests: result.findings.length + result.errors.length,
    failures: result.findings.filter(failed).length,
    errors: result.errors.length,
    skipped: result.findings.filter((f) => f.suppression).length,
  });
  for (const [root, findings] of [...byRoot].sort(([a], [b]) => compareText(a, b))) {
    const suite = all.ele('testsuite', {
      name: root,
      tests: findings.length,
      failures: findings.filter(failed).length,
      errors: 0,
      skipped: findings.filter((f) => f.suppression).length,
    });
    for (const f of findings) addCase(suite, f, ruleById.get(f.ruleId));
  }
  if (result.errors.length) {
    const suite = all.ele('testsuite', { name: INPUT_SUITE, tests: result.errors.length, errors: result.errors.length });
    for (const e of result.errors) {
      suite
        .ele('testcase', { name: where(e.file, e.line, e.column), classname: INPUT_SUITE })
        .ele('error', { message: e.message, type: 'input-error' })
        .txt(`${where(e.file, e.line, e.column)}\n${e.message}`);
    }
  }
  return guardXml(doc.end({ prettyPrint: true })) + '\n';
}

function addCase(suite: ReturnType<typeof create>, f: Finding, rule: RuleDescriptor | undefined): void {
  const test = suite.ele('testcase', {
    name: f.resource || where(f.file, f.line, f.column),
    classname: f.ruleId,
    file: f.file,
    line: f.line,
  });
  if (f.suppression)
    test.ele('skipped', {
      message: f.suppression.reason ?? `suppressed by a ${f.suppression.source} comment at ${f.suppression.file}:${f.suppression.line}`,
    });
  else if (f.severity === 'error') test.ele('failure', { message: f.message, type: f.ruleId }).txt(failureText(f, rule));
  else test.ele('system-out').txt(`${f.severity}: ${failureText(f, rule)}`);
}
