import type { Range, Problem } from '../../parse/source';
import { expressionsIn, type Attribute, type Block, type Expr, type ParsedFile, type Syntax } from '../../parse/syntax';
import { mergeOverrides } from './override';
import { defined } from '../defined';

export interface VariableDecl {
  name: string;
  default?: Expr;
  type?: Expr;
  /** `nullable = false`: a null given to the variable takes its default. */
  nullable?: Expr;
  range: Range;
}

/** An output: its value is known where it comes from variables, locals, literals and functions. */
export interface OutputDecl {
  name: string;
  value?: Expr;
  range: Range;
}

export interface ModuleCall {
  name: string;
  /** The literal `source`; undefined when it is not a plain string. */
  source?: string;
  /** A `source` built from an expression: OpenTofu 1.8+ evaluates it at init, Terraform rejects it. */
  sourceExpr?: Expr;
  block: Block;
}

export interface ResourceBlock {
  mode: 'managed' | 'data';
  type: string;
  name: string;
  block: Block;
  syntax: Syntax;
}

/** What one module directory declares, gathered from all of its files. */
export interface ModuleConfig {
  /** Absolute directory path. */
  dir: string;
  files: ParsedFile[];
  resources: ResourceBlock[];
  variables: Map<string, VariableDecl>;
  locals: Map<string, Attribute>;
  outputs: Map<string, OutputDecl>;
  calls: ModuleCall[];
  /** Declarations Terraform rejects: duplicates, locals that refer to each other in a cycle. */
  problems: Problem[];
  /** Holds `.tofu` files: only OpenTofu reads this module. */
  tofu: boolean;
}

export function moduleConfig(dir: string, files: ParsedFile[]): ModuleConfig {
  const config: ModuleConfig = {
    dir,
    files,
    resources: [],
    variables: new Map(),
    locals: new Map(),
    outputs: new Map(),
    calls: [],
    problems: [],
    tofu: files.some((f) => /\.tofu(\.json)?$/.test(f.path)),
  };
  // First declaration of each address; a later one is an error at the later one, as in Terraform.
  const declared = new Map<string, Range>();
  const unique = (key: string, range: Range, message: (first: Range) => string): void => {
    const first = declared.get(key);
    if (!first) declared.set(key, range);
    else config.problems.push({ file: range.file, line: range.line, column: range.column, message: message(first) });
  };
  const merged = mergeOverrides(files);
  config.problems.push(...merged.problems);
  for (const file of merged.files) {
    for (const block of file.body.blocks) {
      switch (block.type) {
        case 'resource':
        case 'data':
          if (block.labels.length === 2) {
            const [type, name] = block.labels;
            const address = `${block.type === 'data' ? 'data.' : ''}${type}.${name}`;
            unique(
              address,
              block.range,
              (first) => `duplicate ${block.type} "${type}" configuration: ${address} is already declared at ${place(first)}`,
            );
            // Both are kept: each is judged, so fixing the name loses no finding.
            config.resources.push({
              mode: block.type === 'resource' ? 'managed' : 'data',
              type: type,
              name: name,
              block,
              syntax: file.syntax,
            });
          }
          break;
        case 'variable':
          if (block.labels[0]) {
            const attrs = block.body.attributes;
            const nullable = attrs.get('nullable')?.expr;
            const fallback = attrs.get('default')?.expr;
            // configs/named_values.go: a literal null default of a variable that must not be null.
            if (
              nullable?.kind === 'literal' &&
              (nullable.value === false || nullable.value === 'false') &&
              fallback?.kind === 'literal' &&
              fallback.value === null
            ) {
              config.problems.push({
                file: fallback.range.file,
                line: fallback.range.line,
                column: fallback.range.column,
                message: 'Invalid default value for variable: A null default value is not valid when nullable=false.',
              });
            }
            config.variables.set(block.labels[0], {
              name: block.labels[0],
              default: fallback,
              type: attrs.get('type')?.expr,
              nullable,
              range: block.range,
            });
          }
          break;
        case 'module': {
          const name = block.labels[0];
          const source = block.body.attributes.get('source')?.expr;
          if (!name) break;
          unique(
            `module.${name}`,
            block.range,
            (first) => `duplicate module call: module "${name}" is already declared at ${place(first)}`,
          );
          const literal = source?.kind === 'literal' && typeof source.value === 'string' ? source.value : undefined;
          config.calls.push({ name, source: literal, ...(source && literal === undefined ? { sourceExpr: source } : {}), block });
          break;
        }
        case 'output':
          if (block.labels[0])
            config.outputs.set(block.labels[0], {
              name: block.labels[0],
              value: block.body.attributes.get('value')?.expr,
              range: block.range,
            });
          break;
        case 'locals':
          for (const attr of block.body.attributes.values()) config.locals.set(attr.name, attr);
          break;
      }
    }
  }
  config.problems.push(...localCycles(config.locals));
  return config;
}

function place(range: Range): string {
  return `${range.file}:${range.line}:${range.column}`;
}

/**
 * Locals that refer to each other in a cycle, each cycle reported once at its first
 * local in declaration order. Iterative, so a long chain of locals cannot overflow the stack.
 */
function localCycles(locals: Map<string, Attribute>): Problem[] {
  const refs = new Map([...locals].map(([name, attr]) => [name, [...localRefs(attr.expr)].filter((r) => locals.has(r))]));
  const order = new Map([...locals.keys()].map((name, i) => [name, i]));
  // Every name on a path is a declared local: the refs above keep only those.
  const refsOf = (name: string) => defined(refs.get(name), 'a local on the path is declared');
  const orderOf = (name: string) => defined(order.get(name), 'a local on the path is declared');
  const problems: Problem[] = [];
  const done = new Set<string>();
  for (const start of locals.keys()) {
    if (done.has(start)) continue;
    // Depth-first: path holds the locals being visited, with the index of the next reference to follow.
    const path: { name: string; refs: string[]; next: number }[] = [{ name: start, refs: refsOf(start), next: 0 }];
    const onPath = new Set([start]);
    for (let top = path.at(-1); top !== undefined; top = path.at(-1)) {
      const ref = top.refs.at(top.next++);
      if (ref === undefined) {
        done.add(top.name);
        onPath.delete(top.name);
        path.pop();
      } else if (onPath.has(ref)) {
        const members = path.slice(path.findIndex((p) => p.name === ref)).map((p) => p.name);
        const k = members.indexOf(members.reduce((a, b) => (orderOf(a) <= orderOf(b) ? a : b)));
        const first = members[k];
        const cycle = [...members.slice(k), ...members.slice(0, k), first];
        const at = defined(locals.get(first), 'a local on the path is declared').range;
        problems.push({
          file: at.file,
          line: at.line,
          column: at.column,
          message: `local values refer to each other in a cycle: ${cycle.map((n) => `local.${n}`).join(' → ')}`,
        });
      } else if (!done.has(ref)) {
        path.push({ name: ref, refs: refsOf(ref), next: 0 });
        onPath.add(ref);
      }
    }
  }
  return problems;
}

/** Names of the locals an expression refers to. */
function localRefs(expr: Expr): Set<string> {
  const found = new Set<string>();
  for (const e of expressionsIn(expr))
    if (e.kind === 'traversal' && e.root === 'local' && e.steps[0]?.kind === 'attr') found.add(e.steps[0].name);
  return found;
}
