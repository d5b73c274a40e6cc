import { createHash } from 'node:crypto';
import type { Range } from '../parse/source';
import { numberText, toBoolValue, toNumberValue, toStringValue, valuesEqual } from './convert';
import { bool, failure, firstUnknown, fromPlain, list, map, nil, num, str, typeName, unknown, type TraceStep, type Value } from './value';

/**
 * Terraform's built-in functions, applied to evaluated arguments. Unknown propagates
 * only to what depends on it; a function that selects one of its inputs returns that
 * input unchanged (origin and trace intact); a computed result is reported at the call.
 */

export interface CallContext {
  /** The call expression's range. */
  range: Range;
}

export type TerraformFunction = (args: Value[], call: CallContext) => Value;

type Of<K extends Value['kind']> = Extract<Value, { kind: K }>;

/** Where a computed result is reported: the call, with the trace of its only traced argument. */
interface At {
  range: Range;
  trace: TraceStep[];
}

/** A plain string, number or bool is a computed scalar, reported at the call. */
type Result = Value | string | number | boolean;

interface Spec {
  min: number;
  max: number;
  impl: (args: Value[], at: At) => Result;
  /** Sees unknown arguments (otherwise the first wholly unknown argument is the result). */
  lazy?: boolean;
  /** Accepts null arguments (otherwise a null argument is an error, as in Terraform). */
  nulls?: boolean;
  /** Sees failed arguments (try, can); otherwise the first failure inside any argument is the result. */
  catches?: boolean;
}

const ANY = Infinity;

function spec(min: number, max: number, impl: Spec['impl'], flags: Pick<Spec, 'lazy' | 'nulls' | 'catches'> = {}): Spec {
  return { min, max, impl, ...flags };
}

// ---------------------------------------------------------------------------
// Stopping early: helpers throw, the wrapper turns the throw into the result.

/** A message is a failure of the call; a value (an unknown) is the call's result. */
class Stop {
  constructor(readonly result: string | Value) {}
}

function fail(message: string): never {
  throw new Stop(message);
}

/** The value, or stop with it when it is unknown. */
function need(v: Value): Value {
  if (v.kind === 'unknown') throw new Stop(v);
  return v;
}

/** The value, or stop with the first unknown anywhere inside it. */
function known(v: Value): Value {
  const u = firstUnknown(v);
  if (u) throw new Stop(u);
  return v;
}

/** The first failure anywhere inside a value: Terraform would have stopped there. */
function deepError(v: Value): Of<'unknown'> | undefined {
  if (v.kind === 'unknown') return v.error ? v : undefined;
  const inner = v.kind === 'list' ? v.items : v.kind === 'map' ? [...v.entries.values()] : [];
  for (const item of inner) {
    const e = deepError(item);
    if (e) return e;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Arguments: Terraform's implicit conversions, and the shapes functions require.

/** The result of a convert.ts conversion, or stop (a failed conversion fails this call). */
function converted<K extends 'string' | 'number' | 'bool'>(v: Value, kind: K): Of<K> {
  if (v.kind === 'unknown' && v.error) fail(v.reason);
  need(v);
  if (v.kind !== kind) fail(`a ${kind} is required, not ${typeName(v)}`);
  return v as Of<K>;
}

const asString = (v: Value) => converted(toStringValue(need(v)), 'string');
const text = (v: Value) => asString(v).value;
const number = (v: Value) => converted(toNumberValue(need(v)), 'number').value;
const boolean = (v: Value) => converted(toBoolValue(need(v)), 'bool').value;

function integer(v: Value): number {
  const n = number(v);
  if (!Number.isInteger(n)) fail(`${numberText(n)} is not a whole number`);
  return n;
}

/** A list or tuple, or (where Terraform converts one) a set. */
function sequence(v: Value, sets = true): Of<'list'> {
  need(v);
  if (v.kind !== 'list' || (v.set && !sets)) fail(`a list${sets ? ' or set' : ''} is required, not ${typeName(v)}`);
  return v;
}

const items = (v: Value, sets = true) => sequence(v, sets).items;

function entries(v: Value): Map<string, Value> {
  need(v);
  if (v.kind !== 'map') fail(`a map or object is required, not ${typeName(v)}`);
  return v.entries;
}

/** Values converted to one type, as Terraform does for a list, set or map: mixed primitives become strings. */
function unify(values: Value[]): Value[] {
  const kinds = new Set(values.filter((v) => v.kind !== 'null' && v.kind !== 'unknown').map((v) => v.kind));
  if (kinds.size <= 1) return values;
  if (kinds.has('string') && [...kinds].every((k) => k === 'string' || k === 'number' || k === 'bool')) {
    return values.map((v) => (v.kind === 'number' || v.kind === 'bool' ? asString(v) : v));
  }
  fail(`all elements must have the same type, not ${[...kinds].join(' and ')}`);
}

// ---------------------------------------------------------------------------
// Text and ordering as Go sees it.

/** Characters as Terraform counts them: grapheme clusters. */
const graphemes = (s: string): string[] => Array.from(new Intl.Segmenter().segment(s), (g) => g.segment);

/** Go's string order: by UTF-8 bytes (code points), not UTF-16 units. */
const byText = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * Go's unicode.ToUpper, ToLower and ToTitle use Unicode's simple (one-character) case
 * mappings; JavaScript's use the full ones. They differ only where the full mapping has
 * several characters: there JavaScript's result is dropped for the simple mapping below,
 * or for the character itself when it has none (ß, ŉ, ﬀ …).
 */
const SIMPLE_UPPER = new Map<string, string>([
  // Greek with ypogegrammeni: ᾀ → ᾈ (not ἈΙ), ᾳ → ᾼ, ῃ → ῌ, ῳ → ῼ.
  ...[0x1f80, 0x1f90, 0x1fa0].flatMap((start) => Array.from({ length: 8 }, (_, i): [string, string] => [String.fromCodePoint(start + i), String.fromCodePoint(start + i + 8)])),
  ['\u1fb3', '\u1fbc'],
  ['\u1fc3', '\u1fcc'],
  ['\u1ff3', '\u1ffc'],
]);
const SIMPLE_LOWER = new Map([['\u0130', 'i']]); // İ → i (not i̇)

/** Title case where it is not upper case: the digraphs (ǆ → ǅ) and Georgian Mkhedruli, which has none. */
function titleCase(c: string): string {
  const digraph = ['\u01c4\u01c5\u01c6', '\u01c7\u01c8\u01c9', '\u01ca\u01cb\u01cc', '\u01f1\u01f2\u01f3'].find((group) => group.includes(c));
  if (digraph) return digraph[1]!;
  if (/[\u10d0-\u10fa\u10fd-\u10ff]/.test(c)) return c;
  return mapCase(c, true);
}

/** Per-character case mapping, as Go's unicode package maps each character. */
function mapCase(s: string, upper: boolean): string {
  return Array.from(s, (c) => {
    const simple = (upper ? SIMPLE_UPPER : SIMPLE_LOWER).get(c);
    if (simple) return simple;
    const m = upper ? c.toUpperCase() : c.toLowerCase();
    return Array.from(m).length === 1 ? m : c;
  }).join('');
}

/** Go's strings.Title: a letter after a separator is mapped to title case. */
function title(s: string): string {
  const separator = (c: string) => (c <= '\x7f' ? !/[0-9A-Za-z_]/.test(c) : !/[\p{L}\p{N}]/u.test(c) && /\s/u.test(c));
  let prev = ' ';
  return Array.from(s, (c) => {
    const out = separator(prev) ? titleCase(c) : c;
    prev = c;
    return out;
  }).join('');
}

function trimSet(s: string, cutset: string): string {
  const cut = new Set(Array.from(cutset));
  const cs = Array.from(s);
  let [a, b] = [0, cs.length];
  while (a < b && cut.has(cs[a]!)) a++;
  while (b > a && cut.has(cs[b - 1]!)) b--;
  return cs.slice(a, b).join('');
}

/** Go's strings.Replace with n = -1, including the empty-substring case. */
function replaceAll(s: string, sub: string, rep: string): string {
  return sub === '' ? rep + Array.from(s, (c) => c + rep).join('') : s.split(sub).join(rep);
}

/** A decimal in exponent form ("1.5e-7") written out in full, as Go's 'f' format does. */
function expandExponent(s: string): string {
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]?\d+)$/.exec(s);
  if (!m) return s;
  const [, sign, int, frac = '', e] = m;
  const digits = int + frac;
  const point = 1 + Number(e);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Go's %g (and big.Float's 'g'): exponent form when the exponent is < -4 or >= the precision (6 if shortest). */
function formatG(n: number, precision?: number): string {
  if (n === 0) return '0';
  const [mantissa, e] = (precision === undefined ? n.toExponential() : n.toExponential(Math.max(precision, 1) - 1)).split('e');
  const exp = Number(e);
  const digits = mantissa.replace(/^-|\./g, '').replace(/(.)0+$/, '$1');
  let eprec = precision === undefined ? 6 : Math.max(precision, 1);
  if (precision !== undefined && eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
  const sign = n < 0 ? '-' : '';
  const short = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  if (exp < -4 || exp >= eprec) return `${sign}${short}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return sign + expandExponent(`${short}e${exp}`);
}

/** Go's json.Marshal of a string: HTML-sensitive characters escaped. */
const jsonString = (s: string) => JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** JSON as Terraform writes it: object keys sorted, numbers without exponents. Stops at an unknown. */
function jsonText(v: Value): string {
  switch (v.kind) {
    case 'null':
      return 'null';
    case 'string':
      return jsonString(v.value);
    case 'number':
      return expandExponent(numberText(v.value));
    case 'bool':
      return String(v.value);
    case 'list':
      return `[${v.items.map(jsonText).join(',')}]`;
    case 'map':
      return `{${[...v.entries.keys()].sort(byText).map((k) => `${jsonString(k)}:${jsonText(v.entries.get(k)!)}`).join(',')}}`;
    case 'unknown':
      throw new Stop(v);
  }
}

// ---------------------------------------------------------------------------
// Sets: known elements deduplicated by value and ordered as Terraform orders them.

function makeSet(values: Value[], at: At): Value {
  const seen = new Map<string, Value>();
  const pending: Value[] = [];
  for (const v of unify(values)) {
    if (firstUnknown(v)) pending.push(v);
    else if (!seen.has(jsonText(v))) seen.set(jsonText(v), v);
  }
  const kept = [...seen.values()];
  const all = (kind: Value['kind']) => kept.every((v) => v.kind === kind);
  if (all('string')) kept.sort((a, b) => byText((a as Of<'string'>).value, (b as Of<'string'>).value));
  else if (all('number')) kept.sort((a, b) => (a as Of<'number'>).value - (b as Of<'number'>).value);
  else if (all('bool')) kept.sort((a, b) => Number((a as Of<'bool'>).value) - Number((b as Of<'bool'>).value));
  // An unknown element may equal a known one, so the set keeps it apart, and its length is unknown.
  return list([...kept, ...pending], at.range, at.trace, true);
}

/** Set elements, all known (a set operation on an unknown element is unknown). */
const setItems = (v: Value) => items(v).map(known);

// ---------------------------------------------------------------------------
// Regular expressions: Go's RE2 syntax mapped onto JavaScript's.

function compile(pattern: string, global = false): RegExp {
  let source = pattern.replace(/\(\?P</g, '(?<');
  let flags = global ? 'g' : '';
  const inline = /^\(\?([ims]+)\)/.exec(source);
  if (inline) {
    source = source.slice(inline[0].length);
    flags += inline[1];
  }
  source = source.replace(/\\(.)/gs, (all, c: string) => (c === 'A' ? '(?<![\\s\\S])' : c === 'z' ? '(?![\\s\\S])' : all));
  for (const f of [flags + 'u', flags]) {
    try {
      return new RegExp(source, f);
    } catch {
      // Go accepts some escapes that Unicode-mode JavaScript rejects; retry without it.
    }
  }
  fail(`invalid regular expression ${JSON.stringify(pattern)}`);
}

/** The shape of a match result: a string (no groups), a list (unnamed groups) or a map (named groups). */
function captureShape(re: RegExp): { groups: number; names: string[] } {
  const probe = new RegExp(`(?:${re.source})|`, re.flags.replace('g', '')).exec('')!;
  const names = Object.keys(probe.groups ?? {});
  if (names.length && names.length < probe.length - 1) fail('a pattern cannot mix named and unnamed capture groups');
  return { groups: probe.length - 1, names };
}

function captures(m: RegExpMatchArray, shape: ReturnType<typeof captureShape>, at: At): Value {
  const s = (x: string | undefined) => (x === undefined ? nil(at.range, at.trace) : str(x, at.range, at.trace));
  if (shape.groups === 0) return s(m[0]);
  if (shape.names.length) return map(shape.names.map((n) => [n, s(m.groups![n])]), at.range, at.trace);
  return list(m.slice(1).map(s), at.range, at.trace);
}

/** Go's Regexp.Expand: $1, ${1}, $name, ${name}, $$. */
function expand(template: string, m: RegExpMatchArray): string {
  return template.replace(/\$(\$|\{(\w+)\}|(\w+))/g, (_match, token: string, braced?: string, bare?: string) => {
    if (token === '$') return '$';
    const name = braced ?? bare!;
    return (/^\d+$/.test(name) ? m[Number(name)] : m.groups?.[name]) ?? '';
  });
}

function regexReplace(s: string, pattern: string, template: string): string {
  let out = '';
  let last = 0;
  for (const m of s.matchAll(compile(pattern, true))) {
    out += s.slice(last, m.index) + expand(template, m);
    last = m.index + m[0].length;
  }
  return out + s.slice(last);
}

// ---------------------------------------------------------------------------
// format: cty's verbs, flags, width, precision and %[n] argument indexes.

const VERB = /%([-+ 0#]*)(?:\[(\d+)\])?(\d+)?(?:\.(\d*))?(.)?/suy;

function pad(s: string, width: number, flags: string, numeric: boolean): string {
  const fill = width - graphemes(s).length;
  if (fill <= 0) return s;
  if (flags.includes('-')) return s + ' '.repeat(fill);
  if (!flags.includes('0')) return ' '.repeat(fill) + s;
  const sign = numeric && /^[-+ ]/.test(s) ? s[0] : '';
  return sign + '0'.repeat(fill) + s.slice(sign.length);
}

function formatOne(verb: string, flags: string, precision: number | undefined, arg: Value, raw: string, offset: number): string {
  const where = `"${raw}" at ${offset}`;
  if (arg.kind === 'null') {
    if (verb === 'v') return 'null';
    fail(`unsupported value for ${where}: null value cannot be formatted`);
  }
  const sign = (n: number, body: string) => (n < 0 ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '') + body;
  switch (verb) {
    case 'v':
      if (!flags.includes('#') && arg.kind === 'string') return arg.value;
      if (!flags.includes('#') && arg.kind === 'number') return formatG(arg.value);
      return jsonText(arg);
    case 's':
    case 'q': {
      const s = precision === undefined ? text(arg) : graphemes(text(arg)).slice(0, precision).join('');
      return verb === 's' ? s : jsonString(s);
    }
    case 't':
      return String(boolean(arg));
    case 'd':
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      const n = number(arg);
      if (!Number.isInteger(n)) fail(`unsupported value for ${where}: an integer is required`);
      const digits = (n < 0 ? -BigInt(n) : BigInt(n)).toString({ d: 10, b: 2, o: 8, x: 16, X: 16 }[verb]);
      return sign(n, verb === 'X' ? digits.toUpperCase() : digits);
    }
    case 'f':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      const n = number(arg);
      const abs = Math.abs(n);
      const body =
        verb === 'f'
          ? abs.toFixed(precision ?? 6)
          : verb === 'g' || verb === 'G'
            ? formatG(abs, precision)
            : abs.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
      return sign(n, verb === 'E' || verb === 'G' ? body.toUpperCase() : body);
    }
    default:
      fail(`unsupported format verb '${verb}' in "${raw}" at offset ${offset}`);
  }
}

function formatText(spec: string, args: Value[]): string {
  let out = '';
  let next = 0;
  let highest = 0;
  for (let i = 0; i < spec.length; ) {
    const pct = spec.indexOf('%', i);
    if (pct < 0) {
      out += spec.slice(i);
      break;
    }
    out += spec.slice(i, pct);
    if (spec[pct + 1] === '%') {
      out += '%';
      i = pct + 2;
      continue;
    }
    VERB.lastIndex = pct;
    const [raw, flags = '', index, width, precision, verb] = VERB.exec(spec)!;
    if (!verb || precision === '' || Number(index) === 0) fail(`invalid format sequence at offset ${pct}`);
    if (index) next = Number(index) - 1;
    const arg = args[next];
    if (!arg) fail(`not enough arguments for "${raw}" at ${pct}: need index ${next + 1} but have ${args.length} total`);
    highest = Math.max(highest, ++next);
    const formatted = formatOne(verb, flags, precision === undefined ? undefined : Number(precision), arg, raw, pct);
    out += pad(formatted, Number(width ?? 0), flags, 'dboxXfeEgG'.includes(verb));
    i = pct + raw.length;
  }
  if (highest < args.length) fail(highest === 0 ? 'too many arguments; no verbs in format string' : `too many arguments; only ${highest} used by format string`);
  return out;
}

// ---------------------------------------------------------------------------
// The functions.

function rangeOf(args: Value[], at: At): Value {
  const ns = args.map(number);
  const [start, limit] = ns.length === 1 ? [0, ns[0]!] : [ns[0]!, ns[1]!];
  const step = ns[2] ?? (start <= limit ? 1 : -1);
  if (step === 0 && start !== limit) fail('step must not be zero');
  if (start < limit && step < 0) fail('step must be positive when start is less than limit');
  if (start > limit && step > 0) fail('step must be negative when start is greater than limit');
  const out: Value[] = [];
  for (let n = start; step > 0 ? n < limit : n > limit; n += step) {
    if (out.length >= 1024) fail('more than 1024 values were generated; either decrease the difference between start and end or use a smaller step');
    out.push(num(n, at.range, at.trace));
  }
  return list(out, at.range, at.trace);
}

function formatList(spec: string, args: Value[], at: At): Value {
  let length = -1;
  args.forEach((a, i) => {
    if (a.kind !== 'list') return;
    if (length >= 0 && a.items.length !== length) fail(`argument ${i + 2} has length ${a.items.length}, which is inconsistent with the other lists (length ${length})`);
    length = a.items.length;
  });
  const out: Value[] = [];
  for (let i = 0; i < (length < 0 ? 1 : length); i++) {
    const row = args.map((a) => (a.kind === 'list' ? a.items[i]! : a));
    const pending = row.map(firstUnknown).find(Boolean);
    out.push(pending ?? str(formatText(spec, row), at.range, at.trace));
  }
  return list(out, at.range, at.trace);
}

/** alltrue (a known false decides) and anytrue (a known true decides), even past unknown elements. */
function decide(values: Value[], decisive: boolean): Result {
  let pending: Value | undefined;
  for (const v of values) {
    if (v.kind === 'unknown') pending ??= v;
    else if (v.kind === 'null') {
      if (!decisive) return false;
    } else if (boolean(v) === decisive) return decisive;
  }
  return pending ?? !decisive;
}

function isEmpty(v: Value): boolean {
  return v.kind === 'null' || (v.kind === 'string' && v.value === '');
}

function decodeBase64(s: string): string {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) fail('the string is not valid base64');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(s, 'base64'));
  } catch {
    fail('the decoded bytes are not valid UTF-8');
  }
}

const hash = (algorithm: string) => spec(1, 1, ([s]) => createHash(algorithm).update(text(s)).digest('hex'));

const SPECS: Record<string, Spec> = {
  // Selection: the chosen argument is returned as it is.
  coalesce: spec(1, ANY, (args) => {
    for (const v of unify(args)) if (!isEmpty(v)) return v;
    fail('no non-null, non-empty-string arguments');
  }, { lazy: true, nulls: true }),
  coalescelist: spec(1, ANY, (args) => {
    for (const v of args) if (v.kind !== 'null' && items(v, false).length) return v;
    fail('no non-null, non-empty list arguments');
  }, { lazy: true, nulls: true }),
  lookup: spec(2, 3, ([m, key, fallback]) => {
    const k = text(key);
    const found = entries(m).get(k);
    if (found) return found;
    if (fallback) return fallback;
    fail(`the map has no element "${k}" and no default was given`);
  }, { lazy: true, nulls: true }),
  try: spec(1, ANY, (args) => {
    for (const v of args) if (!deepError(v)) return v;
    fail(`no argument succeeded; the first failed with: ${deepError(args[0]!)!.reason}`);
  }, { lazy: true, nulls: true, catches: true }),
  can: spec(1, 1, ([v]) => (deepError(v) ? false : (firstUnknown(v) ?? true)), { lazy: true, nulls: true, catches: true }),
  element: spec(2, 2, ([l, i]) => {
    const all = items(l, false);
    const n = integer(i);
    if (!all.length) fail('cannot use element function with an empty list');
    if (n < 0) fail('cannot use element function with a negative index');
    return all[n % all.length]!;
  }),
  one: spec(1, 1, ([l], at) => {
    const seq = sequence(l);
    if (seq.set) seq.items.forEach(known);
    if (seq.items.length > 1) fail(`must be a list, set, or tuple value with either zero or one elements, not ${seq.items.length}`);
    return seq.items[0] ?? nil(at.range, at.trace);
  }),
  sensitive: spec(1, 1, ([v]) => v, { lazy: true, nulls: true }),
  nonsensitive: spec(1, 1, ([v]) => v, { lazy: true, nulls: true }),

  // Collections: new containers holding the given elements.
  merge: spec(0, ANY, (args, at) => {
    const out = new Map<string, Value>();
    for (const m of args) if (m.kind !== 'null') for (const [k, v] of entries(m)) out.set(k, v);
    return map(out, at.range, at.trace);
  }, { nulls: true }),
  concat: spec(1, ANY, (args, at) => list(args.flatMap((a) => items(a, false)), at.range, at.trace)),
  flatten: spec(1, 1, ([l], at) => {
    // An unknown element might be a list, so the shape of the result is unknown.
    const flat = (vs: Value[]): Value[] => vs.flatMap((v) => (v.kind === 'list' ? flat(v.items) : [need(v)]));
    return list(flat(items(l)), at.range, at.trace);
  }),
  values: spec(1, 1, ([m], at) => {
    const e = entries(m);
    return list([...e.keys()].sort(byText).map((k) => e.get(k)!), at.range, at.trace);
  }),
  keys: spec(1, 1, ([m], at) => list([...entries(m).keys()].sort(byText).map((k) => str(k, at.range, at.trace)), at.range, at.trace)),
  zipmap: spec(2, 2, ([ks, vs], at) => {
    const names = items(ks).map(text);
    const values = items(vs, false);
    if (names.length !== values.length) fail(`number of keys (${names.length}) does not match number of values (${values.length})`);
    return map(names.map((k, i) => [k, values[i]!]), at.range, at.trace);
  }),
  distinct: spec(1, 1, ([l], at) => {
    const seen = new Set<string>();
    const kept = items(l).filter((v) => !seen.has(jsonText(v)) && seen.add(jsonText(v)));
    return list(kept, at.range, at.trace);
  }),
  compact: spec(1, 1, ([l], at) => list(items(l).map(need).filter((v) => !isEmpty(v)).map(asString), at.range, at.trace)),
  slice: spec(3, 3, ([l, from, to], at) => {
    const all = items(l, false);
    const [a, b] = [integer(from), integer(to)];
    if (a < 0) fail('the start index must not be negative');
    if (b > all.length) fail(`the end index must not be greater than the length of the list (${all.length})`);
    if (a > b) fail('the start index must not be greater than the end index');
    return list(all.slice(a, b), at.range, at.trace);
  }),
  reverse: spec(1, 1, ([l], at) => list([...items(l, false)].reverse(), at.range, at.trace)),
  sort: spec(1, 1, ([l], at) => list(items(l).map(asString).sort((a, b) => byText(a.value, b.value)), at.range, at.trace)),
  range: spec(1, 3, rangeOf),
  tolist: spec(1, 1, ([v], at) => (v.kind === 'null' ? v : { ...list(unify(items(v)), at.range, at.trace), listType: true }), { nulls: true }),
  toset: spec(1, 1, ([v], at) => (v.kind === 'null' ? v : makeSet(items(v), at)), { nulls: true }),
  tomap: spec(1, 1, ([v], at) => {
    if (v.kind === 'null') return v;
    const e = entries(v);
    const unified = unify([...e.values()]);
    return map([...e.keys()].map((k, i) => [k, unified[i]!]), at.range, at.trace);
  }, { nulls: true }),
  setunion: spec(1, ANY, (args, at) => makeSet(args.flatMap(setItems), at)),
  setintersection: spec(1, ANY, (args, at) => {
    const [first, ...rest] = args.map((a) => setItems(a));
    const others = rest.map((r) => new Set(r.map(jsonText)));
    return makeSet(first.filter((v) => others.every((o) => o.has(jsonText(v)))), at);
  }),
  setsubtract: spec(2, 2, ([a, b], at) => {
    const drop = new Set(setItems(b).map(jsonText));
    return makeSet(setItems(a).filter((v) => !drop.has(jsonText(v))), at);
  }),

  // Questions about collections.
  length: spec(1, 1, ([v]) => {
    if (v.kind === 'string') return graphemes(v.value).length;
    if (v.kind === 'map') return v.entries.size;
    // Unknown set elements may turn out equal, so such a set's length is unknown.
    if (v.kind === 'list') return (v.set ? v.items.map(known) : v.items).length;
    fail(`a string, list, set or map is required, not ${typeName(v)}`);
  }),
  contains: spec(2, 2, ([l, x]) => {
    let pending: Value | undefined;
    for (const v of items(l)) {
      const eq = valuesEqual(v, x);
      if (eq) return true;
      if (eq === undefined) pending ??= firstUnknown(v) ?? firstUnknown(x);
    }
    return pending ?? false;
  }, { lazy: true }),
  index: spec(2, 2, ([l, x]) => {
    for (const [i, v] of items(l, false).entries()) {
      const eq = valuesEqual(v, x);
      if (eq === undefined) return firstUnknown(v) ?? firstUnknown(x)!;
      if (eq) return i;
    }
    fail('item not found');
  }, { lazy: true }),
  alltrue: spec(1, 1, ([l]) => decide(items(l), false)),
  anytrue: spec(1, 1, ([l]) => decide(items(l), true)),

  // Strings: computed, reported at the call.
  upper: spec(1, 1, ([s]) => mapCase(text(s), true)),
  lower: spec(1, 1, ([s]) => mapCase(text(s), false)),
  title: spec(1, 1, ([s]) => title(text(s))),
  trimspace: spec(1, 1, ([s]) => text(s).trim()),
  trim: spec(2, 2, ([s, cut]) => trimSet(text(s), text(cut))),
  trimprefix: spec(2, 2, ([s, p]) => (text(s).startsWith(text(p)) ? text(s).slice(text(p).length) : text(s))),
  trimsuffix: spec(2, 2, ([s, p]) => (text(s).endsWith(text(p)) ? text(s).slice(0, text(s).length - text(p).length) : text(s))),
  chomp: spec(1, 1, ([s]) => text(s).replace(/(?:\r\n?|\n)+$/, '')),
  strrev: spec(1, 1, ([s]) => graphemes(text(s)).reverse().join('')),
  indent: spec(2, 2, ([n, s]) => text(s).replace(/\n/g, `\n${' '.repeat(Math.max(0, integer(n)))}`)),
  startswith: spec(2, 2, ([s, p]) => text(s).startsWith(text(p))),
  endswith: spec(2, 2, ([s, p]) => text(s).endsWith(text(p))),
  strcontains: spec(2, 2, ([s, p]) => text(s).includes(text(p))),
  substr: spec(3, 3, ([s, offset, length]) => {
    const cs = graphemes(text(s));
    const n = integer(length);
    let from = integer(offset);
    if (from < 0) from = Math.max(0, from + cs.length);
    return cs.slice(from, n < 0 ? undefined : from + n).join('');
  }),
  format: spec(1, ANY, ([f, ...args]) => formatText(text(f), args.map(known)), { nulls: true }),
  formatlist: spec(1, ANY, ([f, ...args], at) => formatList(text(f), args, at), { nulls: true }),
  join: spec(2, ANY, ([sep, ...lists]) => {
    const parts = lists.flatMap((l) => items(l)).map(need);
    if (parts.some((p) => p.kind === 'null')) fail('a null element cannot be joined');
    return parts.map(text).join(text(sep));
  }),
  split: spec(2, 2, ([sep, s], at) => {
    const [d, t] = [text(sep), text(s)];
    return list((d === '' ? Array.from(t) : t.split(d)).map((p) => str(p, at.range, at.trace)), at.range, at.trace);
  }),
  replace: spec(3, 3, ([s, sub, rep]) => {
    const [t, pattern, r] = [text(s), text(sub), text(rep)];
    const regex = pattern.length > 1 && pattern.startsWith('/') && pattern.endsWith('/');
    return regex ? regexReplace(t, pattern.slice(1, -1), r) : replaceAll(t, pattern, r);
  }),
  regex: spec(2, 2, ([p, s], at) => {
    const re = compile(text(p));
    const shape = captureShape(re);
    const m = re.exec(text(s));
    if (!m) fail('pattern did not match any part of the given string');
    return captures(m, shape, at);
  }),
  regexall: spec(2, 2, ([p, s], at) => {
    const re = compile(text(p), true);
    const shape = captureShape(re);
    return list([...text(s).matchAll(re)].map((m) => captures(m, shape, at)), at.range, at.trace);
  }),

  // Encoding.
  jsonencode: spec(1, 1, ([v]) => jsonText(v), { nulls: true }),
  jsondecode: spec(1, 1, ([s], at) => {
    let data: unknown;
    try {
      data = JSON.parse(text(s));
    } catch (e) {
      fail(`invalid JSON: ${(e as Error).message}`);
    }
    return fromPlain(data, at.range, at.trace);
  }),
  base64encode: spec(1, 1, ([s]) => Buffer.from(text(s)).toString('base64')),
  base64decode: spec(1, 1, ([s]) => decodeBase64(text(s))),
  md5: hash('md5'),
  sha1: hash('sha1'),
  sha256: hash('sha256'),

  // Conversions: the converted value keeps the argument's origin.
  tostring: spec(1, 1, ([v]) => (v.kind === 'null' ? v : asString(v)), { nulls: true }),
  tonumber: spec(1, 1, ([v]) => (v.kind === 'null' ? v : converted(toNumberValue(v), 'number')), { nulls: true }),
  tobool: spec(1, 1, ([v]) => (v.kind === 'null' ? v : converted(toBoolValue(v), 'bool')), { nulls: true }),

  // Numbers.
  min: spec(1, ANY, (args) => Math.min(...args.map(number))),
  max: spec(1, ANY, (args) => Math.max(...args.map(number))),
  abs: spec(1, 1, ([n]) => Math.abs(number(n))),
  ceil: spec(1, 1, ([n]) => Math.ceil(number(n))),
  floor: spec(1, 1, ([n]) => Math.floor(number(n))),
  signum: spec(1, 1, ([n]) => Math.sign(number(n))),
  pow: spec(2, 2, ([a, b]) => Math.pow(number(a), number(b))),
  sum: spec(1, 1, ([l]) => {
    const all = items(l);
    if (!all.length) fail('cannot sum an empty list');
    return all.reduce((total, v) => total + number(v), 0);
  }),
};

// ---------------------------------------------------------------------------
// Calling.

/** The trace of the only argument that has one; with several, no single chain explains the result. */
function traceOf(args: Value[]): TraceStep[] {
  const traced = args.filter((a) => a.trace.length > 0);
  return traced.length === 1 ? traced[0]!.trace : [];
}

function arity(spec: Spec): string {
  if (spec.min === spec.max) return `${spec.min}`;
  return spec.max === ANY ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
}

function wrap(name: string, spec: Spec): TerraformFunction {
  return (args, call) => {
    if (args.length < spec.min || args.length > spec.max) {
      return failure(`function "${name}" expects ${arity(spec)} argument(s), not ${args.length}`, call.range);
    }
    if (!spec.catches) {
      const e = args.map(deepError).find(Boolean);
      if (e) return e;
    }
    if (!spec.nulls) {
      const i = args.findIndex((a) => a.kind === 'null');
      if (i >= 0) return failure(`call to function "${name}" failed: argument ${i + 1} must not be null`, call.range);
    }
    if (!spec.lazy) {
      const u = args.find((a) => a.kind === 'unknown');
      if (u) return u;
    }
    const at: At = { range: call.range, trace: traceOf(args) };
    try {
      const r = spec.impl(args, at);
      if (typeof r === 'string') return str(r, at.range, at.trace);
      if (typeof r === 'number') return Number.isFinite(r) ? num(r, at.range, at.trace) : failure(`call to function "${name}" failed: the result is not a finite number`, call.range);
      if (typeof r === 'boolean') return bool(r, at.range, at.trace);
      return r;
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      return typeof e.result === 'string' ? failure(`call to function "${name}" failed: ${e.result}`, call.range) : e.result;
    }
  };
}

export const FUNCTIONS: ReadonlyMap<string, TerraformFunction> = new Map(Object.entries(SPECS).map(([name, s]) => [name, wrap(name, s)]));

/** Calls a function by name; an unknown name or a provider function is unknown (after any failed argument). */
export function callFunction(name: string, args: Value[], call: CallContext): Value {
  const fn = name.startsWith('provider::') ? undefined : FUNCTIONS.get(name.replace(/^core::/, ''));
  if (fn) return fn(args, call);
  return args.map(deepError).find(Boolean) ?? unknown(`function "${name}" is not modelled`, call.range);
}
