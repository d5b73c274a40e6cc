import { createColors } from 'picocolors';
import type { ScanResult } from '../scan/types';
import type { SourceFile } from '../parse/source';
import type { Finding } from '../policy/findings';
import { lazy } from '../lazy';
import { escapeControl, escapeInline, neutralizeCommands } from './escape';
import { groupByRoot } from './group';

// Loaded only when there is something to show: a clean run does not pay for it.
const loadCodeFrame = lazy<typeof import('@babel/code-frame')>(require, '@babel/code-frame');

export interface TextOptions {
  color: boolean;
  /** No summary line: a clean run prints nothing. */
  quiet?: boolean;
}

/**
 * The human report: one entry per finding with a code frame (a finding that several
 * roots reach once, with the roots named), then parse errors, then a summary line. Everything the scanned code controls is shown with its control
 * characters escaped, and no line of the report can be read as a CI command (escape.ts).
 * A frame is shown for the files in `result.sources`: the caller leaves out those
 * whose lines must not be shown.
 */
export function formatText(result: ScanResult, options: TextOptions): string {
  const c = createColors(options.color);
  const safe = escapeControl;
  const out: string[] = [];
  // A finding that several roots reach (a module both call) is shown once, naming the roots.
  for (const { finding: f, roots, trace } of groupByRoot(result.findings.filter((f) => !f.suppression))) {
    const sev = f.severity === 'error' ? c.red('error') : c.yellow(safe(f.severity));
    out.push(
      `${c.bold(`${safe(f.file)}:${f.line}:${f.column}`)}  ${sev}  ${c.cyan(safe(f.resource))}${f.variant !== undefined ? ` ${c.magenta(`[${safe(f.variant)}]`)}` : ''}  ${c.dim(`[${safe(f.ruleId)}]`)}`,
    );
    out.push(`  ${safe(f.message)}`);
    if (roots.length > 1) out.push(c.dim(`  roots: ${roots.map((r) => safe(r)).join(', ')}`));
    if (f.constructPath) out.push(c.dim(`  construct ${safe(f.constructPath)}${f.stack ? ` in stack ${safe(f.stack)}` : ''}`));
    const frame = codeFrame(result, f);
    if (frame) out.push(indent(frame));
    for (const t of trace)
      out.push(c.dim(t.line > 0 ? `  via ${safe(t.file)}:${t.line}:${t.column}  ${safe(t.note)}` : `  via ${safe(t.note)}`));
    out.push('');
  }
  for (const e of result.errors) {
    const where = e.line > 0 ? `${safe(e.file)}:${e.line}:${e.column}` : safe(e.file);
    out.push(`${c.bold(where)}  ${c.red('error')}  ${safe(e.message)}`);
    const source = result.sources.get(e.file);
    if (source && e.line > 0) out.push(indent(frame(source, e.line, e.column)));
    out.push('');
  }
  if (options.quiet) return neutralizeCommands(out.join('\n'));
  out.push(summaryLine(result, c));
  return neutralizeCommands(out.join('\n')) + '\n';
}

function codeFrame(result: ScanResult, f: Finding): string | undefined {
  const source = result.sources.get(f.file);
  if (!source || f.line < 1) return undefined;
  // A finding on a whole block marks its header line only.
  return frame(source, f.line, f.column, f.endLine === f.line ? f.endColumn : undefined);
}

/** Columns of a line shown around the marked column: a minified file or a long string must not flood the terminal. */
const WIDTH = 160;

/**
 * The marked line with one line above and below, each cut to WIDTH columns around the
 * mark, with control characters escaped (the mark moves with the text they lengthen).
 */
function frame(source: SourceFile, line: number, column: number, endColumn?: number): string {
  const lastLine = source.position(source.text.length).line;
  const start = Math.max(0, column - 1 - WIDTH / 2);
  const lead = start > 0 ? '…' : '';
  const clip = (text: string) => lead + escapeInline(text.slice(start, start + WIDTH)) + (text.length > start + WIDTH ? '…' : '');
  const first = Math.max(1, line - 1);
  const lines: string[] = [];
  for (let n = first; n <= Math.min(lastLine, line + 1); n++) lines.push(clip(source.lineText(n)));
  // Lines before the window are left empty: the frame shows their numbers, not their text.
  const text = '\n'.repeat(first - 1) + lines.join('\n');
  // The column in the shown line of the character at a column of the file's line.
  const marked = source.lineText(line);
  const shown = (col: number) =>
    lead.length +
    escapeInline(marked.slice(start, Math.max(start, col - 1))).length +
    Math.max(0, col - 1 - Math.max(start, marked.length)) +
    1;
  const end =
    endColumn !== undefined
      ? { line, column: Math.min(shown(endColumn), escapeInline(marked.slice(start, start + WIDTH)).length + 2) }
      : undefined;
  const { codeFrameColumns } = loadCodeFrame();
  return codeFrameColumns(
    text,
    { start: { line, column: shown(column) }, ...(end ? { end } : {}) },
    { highlightCode: false, linesAbove: 1, linesBelow: 1 },
  );
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
  if (s.baselined) parts.push(`${s.baselined} in the baseline`);
  let line = `${parts.join(', ')} in ${plural(s.files, 'file')} read (${plural(s.resources, 'resource')} checked)`;
  if (result.errors.length > 0) line += `; ${plural(result.errors.length, 'problem')} reading input`;
  if (s.errors > 0 || result.errors.length > 0) return c.red(`✖ ${line}`);
  if (s.warnings > 0) return c.yellow(`⚠ ${line}`);
  return c.green(`✔ ${line}`);
}
