import type { ScanResult } from '../scan/types';
import type { RuleDescriptor } from '../policy/engine';
import { groupByRoot } from './group';
import type { Finding } from '../policy/findings';

const COMMAND: Record<string, string> = { error: 'error', warning: 'warning', note: 'notice' };

/** GitHub's escaping of a command's message: %, CR and LF. */
export const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
/** GitHub's escaping of a property value: as the message, and also : and , (they delimit properties). */
export const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/**
 * The position properties of an annotation. GitHub takes col and endColumn only when
 * the annotation starts and ends on one line, so a finding on a whole block gets
 * its lines alone.
 */
function position(f: Pick<Finding, 'line' | 'column' | 'endLine' | 'endColumn'>): string[] {
  if (!(f.line > 0)) return [];
  const endLine = f.endLine >= f.line ? f.endLine : f.line;
  const props = [`line=${f.line}`];
  if (endLine !== f.line) return [...props, `endLine=${endLine}`];
  if (f.column > 0) props.push(`col=${f.column}`);
  props.push(`endLine=${endLine}`);
  if (f.column > 0 && f.endColumn >= f.column) props.push(`endColumn=${f.endColumn}`);
  return props;
}

function command(kind: string, props: string[], message: string): string {
  return `::${kind}${props.length ? ` ${props.join(',')}` : ''}::${escapeData(message)}`;
}

/**
 * GitHub Actions workflow commands: an annotation per finding (error, warning or
 * notice by severity; suppressed findings are left out) and an error per input
 * error. `rules` is accepted for the formatters' common signature.
 */
export function formatGithub(result: ScanResult, _rules: RuleDescriptor[] = result.rules): string {
  // A finding that several roots reach is one annotation, naming them (as the text report does).
  const lines = groupByRoot(result.findings.filter((f) => !f.suppression)).map(({ finding: f, roots }) => {
    const title = f.resource ? `${f.ruleId}: ${f.resource}` : f.ruleId;
    const props = [
      ...(f.file ? [`file=${escapeProperty(f.file)}`, ...position(f)] : []),
      `title=${escapeProperty(roots.length > 1 ? `${title} (roots: ${roots.join(', ')})` : title)}`,
    ];
    // A custom policy's severity is any string: `constructor` must not name a property of Object.prototype.
    return command(Object.hasOwn(COMMAND, f.severity) ? COMMAND[f.severity] : 'warning', props, f.message);
  });
  for (const e of result.errors) {
    const props = [
      ...(e.file
        ? [`file=${escapeProperty(e.file)}`, ...(e.line > 0 ? [`line=${e.line}`, ...(e.column > 0 ? [`col=${e.column}`] : [])] : [])]
        : []),
      'title=tagguard',
    ];
    lines.push(command('error', props, e.message));
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}
