import { Matcher, RE2JS, RE2JSException, RE2JSSyntaxException } from 're2js';

/**
 * Terraform's regex, regexall and replace with a /pattern/ use Go's regexp package: RE2
 * syntax (POSIX classes such as [[:lower:]], \pL, flags anywhere as in a(?i)b, named
 * groups (?P<name>…)), leftmost-first matches, and time linear in the input, so no
 * pattern can hang a scan. re2js is a port of RE2/J, itself a port of Go's regexp;
 * what is Go's own is written here: how successive matches are found (an empty match
 * right after a match is skipped), how replace expands $1, ${name} and $$, and the
 * error messages. Offsets are UTF-16 units, advanced a code point at a time where Go
 * advances a UTF-8 character.
 */

/** A pattern Go rejects; the message is Terraform's for the function that compiled it. */
export class PatternError extends Error {}

/** The groups of one match: index 0 the whole match; undefined for a group that took no part. */
export type Groups = (string | undefined)[];

export interface Pattern {
  readonly re: RE2JS;
  /** The name of each group from 1 ('' for an unnamed one), as Go's SubexpNames. */
  readonly names: string[];
}

/**
 * Compiles a pattern as Go's regexp.Compile does. `style` chooses the message: regex and
 * regexall say "invalid regexp pattern: <problem> in <text>", replace passes on Go's error.
 */
export function compilePattern(source: string, style: 'regex' | 'replace'): Pattern {
  let re: RE2JS;
  try {
    re = RE2JS.compile(source);
  } catch (e) {
    if (!(e instanceof RE2JSException)) throw e;
    if (style === 'regex' && e instanceof RE2JSSyntaxException)
      throw new PatternError(`invalid regexp pattern: ${e.error} in ${e.input ?? ''}`);
    throw new PatternError(style === 'regex' ? `error parsing pattern: ${e.message}` : e.message);
  }
  const names = Array.from({ length: re.groupCount() }, () => '');
  for (const [name, index] of Object.entries(re.namedGroups())) names[index - 1] = name;
  return { re, names };
}

/** The match starting leftmost in `s`, as Go's FindStringSubmatch; undefined when nothing matches. */
export function findFirst(pattern: Pattern, s: string): Groups | undefined {
  const m = pattern.re.matcher(s);
  return m.find(0) ? groups(m, pattern.names.length) : undefined;
}

/** Every match, as Go's FindAllStringSubmatch(s, -1): not overlapping, no empty match right after a match. */
export function findAll(pattern: Pattern, s: string): Groups[] {
  const m = pattern.re.matcher(s);
  const out: Groups[] = [];
  let previousEnd = -1;
  for (let pos = 0; pos <= s.length && m.find(pos); ) {
    const [start, end] = [m.start(), m.end()];
    const accept = !(end === pos && start === previousEnd);
    // After an empty match, on by one character (past the end at the end).
    pos = end === pos ? pos + (characterWidth(s, pos) || 1) : end;
    previousEnd = end;
    if (accept) out.push(groups(m, pattern.names.length));
  }
  return out;
}

/** Go's Regexp.ReplaceAllString: each match replaced by the template expanded with its groups. */
export function replaceAll(pattern: Pattern, s: string, template: string): string {
  const m = pattern.re.matcher(s);
  let out = '';
  let lastEnd = 0;
  for (let pos = 0; pos <= s.length && m.find(pos); ) {
    const [start, end] = [m.start(), m.end()];
    out += s.slice(lastEnd, start);
    // No replacement for an empty match right after a match.
    if (end > lastEnd || start === 0) out += expand(template, groups(m, pattern.names.length), pattern.names);
    lastEnd = end;
    const width = characterWidth(s, pos);
    pos = pos + width > end ? pos + width : pos + 1 > end ? pos + 1 : end;
  }
  return out + s.slice(lastEnd);
}

/** UTF-16 units of the character at `pos` (Go steps over one UTF-8 character); 0 at the end. */
function characterWidth(s: string, pos: number): number {
  const c = s.codePointAt(pos);
  if (c === undefined) return 0;
  return c > 0xffff ? 2 : 1;
}

function groups(m: Matcher, count: number): Groups {
  return Array.from({ length: count + 1 }, (_, i) => m.group(i) ?? undefined);
}

const NAME = /^[\p{L}\p{Nd}_]+/u;

/** Go's Regexp.Expand: $1 and ${1} (a group number), $name and ${name}, $$ for $; anything else after $ is kept. */
function expand(template: string, match: Groups, names: string[]): string {
  let out = '';
  let rest = template;
  for (let i = rest.indexOf('$'); i >= 0; i = rest.indexOf('$')) {
    out += rest.slice(0, i);
    rest = rest.slice(i + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const braced = rest.startsWith('{');
    const name = NAME.exec(braced ? rest.slice(1) : rest)?.[0];
    if (!name || (braced && rest[1 + name.length] !== '}')) {
      out += '$';
      continue;
    }
    rest = rest.slice(name.length + (braced ? 2 : 0));
    // A number is a group index (no leading zeros, below 1e8 as Go reads it); otherwise a name.
    const index = /^(0|[1-9]\d{0,7})$/.test(name) ? Number(name) : names.indexOf(name) + 1 || -1;
    out += (index >= 0 ? match[index] : undefined) ?? '';
  }
  return out + rest;
}
