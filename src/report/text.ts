import { createColors } from 'picocolors';
import type { ScanResult } from '../cli/scan';
import type { SourceFile } from '../parse/source';
import type { Finding } from '../policy/findings';

export interface TextOptions {
  color: boolean;
}

/** The human report: one entry per finding with a code frame, then parse errors, then a summary line. */
export function formatText(result: ScanResult, options: TextOptions): string {
  const c = createColors(options.color);
  const out: string[] = [];
  for (const f of result.findings) {
    if (f.suppression) continue;
    const sev = f.severity === 'error' ? c.red('error') : c.yellow(f.severity);
    out.push(`${c.bold(`${f.file}:${f.line}:${f.column}`)}  ${sev}  ${c.cyan(f.resource)}  ${c.dim(`[${f.ruleId}]`)}`);
    out.push(`  ${f.message}`);
    if (f.constructPath) out.push(c.dim(`  construct ${f.constructPath}${f.stack ? ` in stack ${f.stack}` : ''}`));
    const frame = codeFrame(result, f);
    if (frame) out.push(indent(frame));
    for (const t of f.trace) out.push(c.dim(t.line > 0 ? `  via ${t.file}:${t.line}:${t.column}  ${t.note}` : `  via ${t.note}`));
    out.push('');
  }
  for (const e of result.errors) {
    const where = e.line > 0 ? `${e.file}:${e.line}:${e.column}` : e.file;
    out.push(`${c.bold(where)}  ${c.red('error')}  ${e.message}`);
    const source = result.sources.get(e.file);
    if (source && e.line > 0) out.push(indent(frame(source, e.line, e.column)));
    out.push('');
  }
  out.push(summaryLine(result, c));
  return out.join('\n') + '\n';
}

function codeFrame(result: ScanResult, f: Finding): string | undefined {
  const source = result.sources.get(f.file);
  if (!source || f.line < 1) return undefined;
  // A finding on a whole block marks its header line only.
  return frame(source, f.line, f.column, f.endLine === f.line ? f.endColumn : undefined);
}

/** Columns of a line shown around the marked column: a minified file or a long string must not flood the terminal. */
const WIDTH = 160;

/** The marked line with one line above and below, each cut to WIDTH columns around the mark. */
function frame(source: SourceFile, line: number, column: number, endColumn?: number): string {
  const lastLine = source.position(source.text.length).line;
  const from = Math.max(1, column - WIDTH / 2);
  const clip = (text: string) => (from > 1 ? '…' : '') + text.slice(from - 1, from - 1 + WIDTH) + (text.length > from - 1 + WIDTH ? '…' : '');
  const first = Math.max(1, line - 1);
  const lines: string[] = [];
  for (let n = first; n <= Math.min(lastLine, line + 1); n++) lines.push(clip(source.lineText(n)));
  // Lines before the window are left empty: the frame shows their numbers, not their text.
  const text = '\n'.repeat(first - 1) + lines.join('\n');
  const shift = from > 1 ? from - 2 : 0;
  const end = endColumn !== undefined ? { line, column: Math.min(endColumn - shift, WIDTH + 2) } : undefined;
  // Loaded only when there is something to show: a clean run does not pay for it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { codeFrameColumns } = require('@babel/code-frame') as typeof import('@babel/code-frame');
  return codeFrameColumns(text, { start: { line, column: column - shift }, ...(end ? { end } : {}) }, { highlightCode: false, linesAbove: 1, linesBelow: 1 });
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => '  ' + l)
    .join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summaryLine(result: ScanResult, c: ReturnType<typeof createColors>): string {
  const s = result.summary;
  const parts = [plural(s.errors, 'error'), plural(s.warnings, 'warning')];
  if (s.suppressed) parts.push(`${s.suppressed} suppressed`);
  let line = `${parts.join(', ')} in ${plural(s.files, 'file')} (${plural(s.resources, 'resource')} checked)`;
  if (result.errors.length > 0) line += `; ${plural(result.errors.length, 'problem')} reading input`;
  if (s.errors > 0 || result.errors.length > 0) return c.red(`✖ ${line}`);
  if (s.warnings > 0) return c.yellow(`⚠ ${line}`);
  return c.green(`✔ ${line}`);
}
