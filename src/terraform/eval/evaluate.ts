import type { Range } from '../../parse/source';
import type { BinaryOperator, Expr, TemplateDirective, TemplatePart, TraversalStep } from '../../parse/syntax';
import { toBoolValue, toNumberValue, toStringValue, valuesEqual } from './convert';
import { BudgetExceeded, WORK_LIMITS, WorkBudget } from './budget';
import { builtFromParts, callFunction } from './functions';
import { defined } from '../defined';
import * as numbers from './number';
import { numberText } from './number-text';
import {
  bool,
  decidedBy,
  derived,
  expandedSize,
  failure,
  firstUnknown,
  list,
  map,
  MAX_TEXT_PARTS,
  nil,
  num,
  reference,
  str,
  typeName,
  unknown,
  unknownText,
  via,
  type Value,
} from './value';

/** Names bound inside one evaluation: each.*, count.index, for-expression and dynamic-block iterators. */
export interface Symbols {
  each?: { key: Value; value: Value };
  count?: Value;
  names?: ReadonlyMap<string, Value>;
}

/** What a module-level reference resolves to; supplied by the module instance. */
export interface References {
  variable(name: string): Value;
  local(name: string): Value;
  path(name: string): Value;
  /** `module.<name>`: the call's outputs (a list with count, a map with for_each). */
  module?(name: string): Value;
  /** `terraform.workspace`, read at `range`. */
  workspace?(range: Range): Value;
  /** `TYPE.NAME` or `data.TYPE.NAME`: the resource's address here and its instance keys. */
  resource?(mode: 'managed' | 'data', type: string, name: string): ResourceTarget;
}

/** A resource named by a reference, as far as the configuration tells its instances. */
export interface ResourceTarget {
  /** The resource's address in this module instance, without an instance key. */
  address: string;
  /** Instance keys: numbers under count, strings under for_each; undefined when not known or not repeated. */
  keys?: { repeat: 'count' | 'for_each'; keys: (string | number)[] };
}

/** Roots that are Terraform's own, not resource types. */
const RESERVED_ROOTS = new Set(['var', 'local', 'each', 'count', 'path', 'module', 'terraform', 'data', 'self']);

/** Roots whose values exist only at plan or apply time. */
const RUNTIME: Record<string, string> = {
  data: 'data sources are read during plan',
  module: 'module outputs are not available here',
  self: 'self is known only during apply',
};

/** Expressions whose value is built here (not found by reference): what they build is spent from the budget. */
const BUILDS: ReadonlySet<Expr['kind']> = new Set(['template', 'tuple', 'object', 'call', 'for']);

/** Calls that return one of their arguments as it is: a reference through them is still that reference. */
const PASSES_THROUGH: ReadonlySet<string> = new Set(['tostring', 'try', 'one', 'element', 'lookup', 'sensitive', 'nonsensitive']);

/** The text parts of templates, as opposed to the values interpolated into them. */
const TEMPLATE_TEXT = new WeakSet<Value>();

function templateText(v: Value): Value {
  TEMPLATE_TEXT.add(v);
  return v;
}

/** Whether a part of a template is its own text (not an interpolated value). */
export function isTemplateText(v: Value): boolean {
  return TEMPLATE_TEXT.has(v);
}

/**
 * A value computed from others (a call that does not pass its argument through, an operator):
 * its references are derived, and an unknown keeps no parts of its arguments (`replace("${url}:v1",
 * ":v1", ":latest")` is not the template it was given). jsonencode's own result keeps what it encoded,
 * and format's and join's the parts they joined.
 */
function computed(value: Value, call?: string): Value {
  if (value.kind !== 'unknown') return value;
  // format and join build their text from parts they keep: those describe it.
  if (builtFromParts(value)) return value;
  const { template: _, encoded, ...rest } = derived(value);
  return call === 'jsonencode' && encoded ? { ...rest, encoded } : rest;
}

/** Bound on evaluation work per expression tree, against huge for/range() blow-ups. */
const MAX_ITEMS = 100_000;

/**
 * Bound on nested evaluations (expressions in expressions, locals through locals): each
 * level takes a few stack frames, and the stack overflows near 2,500 levels.
 */
export const MAX_EVALUATION_DEPTH = 1000;

/**
 * Evaluates expressions as Terraform would before apply. Unknown propagates only to
 * what depends on it, and every value keeps the range of the literal it came from.
 */
export class Evaluator {
  /** %{for} iterations in the current top-level evaluation. */
  private repeats = 0;

  /**
   * onTooDeep: told where evaluation stopped at MAX_EVALUATION_DEPTH, an input error.
   * depth: shared by the evaluators of one module tree, since module outputs and
   * arguments chain evaluations across instances.
   */
  constructor(
    private readonly refs: References,
    private readonly onTooDeep?: (range: Range, message: string) => void,
    private readonly depth: { current: number } = { current: 0 },
    /** The root's work budget (budget.ts): running out throws BudgetExceeded. */
    private readonly budget: WorkBudget = new WorkBudget(),
  ) {}

  evaluate(expr: Expr, symbols: Symbols = {}): Value {
    this.budget.spend('steps', 1, expr.range);
    if (this.depth.current >= MAX_EVALUATION_DEPTH) {
      const message = `evaluation nested more than ${MAX_EVALUATION_DEPTH} levels deep (a chain of locals, module outputs or expressions too long to follow)`;
      this.onTooDeep?.(expr.range, message);
      return failure(message, expr.range);
    }
    if (this.depth.current === 0) this.repeats = 0;
    this.depth.current++;
    try {
      const value = this.nested(expr, symbols);
      if (BUILDS.has(expr.kind)) this.measure(value, expr.range);
      return value;
    } catch (e) {
      // V8's own limits (a string past its length, a list past memory) are the budget running out too.
      if (e instanceof RangeError && !e.message.includes('call stack'))
        throw new BudgetExceeded(/string/i.test(e.message) ? 'characters' : 'elements', expr.range);
      throw e;
    } finally {
      this.depth.current--;
    }
  }

  /** What a built value costs the budget: its elements, or its characters. */
  private measure(value: Value, range: Range): void {
    if (value.kind === 'string') this.budget.spend('characters', value.value.length, range);
    else if (value.kind === 'list') this.budget.spend('elements', value.items.length, range);
    else if (value.kind === 'map') this.budget.spend('elements', value.entries.size, range);
    // A value built from shared parts can be small to build and exponential to walk (each level holding the last twice).
    if ((value.kind === 'list' || value.kind === 'map') && expandedSize(value) > WORK_LIMITS.elements)
      throw new BudgetExceeded('elements', range);
  }

  private nested(expr: Expr, symbols: Symbols): Value {
    switch (expr.kind) {
      case 'literal':
        return literal(expr);
      case 'template':
        return this.template(expr, symbols);
      case 'tuple':
        return list(
          expr.items.map((i) => this.evaluate(i, symbols)),
          expr.range,
        );
      case 'object':
        return this.object(expr, symbols);
      case 'traversal':
        return this.traversal(expr, symbols);
      case 'access':
        return this.steps(this.evaluate(expr.target, symbols), expr.steps, symbols, expr.range);
      case 'call':
        return PASSES_THROUGH.has(expr.name) ? this.call(expr, symbols) : computed(this.call(expr, symbols), expr.name);
      case 'conditional':
        return this.conditional(expr, symbols);
      case 'binary':
        return computed(this.binary(expr.op, expr.left, expr.right, symbols, expr.range));
      case 'unary':
        return computed(this.unary(expr, symbols));
      case 'for':
        return derived(this.forExpr(expr, symbols));
      case 'unsupported':
        return unknown(`${expr.syntax.replace(/_/g, ' ')} is not evaluated`, expr.range);
    }
  }

  private template(expr: Extract<Expr, { kind: 'template' }>, symbols: Symbols): Value {
    // A template that is a single interpolation yields that value unchanged, as in HCL.
    const [only] = expr.parts;
    if (expr.parts.length === 1 && typeof only !== 'string' && !isDirective(only)) return this.evaluate(only, symbols);
    return this.text(expr.parts, expr.range, symbols, expr.textRanges);
  }

  /**
   * Template parts joined into a string. A string that is one part's value keeps that part's
   * origin. With an unknown part the result is unknown, and keeps its parts (`template`).
   */
  private text(parts: TemplatePart[], range: Range, symbols: Symbols, textRanges?: (Range | undefined)[]): Value {
    let text = '';
    const traced: Value[] = [];
    let last: Value | undefined;
    const pieces: Value[] = [];
    let pending: Extract<Value, { kind: 'unknown' }> | undefined;
    for (const [i, part] of parts.entries()) {
      if (typeof part === 'string') {
        text += part;
        pieces.push(templateText(str(part, textRanges?.[i] ?? range)));
        continue;
      }
      const v = isDirective(part) ? this.directive(part, symbols) : this.evaluate(part, symbols);
      if (v.kind === 'null') return failure('a null value cannot be used in a string template', part.range);
      const s = toStringValue(v);
      if (s.kind === 'unknown' && !s.error) {
        pending ??= s;
        // An unknown part that names no resource (a variable with no value) is placed where it is used.
        pieces.push(...(s.template ?? [s.refs?.length ? s : { ...s, origin: part.range }]));
        continue;
      }
      if (s.kind !== 'string') return s;
      if (s.trace.length) traced.push(s);
      text += s.value;
      pieces.push(...(s.template ?? [s]));
      last = s;
    }
    if (pending) return unknownText(pieces, pending.origin, pending.trace);
    if (parts.length === 1 && last) return last;
    const trace = traced.length === 1 ? traced[0].trace : [];
    // Interpolated parts keep their origins: a finding can point at the part that decides (a tag from a tfvars file).
    if (last && pieces.length <= MAX_TEXT_PARTS) return { kind: 'string', value: text, origin: range, trace, template: pieces };
    return str(text, range, trace);
  }

  private directive(d: TemplateDirective, symbols: Symbols): Value {
    return d.kind === 'template-if' ? this.ifDirective(d, symbols) : this.forDirective(d, symbols);
  }

  /** A branch or loop body of a directive: always a string, never passed through. */
  private branch(expr: Expr, symbols: Symbols): Value {
    return expr.kind === 'template'
      ? this.text(expr.parts, expr.range, symbols, expr.textRanges)
      : toStringValue(this.evaluate(expr, symbols));
  }

  /** `%{if c}…%{else}…%{endif}`: HCL's conditional, whose condition must be a bool. */
  private ifDirective(d: Extract<TemplateDirective, { kind: 'template-if' }>, symbols: Symbols): Value {
    const value = this.evaluate(d.condition, symbols);
    if (value.kind === 'unknown' && value.error) return value;
    const condition = toBoolValue(value);
    if (condition.kind === 'bool') return this.branch(condition.value ? d.then : d.otherwise, symbols);
    if (condition.kind !== 'unknown' || condition.error) {
      const why = condition.kind === 'unknown' ? condition.reason : `a ${typeName(value)} cannot be used as a bool`;
      return failure(`the condition of %{if} must be a bool: ${why}`, d.condition.range, value.trace);
    }
    // Both branches the same text: the result does not depend on the condition.
    const a = this.branch(d.then, symbols);
    const b = this.branch(d.otherwise, symbols);
    if (!firstUnknown(a) && !firstUnknown(b) && valuesEqual(a, b)) return a;
    return unknown(`the condition of %{if} is unknown: ${condition.reason}`, d.range, condition.trace);
  }

  /** `%{for k, v in coll}…%{endfor}`: the body once per element, joined. */
  private forDirective(d: Extract<TemplateDirective, { kind: 'template-for' }>, symbols: Symbols): Value {
    const collection = this.evaluate(d.collection, symbols);
    if (collection.kind === 'unknown') return collection;
    const pairs = iterate(collection);
    if (!pairs)
      return failure(
        `a %{for} directive needs a list, set, map or object, not ${typeName(collection)}`,
        d.collection.range,
        collection.trace,
      );
    // Counted over the whole expression: nested directives multiply.
    this.repeats += pairs.length;
    if (this.repeats > MAX_ITEMS)
      return unknown(`%{for} directives repeat more than ${MAX_ITEMS} times in one expression; not evaluated`, d.range);
    let text = '';
    for (const [key, value] of pairs) {
      const names = new Map(symbols.names ?? []);
      if (d.keyVar) names.set(d.keyVar, key);
      names.set(d.valueVar, value);
      const v = this.branch(d.body, { ...symbols, names });
      if (v.kind !== 'string') return v;
      text += v.value;
    }
    return str(text, d.range);
  }

  private object(expr: Extract<Expr, { kind: 'object' }>, symbols: Symbols): Value {
    const entries = new Map<string, Value>();
    for (const item of expr.items) {
      const key = toStringValue(this.evaluate(item.key, symbols));
      if (key.kind === 'unknown') return key.error ? key : unknown(`an object key is unknown (${key.reason})`, expr.range);
      if (key.kind !== 'string') return failure('an object key must be a string', item.key.range);
      entries.set(key.value, this.evaluate(item.value, symbols));
    }
    return map(entries, expr.range);
  }

  private traversal(expr: Extract<Expr, { kind: 'traversal' }>, symbols: Symbols): Value {
    const { root, steps, range } = expr;
    const named = symbols.names?.get(root);
    if (named) return this.steps(via(named, range, root), steps, symbols, range);
    const first = steps.at(0);
    const attr = first?.kind === 'attr' ? first.name : undefined;
    const text = attr ? `${root}.${attr}` : root;
    let value: Value;
    if (root === 'var' && attr) value = this.refs.variable(attr);
    else if (root === 'local' && attr) value = this.refs.local(attr);
    else if (root === 'each' && (attr === 'key' || attr === 'value'))
      value = symbols.each?.[attr] ?? failure('each is only valid in a block with for_each', range);
    else if (root === 'count' && attr === 'index')
      value = symbols.count ?? failure('count.index is only valid in a block with count', range);
    else if (root === 'path' && attr) value = this.refs.path(attr);
    else if (root === 'module' && attr && this.refs.module) value = this.refs.module(attr);
    else if (root === 'terraform' && attr === 'workspace') value = this.refs.workspace?.(range) ?? str('default', range);
    else if (this.refs.resource && attr && (root === 'data' ? steps[1]?.kind === 'attr' : !RESERVED_ROOTS.has(root)))
      return this.resourceReference(expr, symbols);
    else if (RUNTIME[root]) return unknown(`${RUNTIME[root]} (${expressionText(expr)})`, range);
    else return unknown(`${expressionText(expr)} is known only after apply`, range);
    return this.steps(via(value, range, text), steps.slice(1), symbols, range);
  }

  /**
   * A resource's attribute is known only after apply, but which instance and attribute
   * it is can be told: a resource under count is a list, under for_each a map, of
   * references, so that an index, a for_each over it or each.value picks the instance
   * Terraform would.
   */
  private resourceReference(expr: Extract<Expr, { kind: 'traversal' }>, symbols: Symbols): Value {
    const { root, steps, range } = expr;
    const data = root === 'data';
    const [typeStep, nameStep] = data ? steps : [{ kind: 'attr' as const, name: root }, steps[0]];
    const type = typeStep.kind === 'attr' ? typeStep.name : '';
    const name = nameStep.kind === 'attr' ? nameStep.name : '';
    const refs = this.refs as Required<Pick<References, 'resource'>>;
    const target = refs.resource(data ? 'data' : 'managed', type, name);
    const reason = data ? `${RUNTIME.data} (${expressionText(expr)})` : `${expressionText(expr)} is known only after apply`;
    const text = `${data ? 'data.' : ''}${type}.${name}`;
    const one = (key?: string | number) => reference(reason, { address: target.address, ...(key === undefined ? {} : { key }) }, range);
    const keys = target.keys;
    let value: Value;
    if (keys?.repeat === 'count') value = list(keys.keys.map(one), range);
    else if (keys?.repeat === 'for_each')
      value = map(
        keys.keys.map((k) => [String(k), one(k)]),
        range,
      );
    else value = one();
    return this.steps(via(value, range, text), steps.slice(data ? 2 : 1), symbols, range);
  }

  private steps(start: Value, steps: TraversalStep[], symbols: Symbols, range: Range): Value {
    let current = start;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if (current.kind === 'unknown') {
        if (!current.refs) return current;
        current = this.refined(current, s, symbols);
        continue;
      }
      if (s.kind === 'splat') {
        const rest = steps.slice(i + 1);
        // A single value becomes a one-element list that carries its trace, as a list does its elements'.
        const items = current.kind === 'list' ? current.items : current.kind === 'null' ? [] : [{ ...current, trace: [] }];
        return list(
          items.map((item) => this.steps(item, rest, symbols, range)),
          current.origin,
          current.trace,
        );
      }
      const key = s.kind === 'attr' ? str(s.name) : this.evaluate(s.key, symbols);
      current = index(current, key, range);
    }
    return current;
  }

  /** A reference read further: its first index is the instance key, its first attribute the attribute. */
  private refined(current: Extract<Value, { kind: 'unknown' }>, s: TraversalStep, symbols: Symbols): Value {
    const refs = current.refs ?? [];
    if (s.kind === 'attr') {
      if (refs.some((r) => r.attribute !== undefined)) return current;
      return { ...current, refs: refs.map((r) => ({ ...r, attribute: s.name })) };
    }
    if (s.kind !== 'index' || refs.some((r) => r.attribute !== undefined || r.key !== undefined)) return current;
    const key = this.evaluate(s.key, symbols);
    if (key.kind !== 'string' && key.kind !== 'number') return current;
    const value = key.kind === 'string' ? key.value : Number(numberText(key));
    return { ...current, refs: refs.map((r) => ({ ...r, key: value })) };
  }

  private call(expr: Extract<Expr, { kind: 'call' }>, symbols: Symbols): Value {
    let args = expr.args.map((a) => this.evaluate(a, symbols));
    if (expr.expandFinal) {
      const last = args.at(-1);
      if (last?.kind === 'unknown') return last;
      if (last?.kind !== 'list') return failure('the final argument of a call with ... must be a list', expr.range);
      args = [...args.slice(0, -1), ...last.items];
    }
    return decidedBy(callFunction(expr.name, args, { range: expr.range }), ...args);
  }

  private conditional(expr: Extract<Expr, { kind: 'conditional' }>, symbols: Symbols): Value {
    const condition = toBoolValue(this.evaluate(expr.condition, symbols));
    if (condition.kind === 'bool') return decidedBy(this.evaluate(condition.value ? expr.then : expr.otherwise, symbols), condition);
    if (condition.kind === 'unknown' && condition.error) return condition;
    // Both branches the same known value: the result does not depend on the condition.
    const a = this.evaluate(expr.then, symbols);
    const b = this.evaluate(expr.otherwise, symbols);
    if (!firstUnknown(a) && !firstUnknown(b) && valuesEqual(a, b)) return a;
    const reason = condition.kind === 'unknown' ? condition.reason : 'the condition is not a bool';
    return unknown(`the condition is unknown: ${reason}`, expr.range, condition.trace);
  }

  private binary(op: BinaryOperator, left: Expr, right: Expr, symbols: Symbols, range: Range): Value {
    const a = this.evaluate(left, symbols);
    if (op === '&&' || op === '||') {
      const x = toBoolValue(a);
      // A decided left operand decides the result, as Terraform's refinements do.
      if (x.kind === 'bool' && x.value === (op === '||')) return decidedBy(bool(x.value, range), x);
      const y = toBoolValue(this.evaluate(right, symbols));
      if (x.kind === 'unknown') return y.kind === 'bool' && y.value === (op === '||') ? decidedBy(bool(y.value, range), y) : x;
      if (y.kind === 'unknown') return y;
      return decidedBy(bool((y as { value: boolean }).value, range), x, y);
    }
    const b = this.evaluate(right, symbols);
    return decidedBy(this.operation(op, a, b, range), a, b);
  }

  private operation(op: Exclude<BinaryOperator, '&&' | '||'>, a: Value, b: Value, range: Range): Value {
    if (op === '==' || op === '!=') {
      const eq = valuesEqual(a, b);
      if (eq === undefined) return defined(firstUnknown(a) ?? firstUnknown(b), 'values compare as unknown only when one holds an unknown');
      return bool(op === '==' ? eq : !eq, range);
    }
    const x = toNumberValue(a);
    const y = toNumberValue(b);
    if (x.kind !== 'number') return x;
    if (y.kind !== 'number') return y;
    if (op in ARITHMETIC) return arithmetic(() => ARITHMETIC[op as keyof typeof ARITHMETIC](x, y), range);
    const c = numbers.compare(x, y);
    return bool(op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0, range);
  }

  private unary(expr: Extract<Expr, { kind: 'unary' }>, symbols: Symbols): Value {
    const v = this.evaluate(expr.operand, symbols);
    if (expr.op === '!') {
      const b = toBoolValue(v);
      return b.kind === 'bool' ? decidedBy(bool(!b.value, expr.range), b) : b;
    }
    const n = toNumberValue(v);
    return n.kind === 'number' ? decidedBy(num(numbers.negate(n), expr.range), n) : n;
  }

  private forExpr(expr: Extract<Expr, { kind: 'for' }>, symbols: Symbols): Value {
    const collection = this.evaluate(expr.collection, symbols);
    if (collection.kind === 'unknown') return collection;
    const pairs = iterate(collection);
    if (!pairs) return failure(`a for expression needs a list, set, map or object, not ${collection.kind}`, expr.collection.range);
    if (pairs.length > MAX_ITEMS) return unknown(`a for expression over ${pairs.length} elements is not evaluated`, expr.range);
    const items: Value[] = [];
    const entries = new Map<string, Value>();
    for (const [key, value] of pairs) {
      const names = new Map(symbols.names ?? []);
      if (expr.keyVar) names.set(expr.keyVar, key);
      names.set(expr.valueVar, value);
      const inner: Symbols = { ...symbols, names };
      if (expr.condition) {
        const keep = toBoolValue(this.evaluate(expr.condition, inner));
        if (keep.kind === 'unknown') return keep.error ? keep : unknown(`a for expression filter is unknown (${keep.reason})`, expr.range);
        if (keep.kind !== 'bool') return failure('a for expression filter must be a bool', expr.condition.range);
        if (!keep.value) continue;
      }
      const v = this.evaluate(expr.value, inner);
      if (!expr.key) {
        items.push(v);
        continue;
      }
      const k = toStringValue(this.evaluate(expr.key, inner));
      if (k.kind === 'unknown') return k.error ? k : unknown(`a key of a for expression is unknown (${k.reason})`, expr.range);
      if (k.kind !== 'string') return failure('a key of a for expression must be a string', expr.key.range);
      if (expr.grouping) {
        const group = entries.get(k.value);
        entries.set(k.value, group?.kind === 'list' ? list([...group.items, v], expr.range) : list([v], expr.range));
      } else if (entries.has(k.value)) return failure(`duplicate key "${k.value}" in a for expression (use ... to group)`, expr.range);
      else entries.set(k.value, v);
    }
    return expr.key ? map(entries, expr.range) : list(items, expr.range);
  }
}

function isDirective(part: Expr | TemplateDirective): part is TemplateDirective {
  return part.kind === 'template-if' || part.kind === 'template-for';
}

/** Terraform's arithmetic operators on numbers (number.ts), as HCL applies them. */
const ARITHMETIC = { '+': numbers.add, '-': numbers.subtract, '*': numbers.multiply, '/': numbers.divide, '%': numbers.modulo } as const;

/** A computed number at `range`; what Terraform rejects (0/0, ∞-∞) fails, what tagguard does not compute is unknown. */
function arithmetic(compute: () => numbers.TerraformNumber, range: Range): Value {
  try {
    return num(compute(), range);
  } catch (e) {
    if (e instanceof numbers.NumberError) return failure(`Error during operation: ${e.message}`, range);
    if (e instanceof numbers.Unevaluated) return unknown(e.message, range);
    throw e;
  }
}

function literal({ value, text, range }: Extract<Expr, { kind: 'literal' }>): Value {
  if (value === null) return nil(range);
  if (typeof value === 'string') return str(value, range);
  if (typeof value === 'number') return arithmetic(() => numbers.parseNumber(text ?? String(value)) ?? numbers.fromFloat64(value), range);
  return bool(value, range);
}

/** Index or attribute access; a missing key is an error, as in Terraform. */
export function index(container: Value, key: Value, range: Range): Value {
  if (key.kind === 'unknown') return key;
  if (container.kind === 'unknown') return container;
  if (container.kind === 'list') {
    const k = toNumberValue(key);
    if (k.kind !== 'number') return k;
    if (container.set) return failure('elements of a set cannot be accessed by index', range);
    if (!numbers.isWhole(k))
      return failure('indexing a sequence requires a whole number, but the given index has a fractional part', range);
    const i = numbers.toInt64(k);
    const item = i === undefined ? undefined : container.items[i];
    return item ? inside(container, item) : failure(`index ${numberText(k)} is out of range (length ${container.items.length})`, range);
  }
  if (container.kind === 'map') {
    const k = toStringValue(key);
    if (k.kind !== 'string') return k;
    const item = container.entries.get(k.value);
    if (item) return inside(container, item);
    return container.open ? unknown(container.open, range) : failure(`no element "${k.value}"`, range);
  }
  return failure(`a ${container.kind} value has no elements`, range);
}

/** Key/value pairs in Terraform's iteration order: list by index, map by key, set by value. */
export function iterate(v: Value): [Value, Value][] | undefined {
  if (v.kind === 'list') return v.items.map((item, i) => [v.set ? item : num(i), inside(v, item)]);
  // By key in code unit order, as sort() without a comparator orders strings.
  if (v.kind === 'map')
    return [...v.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, item]) => [str(k, item.origin), inside(v, item)]);
  return undefined;
}

/** An element reached through its collection: the collection's references lead to it. */
function inside(container: Value, element: Value): Value {
  return container.trace.length ? { ...element, trace: [...container.trace, ...element.trace] } : element;
}

function expressionText(expr: Extract<Expr, { kind: 'traversal' }>): string {
  return [expr.root, ...expr.steps.map((s) => (s.kind === 'attr' ? s.name : s.kind === 'splat' ? '*' : '[…]'))]
    .join('.')
    .replace(/\.\[/g, '[');
}
