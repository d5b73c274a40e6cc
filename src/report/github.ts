import type { ScanResult } from '../cli/scan';

const COMMAND: Record<string, string> = { error: 'error', warning: 'warning', note: 'notice' };

/** GitHub's escaping: data loses %, CR and LF; properties also : and ,. */
const data = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const property = (s: string) => data(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub Actions workflow commands: one annotation per finding and per input error. */
export function formatGithub(result: ScanResult): string {
  const lines = result.findings
    .filter((f) => !f.suppression)
    .map((f) => {
      const props = [`file=${property(f.file)}`, `line=${f.line}`, `col=${f.column}`, `endLine=${f.endLine}`, `endColumn=${f.endColumn}`, `title=${property(`${f.ruleId}: ${f.resource}`)}`];
      return `::${COMMAND[f.severity] ?? 'warning'} ${props.join(',')}::${data(f.message)}`;
    });
  for (const e of result.errors) lines.push(`::error file=${property(e.file)}${e.line > 0 ? `,line=${e.line},col=${e.column}` : ''},title=tagguard::${data(e.message)}`);
  return lines.join('\n') + (lines.length ? '\n' : '');
}
