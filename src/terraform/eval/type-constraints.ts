import type { Expr } from '../../parse/syntax';
import { toBoolValue, toNumberValue, toStringValue } from './convert';
import { at, failure, list, map, nil, type Value } from './value';

/** A variable's type constraint. */
export type Type =
  | { kind: 'any' }
  | { kind: 'string' | 'number' | 'bool' }
  | { kind: 'list' | 'set' | 'map'; element: Type }
  | { kind: 'tuple'; elements: Type[] }
  | { kind: 'object'; attributes: Map<string, { type: Type; optional: boolean; default?: Expr }> };

const ANY: Type = { kind: 'any' };

/** Reads a type constraint expression (`map(object({ x = optional(string, "a") }))`). */
export function parseType(expr: Expr | undefined): Type {
  if (!expr) return ANY;
  // Terraform JSON writes the constraint as a string: "string", "list(string)".
  if (expr.kind === 'literal' && typeof expr.value === 'string') return typeFromText(expr.value);
  if (expr.kind === 'traversal' && expr.steps.length === 0) {
    if (expr.root === 'string' || expr.root === 'number' || expr.root === 'bool') return { kind: expr.root };
    return ANY;
  }
  if (expr.kind !== 'call') return ANY;
  const first = expr.args.at(0);
  switch (expr.name) {
    case 'list':
    case 'set':
    case 'map':
      return { kind: expr.name, element: parseType(first) };
    case 'tuple':
      return { kind: 'tuple', elements: first?.kind === 'tuple' ? first.items.map(parseType) : [] };
    case 'object': {
      const attributes = new Map<string, { type: Type; optional: boolean; default?: Expr }>();
      if (first?.kind === 'object') {
        for (const item of first.items) {
          if (item.key.kind !== 'literal' && item.key.kind !== 'traversal') continue;
          const name = item.key.kind === 'literal' ? String(item.key.value) : item.key.root;
          const v = item.value;
          if (v.kind === 'call' && v.name === 'optional')
            attributes.set(name, { type: parseType(v.args[0]), optional: true, default: v.args[1] });
          else attributes.set(name, { type: parseType(v), optional: false });
        }
      }
      return { kind: 'object', attributes };
    }
    default:
      return ANY;
  }
}

/**
 * Converts a value to a type constraint as Terraform does for variables: primitive
 * conversions, element conversion, and optional object attributes filled with their
 * defaults (reported where the default is written).
 */
export function convert(value: Value, type: Type, evaluateDefault: (e: Expr) => Value): Value {
  if (value.kind === 'unknown' || type.kind === 'any') return value;
  if (value.kind === 'null') return value;
  switch (type.kind) {
    case 'string':
      return toStringValue(value);
    case 'number':
      return toNumberValue(value);
    case 'bool':
      return toBoolValue(value);
    case 'list':
    case 'set': {
      const items = value.kind === 'list' ? value.items : value.kind === 'map' ? null : null;
      if (!items) return failure(`a list is required`, value.origin, value.trace);
      const converted = at(
        list(
          items.map((i) => convert(i, type.element, evaluateDefault)),
          undefined,
          [],
          type.kind === 'set',
        ),
        value.origin,
        value.trace,
      );
      return type.kind === 'list' ? ({ ...converted, listType: true } as Value) : converted;
    }
    case 'tuple': {
      if (value.kind !== 'list') return failure('a tuple is required', value.origin, value.trace);
      return at(list(value.items.map((i, n) => convert(i, type.elements[n] ?? ANY, evaluateDefault))), value.origin, value.trace);
    }
    case 'map': {
      if (value.kind !== 'map') return failure('a map is required', value.origin, value.trace);
      return at(map([...value.entries].map(([k, v]) => [k, convert(v, type.element, evaluateDefault)])), value.origin, value.trace);
    }
    case 'object': {
      if (value.kind !== 'map') return failure('an object is required', value.origin, value.trace);
      const entries: [string, Value][] = [];
      for (const [name, attr] of type.attributes) {
        const given = value.entries.get(name);
        if (given && given.kind !== 'null') entries.push([name, convert(given, attr.type, evaluateDefault)]);
        else if (attr.optional)
          entries.push([name, attr.default ? convert(evaluateDefault(attr.default), attr.type, evaluateDefault) : nil()]);
        else if (given) entries.push([name, given]);
        else return failure(`attribute "${name}" is required`, value.origin, value.trace);
      }
      return at(map(entries), value.origin, value.trace);
    }
  }
}

/** A type constraint written as text (Terraform JSON); what is not read here is `any`. */
function typeFromText(text: string): Type {
  const t = text.replace(/\s+/g, '');
  if (t === 'string' || t === 'number' || t === 'bool') return { kind: t };
  const collection = /^(list|set|map)\((string|number|bool|any)\)$/.exec(t);
  if (collection) return { kind: collection[1] as 'list' | 'set' | 'map', element: typeFromText(collection[2]) };
  return ANY;
}
