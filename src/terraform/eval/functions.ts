import { createHash } from 'node:crypto';
import { parseTree, type Node as JsonNode } from 'jsonc-parser';
import type { Range } from '../../parse/source';
import { toBoolValue, toNumberValue, toStringValue, valuesEqual } from './convert';
import { defined } from '../defined';
import * as numbers from './number';
import { goText, numberText, type TextFormat } from './number-text';
import { compilePattern, findAll, findFirst, PatternError, replaceAll as replaceMatches, type Groups, type Pattern } from './regex';
import {
  bool,
  failure,
  firstUnknown,
  list,
  map,
  nil,
  num,
  refsOf,
  str,
  typeName,
  unknown,
  unknownText,
  type TraceStep,
  type Value,
} from './value';

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

/** A plain string, whole number (a count, a length) or bool is a computed scalar, reported at the call. */
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

/** Ends the call with this result; every Stop is thrown here. */
function stop(result: string | Value): never {
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- a Stop is the call's result, not an error: callFunction catches every one, and an Error would capture a stack trace on every unknown argument
  throw new Stop(result);
}

function fail(message: string): never {
  stop(message);
}

/** The value, or stop with it when it is unknown. */
function need(v: Value): Value {
  if (v.kind === 'unknown') stop(v);
  return v;
}

/** The value, or stop with the first unknown anywhere inside it. */
function known(v: Value): Value {
  const u = firstUnknown(v);
  if (u) stop(u);
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
const number = (v: Value): numbers.TerraformNumber => converted(toNumberValue(need(v)), 'number');
const boolean = (v: Value) => converted(toBoolValue(need(v)), 'bool').value;

const NOT_AN_INT = 'value must be a whole number, between -9223372036854775808 and 9223372036854775807';

/** A whole number in int64's range, as gocty converts an argument to a Go int. */
function integer(v: Value): number {
  const n = numbers.toInt64(number(v));
  if (n === undefined) fail(NOT_AN_INT);
  return n;
}

/** A computed number, reported at the call. */
const numberAt = (n: numbers.TerraformNumber, at: At) => num(n, at.range, at.trace);

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
const SEGMENTER = new Intl.Segmenter();
/** Segmenting one long string costs time quadratic in its length (V8): cut into pieces, each re-joined with the cluster the last one ended on. */
const SEGMENT_PIECE = 512;
/** A cluster longer than this (thousands of combining marks) is cut: past any text, and it keeps the cost linear. */
const LONGEST_CLUSTER = 4096;

function graphemes(s: string): string[] {
  if (s.length <= SEGMENT_PIECE) return Array.from(SEGMENTER.segment(s), (g) => g.segment);
  const out: string[] = [];
  let carry = '';
  for (let i = 0; i < s.length; i += SEGMENT_PIECE) {
    const parts = Array.from(SEGMENTER.segment(carry + s.slice(i, i + SEGMENT_PIECE)), (g) => g.segment);
    // The last cluster may go on in the next piece (a combining mark, the second half of a surrogate pair, a flag).
    carry = i + SEGMENT_PIECE < s.length ? (parts.pop() ?? '') : '';
    if (carry.length > LONGEST_CLUSTER) {
      out.push(carry);
      carry = '';
    }
    out.push(...parts);
  }
  return out;
}

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
  ...[0x1f80, 0x1f90, 0x1fa0].flatMap((start) =>
    Array.from({ length: 8 }, (_, i): [string, string] => [String.fromCodePoint(start + i), String.fromCodePoint(start + i + 8)]),
  ),
  ['\u1fb3', '\u1fbc'],
  ['\u1fc3', '\u1fcc'],
  ['\u1ff3', '\u1ffc'],
]);
const SIMPLE_LOWER = new Map([['\u0130', 'i']]); // İ → i (not i̇)

/** Title case where it is not upper case: the digraphs (ǆ → ǅ) and Georgian Mkhedruli, which has none. */
function titleCase(c: string): string {
  const digraph = ['\u01c4\u01c5\u01c6', '\u01c7\u01c8\u01c9', '\u01ca\u01cb\u01cc', '\u01f1\u01f2\u01f3'].find((group) =>
    group.includes(c),
  );
  if (digraph) return digraph[1];
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
  while (a < b && cut.has(cs[a])) a++;
  while (b > a && cut.has(cs[b - 1])) b--;
  return cs.slice(a, b).join('');
}

/** Go's strings.Replace with n = -1, including the empty-substring case. */
function replaceAll(s: string, sub: string, rep: string): string {
  return sub === '' ? rep + Array.from(s, (c) => c + rep).join('') : s.split(sub).join(rep);
}

/** Go's json.Marshal of a string: HTML-sensitive characters escaped. */
const jsonString = (s: string) =>
  JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/**
 * JSON as Terraform writes it: object keys sorted, numbers as Terraform writes them (no
 * exponents; an infinity cannot be written). Stops at an unknown. As an identity (`key`),
 * numbers that Terraform holds equal are written alike, infinities included.
 */
function jsonText(v: Value, key = false): string {
  switch (v.kind) {
    case 'null':
      return 'null';
    case 'string':
      return jsonString(v.value);
    case 'number':
      if (key) return numbers.isWhole(v) && v.value.isZero() ? '0' : numberText(v);
      if (!v.value.isFinite()) fail('cannot serialize infinity as JSON');
      return numberText(v);
    case 'bool':
      return String(v.value);
    case 'list':
      return `[${v.items.map((i) => jsonText(i, key)).join(',')}]`;
    case 'map':
      return `{${[...v.entries]
        .sort(([a], [b]) => byText(a, b))
        .map(([k, item]) => `${jsonString(k)}:${jsonText(item, key)}`)
        .join(',')}}`;
    case 'unknown':
      stop(v);
  }
}

/** Values as Terraform tells them apart (sets, distinct). */
const identity = (v: Value) => jsonText(v, true);

/**
 * format with an unknown argument, when its verbs are only %s and %v: the text it makes is
 * known around the unknown parts (`format("%s:latest", url)`), a template as "${url}:latest" is.
 * Undefined when it cannot be told (other verbs, an unknown format); the call then stops as usual.
 */
function textOf(f: Value, args: Value[], at: At): Value | undefined {
  if (f.kind !== 'string' || !args.some((a) => a.kind === 'unknown')) return undefined;
  const segments = f.value.split(/(%[sv%])/);
  const verbs = segments.filter((x) => x === '%s' || x === '%v');
  if (/%(?![sv%])/.test(f.value.replace(/%[sv%]/g, '')) || verbs.length !== args.length) return undefined;
  let n = 0;
  const pieces: Value[] = [];
  for (const segment of segments) {
    if (segment === '%s' || segment === '%v') pieces.push(piece(args[n++]));
    else if (segment === '%%') pieces.push(str('%', at.range, at.trace));
    else if (segment) pieces.push(str(segment, at.range, at.trace));
  }
  return template(pieces, at);
}

/** join with unknown elements of known lists: the elements and separators in order. */
function joinedText(sep: Value, lists: Value[], at: At): Value | undefined {
  if (sep.kind !== 'string' || lists.some((l) => l.kind !== 'list')) return undefined;
  const elements = lists.flatMap((l) => (l.kind === 'list' ? l.items : []));
  if (!elements.some((e) => e.kind === 'unknown')) return undefined;
  const pieces = elements.flatMap((e, i) => (i ? [str(sep.value, at.range, at.trace), piece(e)] : [piece(e)]));
  return template(pieces, at);
}

/** An argument as a part of a text: an unknown as it is, anything else as the string it converts to. */
function piece(v: Value): Value {
  if (v.kind === 'unknown' || v.kind === 'string') return v;
  return str(text(v), v.origin, v.trace);
}

/** The unknown texts format and join built from their parts (not an argument they stopped with). */
const BUILT = new WeakSet<Value>();

/** Whether a call's result is text it built from parts it keeps (`template`). */
export function builtFromParts(v: Value): boolean {
  return BUILT.has(v);
}

/** Unknown text, with its parts (known text and unknown values) in order. */
function template(pieces: Value[], at: At): Value {
  const built = unknownText(pieces, at.range, at.trace);
  BUILT.add(built);
  return built;
}

/** JSON text as jsondecode reads it: numbers exactly, a repeated key's last value kept. */
function decodeJson(node: JsonNode, source: string, at: At): Value {
  switch (node.type) {
    case 'string':
      return str(node.value as string, at.range, at.trace);
    case 'number':
      return numberAt(defined(numbers.parseNumber(source.slice(node.offset, node.offset + node.length)), 'a JSON number parses'), at);
    case 'boolean':
      return bool(node.value as boolean, at.range, at.trace);
    case 'null':
      return nil(at.range, at.trace);
    case 'array':
      return list(
        (node.children ?? []).map((c) => decodeJson(c, source, at)),
        at.range,
        at.trace,
      );
    default:
      return map(
        (node.children ?? []).map((p): [string, Value] => {
          // The text is valid JSON (jsondecode parsed it first), so each property has its key and its value.
          const [name, value] = defined(p.children, 'a JSON property has a key and a value');
          return [name.value as string, decodeJson(value, source, at)];
        }),
        at.range,
        at.trace,
      );
  }
}

/** Bound on the nesting of JSON text that is decoded: the decoding recurses, and the text is the scanned code's. */
export const MAX_JSON_DEPTH = 256;

/** How deep arrays and objects nest in JSON text (outside its strings). */
function jsonDepth(source: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  let escaped = false;
  for (const c of source) {
    if (escaped) escaped = false;
    else if (inString) {
      if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '[' || c === '{') max = Math.max(max, ++depth);
    else if (c === ']' || c === '}') depth--;
  }
  return max;
}

const TOO_DEEP = `JSON nested deeper than ${MAX_JSON_DEPTH} levels is not decoded`;

/**
 * JSON text as a value, every part at the text's origin; undefined when the text is not JSON,
 * unknown when it nests deeper than MAX_JSON_DEPTH.
 */
export function decodeJsonText(source: string, range: Range, trace: TraceStep[]): Value | undefined {
  try {
    JSON.parse(source);
  } catch {
    return undefined;
  }
  if (jsonDepth(source) > MAX_JSON_DEPTH) return unknown(TOO_DEEP, range, trace);
  const tree = parseTree(source);
  return tree && decodeJson(tree, source, { range, trace });
}

// ---------------------------------------------------------------------------
// Sets: known elements deduplicated by value and ordered as Terraform orders them.

function makeSet(values: Value[], at: At): Value {
  const seen = new Map<string, Value>();
  const pending: Value[] = [];
  for (const v of unify(values)) {
    if (firstUnknown(v)) pending.push(v);
    else if (!seen.has(identity(v))) seen.set(identity(v), v);
  }
  const kept = [...seen.values()];
  const all = (kind: Value['kind']) => kept.every((v) => v.kind === kind);
  if (all('string')) kept.sort((a, b) => byText((a as Of<'string'>).value, (b as Of<'string'>).value));
  else if (all('number')) kept.sort((a, b) => numbers.compare(a as Of<'number'>, b as Of<'number'>));
  else if (all('bool')) kept.sort((a, b) => Number((a as Of<'bool'>).value) - Number((b as Of<'bool'>).value));
  // An unknown element may equal a known one, so the set keeps it apart, and its length is unknown.
  return list([...kept, ...pending], at.range, at.trace, true);
}

/** Set elements, all known (a set operation on an unknown element is unknown). */
const setItems = (v: Value) => items(v).map(known);

// ---------------------------------------------------------------------------
// Regular expressions: RE2 as Go has it (regex.ts).

function pattern(source: string, style: 'regex' | 'replace'): Pattern {
  try {
    return compilePattern(source, style);
  } catch (e) {
    if (e instanceof PatternError) fail(e.message);
    throw e;
  }
}

type Shape = 'string' | 'tuple' | 'object';

/** What a match gives, as Terraform decides it from the pattern: a string, a tuple of groups, or an object of named groups. */
function captureShape(p: Pattern): Shape {
  const named = p.names.filter(Boolean).length;
  if (named && named < p.names.length) fail('invalid regexp pattern: cannot mix both named and unnamed capture groups');
  return named ? 'object' : p.names.length ? 'tuple' : 'string';
}

function captures(m: Groups, p: Pattern, shape: Shape, at: At): Value {
  const s = (x: string | undefined) => (x === undefined ? nil(at.range, at.trace) : str(x, at.range, at.trace));
  if (shape === 'string') return s(m[0]);
  if (shape === 'object')
    return map(
      p.names.map((n, i) => [n, s(m[i + 1])]),
      at.range,
      at.trace,
    );
  return list(m.slice(1).map(s), at.range, at.trace);
}

// ---------------------------------------------------------------------------
// format: cty's verbs, flags, width, precision and %[n] argument indexes.

const VERB = /%([-+ 0#]*)(?:\[(\d+)\])?(\d+)?(?:\.(\d*))?(.)?/suy;

/** cty's formatPadWidth: to `width` grapheme clusters, with spaces or (flag 0) zeros, left or (flag -) right. */
function pad(s: string, width: number | undefined, flags: string): string {
  const fill = (width ?? 0) - graphemes(s).length;
  if (fill <= 0) return s;
  const padding = (flags.includes('0') ? '0' : ' ').repeat(fill);
  return flags.includes('-') ? s + padding : padding + s;
}

/** Go's fmt with a big.Int (cty's %d %b %o %x %X): sign, # prefix, precision as least digits, width. */
function formatInteger(
  n: bigint,
  verb: 'd' | 'b' | 'o' | 'x' | 'X',
  flags: string,
  width: number | undefined,
  precision: number | undefined,
): string {
  const sign = n < 0n ? '-' : flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const prefix = flags.includes('#') ? ({ d: '', b: '0b', o: '0', x: '0x', X: '0X' } as const)[verb] : '';
  const digits = (n < 0n ? -n : n).toString({ d: 10, b: 2, o: 8, x: 16, X: 16 }[verb]);
  let zeros = 0;
  if (precision !== undefined) {
    if (digits.length < precision) zeros = precision - digits.length;
    else if (digits === '0' && precision === 0) return '';
  }
  const fill = (width ?? 0) - (sign.length + prefix.length + zeros + digits.length);
  let [left, right] = [0, 0];
  if (fill > 0 && flags.includes('-')) right = fill;
  else if (fill > 0 && flags.includes('0') && precision === undefined) zeros += fill;
  else if (fill > 0) left = fill;
  return ' '.repeat(left) + sign + prefix + '0'.repeat(zeros) + (verb === 'X' ? digits.toUpperCase() : digits) + ' '.repeat(right);
}

/** Go's fmt with a big.Float (cty's %e %E %f %g %G): big.Float's Text, then sign and width as its Format sets them. */
function formatFloat(
  n: numbers.TerraformNumber,
  verb: TextFormat,
  flags: string,
  width: number | undefined,
  precision: number | undefined,
): string {
  const written = goText(n, verb, precision ?? (verb === 'g' || verb === 'G' ? -1 : 6));
  let [sign, body] = ['', written];
  if (written.startsWith('-') || written.startsWith('+'))
    [sign, body] = [written.startsWith('+') && flags.includes(' ') ? ' ' : written[0], written.slice(1)];
  else if (flags.includes('+')) sign = '+';
  else if (flags.includes(' ')) sign = ' ';
  const fill = Math.max((width ?? 0) - sign.length - body.length, 0);
  if (flags.includes('-')) return sign + body + ' '.repeat(fill);
  if (flags.includes('0') && n.value.isFinite()) return sign + '0'.repeat(fill) + body;
  return ' '.repeat(fill) + sign + body;
}

function formatOne(
  verb: string,
  flags: string,
  width: number | undefined,
  precision: number | undefined,
  arg: Value,
  raw: string,
  offset: number,
): string {
  const where = `"${raw}" at ${offset}`;
  if (arg.kind === 'null') {
    if (verb === 'v') return pad('null', width, flags);
    fail(`unsupported value for ${where}: null value cannot be formatted`);
  }
  switch (verb) {
    case 'v':
      if (!flags.includes('#') && arg.kind === 'string') return pad(arg.value, width, flags);
      if (!flags.includes('#') && arg.kind === 'number') return pad(goText(arg, 'g', -1), width, flags);
      return pad(jsonText(arg), width, flags);
    case 's':
    case 'q': {
      const s = precision === undefined ? text(arg) : graphemes(text(arg)).slice(0, precision).join('');
      return pad(verb === 's' ? s : jsonString(s), width, flags);
    }
    case 't':
      return String(boolean(arg));
    case 'd':
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      const n = numbers.toBigInt(number(arg));
      if (n === undefined) fail(`unsupported value for ${where}: an integer is required`);
      return formatInteger(n, verb, flags, width, precision);
    }
    case 'f':
    case 'e':
    case 'E':
    case 'g':
    case 'G':
      return formatFloat(number(arg), verb, flags, width, precision);
    default:
      fail(`unsupported format verb '${verb}' in "${raw}" at offset ${offset}`);
  }
}

/** format's widths and precisions beyond this are not built (budget.ts counts what is). */
const MAX_FORMAT_WIDTH = 1_000_000;

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
    // Everything after the % is optional, so VERB matches at every %; the groups that did not take part are undefined.
    const match = defined(VERB.exec(spec), 'a format verb pattern matches at every %');
    const raw = match[0];
    const flags = match.at(1) ?? '';
    const index = match.at(2);
    const width = match.at(3);
    const precision = match.at(4);
    const verb = match.at(5);
    if (!verb || precision === '' || Number(index) === 0) fail(`invalid format sequence at offset ${pct}`);
    if (index) next = Number(index) - 1;
    const arg = args.at(next);
    if (!arg) fail(`not enough arguments for "${raw}" at ${pct}: need index ${next + 1} but have ${args.length} total`);
    highest = Math.max(highest, ++next);
    // A width or precision past any real use would build the string before the budget could see it: it is the budget running out.
    if (Number(width ?? 0) > MAX_FORMAT_WIDTH || Number(precision ?? 0) > MAX_FORMAT_WIDTH)
      throw new RangeError(`Invalid string length: "${raw}" at offset ${pct}`);
    out += formatOne(
      verb,
      flags,
      width === undefined ? undefined : Number(width),
      precision === undefined ? undefined : Number(precision),
      arg,
      raw,
      pct,
    );
    i = pct + raw.length;
  }
  if (highest < args.length)
    fail(highest === 0 ? 'too many arguments; no verbs in format string' : `too many arguments; only ${highest} used by format string`);
  return out;
}

// ---------------------------------------------------------------------------
// The functions.

/** cty's range: from start, by step, while short of end; at most 1024 values. */
function rangeOf(args: Value[], at: At): Value {
  const ns = args.map(number);
  const [zero, one, minusOne] = [numbers.fromInteger(0), numbers.fromInteger(1), numbers.fromInteger(-1)];
  const [start, end] = ns.length === 1 ? [zero, ns[0]] : [ns[0], ns[1]];
  const step = ns[2] ?? (numbers.compare(end, start) < 0 ? minusOne : one);
  const down = numbers.compare(step, zero) < 0;
  if (down && numbers.compare(end, start) > 0) fail('end must be less than start when step is negative');
  if (!down && numbers.compare(end, start) < 0) fail('end must be greater than start when step is positive');
  const out: Value[] = [];
  for (let n = start; down ? numbers.compare(n, end) > 0 : numbers.compare(n, end) < 0; n = numbers.add(n, step)) {
    if (out.length >= 1024)
      fail('more than 1024 values were generated; either decrease the difference between start and end or use a smaller step');
    out.push(numberAt(n, at));
  }
  return list(out, at.range, at.trace);
}

function formatList(spec: string, args: Value[], at: At): Value {
  let length = -1;
  args.forEach((a, i) => {
    if (a.kind !== 'list') return;
    if (length >= 0 && a.items.length !== length)
      fail(`argument ${i + 2} has length ${a.items.length}, which is inconsistent with the other lists (length ${length})`);
    length = a.items.length;
  });
  const out: Value[] = [];
  for (let i = 0; i < (length < 0 ? 1 : length); i++) {
    const row = args.map((a) => (a.kind === 'list' ? a.items[i] : a));
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

/** A number as gocty converts it to a float64: rounded, but never to an infinity it was not. */
function float64(v: Value): numbers.TerraformNumber {
  const n = number(v);
  if (n.value.isFinite() && !Number.isFinite(numbers.toFloat64(n)))
    fail('value must be between -1.7976931348623157e+308 and 1.7976931348623157e+308 inclusive');
  return n;
}

/** Go's big.Int SetString(s, base) for base 2 to 62: an optional sign, then digits (letters from 10; from base 37 upper case is 36 and up). */
function parseInteger(s: string, base: number): bigint | undefined {
  const m = /^([+-]?)([0-9A-Za-z]+)$/.exec(s);
  if (!m) return undefined;
  const digits = Array.from(m[2], (c) =>
    c <= '9' ? c.charCodeAt(0) - 48 : c >= 'a' ? c.charCodeAt(0) - 87 : c.charCodeAt(0) - 65 + (base <= 36 ? 10 : 36),
  );
  if (digits.some((d) => d >= base)) return undefined;
  if (numbers.integerBeyondRange(m[2].replace(/^0+/, '').length, base)) throw numbers.beyondRange();
  const n = digits.reduce((total, d) => total * BigInt(base) + BigInt(d), 0n);
  return m[1] === '-' ? -n : n;
}

const hash = (algorithm: string) => spec(1, 1, ([s]) => createHash(algorithm).update(text(s)).digest('hex'));

const SPECS: Record<string, Spec> = {
  // Selection: the chosen argument is returned as it is.
  coalesce: spec(
    1,
    ANY,
    (args) => {
      for (const v of unify(args)) if (!isEmpty(v)) return v;
      fail('no non-null, non-empty-string arguments');
    },
    { lazy: true, nulls: true },
  ),
  coalescelist: spec(
    1,
    ANY,
    (args) => {
      for (const v of args) if (v.kind !== 'null' && items(v, false).length) return v;
      fail('no non-null, non-empty list arguments');
    },
    { lazy: true, nulls: true },
  ),
  lookup: spec(
    2,
    3,
    (args) => {
      const [m, key] = args;
      const fallback = args.at(2);
      const k = text(key);
      const found = entries(m).get(k);
      if (found) return found;
      if (fallback) return fallback;
      fail(`the map has no element "${k}" and no default was given`);
    },
    { lazy: true, nulls: true },
  ),
  try: spec(
    1,
    ANY,
    (args) => {
      for (const v of args) if (!deepError(v)) return v;
      fail(`no argument succeeded; the first failed with: ${defined(deepError(args[0]), 'every argument failed').reason}`);
    },
    { lazy: true, nulls: true, catches: true },
  ),
  can: spec(1, 1, ([v]) => (deepError(v) ? false : (firstUnknown(v) ?? true)), { lazy: true, nulls: true, catches: true }),
  element: spec(2, 2, ([l, i]) => {
    const all = items(l, false);
    const n = numbers.toBigInt(number(i));
    if (n === undefined || n >= 2n ** 63n || n < -(2n ** 63n)) fail(`invalid index: ${NOT_AN_INT}`);
    if (!all.length) fail('cannot use element function with an empty list');
    if (n < 0n) fail('cannot use element function with a negative index');
    return all[Number(n % BigInt(all.length))];
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
  merge: spec(
    0,
    ANY,
    (args, at) => {
      const out = new Map<string, Value>();
      for (const m of args) if (m.kind !== 'null') for (const [k, v] of entries(m)) out.set(k, v);
      return map(out, at.range, at.trace);
    },
    { nulls: true },
  ),
  concat: spec(1, ANY, (args, at) =>
    list(
      args.flatMap((a) => items(a, false)),
      at.range,
      at.trace,
    ),
  ),
  flatten: spec(1, 1, ([l], at) => {
    // An unknown element might be a list, so the shape of the result is unknown.
    const flat = (vs: Value[]): Value[] => vs.flatMap((v) => (v.kind === 'list' ? flat(v.items) : [need(v)]));
    return list(flat(items(l)), at.range, at.trace);
  }),
  values: spec(1, 1, ([m], at) => {
    const e = entries(m);
    return list(
      [...e].sort(([a], [b]) => byText(a, b)).map(([, v]) => v),
      at.range,
      at.trace,
    );
  }),
  keys: spec(1, 1, ([m], at) =>
    list(
      [...entries(m).keys()].sort(byText).map((k) => str(k, at.range, at.trace)),
      at.range,
      at.trace,
    ),
  ),
  zipmap: spec(2, 2, ([ks, vs], at) => {
    const names = items(ks).map(text);
    const values = items(vs, false);
    if (names.length !== values.length) fail(`number of keys (${names.length}) does not match number of values (${values.length})`);
    return map(
      names.map((k, i) => [k, values[i]]),
      at.range,
      at.trace,
    );
  }),
  distinct: spec(1, 1, ([l], at) => {
    const seen = new Set<string>();
    const kept = items(l).filter((v) => {
      const id = identity(v);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    return list(kept, at.range, at.trace);
  }),
  compact: spec(1, 1, ([l], at) =>
    list(
      items(l)
        .map(need)
        .filter((v) => !isEmpty(v))
        .map(asString),
      at.range,
      at.trace,
    ),
  ),
  slice: spec(3, 3, ([l, from, to], at) => {
    const all = items(l, false);
    const [a, b] = [integer(from), integer(to)];
    if (a < 0) fail('the start index must not be negative');
    if (b > all.length) fail(`the end index must not be greater than the length of the list (${all.length})`);
    if (a > b) fail('the start index must not be greater than the end index');
    return list(all.slice(a, b), at.range, at.trace);
  }),
  reverse: spec(1, 1, ([l], at) => list([...items(l, false)].reverse(), at.range, at.trace)),
  sort: spec(1, 1, ([l], at) =>
    list(
      items(l)
        .map(asString)
        .sort((a, b) => byText(a.value, b.value)),
      at.range,
      at.trace,
    ),
  ),
  range: spec(1, 3, rangeOf),
  tolist: spec(1, 1, ([v], at) => (v.kind === 'null' ? v : { ...list(unify(items(v)), at.range, at.trace), listType: true }), {
    nulls: true,
  }),
  toset: spec(1, 1, ([v], at) => (v.kind === 'null' ? v : makeSet(items(v), at)), { nulls: true }),
  tomap: spec(
    1,
    1,
    ([v], at) => {
      if (v.kind === 'null') return v;
      const e = entries(v);
      const unified = unify([...e.values()]);
      return map(
        [...e.keys()].map((k, i) => [k, unified[i]]),
        at.range,
        at.trace,
      );
    },
    { nulls: true },
  ),
  setunion: spec(1, ANY, (args, at) => makeSet(args.flatMap(setItems), at)),
  setintersection: spec(1, ANY, (args, at) => {
    const [first, ...rest] = args.map((a) => setItems(a));
    const others = rest.map((r) => new Set(r.map(identity)));
    return makeSet(
      first.filter((v) => others.every((o) => o.has(identity(v)))),
      at,
    );
  }),
  setsubtract: spec(2, 2, ([a, b], at) => {
    const drop = new Set(setItems(b).map(identity));
    return makeSet(
      setItems(a).filter((v) => !drop.has(identity(v))),
      at,
    );
  }),

  // Questions about collections.
  length: spec(1, 1, ([v]) => {
    if (v.kind === 'string') return graphemes(v.value).length;
    if (v.kind === 'map') return v.entries.size;
    // Unknown set elements may turn out equal, so such a set's length is unknown.
    if (v.kind === 'list') return (v.set ? v.items.map(known) : v.items).length;
    fail(`a string, list, set or map is required, not ${typeName(v)}`);
  }),
  contains: spec(
    2,
    2,
    ([l, x]) => {
      let pending: Value | undefined;
      for (const v of items(l)) {
        const eq = valuesEqual(v, x);
        if (eq) return true;
        if (eq === undefined) pending ??= firstUnknown(v) ?? firstUnknown(x);
      }
      return pending ?? false;
    },
    { lazy: true },
  ),
  index: spec(
    2,
    2,
    ([l, x]) => {
      for (const [i, v] of items(l, false).entries()) {
        const eq = valuesEqual(v, x);
        if (eq === undefined)
          return defined(firstUnknown(v) ?? firstUnknown(x), 'values compare as unknown only when one holds an unknown');
        if (eq) return i;
      }
      fail('item not found');
    },
    { lazy: true },
  ),
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
  format: spec(1, ANY, ([f, ...args], at) => textOf(f, args, at) ?? formatText(text(f), args.map(known)), { nulls: true, lazy: true }),
  formatlist: spec(1, ANY, ([f, ...args], at) => formatList(text(f), args, at), { nulls: true }),
  join: spec(2, ANY, ([sep, ...lists], at) => {
    const joined = joinedText(sep, lists, at);
    if (joined) return joined;
    const parts = lists.flatMap((l) => items(l)).map(need);
    if (parts.some((p) => p.kind === 'null')) fail('a null element cannot be joined');
    return parts.map(text).join(text(sep));
  }),
  split: spec(2, 2, ([sep, s], at) => {
    const [d, t] = [text(sep), text(s)];
    return list(
      (d === '' ? Array.from(t) : t.split(d)).map((p) => str(p, at.range, at.trace)),
      at.range,
      at.trace,
    );
  }),
  replace: spec(3, 3, ([s, sub, rep]) => {
    const [t, search, r] = [text(s), text(sub), text(rep)];
    const regex = search.length > 1 && search.startsWith('/') && search.endsWith('/');
    return regex ? replaceMatches(pattern(search.slice(1, -1), 'replace'), t, r) : replaceAll(t, search, r);
  }),
  regex: spec(2, 2, ([p, s], at) => {
    const re = pattern(text(p), 'regex');
    const shape = captureShape(re);
    const m = findFirst(re, text(s));
    if (!m) fail('pattern did not match any part of the given string');
    return captures(m, re, shape, at);
  }),
  regexall: spec(2, 2, ([p, s], at) => {
    const re = pattern(text(p), 'regex');
    const shape = captureShape(re);
    return list(
      findAll(re, text(s)).map((m) => captures(m, re, shape, at)),
      at.range,
      at.trace,
    );
  }),

  // Encoding.
  // The encoded value stays with the text, so a path into the JSON (an image in container_definitions) keeps its origins.
  jsonencode: spec(
    1,
    1,
    ([v], at): Value => {
      const missing = firstUnknown(v);
      if (missing) {
        const refs = refsOf(v);
        return { kind: 'unknown', reason: missing.reason, origin: at.range, trace: at.trace, ...(refs.length ? { refs } : {}), encoded: v };
      }
      return { kind: 'string', value: jsonText(v), origin: at.range, trace: at.trace, encoded: v };
    },
    { nulls: true },
  ),
  jsondecode: spec(1, 1, ([s], at) => {
    const source = text(s);
    try {
      JSON.parse(source);
    } catch (e) {
      fail(`invalid JSON: ${(e as Error).message}`);
    }
    if (jsonDepth(source) > MAX_JSON_DEPTH) return unknown(TOO_DEEP, at.range, at.trace);
    return decodeJson(defined(parseTree(source), 'valid JSON has a parse tree'), source, at);
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

  // Numbers (number.ts): computed, reported at the call.
  min: spec(1, ANY, (args, at) =>
    numberAt(
      args.map(number).reduce((m, n) => (numbers.compare(n, m) < 0 ? n : m)),
      at,
    ),
  ),
  max: spec(1, ANY, (args, at) =>
    numberAt(
      args.map(number).reduce((m, n) => (numbers.compare(n, m) > 0 ? n : m)),
      at,
    ),
  ),
  abs: spec(1, 1, ([n], at) => numberAt(numbers.absolute(number(n)), at)),
  ceil: spec(1, 1, ([n], at) => numberAt(numbers.ceil(number(n)), at)),
  floor: spec(1, 1, ([n], at) => numberAt(numbers.floor(number(n)), at)),
  signum: spec(1, 1, ([n]) => Math.sign(integer(n))),
  pow: spec(2, 2, ([a, b], at) => numberAt(numbers.power(float64(a), float64(b)), at)),
  sum: spec(1, 1, ([l], at) => {
    const all = items(l);
    if (!all.length) fail('cannot sum an empty list');
    return numberAt(
      all.map(number).reduce((total, n) => numbers.add(total, n)),
      at,
    );
  }),
  parseint: spec(2, 2, ([s, b], at) => {
    if (s.kind !== 'string') fail(`first argument must be a string, not ${typeName(s)}`);
    const base = integer(b);
    if (base < 2 || base > 62) fail('base must be a whole number between 2 and 62 inclusive');
    const n = parseInteger(s.value, base);
    if (n === undefined) fail(`cannot parse ${JSON.stringify(s.value)} as a base ${base} integer`);
    return numberAt(numbers.fromInteger(n), at);
  }),
};

// ---------------------------------------------------------------------------
// Calling.

/** The trace of the only argument that has one; with several, no single chain explains the result. */
function traceOf(args: Value[]): TraceStep[] {
  const traced = args.filter((a) => a.trace.length > 0);
  return traced.length === 1 ? traced[0].trace : [];
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
      if (typeof r === 'number') return num(r, at.range, at.trace);
      if (typeof r === 'boolean') return bool(r, at.range, at.trace);
      return r;
    } catch (e) {
      if (e instanceof numbers.NumberError) return failure(`call to function "${name}" failed: ${e.message}`, call.range);
      if (e instanceof numbers.Unevaluated) return unknown(`function "${name}": ${e.message}`, call.range);
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
