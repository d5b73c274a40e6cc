import type { Range } from './source';
import type { Expr, TemplateDirective, TemplatePart } from './syntax';

/**
 * Templates as HCL reads them (hclsyntax/parser_template.go): first a flat list of
 * tokens, on which `~` strip markers and `<<-` indentation act, then a tree of `%{if}`
 * and `%{for}` directives. Strip markers act on one scanner token, which is why the
 * literal text is cut where HCL's scanner cuts it.
 */
export type TemplateToken = TextToken | SequenceToken;

/** Literal text, decoded; start and end are offsets of its raw text. */
export interface TextToken {
  kind: 'text';
  text: string;
  raw: string;
  start: number;
  end: number;
}

/** `${…}` and the directive markers, each with its `~` on the left (before) and on the right (after). */
export type SequenceToken = { strip: { before: boolean; after: boolean }; start: number; end: number } & (
  | { kind: 'interpolation'; expr: Expr }
  | { kind: 'if'; condition: Expr }
  | { kind: 'for'; keyVar?: string; valueVar: string; collection: Expr }
  | { kind: 'else' | 'endif' | 'endfor' }
);

/**
 * HCL's literal tokens of raw template text. Every `$` or `%` that starts no sequence is
 * a token of its own (`$${` and `%%{` are one); in a heredoc (and a bare template) a
 * token also ends after each newline.
 */
export function textTokens(raw: string, offset: number, heredoc: boolean, decode: (raw: string) => string): TextToken[] {
  const pattern = heredoc ? /\$\$\{~?|%%\{~?|[$%]|[^$%\n]*\n|[^$%\n]+/g : /\$\$\{~?|%%\{~?|[$%]|(?:\\[\s\S]|[^$%\\])+/g;
  return Array.from(raw.matchAll(pattern), (m) => {
    const start = offset + m.index;
    return { kind: 'text', text: decode(m[0]), raw: m[0], start, end: start + m[0].length };
  });
}

/** Go's unicode.IsSpace, which HCL trims with. */
const SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const LEADING = new RegExp(`^${SPACE}+`);
const TRAILING = new RegExp(`${SPACE}+$`);
/** Raw whitespace, as characters or as the escapes a quoted string writes it with. */
const RAW_LEADING = new RegExp(`^(?:${SPACE}|\\\\[ntr])+`);
const RAW_TRAILING = new RegExp(`(?:${SPACE}|\\\\[ntr])+$`);

/** `~` after `${`/`%{` trims the text token before; `~` before `}` trims the one after. */
export function applyStripMarkers(tokens: TemplateToken[]): void {
  tokens.forEach((t, i) => {
    if (t.kind === 'text') return;
    const before = i > 0 ? tokens[i - 1] : undefined;
    const after = tokens.at(i + 1);
    if (t.strip.before && before?.kind === 'text') trimEnd(before);
    if (t.strip.after && after?.kind === 'text') trimStart(after);
  });
}

function trimStart(t: TextToken): void {
  const cut = LEADING.exec(t.text)?.[0].length ?? 0;
  if (cut === 0) return;
  t.text = t.text.slice(cut);
  t.start = Math.min(t.end, t.start + (RAW_LEADING.exec(t.raw)?.[0].length ?? 0));
}

function trimEnd(t: TextToken): void {
  const cut = TRAILING.exec(t.text)?.[0].length ?? 0;
  if (cut === 0) return;
  t.text = t.text.slice(0, t.text.length - cut);
  t.end = Math.max(t.start, t.end - (RAW_TRAILING.exec(t.raw)?.[0].length ?? 0));
}

/**
 * `<<-`: the line-leading text tokens lose the smallest indentation among them. A line
 * that begins with `${` or `%{` has none; a blank line does not count. As in HCL, this
 * acts on the tokens after strip markers, so interpolated text never changes it.
 */
export function flushIndentation(tokens: TemplateToken[]): void {
  let least = Infinity;
  let lineStart = true;
  const adjust: TextToken[] = [];
  for (const t of tokens) {
    if (lineStart) {
      lineStart = false;
      let spaces = 0;
      if (t.kind === 'text') {
        const lead = LEADING.exec(t.text)?.[0] ?? '';
        if (lead === t.text && t.text.endsWith('\n')) spaces = Infinity;
        else {
          spaces = Array.from(lead).length;
          adjust.push(t);
        }
      }
      least = Math.min(least, spaces);
    }
    if (t.kind === 'text' && t.text.endsWith('\n')) lineStart = true;
  }
  if (!Number.isFinite(least) || least === 0) return;
  for (const t of adjust) {
    const cut = Array.from(t.text).slice(0, least).join('').length;
    t.text = t.text.slice(cut);
    t.start += cut;
  }
}

/** Adjacent text tokens become one. */
export function meld(tokens: TemplateToken[]): TemplateToken[] {
  const out: TemplateToken[] = [];
  for (const t of tokens) {
    const last = out.at(-1);
    if (t.kind === 'text' && last?.kind === 'text')
      out[out.length - 1] = { ...last, text: last.text + t.text, raw: last.raw + t.raw, end: t.end };
    else out.push(t.kind === 'text' ? { ...t } : t);
  }
  return out;
}

/** Directives that do not pair up; the grammar rejects these, so this is only a safeguard. */
export class UnbalancedTemplate extends Error {}

/**
 * The parts of a template (text, interpolations, and directives with their branches), and
 * where each text part is written (by its index; undefined for the other parts).
 */
export function templatePartsAt(
  tokens: TemplateToken[],
  range: (start: number, end: number) => Range,
): { parts: TemplatePart[]; textRanges: (Range | undefined)[] } {
  const reader = new DirectiveReader(tokens, range);
  const { parts, textRanges } = reader.sequence(new Set());
  if (reader.at < tokens.length) throw new UnbalancedTemplate();
  return { parts, textRanges };
}

class DirectiveReader {
  at = 0;

  constructor(
    private readonly tokens: TemplateToken[],
    private readonly range: (start: number, end: number) => Range,
  ) {}

  /** Parts up to (not including) a marker in `stop`, with the offsets they span. */
  sequence(stop: ReadonlySet<string>): { parts: TemplatePart[]; textRanges: (Range | undefined)[]; start?: number; end?: number } {
    const parts: TemplatePart[] = [];
    const textRanges: (Range | undefined)[] = [];
    let start: number | undefined;
    let end: number | undefined;
    for (let t = this.tokens.at(this.at); t && !stop.has(t.kind); t = this.tokens.at(this.at)) {
      start ??= t.start;
      if (t.kind === 'text') {
        textRanges[parts.length] = this.range(t.start, t.end);
        parts.push(t.text);
      } else if (t.kind === 'interpolation') parts.push(t.expr);
      else if (t.kind === 'if' || t.kind === 'for') {
        parts.push(t.kind === 'if' ? this.ifDirective() : this.forDirective());
        end = this.tokens[this.at - 1].end;
        continue;
      } else throw new UnbalancedTemplate();
      end = t.end;
      this.at++;
    }
    return { parts, textRanges, start, end };
  }

  private ifDirective(): TemplateDirective {
    const open = this.tokens[this.at++] as Extract<SequenceToken, { kind: 'if' }>;
    const then = this.sequence(new Set(['else', 'endif']));
    const otherwise =
      this.tokens[this.at]?.kind === 'else' ? (this.at++, this.sequence(new Set(['endif']))) : { parts: [], textRanges: [] };
    const close = this.close('endif');
    return {
      kind: 'template-if',
      condition: open.condition,
      then: this.branch(then, open.end),
      otherwise: this.branch(otherwise, close.start),
      range: this.range(open.start, close.end),
    };
  }

  private forDirective(): TemplateDirective {
    const open = this.tokens[this.at++] as Extract<SequenceToken, { kind: 'for' }>;
    const body = this.sequence(new Set(['endfor']));
    const close = this.close('endfor');
    const names = open.keyVar ? { keyVar: open.keyVar } : {};
    return {
      kind: 'template-for',
      ...names,
      valueVar: open.valueVar,
      collection: open.collection,
      body: this.branch(body, open.end),
      range: this.range(open.start, close.end),
    };
  }

  private close(kind: 'endif' | 'endfor'): TemplateToken {
    const close = this.tokens.at(this.at);
    if (close?.kind !== kind) throw new UnbalancedTemplate();
    this.at++;
    return close;
  }

  /** A branch as a template of its own; one piece of text is a literal, reported where it is written. */
  private branch(seq: { parts: TemplatePart[]; textRanges: (Range | undefined)[]; start?: number; end?: number }, empty: number): Expr {
    const range = seq.start === undefined || seq.end === undefined ? this.range(empty, empty) : this.range(seq.start, seq.end);
    if (seq.parts.length === 0) return { kind: 'literal', value: '', range };
    if (seq.parts.length === 1 && typeof seq.parts[0] === 'string') return { kind: 'literal', value: seq.parts[0], range };
    return { kind: 'template', parts: seq.parts, range, textRanges: seq.textRanges };
  }
}
