import { create } from 'xmlbuilder2';
import type { ScanResult } from '../scan/types';
import type { RuleDescriptor } from '../policy/engine';
import { compareText } from '../policy/findings';
import { guardXml } from './escape';
import { groupByRoot, type FindingGroup } from './group';

export interface JunitOptions {
  /** The name of the <testsuites> element (default: tagguard). */
  name?: string;
}

/** The suite that holds input errors (parse errors, missing paths, unreadable plans or policies). */
export const INPUT_SUITE = 'input';

const where = (file: string, line: number, column: number) => (line > 0 ? `${file}:${line}:${column}` : file);

/** The root a suite names: `.` for the working directory. */
const rootName = (root: string) => root || '.';

function failureText({ finding: f, roots, trace }: FindingGroup, rule: RuleDescriptor | undefined): string {
  const lines = [`${where(f.file, f.line, f.column)}  ${f.resource}`, f.message];
  if (f.variant !== undefined) lines.push(`variant: ${f.variant}`);
  if (roots.length > 1) lines.push(`roots: ${roots.map(rootName).join(', ')}`);
  for (const t of trace) lines.push(t.line > 0 ? `  via ${where(t.file, t.line, t.column)}  ${t.note}` : `  via ${t.note}`);
  if (rule?.recommended_action) lines.push('', rule.recommended_action);
  if (rule?.links[0]) lines.push(rule.links[0]);
  return lines.join('\n');
}

/**
 * JUnit XML: a <testsuite> per root module with a <testcase> per finding (name: the
 * resource address, and the variant with --each-var-file; classname: the rule id), a
 * <failure> for each error-severity finding, <skipped> for a suppressed one; warnings
 * and notes pass with the message in <system-out>. A finding that several roots reach
 * (a module both call) is one case, in a suite named by those roots ("envs/dev,
 * envs/prod"), its text naming them; each variant stays a case of its own. Input
 * errors go to a last suite, "input", as <error> cases.
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
  const failed = ({ finding: f }: FindingGroup) => f.severity === 'error' && !f.suppression;
  const skipped = ({ finding: f }: FindingGroup) => f.suppression !== undefined;
  const groups = groupByRoot(result.findings);
  const byRoots = new Map<string, FindingGroup[]>();
  for (const g of groups) {
    const roots = g.roots.map(rootName).join(', ');
    byRoots.set(roots, [...(byRoots.get(roots) ?? []), g]);
  }
  const doc = create({ version: '1.0', encoding: 'UTF-8', invalidCharReplacement: '\uFFFD' });
  const all = doc.ele('testsuites', {
    name: options.name ?? 'tagguard',
    tests: groups.length + result.errors.length,
    failures: groups.filter(failed).length,
    errors: result.errors.length,
    skipped: groups.filter(skipped).length,
  });
  for (const [roots, cases] of [...byRoots].sort(([a], [b]) => compareText(a, b))) {
    const suite = all.ele('testsuite', {
      name: roots,
      tests: cases.length,
      failures: cases.filter(failed).length,
      errors: 0,
      skipped: cases.filter(skipped).length,
    });
    for (const g of cases) addCase(suite, g, ruleById.get(g.finding.ruleId));
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

function addCase(suite: ReturnType<typeof create>, group: FindingGroup, rule: RuleDescriptor | undefined): void {
  const f = group.finding;
  const name = f.resource || where(f.file, f.line, f.column);
  const test = suite.ele('testcase', {
    name: f.variant !== undefined ? `${name} [${f.variant}]` : name,
    classname: f.ruleId,
    file: f.file,
    line: f.line,
  });
  if (f.suppression)
    test.ele('skipped', {
      message: f.suppression.reason ?? `suppressed by a ${f.suppression.source} comment at ${f.suppression.file}:${f.suppression.line}`,
    });
  else if (f.severity === 'error') {
    const roots = group.roots.length > 1 ? ` (roots: ${group.roots.map(rootName).join(', ')})` : '';
    test.ele('failure', { message: `${f.message}${roots}`, type: f.ruleId }).txt(failureText(group, rule));
  } else test.ele('system-out').txt(`${f.severity}: ${failureText(group, rule)}`);
}
