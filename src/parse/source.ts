/** A 1-based source range, as reported to users and policies. */
export interface Range {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** What stops part of a scan (a syntax error, an unreadable input, a policy that fails), with its place: line 0 when it is a whole file. */
export interface Problem {
  file: string;
  line: number;
  column: number;
  message: string;
}

const BOM = '\ufeff';

/**
 * A file's text with the byte order mark removed, so that offsets and columns
 * start at the first visible character. Columns count UTF-16 code units (as SARIF
 * and editors do); a CR before LF is part of the line break, not a column.
 */
export class SourceFile {
  readonly text: string;
  readonly hasBom: boolean;
  private lineStarts: number[] | undefined;

  constructor(
    readonly path: string,
    raw: string,
  ) {
    this.hasBom = raw.startsWith(BOM);
    this.text = this.hasBom ? raw.slice(1) : raw;
  }

  /** 1-based line and column of a text offset. */
  position(offset: number): { line: number; column: number } {
    const starts = this.starts();
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - starts[lo] + 1 };
  }

  range(start: number, end: number): Range {
    const a = this.position(start);
    const b = this.position(end);
    return { file: this.path, line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
  }

  /** The text offset of a 1-based line and column. */
  offset(line: number, column: number): number {
    return (this.starts()[line - 1] ?? this.text.length) + column - 1;
  }

  /** The line break this file uses. */
  get eol(): string {
    return this.text.includes('\r\n') ? '\r\n' : '\n';
  }

  /** The text of a 1-based line, without its line break. */
  lineText(line: number): string {
    const starts = this.starts();
    const start = starts[line - 1] ?? this.text.length;
    const next = starts[line] ?? this.text.length;
    return this.text.slice(start, next).replace(/\r?\n$/, '');
  }

  private starts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) starts.push(i + 1);
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }
}
