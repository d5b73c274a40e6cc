import type { ScanResult } from '../scan/types';
import { groupByRoot } from './group';
import { escapeMarkdown } from './escape';

const where = (file: string, line: number) => (line > 0 ? `${file}:${line}` : file);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const cell = (text: string) => (text ? escapeMarkdown(text) : ' ');

/**
 * GitHub-flavoured Markdown for a CI job summary ($GITHUB_STEP_SUMMARY) or a merge
 * request comment: a heading, a line of counts, a table of the findings (severity,
 * rule, resource, file:line, message; suppressed ones left out, as in the
 * annotations) and a line per input error. Everything the scanned code controls is
 * escaped (escapeMarkdown): it renders as text, never as Markdown or HTML.
 */
export function formatMarkdown(result: ScanResult): string {
  const s = result.summary;
  const shown = result.findings.filter((f) => !f.suppression);
  const counts = [plural(s.errors, 'error'), plural(s.warnings, 'warning')];
  if (s.suppressed) counts.push(`${s.suppressed} suppressed`);
  let summary = `${counts.join(', ')} in ${plural(s.files, 'file')} read (${plural(s.resources, 'resource')} checked)`;
  if (result.errors.length) summary += `; ${plural(result.errors.length, 'problem')} reading input`;
  const mark = s.errors > 0 || result.errors.length > 0 ? '❌' : s.warnings > 0 ? '⚠️' : '✅';
  const lines = ['## tagguard', '', `${mark} ${summary}`, ''];
  if (shown.length) {
    lines.push('| Severity | Rule | Resource | Location | Message |', '| --- | --- | --- | --- | --- |');
    // A finding that several roots reach is one row, naming them (as the text report does).
    for (const { finding: f, roots } of groupByRoot(shown)) {
      const resource = roots.length > 1 ? `${f.resource} (roots: ${roots.join(', ')})` : f.resource;
      lines.push(`| ${cell(f.severity)} | ${cell(f.ruleId)} | ${cell(resource)} | ${cell(where(f.file, f.line))} | ${cell(f.message)} |`);
    }
    lines.push('');
  }
  if (result.errors.length) {
    lines.push('**Input errors** (the scan is incomplete):', '');
    for (const e of result.errors)
      lines.push(`- ${e.file ? `${escapeMarkdown(where(e.file, e.line))}: ` : ''}${escapeMarkdown(e.message)}`);
    lines.push('');
  }
  return lines.join('\n');
}
