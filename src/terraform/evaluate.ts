import type { Expr, TraversalStep } from '../parse/syntax';
import type { ModuleConfig } from './config';
import { known, unknown, via, type Value } from './value';

/** Roots of references whose values exist only at plan or apply time. */
const RUNTIME_ROOTS: Record<string, string> = {
  data: 'data sources are read during plan',
  module: 'module outputs are not evaluated yet',
  each: 'each.* is not evaluated yet',
  count: 'count.index is not evaluated yet',
  self: 'self is known only during apply',
  path: 'path.* is not evaluated yet',
  terraform: 'terraform.* is not evaluated yet',
};

/**
 * Evaluates expressions of one module the way Terraform would before apply, for the
 * subset this version models: literals, templates, collections, `var.*` (defaults)
 * and `local.*`. Anything else is unknown with the reason.
 */
export class ModuleScope {
  private readonly locals = new Map<string, Value | 'evaluating'>();

  constructor(private readonly module: ModuleConfig) {}

  evaluate(expr: Expr): Value {
    switch (expr.kind) {
      case 'literal':
        return known(expr.value, expr.range);
      case 'template':
        return this.template(expr);
      case 'tuple':
        return this.collect(expr.items.map((item) => this.evaluate(item)), (values) => values, expr);
      case 'object': {
        const keys = expr.items.map((i) => this.evaluate(i.key));
        const values = expr.items.map((i) => this.evaluate(i.value));
        return this.collect([...keys, ...values], (all) => Object.fromEntries(keys.map((_, i) => [String(all[i]), all[keys.length + i]])), expr);
      }
      case 'traversal':
        return this.traversal(expr);
      case 'unsupported':
        return unknown(`${expr.syntax.replace(/_/g, ' ')} expressions are not evaluated yet`, expr.range);
    }
  }

  private template(expr: Extract<Expr, { kind: 'template' }>): Value {
    // A template that is a single interpolation yields that value unchanged, as in HCL.
    if (expr.parts.length === 1 && typeof expr.parts[0] !== 'string') return this.evaluate(expr.parts[0]!);
    const parts = expr.parts.map((p) => (typeof p === 'string' ? known(p) : this.evaluate(p)));
    return this.collect(parts, (values) => values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(''), expr);
  }

  /** Combines values: unknown when any part is unknown; the trace follows the single reference, if any. */
  private collect(parts: Value[], combine: (values: unknown[]) => unknown, expr: Expr): Value {
    const missing = parts.find((p) => !p.known);
    if (missing) return missing;
    const traced = parts.filter((p) => p.trace.length > 0);
    const trace = traced.length === 1 ? traced[0]!.trace : [];
    return known(combine(parts.map((p) => (p as { value: unknown }).value)), expr.range, trace);
  }

  private traversal(expr: Extract<Expr, { kind: 'traversal' }>): Value {
    const [first, ...rest] = expr.steps;
    const name = first?.kind === 'attr' ? first.name : undefined;
    const text = name ? `${expr.root}.${name}` : expr.root;
    let value: Value;
    if (expr.root === 'var' && name) value = this.variable(name);
    else if (expr.root === 'local' && name) value = this.local(name);
    else if (RUNTIME_ROOTS[expr.root]) return unknown(RUNTIME_ROOTS[expr.root]!, expr.range);
    else return unknown(`${text} is an attribute of a resource, known only after apply`, expr.range);
    return this.steps(via(value, expr.range, text), rest);
  }

  private steps(value: Value, steps: TraversalStep[]): Value {
    let current = value;
    for (const s of steps) {
      if (!current.known) return current;
      if (s.kind === 'splat') return unknown('splat expressions are not evaluated yet', current.origin, current.trace);
      let key: unknown;
      if (s.kind === 'attr') key = s.name;
      else {
        const k = this.evaluate(s.key);
        if (!k.known) return k;
        key = k.value;
      }
      const container = current.value as Record<string, unknown> | unknown[] | null;
      const next = container !== null && typeof container === 'object' ? (container as Record<string, unknown>)[String(key)] : undefined;
      if (next === undefined) return unknown(`no element ${JSON.stringify(key)} in the value`, current.origin, current.trace);
      current = known(next, current.origin, current.trace);
    }
    return current;
  }

  variable(name: string): Value {
    const decl = this.module.variables.get(name);
    if (!decl) return unknown(`variable "${name}" is not declared in this module`);
    if (!decl.default) return unknown(`variable "${name}" has no default and no value is given`, decl.range);
    return this.evaluate(decl.default);
  }

  local(name: string): Value {
    const cached = this.locals.get(name);
    if (cached === 'evaluating') return unknown(`local.${name} refers to itself`);
    if (cached) return cached;
    const attr = this.module.locals.get(name);
    if (!attr) return unknown(`local.${name} is not declared in this module`);
    this.locals.set(name, 'evaluating');
    const value = this.evaluate(attr.expr);
    this.locals.set(name, value);
    return value;
  }
}
