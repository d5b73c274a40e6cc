/**
 * Text that the scanned code controls (file names, values, messages, module sources,
 * rule titles, config keys), made safe to show to the person or the CI system that
 * reads tagguard's output. Two readers act on what they are shown:
 *
 * - a terminal acts on control characters: ESC starts a colour or moves the cursor,
 *   CR goes back over the line, C1 codes (U+009B is a CSI) do the same on some
 *   terminals, and the bidirectional controls reorder what is displayed;
 * - a CI runner reads commands from its steps' output, stdout and stderr alike:
 *   GitHub Actions a line that starts with `::` after white space, and `##[command]`
 *   anywhere in a line (actions/runner ActionCommand.TryParseV2 and TryParse), Azure
 *   Pipelines `##vso[`, TeamCity `##teamcity[`. A runner splits lines at CR as at LF.
 *
 * Every output goes through this file: text and stderr in tagguard's own notation
 * (`\x1b`, `\n`, `\u2028`), JSON with JSON escapes and XML with character references,
 * so that those reports still parse to the same values. Tab is left as it is.
 */

// Matching control characters is what these expressions are for.
/* eslint-disable no-control-regex -- the characters a terminal or a CI runner acts on are control characters */
/** C0 but tab, DEL, C1, the line and paragraph separators and the bidirectional marks, embeddings, overrides and isolates. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same, but LF and a CR directly before it: the line breaks of a text that has several lines (a diff, git's stderr). */
const CONTROL_BUT_LINE_BREAKS =
  /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/* eslint-enable no-control-regex */
/** What JSON.stringify leaves as it is and a terminal acts on: DEL, C1, the separators and the bidirectional controls. */
const JSON_RAW_CONTROL = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** CR (a line break to a runner; XML parsers would turn it into LF) and what JSON_RAW_CONTROL names; xmlbuilder2 replaces the other C0 codes. */
const XML_RAW_CONTROL = /[\r\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** `##[`, `##vso[`, `##teamcity[`: a command anywhere in a line. */
const HASH_COMMAND = /(##[A-Za-z]*)\[/g;
/** `::` at the start of a line after the white space .NET's TrimStart removes (a superset: JavaScript's \s, and NEL). */
const LINE_COMMAND = /^([\t\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]*):(?=:)/gm;

const hex = (c: string, digits: number) => c.charCodeAt(0).toString(16).padStart(digits, '0');

function textEscape(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  return c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`;
}

/**
 * A value as one line of text: every control character (but tab) written as an escape,
 * `\x1b`, `\n`, `\r`, `\u2028`. With `keepLineBreaks`, LF and CRLF stay line breaks
 * (a text of several lines: a diff, a list of config errors); a lone CR does not.
 */
export function escapeControl(text: string, options: { keepLineBreaks?: boolean } = {}): string {
  return text.replace(options.keepLineBreaks ? CONTROL_BUT_LINE_BREAKS : CONTROL, textEscape);
}

/**
 * Text whose line breaks are tagguard's own (a report, a message), with the CI
 * commands in it made inert: a `::` that starts a line becomes `\x3a:`, and the `[`
 * of `##[`, `##vso[` and `##teamcity[` becomes `\x5b`. Control characters must
 * already be escaped (escapeControl), or the line breaks are not tagguard's.
 */
export function neutralizeCommands(text: string): string {
  return text.replace(HASH_COMMAND, '$1\\x5b').replace(LINE_COMMAND, '$1\\x3a');
}

/** A line of text inside a line tagguard starts (a code frame's source line): controls escaped and `##[` made inert. */
export function escapeInline(text: string): string {
  return escapeControl(text).replace(HASH_COMMAND, '$1\\x5b');
}

/**
 * A message for stderr or a terminal: control characters escaped and CI commands
 * made inert. A message of one line (a note, a file name) keeps no line break; one of
 * several lines by design (config errors, git's stderr) passes `keepLineBreaks`.
 */
export function forTerminal(text: string, options: { keepLineBreaks?: boolean } = {}): string {
  return neutralizeCommands(escapeControl(text, options));
}

/**
 * A JSON document (json, sarif, gitlab) as it is written: the characters JSON.stringify
 * leaves raw that a terminal acts on, and the `[` of `##[`, as \u escapes. Both occur
 * only inside strings, so the document parses to the same values; no line of
 * pretty-printed JSON can start with `::`.
 */
export function guardJson(json: string): string {
  return json.replace(JSON_RAW_CONTROL, (c) => `\\u${hex(c, 4)}`).replace(HASH_COMMAND, '$1\\u005b');
}

/**
 * An XML document (junit) as it is written: CR, C1 and the separators as character
 * references, `##[` as `##&#91;`, and a line of text content that starts with `::`
 * as `&#58;:`. It parses to the same text; it must hold no CDATA section or comment.
 */
export function guardXml(xml: string): string {
  return xml
    .replace(XML_RAW_CONTROL, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`)
    .replace(HASH_COMMAND, '$1&#91;')
    .replace(LINE_COMMAND, '$1&#58;');
}

/** ASCII punctuation: CommonMark lets a backslash escape any of it. */
const MARKDOWN_PUNCTUATION = /[!-/:-@[-`{-~]/g;
const MARKDOWN_ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * A value as text inside a line of Markdown (a cell of a GitHub-flavoured table):
 * control characters escaped (escapeControl, so no line break ends the row), `&`, `<`
 * and `>` as entities (no HTML), and every other ASCII punctuation character
 * backslash-escaped, so that the value renders as the characters it holds: no
 * emphasis, link, image, code, heading, cell boundary (`|`), autolink (`www.`,
 * `https:`), emoji shortcode or CI command (`::`, `##[`).
 */
export function escapeMarkdown(text: string): string {
  return escapeControl(text).replace(MARKDOWN_PUNCTUATION, (c) => MARKDOWN_ENTITY[c] ?? `\\${c}`);
}
