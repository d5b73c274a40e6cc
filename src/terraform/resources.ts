import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Range, SyntaxProblem } from '../parse/source';
import type { Block, Body, Expr, Syntax } from '../parse/syntax';
import type { ModuleCall, ModuleConfig, ResourceBlock } from './config';
import { Evaluator, iterate, type References, type Symbols } from './evaluate';
import { expand, type ReportProblem } from './expansion';
import { jsonDynamicBlocks } from './json-dynamic';
import { isLocalSource, type ModuleLoader } from './loader';
import { registryModel } from './registry';
import { META_ARGUMENTS, NESTED_BLOCKS } from './schema';
import { convert, parseType } from './types';
import { at, failure, firstUnknown, map, str, step, toPlain, unknown, via, type TraceStep, type Value } from './value';

/** An attribute as a policy sees it: set or not, known or not, and where its value is written. */
export interface AttributeValue {
  set: boolean;
  known: boolean;
  value?: unknown;
  reason?: string;
  location?: Range;
  trace: TraceStep[];
}

/** One instance of a nested block: its fields' values, and where to report it. */
export interface BlockInstance {
  known: boolean;
  /** Made by a dynamic block: no block of its own is written to edit. */
  dynamic?: boolean;
  reason?: string;
  fields: Record<string, unknown>;
  location: Range;
  trace: TraceStep[];
}

export interface BlockValue {
  set: boolean;
  known: boolean;
  reason?: string;
  instances: BlockInstance[];
}

export interface ResourceInstance {
  address: string;
  /** The root module directory, relative to the working directory. */
  root: string;
  module: string;
  mode: 'managed' | 'data';
  type: string;
  syntax: Syntax | 'plan';
  location: Range;
  /** CDKTF synth output: the stack and the construct that made the resource. */
  stack?: string;
  constructPath?: string;
  attributes: Record<string, AttributeValue>;
  blocks: Record<string, BlockValue>;
}

export interface InstantiateContext {
  loader: ModuleLoader;
  types: ReadonlySet<string>;
  cwd: string;
  /** Problems found while evaluating: module cycles, missing module directories, declarations Terraform rejects. */
  problems: SyntaxProblem[];
  /** Remote module calls that could not be followed, once per call. */
  notes: string[];
}

const CALL_META = new Set(['source', 'version', 'count', 'for_each', 'providers', 'depends_on']);

/** One module instance: its inputs, and the references its expressions resolve against. */
class ModuleInstance implements References {
  readonly evaluator = new Evaluator(this, (range, message) => report(this.problems, range, message));
  private readonly locals = new Map<string, Value | 'evaluating'>();
  private readonly variables = new Map<string, Value>();

  constructor(
    readonly config: ModuleConfig,
    /** `module.a[0].module.b`, or '' for the root. */
    readonly address: string,
    /** Call names from the root, for .terraform/modules/modules.json keys. */
    readonly keyPath: string[],
    private readonly inputs: Map<string, Value>,
    readonly rootDir: string,
    readonly chain: string[],
    private readonly problems: SyntaxProblem[],
    /** Where to report what a modelled registry module declares: the call in the user's code. */
    readonly anchor?: Range,
  ) {}

  variable(name: string): Value {
    const cached = this.variables.get(name);
    if (cached) return cached;
    const decl = this.config.variables.get(name);
    let value: Value;
    if (!decl) value = failure(`variable "${name}" is not declared in ${this.describe()}`);
    else {
      const given = this.inputs.get(name);
      if (given) value = given;
      else if (decl.default) value = this.place(this.evaluator.evaluate(decl.default), `default of var.${name}`);
      else value = unknown(`variable "${name}" has no default and no value is given`, this.anchor ?? decl.range);
      value = convert(value, parseType(decl.type), (e) => this.place(this.evaluator.evaluate(e), `optional default in the type of var.${name}`));
    }
    this.variables.set(name, value);
    return value;
  }

  local(name: string): Value {
    const cached = this.locals.get(name);
    // The cycle itself is reported from the module's configuration.
    if (cached === 'evaluating') return failure(`local.${name} is part of a cycle of locals`);
    if (cached) return cached;
    const attr = this.config.locals.get(name);
    if (!attr) return failure(`local.${name} is not declared in ${this.describe()}`);
    this.locals.set(name, 'evaluating');
    const value = this.evaluator.evaluate(attr.expr);
    this.locals.set(name, value);
    return value;
  }

  path(name: string): Value {
    if (name === 'module') return str(this.config.dir);
    if (name === 'root') return str(this.rootDir);
    if (name === 'cwd') return str(this.rootDir);
    return failure(`path.${name} does not exist`);
  }

  /** A registry module's own text (a model, or a download in .terraform/) is not the user's: report its values at the call. */
  place(value: Value, note: string): Value {
    if (!this.anchor || !value.origin || !notUsers(value.origin)) return value;
    return at(value, this.anchor, [...value.trace, step(this.anchor, note)]);
  }

  placeRange(range: Range): Range {
    return this.anchor && notUsers(range) ? this.anchor : range;
  }

  describe(): string {
    return this.address || 'the root module';
  }
}

/** Adds a problem unless the same one is already there: modules are walked once per instance. */
function report(problems: SyntaxProblem[], at: { file: string; line: number; column: number }, message: string): void {
  if (problems.some((p) => p.file === at.file && p.line === at.line && p.column === at.column && p.message === message)) return;
  problems.push({ file: at.file, line: at.line, column: at.column, message });
}

function realPath(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return dir;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}

function notUsers(range: Range): boolean {
  return range.file.startsWith('(model)') || /(^|\/)\.terraform\//.test(range.file);
}

/** Every instance of the resources of the given types in a root module and the modules it calls. */
export function instantiateRoot(ctx: InstantiateContext, config: ModuleConfig, inputs: Map<string, Value>): ResourceInstance[] {
  // Every loaded module's declaration errors, once, including modules no instance reaches (count = 0).
  for (const module of ctx.loader.modules.values()) for (const p of module.problems) report(ctx.problems, p, p.message);
  const root = new ModuleInstance(config, '', [], inputs, config.dir, [config.dir], ctx.problems);
  const out: ResourceInstance[] = [];
  walk(ctx, root, out);
  return out;
}

function walk(ctx: InstantiateContext, scope: ModuleInstance, out: ResourceInstance[]): void {
  const rootRel = path.relative(ctx.cwd, scope.rootDir).split(path.sep).join('/') || '.';
  const prefix = scope.address ? `${scope.address}.` : '';
  const problem: ReportProblem = (range, message) => report(ctx.problems, range, message);
  for (const r of scope.config.resources) {
    if (r.mode !== 'managed' || !ctx.types.has(r.type)) continue;
    for (const { suffix, symbols } of expand(r.block.body, scope.evaluator, problem)) {
      out.push({
        address: `${prefix}${r.type}.${r.name}${suffix}`,
        root: rootRel,
        module: scope.address,
        mode: r.mode,
        type: r.type,
        syntax: r.syntax,
        location: scope.placeRange(r.block.range),
        ...cdktfOrigin(r),
        ...evaluateResource(scope, r, symbols, problem),
      });
    }
  }
  for (const call of scope.config.calls) {
    const target = resolveCall(ctx, scope, call);
    if (!target) continue;
    const { config, model } = target;
    // By real path: a source through a symlink to an enclosing directory is a cycle too.
    const real = realPath(config.dir);
    if (scope.chain.some((d) => realPath(d) === real)) {
      const names = [...scope.chain, config.dir].map((d) => path.relative(ctx.cwd, d).split(path.sep).join('/') || '.');
      const r = call.block.range;
      // Once per call: reached from another root, the same cycle reads differently.
      if (!ctx.problems.some((p) => p.file === r.file && p.line === r.line && p.message.startsWith('module cycle'))) ctx.problems.push({ file: r.file, line: r.line, column: r.column, message: `module cycle: ${names.join(' → ')}` });
      continue;
    }
    for (const { suffix, symbols } of expand(call.block.body, scope.evaluator, problem)) {
      const address = `${prefix}module.${call.name}${suffix}`;
      const inputs = new Map<string, Value>();
      for (const attr of call.block.body.attributes.values()) {
        if (CALL_META.has(attr.name)) continue;
        inputs.set(attr.name, via(scope.place(scope.evaluator.evaluate(attr.expr, symbols), `argument ${attr.name}`), attr.range, `module.${call.name} argument ${attr.name}`));
      }
      const anchor = model ? (scope.anchor ?? call.block.range) : scope.anchor;
      const child = new ModuleInstance(config, address, [...scope.keyPath, call.name], inputs, scope.rootDir, [...scope.chain, config.dir], ctx.problems, anchor);
      walk(ctx, child, out);
    }
  }
}

/** A resource synthesized by CDKTF names its stack (by its directory) and construct. */
function cdktfOrigin(r: ResourceBlock): Pick<ResourceInstance, 'stack' | 'constructPath'> {
  if (!r.block.constructPath) return {};
  const stack = /(?:^|\/)stacks\/([^/]+)\/cdk\.tf\.json$/.exec(r.block.range.file)?.[1];
  return { constructPath: r.block.constructPath, ...(stack ? { stack } : {}) };
}

/** model: the module is not the user's code (a registry model or a download), so findings anchor at the call. */
function resolveCall(ctx: InstantiateContext, scope: ModuleInstance, call: ModuleCall): { config: ModuleConfig; model: boolean } | undefined {
  const source = call.source;
  if (!source) return undefined;
  if (isLocalSource(source)) {
    const dir = path.resolve(scope.config.dir, source);
    const config = ctx.loader.modules.get(dir);
    if (!config && !isDirectory(dir)) {
      report(ctx.problems, call.block.body.attributes.get('source')?.expr.range ?? call.block.range, `module "${call.name}": no module directory at "${source}" (it does not exist or is not a directory)`);
    }
    return config && { config, model: false };
  }
  const key = [...scope.keyPath, call.name].join('.');
  const installed = ctx.loader.installed.get(scope.rootDir)?.find((m) => m.key === key);
  const onDisk = installed && ctx.loader.modules.get(installed.dir);
  if (onDisk) return { config: onDisk, model: true };
  const modelDir = registryModel(source);
  const model = modelDir && ctx.loader.modules.get(modelDir);
  if (model) return { config: model, model: true };
  const note = `${call.block.range.file}:${call.block.range.line}: module "${call.name}" (${source}) is not on disk; run terraform init to scan it`;
  if (!ctx.notes.includes(note)) ctx.notes.push(note);
  return undefined;
}

function evaluateResource(scope: ModuleInstance, r: ResourceBlock, symbols: Symbols, problem: ReportProblem): Pick<ResourceInstance, 'attributes' | 'blocks'> {
  const nested = NESTED_BLOCKS[r.type] ?? new Set<string>();
  const attributes: ResourceInstance['attributes'] = {};
  const blocks: ResourceInstance['blocks'] = {};
  for (const attr of r.block.body.attributes.values()) {
    if (META_ARGUMENTS.has(attr.name)) continue;
    // In JSON, "dynamic" holds dynamic blocks (read below), not an argument.
    if (attr.name === 'dynamic' && r.syntax === 'json') continue;
    if (nested.has(attr.name)) blocks[attr.name] = jsonBlocks(scope, attr.expr, symbols);
    else attributes[attr.name] = attributeValue(scope, scope.evaluator.evaluate(attr.expr, symbols));
  }
  const jsonDynamic = r.syntax === 'json' ? jsonDynamicBlocks(r.block.body.attributes.get('dynamic')?.expr) : [];
  for (const block of [...r.block.body.blocks, ...jsonDynamic]) {
    if (block.type === 'dynamic' && block.labels[0] && nested.has(block.labels[0])) {
      const entry = (blocks[block.labels[0]] ??= { set: true, known: true, instances: [] });
      dynamicBlocks(scope, block, symbols, entry, problem);
    } else if (nested.has(block.type)) {
      const entry = (blocks[block.type] ??= { set: true, known: true, instances: [] });
      entry.instances.push(blockInstance(scope, block.body, symbols, scope.placeRange(block.range)));
    }
  }
  return { attributes, blocks };
}

function attributeValue(scope: ModuleInstance, v: Value): AttributeValue {
  const location = v.origin && scope.placeRange(v.origin);
  const missing = firstUnknown(v);
  if (missing) return { set: true, known: false, reason: missing.reason, location, trace: v.trace };
  if (v.kind === 'null') return { set: false, known: true, location, trace: v.trace };
  return { set: true, known: true, value: toPlain(v), location, trace: v.trace };
}

function blockInstance(scope: ModuleInstance, body: Body, symbols: Symbols, location: Range): BlockInstance {
  const fields: Record<string, unknown> = {};
  for (const attr of body.attributes.values()) {
    const v = scope.evaluator.evaluate(attr.expr, symbols);
    const missing = firstUnknown(v);
    if (missing) return { known: false, reason: missing.reason, fields, location, trace: v.trace };
    fields[attr.name] = toPlain(v);
  }
  return { known: true, fields, location, trace: [] };
}

/** `dynamic "x" { for_each = …; iterator = it; content { … } }`, expanded as Terraform does. */
function dynamicBlocks(scope: ModuleInstance, block: Block, symbols: Symbols, entry: BlockValue, problem: ReportProblem): void {
  const iteratorExpr = block.body.attributes.get('iterator')?.expr;
  const iterator = iteratorExpr?.kind === 'traversal' ? iteratorExpr.root : block.labels[0]!;
  const forEach = block.body.attributes.get('for_each');
  const content = block.body.blocks.find((b) => b.type === 'content');
  if (!forEach || !content) return;
  const collection = scope.evaluator.evaluate(forEach.expr, symbols);
  const pairs = collection.kind === 'unknown' ? undefined : iterate(collection);
  if (!pairs) {
    entry.known = false;
    if (collection.kind === 'unknown') {
      entry.reason = `the for_each of dynamic "${block.labels[0]}" is unknown (${collection.reason})`;
      return;
    }
    // Known and not a collection: HCL's dynblock rejects it (ext/dynblock/expand_spec.go).
    entry.reason = `the for_each of dynamic "${block.labels[0]}" is invalid`;
    const detail = collection.kind === 'null' ? 'Cannot use a null value in for_each.' : `Cannot use a ${collection.kind} value in for_each. An iterable collection is required.`;
    problem(forEach.expr.range, `Invalid dynamic for_each value: ${detail}`);
    return;
  }
  for (const [key, value] of pairs) {
    const names = new Map(symbols.names ?? []);
    names.set(iterator, map([['key', key], ['value', value]], value.origin));
    const location = value.origin ? scope.placeRange(value.origin) : scope.placeRange(block.range);
    entry.instances.push({ ...blockInstance(scope, content.body, { ...symbols, names }, location), trace: value.trace, dynamic: true });
  }
}

/** A nested block written in JSON: an object, or a list of objects. */
function jsonBlocks(scope: ModuleInstance, expr: Expr, symbols: Symbols): BlockValue {
  const items = expr.kind === 'tuple' ? expr.items : [expr];
  const instances: BlockInstance[] = [];
  for (const item of items) {
    if (item.kind !== 'object') {
      const v = scope.evaluator.evaluate(item, symbols);
      return { set: true, known: false, reason: v.kind === 'unknown' ? v.reason : 'a nested block must be an object', instances };
    }
    const body: Body = { attributes: new Map(), blocks: [] };
    for (const { key, value } of item.items) {
      if (key.kind === 'literal') body.attributes.set(String(key.value), { name: String(key.value), expr: value, range: value.range });
    }
    instances.push(blockInstance(scope, body, symbols, scope.placeRange(item.range)));
  }
  return { set: true, known: true, instances };
}
