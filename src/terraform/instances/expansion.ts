import type { Range } from '../../parse/source';
import type { Body } from '../../parse/syntax';
import { toNumberValue } from '../eval/convert';
import { toInt64 } from '../eval/number';
import { iterate, type Evaluator, type Symbols } from '../eval/evaluate';
import { WorkBudget } from '../eval/budget';
import { defined } from '../defined';
import { firstUnknown, num, str, unknown, type Value } from '../eval/value';

export interface Expansion {
  suffix: string;
  symbols: Symbols;
  /** count or for_each is unknown (where, and why): this stands for instances that may not exist at all. */
  uncertain?: Uncertain;
}

export interface Uncertain {
  reason: string;
  at: Range;
}

/** Told where Terraform would reject the configuration, and why. */
export type ReportProblem = (range: Range, message: string) => void;

/**
 * Instances a resource or module call with count or for_each stands for; unknown
 * means one that may exist. A value Terraform rejects (internal/terraform/eval_count.go,
 * eval_for_each.go) is an input error at the expression, in Terraform's words, and
 * yields no instance: an address Terraform would never make is not invented.
 */
export function expand(body: Body, evaluator: Evaluator, report: ReportProblem, budget: WorkBudget = new WorkBudget()): Expansion[] {
  const count = body.attributes.get('count');
  const both = count && body.attributes.get('for_each');
  // configs/resource.go: a configuration error, before any value is looked at.
  if (both)
    return reported(
      report,
      both.range,
      'Invalid combination of "count" and "for_each": The "count" and "for_each" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.',
    );
  if (count) {
    const n = countOf(evaluator.evaluate(count.expr));
    if ('error' in n) return reported(report, count.expr.range, n.error);
    if ('unknown' in n) {
      const reason = `count is unknown (${n.unknown})`;
      return [{ suffix: '', symbols: { count: unknown(reason) }, uncertain: { reason, at: count.expr.range } }];
    }
    budget.spend('instances', n.count, count.expr.range);
    return Array.from({ length: n.count }, (_, i) => ({ suffix: `[${i}]`, symbols: { count: num(i, count.expr.range) } }));
  }
  const forEach = body.attributes.get('for_each');
  if (forEach) {
    const each = forEachOf(evaluator.evaluate(forEach.expr));
    if ('error' in each) return reported(report, forEach.expr.range, each.error);
    if ('unknown' in each) {
      const reason = `for_each is unknown (${each.unknown})`;
      return [
        { suffix: '', symbols: { each: { key: unknown(reason), value: unknown(reason) } }, uncertain: { reason, at: forEach.expr.range } },
      ];
    }
    budget.spend('instances', each.instances.length, forEach.expr.range);
    return each.instances.map(({ key, value }) => ({ suffix: `[${JSON.stringify(key.value)}]`, symbols: { each: { key, value } } }));
  }
  return [{ suffix: '', symbols: {} }];
}

function reported(report: ReportProblem, range: Range, message: string): Expansion[] {
  report(range, message);
  return [];
}

const INVALID_COUNT = 'Invalid count argument: The given "count" argument value';

/** A whole number from 0 up, as Terraform converts count: a numeric string is a number. */
function countOf(v: Value): { count: number } | { unknown: string } | { error: string } {
  if (v.kind === 'unknown') return { unknown: v.reason };
  if (v.kind === 'null') return { error: `${INVALID_COUNT} is null. An integer is required.` };
  const n = toNumberValue(v);
  if (n.kind !== 'number') {
    const why = v.kind === 'string' ? 'a number is required' : `number required, but have ${friendlyTypeName(v)}`;
    return { error: `Incorrect value type: Invalid expression value: ${why}.` };
  }
  // gocty's conversion to a Go int, which Terraform's message quotes.
  const count = toInt64(n);
  if (count === undefined) {
    return { error: `${INVALID_COUNT} is unsuitable: value must be a whole number, between -9223372036854775808 and 9223372036854775807.` };
  }
  if (count < 0) return { error: `${INVALID_COUNT} is unsuitable: must be greater than or equal to zero.` };
  return { count };
}

interface EachInstance {
  key: Extract<Value, { kind: 'string' }>;
  value: Value;
}

const UNSUITABLE = 'The given "for_each" argument value is unsuitable';

/** A map (by key) or a set of strings, checked in the order Terraform checks them. */
function forEachOf(v: Value): { instances: EachInstance[] } | { unknown: string } | { error: string } {
  if (v.kind === 'unknown') return { unknown: v.reason };
  if (v.kind === 'null')
    return {
      error: `Invalid for_each argument: ${UNSUITABLE}: the given "for_each" argument value is null. A map, or set of strings is allowed.`,
    };
  if (v.kind === 'map') return { instances: instances(v) };
  if (v.kind !== 'list' || !v.set) {
    return {
      error: `Invalid for_each argument: ${UNSUITABLE}: the "for_each" argument must be a map, or set of strings, and you have provided a value of type ${friendlyTypeName(v)}.`,
    };
  }
  if (v.items.length === 0) return { instances: [] };
  // A set with an unknown element is unknown as a whole: its keys cannot be told.
  const missing = v.items.map(firstUnknown).find((u) => u);
  if (missing) return { unknown: missing.reason };
  const element = elementTypeName(v.items);
  if (element !== 'string') {
    return {
      error: `Invalid for_each set argument: ${UNSUITABLE}: "for_each" supports maps and sets of strings, but you have provided a set containing type ${element}.`,
    };
  }
  if (v.items.some((i) => i.kind === 'null'))
    return { error: `Invalid for_each set argument: ${UNSUITABLE}: "for_each" sets must not contain null values.` };
  return { instances: instances(v) };
}

/** Map entries by key, set elements by value; each.key is reported where the key is written. */
function instances(v: Value): EachInstance[] {
  return defined(iterate(v), 'for_each is a map or a set here').map(([key, value]) => ({
    key: str(String((key as { value: unknown }).value), key.origin) as EachInstance['key'],
    value,
  }));
}

/** cty's FriendlyName of a value's type, as Terraform's messages print it. */
function friendlyTypeName(v: Value): string {
  switch (v.kind) {
    case 'list':
      if (v.set) return `set of ${elementTypeName(v.items)}`;
      return v.listType ? `list of ${elementTypeName(v.items)}` : 'tuple';
    case 'map':
      return 'object';
    case 'null':
    case 'unknown':
      return 'dynamic';
    default:
      return v.kind;
  }
}

/** The type the elements of a list or set share (a set's elements are already unified). */
function elementTypeName(items: Value[]): string {
  const names = new Set(items.filter((i) => i.kind !== 'null').map(friendlyTypeName));
  return names.size === 1 ? [...names][0] : 'dynamic';
}
