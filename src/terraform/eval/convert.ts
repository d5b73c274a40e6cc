import { parseNumber, Unevaluated } from './number';
import { numberText, numbersEqual } from './number-text';
import { at, bool, failure, num, str, typeName, unknown, type Value } from './value';

/** The number's text as Terraform writes it, or unknown where tagguard does not write it out. */
function numberString(v: Extract<Value, { kind: 'number' }>): Value {
  try {
    return at(str(numberText(v)), v.origin, v.trace);
  } catch (e) {
    if (e instanceof Unevaluated) return unknown(e.message, v.origin, v.trace);
    throw e;
  }
}

/** Terraform's implicit conversion to string (numbers and bools convert; others fail). */
export function toStringValue(v: Value): Value {
  switch (v.kind) {
    case 'string':
    case 'unknown':
      return v;
    case 'number':
      return numberString(v);
    case 'bool':
      return at(str(String(v.value)), v.origin, v.trace);
    default:
      return failure(`a ${typeName(v)} cannot be used as a string`, v.origin, v.trace);
  }
}

/** A string becomes a number as cty.ParseNumberVal reads it (number.ts): "0x10", " 1" and "Infinity" fail, "inf" is +Inf. */
export function toNumberValue(v: Value): Value {
  switch (v.kind) {
    case 'number':
    case 'unknown':
      return v;
    case 'string': {
      let n;
      try {
        n = parseNumber(v.value);
      } catch (e) {
        if (e instanceof Unevaluated) return unknown(`"${v.value}": ${e.message}`, v.origin, v.trace);
        throw e;
      }
      return n ? at(num(n), v.origin, v.trace) : failure(`"${v.value}" is not a number`, v.origin, v.trace);
    }
    default:
      return failure(`a ${typeName(v)} cannot be used as a number`, v.origin, v.trace);
  }
}

export function toBoolValue(v: Value): Value {
  switch (v.kind) {
    case 'bool':
    case 'unknown':
      return v;
    case 'string':
      if (v.value === 'true' || v.value === 'false') return at(bool(v.value === 'true'), v.origin, v.trace);
      return failure(`"${v.value}" is not a bool`, v.origin, v.trace);
    default:
      return failure(`a ${typeName(v)} cannot be used as a bool`, v.origin, v.trace);
  }
}

/** Deep equality of two values as Terraform's == sees it; undefined when an unknown decides. */
export function valuesEqual(a: Value, b: Value): boolean | undefined {
  if (a.kind === 'unknown' || b.kind === 'unknown') return undefined;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'null':
      return true;
    case 'number':
      return numbersEqual(a, b as typeof a);
    case 'string':
    case 'bool':
      return a.value === (b as typeof a).value;
    case 'list': {
      const other = b as typeof a;
      if (a.items.length !== other.items.length) return false;
      let result: boolean | undefined = true;
      a.items.forEach((item, i) => {
        const eq = valuesEqual(item, other.items[i]);
        if (eq === false) result = false;
        else if (eq === undefined && result) result = undefined;
      });
      return result;
    }
    case 'map': {
      const other = b as typeof a;
      if (a.entries.size !== other.entries.size) return false;
      let result: boolean | undefined = true;
      for (const [k, v] of a.entries) {
        const w = other.entries.get(k);
        if (!w) return false;
        const eq = valuesEqual(v, w);
        if (eq === false) return false;
        if (eq === undefined) result = undefined;
      }
      return result;
    }
  }
}
