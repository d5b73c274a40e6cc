import type { Range } from '../../parse/source';
import { fromInteger, parseNumber, type TerraformNumber } from './number';
import { numberText, toJsNumber } from './number-text';
import { defined } from '../defined';

/** One step from where a value is used to where it is written. */
export interface TraceStep {
  file: string;
  line: number;
  column: number;
  note: string;
}

interface Base {
  /** Where the value is written: the literal a user would change. */
  origin?: Range;
  /** The chain of references from the use to the origin. */
  trace: TraceStep[];
}

/**
 * A value as static evaluation knows it. Collections hold values, so every element
 * keeps its own origin: a for_each over a map reports the entry that is wrong, not
 * the map. Unknown is a value too, and only what depends on it becomes unknown.
 */
export type Value =
  /**
   * template: a string built by a template with interpolations, its parts in order, each with
   * its origin (an image's tag read from a tfvars file). encoded: the value jsonencode encoded
   * into this string, so a path into the JSON reaches the values with their origins.
   */
  | (Base & { kind: 'string'; value: string; template?: Value[]; encoded?: Value })
  /** A Go big.Float as cty holds it: an exact value and its precision in bits (number.ts). */
  | (Base & { kind: 'number' } & TerraformNumber)
  | (Base & { kind: 'bool'; value: boolean })
  | (Base & { kind: 'null' })
  /** listType: of a list type (a `list(…)` constraint, tolist), which Terraform names "list of …"; a literal list is a tuple. */
  | (Base & { kind: 'list'; items: Value[]; set?: boolean; listType?: boolean })
  /** open: the object has more attributes than `entries` lists, all unknown for this reason (a model's outputs). */
  | (Base & { kind: 'map'; entries: Map<string, Value>; open?: string })
  /**
   * error: Terraform itself would fail here (a missing key, a bad argument); try() and can() catch it.
   * refs: the other resources' attributes the value is read from, so a policy can join resources.
   * template: the parts of a string template with an unknown part, in order: known strings
   * (with their origins) and unknown values, so a policy can read what is known around a reference.
   */
  | (Base & { kind: 'unknown'; reason: string; error?: boolean; refs?: ResourceRef[]; template?: Value[]; encoded?: Value });

/**
 * A reference to another resource (or data source) instance's attribute: unknown
 * before apply, but which resource it names is known (design.md: refs).
 */
export interface ResourceRef {
  /** The resource's address in its module instance, without an instance key: `module.a["x"].harbor_project.p`. */
  address: string;
  /** The instance key when the reference names one: a number under count, a string under for_each. */
  key?: string | number;
  /** The first attribute read from the instance: `id` of `harbor_project.p.id`. */
  attribute?: string;
  /** The value is computed from the attribute (`"${p.id}0"`, `p.id + 1`, `upper(p.id)`), not the attribute itself. */
  derived?: boolean;
}

export type Kind = Value['kind'];

export function str(value: string, origin?: Range, trace: TraceStep[] = []): Value {
  return { kind: 'string', value, origin, trace };
}

/** A number; a JavaScript number must be whole (a count, an index, a length: Terraform's NumberIntVal). */
export function num(n: TerraformNumber | number, origin?: Range, trace: TraceStep[] = []): Value {
  const { value, prec } = typeof n === 'number' ? fromInteger(n) : n;
  return { kind: 'number', value, prec, origin, trace };
}

export function bool(value: boolean, origin?: Range, trace: TraceStep[] = []): Value {
  return { kind: 'bool', value, origin, trace };
}

export function nil(origin?: Range, trace: TraceStep[] = []): Value {
  return { kind: 'null', origin, trace };
}

export function list(items: Value[], origin?: Range, trace: TraceStep[] = [], set = false): Value {
  return set ? { kind: 'list', items, set, origin, trace } : { kind: 'list', items, origin, trace };
}

export function map(entries: Map<string, Value> | [string, Value][], origin?: Range, trace: TraceStep[] = [], open?: string): Value {
  const value: Value = { kind: 'map', entries: entries instanceof Map ? entries : new Map(entries), origin, trace };
  return open ? { ...value, open } : value;
}

export function unknown(reason: string, origin?: Range, trace: TraceStep[] = []): Value {
  return { kind: 'unknown', reason, origin, trace };
}

/** Another resource's attribute: unknown, and which resource it is. */
export function reference(reason: string, ref: ResourceRef, origin?: Range, trace: TraceStep[] = []): Value {
  return { kind: 'unknown', reason, refs: [ref], origin, trace };
}

/** `TYPE.NAME` or `data.TYPE.NAME`, with an optional literal key and attribute: a reference as plans and cdktf write it. */
const REFERENCE_TEXT = /^(data\.)?([A-Za-z][\w-]*)\.([A-Za-z_][\w-]*)(?:\[(\d+|"(?:[^"\\]|\\.)*")\])?(?:\.([A-Za-z_][\w-]*))?/;

/** Roots of references that are Terraform's own, not resource types. */
const NOT_RESOURCES = new Set(['var', 'local', 'module', 'count', 'each', 'path', 'terraform', 'self']);

const WHOLE_REFERENCE_TEXT = new RegExp(`${REFERENCE_TEXT.source}$`);

/**
 * The resource a reference's text names (`harbor_project.p["a"].id`), in the module at `prefix`;
 * undefined for var., local. and the like. whole: the text must be nothing but the reference.
 */
export function parseReference(text: string, prefix = '', whole = false): ResourceRef | undefined {
  const m = (whole ? WHOLE_REFERENCE_TEXT : REFERENCE_TEXT).exec(text);
  if (!m || (!m[1] && NOT_RESOURCES.has(m[2]))) return undefined;
  const [, data = '', type, name, rawKey, attribute] = m as unknown as [string, string | undefined, string, string, string?, string?];
  const key = rawKey === undefined ? undefined : rawKey.startsWith('"') ? (JSON.parse(rawKey) as string) : Number(rawKey);
  return {
    address: `${prefix ? `${prefix}.` : ''}${data}${type}.${name}`,
    ...(key === undefined ? {} : { key }),
    ...(attribute ? { attribute } : {}),
  };
}

/** A referenced instance's address, spelt as that resource's own address: `harbor_project.p["a"]`. */
export function instanceAddress(ref: ResourceRef): string {
  return ref.key === undefined ? ref.address : `${ref.address}[${JSON.stringify(ref.key)}]`;
}

/** Every resource a value is read from, in order, once each. */
export function refsOf(value: Value): ResourceRef[] {
  const out = new Map<string, ResourceRef>();
  // Values share their parts (expandedSize): each part is visited once.
  const seen = new WeakSet<Value>();
  const visit = (v: Value) => {
    if (seen.has(v)) return;
    seen.add(v);
    if (v.kind === 'unknown') for (const r of v.refs ?? []) out.set(JSON.stringify([r.address, r.key, r.attribute, r.derived]), r);
    else if (v.kind === 'list') v.items.forEach(visit);
    else if (v.kind === 'map') for (const item of v.entries.values()) visit(item);
  };
  visit(value);
  return [...out.values()];
}

/** Bound on the parts unknown text keeps (templates of templates through locals can double each level). */
export const MAX_TEXT_PARTS = 32;

/**
 * Unknown text made of parts in order (known text and unknown values): unknown for its first
 * unknown part's reason, computed from every part's references, and keeping the parts when
 * there are not too many, so a policy can read what is known around an unknown value.
 */
export function unknownText(pieces: Value[], origin: Range | undefined, trace: TraceStep[]): Value {
  const first = pieces.find((p): p is Extract<Value, { kind: 'unknown' }> => p.kind === 'unknown');
  const refs = [
    ...new Map(pieces.flatMap((p) => (p.kind === 'unknown' ? (p.refs ?? []) : [])).map((r) => [JSON.stringify(r), r])).values(),
  ];
  const text: Value = derived({ kind: 'unknown', reason: first?.reason ?? 'unknown', origin, trace, ...(refs.length ? { refs } : {}) });
  return pieces.length <= MAX_TEXT_PARTS ? { ...text, template: pieces } : text;
}

/** The value computed from what it reads: its references are no longer the referenced attributes themselves. */
export function derived<V extends Value>(value: V): V {
  if (value.kind !== 'unknown' || !value.refs?.some((r) => !r.derived)) return value;
  return { ...value, refs: value.refs.map((r) => (r.derived ? r : { ...r, derived: true })) };
}

/** An evaluation that Terraform would reject: unknown to the scan, and catchable by try(). */
export function failure(reason: string, origin?: Range, trace: TraceStep[] = []): Value {
  return { kind: 'unknown', reason, error: true, origin, trace };
}

/**
 * Steps that record an assumption rather than a reference (no workspace selected):
 * they follow a value through the operators, conditions and calls it decides, so
 * that a finding says what it was decided under.
 */
const ASSUMPTIONS = new WeakSet<TraceStep>();

export function assumption(range: Range, note: string): TraceStep {
  const s = step(range, note);
  ASSUMPTIONS.add(s);
  return s;
}

/** The assumptions a value was decided under. */
export function assumed(value: Value): TraceStep[] {
  return value.trace.filter((s) => ASSUMPTIONS.has(s));
}

/** The value, also decided under the assumptions of `from`. */
export function decidedBy<V extends Value>(value: V, ...from: Value[]): V {
  const extra = from.flatMap(assumed).filter((s, i, all) => !value.trace.includes(s) && all.indexOf(s) === i);
  return extra.length ? { ...value, trace: [...value.trace, ...extra] } : value;
}

export function step(range: Range, note: string): TraceStep {
  return { file: range.file, line: range.line, column: range.column, note };
}

/** The value reached through a reference at `range`: its trace gains that step. */
export function via(value: Value, range: Range, note: string): Value {
  return { ...value, trace: [step(range, note), ...value.trace] };
}

/** The same value, reported at a new place (a computed result, a default filled in). */
export function at<V extends Value>(value: V, origin: Range | undefined, trace: TraceStep[] = value.trace): V {
  return { ...value, origin, trace };
}

const SIZES = new WeakMap<Value, number>();

/**
 * How many values a value holds when walked as a tree. Values share their parts (a
 * local used twice), so a few lines can build a value whose tree is exponential:
 * counted once per part, by identity, to catch that before anything walks it.
 */
export function expandedSize(value: Value): number {
  const known = SIZES.get(value);
  if (known !== undefined) return known;
  let size = 1;
  if (value.kind === 'list') for (const item of value.items) size += expandedSize(item);
  else if (value.kind === 'map') for (const item of value.entries.values()) size += expandedSize(item);
  SIZES.set(value, size);
  return size;
}

/** The first unknown anywhere inside a value, if any. */
export function firstUnknown(value: Value): Extract<Value, { kind: 'unknown' }> | undefined {
  switch (value.kind) {
    case 'unknown':
      return value;
    case 'list':
      for (const item of value.items) {
        const u = firstUnknown(item);
        if (u) return u;
      }
      return undefined;
    case 'map':
      for (const item of value.entries.values()) {
        const u = firstUnknown(item);
        if (u) return u;
      }
      return undefined;
    default:
      return undefined;
  }
}

export type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

/**
 * The value as plain JSON data; call only when firstUnknown is undefined. A number is a
 * JavaScript number when that number denotes exactly the decimal Terraform writes for it
 * (`30`, `0.3`, `1e+30`), and otherwise that decimal as a string (`"9007199254740993"`,
 * 155 digits of `1/3`, `"+Inf"`), so that no value the policy sees is silently rounded.
 */
export function toPlain(value: Value): Plain {
  switch (value.kind) {
    case 'number':
      return toJsNumber(value) ?? numberText(value);
    case 'string':
    case 'bool':
      return value.value;
    case 'null':
    case 'unknown':
      return null;
    case 'list':
      return value.items.map(toPlain);
    case 'map':
      return Object.fromEntries([...value.entries].map(([k, v]) => [k, toPlain(v)]));
  }
}

/** Plain data as a value whose every part is reported at `origin`. */
export function fromPlain(data: unknown, origin?: Range, trace: TraceStep[] = []): Value {
  if (data === null || data === undefined) return nil(origin, trace);
  if (typeof data === 'string') return str(data, origin, trace);
  if (typeof data === 'number') return num(defined(parseNumber(String(data)), 'plain data holds finite numbers'), origin, trace);
  if (typeof data === 'boolean') return bool(data, origin, trace);
  if (Array.isArray(data))
    return list(
      data.map((d) => fromPlain(d, origin, trace)),
      origin,
      trace,
    );
  return map(
    Object.entries(data as Record<string, unknown>).map(([k, v]) => [k, fromPlain(v, origin, trace)]),
    origin,
    trace,
  );
}

/** Terraform's name for a value's type, for messages. */
export function typeName(value: Value): string {
  switch (value.kind) {
    case 'list':
      return value.set ? 'set' : 'list';
    case 'map':
      return 'object';
    default:
      return value.kind;
  }
}
