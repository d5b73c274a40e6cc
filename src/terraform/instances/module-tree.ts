import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Range, Problem } from '../../parse/source';
import { expressionsIn, type Block, type Body, type Expr, type Syntax } from '../../parse/syntax';
import type { ModuleCall, ModuleConfig, OutputDecl, ResourceBlock } from '../config/module-config';
import { Evaluator, iterate, type References, type ResourceTarget, type Symbols } from '../eval/evaluate';
import { WorkBudget } from '../eval/budget';
import { expand, type ReportProblem, type Uncertain } from './expansion';
import { valuesInBody, withIterator, type FoundValue, type ImagePaths } from './image-paths';
import { isLocalSource, type ModuleLoader } from '../config/module-loader';
import { registryModel } from '../config/registry-models';
import { META_ARGUMENTS } from '../config/meta-arguments';
import { nestedBlocksOf, type NestedBlocks } from '../config/nested-blocks';
import { toBoolValue } from '../eval/convert';
import { numberText } from '../eval/number-text';
import { convert, parseType } from '../eval/type-constraints';
import {
  assumption,
  at,
  failure,
  firstUnknown,
  list,
  map,
  refsOf,
  str,
  step,
  toPlain,
  unknown,
  via,
  type ResourceRef,
  type TraceStep,
  type Value,
} from '../eval/value';
import { displayPath } from '../../discover/paths';
import type { Engine } from '../../discover/terraform-files';

/** An attribute as a policy sees it: set or not, known or not, and where its value is written. */
export interface AttributeValue {
  set: boolean;
  known: boolean;
  value?: unknown;
  reason?: string;
  location?: Range;
  trace: TraceStep[];
  /** Unknown values read from other resources: which resource instances and attributes (design.md: refs). */
  refs?: ResourceRef[];
  /** An unknown string template: its parts in order, known text and unknown values. */
  template?: TemplatePiece[];
}

/** A part of an unknown string template, with where it is written. */
export interface TemplatePiece {
  known: boolean;
  value?: string;
  reason?: string;
  refs?: ResourceRef[];
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
  /**
   * Where each field's value comes from (a literal in the block, a variable default, a
   * tfvars file, a module argument), as an attribute's location and trace say it.
   */
  origins?: Record<string, { location: Range; trace: TraceStep[] }>;
  location: Range;
  trace: TraceStep[];
  /** An unknown field read from other resources: which (design.md: refs). */
  refs?: ResourceRef[];
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
  /** --each-var-file: the variables file this instance was evaluated with, from the root's directory. */
  variant?: string;
  /** CDKTF synth output: the stack and the construct that made the resource. */
  stack?: string;
  constructPath?: string;
  /** The tagguard construct that made it, from the `//` metadata (src/cdktf): what a person changes. */
  madeBy?: { construct: string; stack?: string };
  /** Why the instance may not exist: its count or for_each, or an enclosing module call's, is unknown. */
  uncertain?: Uncertain;
  /** The provider configuration that manages it, as the root module names it (`harbor`, `harbor.eu`). */
  provider?: string;
  attributes: Record<string, AttributeValue>;
  blocks: Record<string, BlockValue>;
  /** The values at the image paths the rules declare for its type (METADATA custom.images). */
  images?: ImageValue[];
}

/** A value at an image path, with every part of it where it is written. */
export interface ImageValue extends AttributeValue {
  path: string;
  /** The text's parts in order (one part when it is not a template): known text and unknown values. */
  pieces: TemplatePiece[];
}

export interface InstantiateContext {
  loader: ModuleLoader;
  types: ReadonlySet<string>;
  /** Which arguments of each judged type are nested blocks, as the rules declare them. */
  nestedBlocks: NestedBlocks;
  /** Where images are named, by resource type, as the rules declare them. */
  images?: ImagePaths;
  /** Data source types the rules read (METADATA custom.data_sources): instantiated with mode "data". */
  dataSources?: ReadonlySet<string>;
  cwd: string;
  /** Problems found while evaluating: module cycles, missing module directories, declarations Terraform rejects. */
  problems: Problem[];
  /** Remote module calls that could not be followed, once per call. */
  notes: string[];
  /**
   * Local module calls to a directory that does not exist, once per call and root
   * (without --strict): a blind spot, as a remote module not on disk, reported as an
   * unknown at the call (scan/run.ts).
   */
  blindSpots?: BlindSpot[];
  /** `--engine tofu`: every module is read as OpenTofu reads it. */
  engine?: Engine;
  /** The work the root being instantiated may still cost (eval/budget.ts). */
  budget?: WorkBudget;
  /** Module calls whose outputs are being read, one inside another (MAX_OUTPUT_CHAIN). */
  outputChain?: { current: number };
  /** Nesting of evaluations across all module instances (eval/evaluate.ts MAX_EVALUATION_DEPTH). */
  evaluationDepth?: { current: number };
  /** Module directories that sources evaluated at init lead to (OpenTofu), by calling directory. */
  evaluatedSources?: Map<string, Set<string>>;
}

/** A module call whose resources cannot be seen. */
export interface BlindSpot {
  /** The root module, as reported. */
  root: string;
  /** The call's address: `module.a.module.b`. */
  address: string;
  range: Range;
  message: string;
}

/** Bound on module outputs read through module outputs: each link costs many stack frames. */
const MAX_OUTPUT_CHAIN = 100;

const CALL_META = new Set(['source', 'version', 'count', 'for_each', 'providers', 'depends_on']);

/** Where one module instance sits in the tree of module calls. */
interface InstancePlace {
  ctx: InstantiateContext;
  config: ModuleConfig;
  /** `module.a[0].module.b`, or '' for the root. */
  address: string;
  /** Call names from the root, for .terraform/modules/modules.json keys. */
  keyPath: string[];
  /** Input values by variable name, evaluated when first read (in the caller's scope), and where each is written in the call. */
  inputs: Map<string, { read: () => Value; at?: Range }>;
  rootDir: string;
  /** Module directories from the root to this one, for cycle detection. */
  chain: string[];
  /** Where to report what a modelled registry module declares: the call in the user's code. */
  anchor?: Range;
  /** The root's selected workspace; undefined when none is (`default`). */
  workspace?: Value;
  /** Why this instance may not exist: its call's (or an enclosing call's) count or for_each is unknown. */
  uncertain?: Uncertain;
  /** The provider configurations this instance's names stand for, as the root names them (`harbor` → `harbor.eu`). */
  providers?: (name: string) => string;
}

/** The instances one module call stands for, or why they cannot be known. */
type CallInstances =
  | {
      kind: 'instances';
      call: ModuleCall;
      model: boolean;
      repeat: 'none' | 'count' | 'for_each';
      instances: { suffix: string; key?: Value; instance: ModuleInstance }[];
      /** Why the instances cannot be told apart: count or for_each is unknown. */
      outputsUnknown?: string;
    }
  | { kind: 'unknown'; value: Value };

/** One module instance: its inputs, and the references its expressions resolve against. */
class ModuleInstance implements References {
  readonly evaluator: Evaluator;
  private readonly locals = new Map<string, Value | 'evaluating'>();
  private readonly variables = new Map<string, Value | 'evaluating'>();
  private readonly calls = new Map<string, CallInstances | 'evaluating'>();
  private readonly outputs = new Map<string, Value>();
  readonly ctx: InstantiateContext;
  readonly config: ModuleConfig;
  readonly address: string;
  readonly keyPath: string[];
  private readonly inputs: InstancePlace['inputs'];
  readonly rootDir: string;
  readonly chain: string[];
  readonly anchor?: Range;
  readonly selectedWorkspace?: Value;
  readonly uncertain?: Uncertain;
  private readonly providers?: (name: string) => string;

  constructor(place: InstancePlace) {
    ({
      ctx: this.ctx,
      config: this.config,
      address: this.address,
      keyPath: this.keyPath,
      inputs: this.inputs,
      rootDir: this.rootDir,
      chain: this.chain,
      anchor: this.anchor,
      workspace: this.selectedWorkspace,
      uncertain: this.uncertain,
      providers: this.providers,
    } = place);
    this.evaluator = new Evaluator(
      this,
      (range, message) => {
        report(this.problems, range, message);
      },
      place.ctx.evaluationDepth,
      place.ctx.budget,
    );
  }

  /** Resources read by reference, by address; 'evaluating' while their count or for_each is. */
  private readonly targets = new Map<string, ResourceTarget | 'evaluating'>();

  resource(mode: 'managed' | 'data', type: string, name: string): ResourceTarget {
    const address = `${this.address ? `${this.address}.` : ''}${mode === 'data' ? 'data.' : ''}${type}.${name}`;
    const cached = this.targets.get(address);
    // A count or for_each that reads its own resource: Terraform reports the cycle; the keys stay unknown.
    if (cached === 'evaluating') return { address };
    if (cached) return cached;
    const decl = this.config.resources.find((r) => r.mode === mode && r.type === type && r.name === name);
    const body = decl?.block.body;
    const repeat = body?.attributes.has('count') ? 'count' : body?.attributes.has('for_each') ? 'for_each' : undefined;
    let target: ResourceTarget = { address };
    if (body && repeat) {
      this.targets.set(address, 'evaluating');
      // Problems in count or for_each are reported where the resource itself is expanded.
      const instances = expand(body, this.evaluator, () => undefined, this.ctx.budget);
      const keys = instances.map(({ symbols }) => {
        const key = repeat === 'count' ? symbols.count : symbols.each?.key;
        return key?.kind === 'string' ? key.value : key?.kind === 'number' ? Number(numberText(key)) : undefined;
      });
      if (keys.every((k) => k !== undefined)) target = { address, keys: { repeat, keys } };
    }
    this.targets.set(address, target);
    return target;
  }

  workspace(range: Range): Value {
    return (
      this.selectedWorkspace ??
      str('default', range, [
        assumption(
          range,
          'no workspace is selected, so terraform.workspace is "default" (TF_WORKSPACE, .terraform/environment or --workspace select one)',
        ),
      ])
    );
  }

  private get problems(): Problem[] {
    return this.ctx.problems;
  }

  variable(name: string): Value {
    const cached = this.variables.get(name);
    if (cached === 'evaluating') {
      const decl = this.config.variables.get(name);
      const message = `Cycle: var.${name} of ${this.describe()} depends on itself through module outputs`;
      const at = this.inputs.get(name)?.at ?? this.anchor ?? decl?.range;
      if (at) report(this.problems, at, message);
      return failure(message);
    }
    if (cached) return cached;
    const decl = this.config.variables.get(name);
    let value: Value;
    this.variables.set(name, 'evaluating');
    if (!decl) value = failure(`variable "${name}" is not declared in ${this.describe()}`);
    else {
      let given = this.inputs.get(name)?.read();
      // nullable = false: a null given is as if nothing were given (Terraform 1.1+).
      if (given?.kind === 'null' && decl.nullable && this.notNullable(decl.nullable)) {
        if (!decl.default) {
          const message = `variable "${name}" is not nullable and has no default, but the value given is null`;
          const at = given.origin ?? this.anchor ?? decl.range;
          report(this.problems, at, `Invalid value for input variable: ${message}`);
          given = failure(message, given.origin, given.trace);
        } else given = undefined;
      }
      if (given) value = given;
      else if (decl.default) value = this.place(this.evaluator.evaluate(decl.default), `default of var.${name}`);
      else value = unknown(`variable "${name}" has no default and no value is given`, this.anchor ?? decl.range);
      value = convert(value, parseType(decl.type), (e) =>
        this.place(this.evaluator.evaluate(e), `optional default in the type of var.${name}`),
      );
    }
    this.variables.set(name, value);
    return value;
  }

  private notNullable(expr: Expr): boolean {
    // A bool argument: "false" converts, as Terraform converts it.
    const v = toBoolValue(this.evaluator.evaluate(expr));
    return v.kind === 'bool' && !v.value;
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

  /** A provider configuration named here (`harbor`, `harbor.eu`), as the root names it. */
  provider(name: string): string {
    return this.providers ? this.providers(name) : name;
  }

  /** A call's `providers = { harbor = harbor.eu }`: what its instances' names stand for; others are the caller's own. */
  private callProviders(body: Body): (name: string) => string {
    const map = new Map<string, string>();
    const expr = body.attributes.get('providers')?.expr;
    for (const item of expr?.kind === 'object' ? expr.items : []) {
      const key = providerName(item.key);
      const value = providerName(item.value);
      if (key && value) map.set(key, this.provider(value));
    }
    return (name) => map.get(name) ?? this.provider(name);
  }

  placeRange(range: Range): Range {
    return this.anchor && notUsers(range) ? this.anchor : range;
  }

  describe(): string {
    return this.address || 'the root module';
  }

  /**
   * `module.<name>`: an object of the call's outputs; a list of them with count, a map
   * with for_each. An output is evaluated like a local in the called module, so it is
   * known where its value comes from variables, locals, literals and functions.
   */
  module(name: string): Value {
    const call = this.config.calls.find((c) => c.name === name);
    if (!call) return failure(`module "${name}" is not declared in ${this.describe()}`);
    const chain = (this.ctx.outputChain ??= { current: 0 });
    if (chain.current >= MAX_OUTPUT_CHAIN) {
      const message = `module outputs read through more than ${MAX_OUTPUT_CHAIN} module calls in a chain (too long to follow)`;
      report(this.problems, call.block.range, message);
      return failure(message, call.block.range);
    }
    chain.current++;
    try {
      return this.outputsOf(call);
    } catch (e) {
      // A chain that exhausts the stack before the bound is an input error, not a crash.
      if (!(e instanceof RangeError)) throw e;
      report(this.problems, call.block.range, 'module outputs chained too deeply to follow');
      return failure('module outputs chained too deeply to follow', call.block.range);
    } finally {
      chain.current--;
    }
  }

  private outputsOf(call: ModuleCall): Value {
    const name = call.name;
    const found = this.callInstances(call);
    if (found === 'evaluating') {
      const message = `Cycle: module.${name} depends on its own outputs`;
      report(this.problems, call.block.range, message);
      return failure(message, call.block.range);
    }
    if (found.kind === 'unknown') return found.value;
    if (found.outputsUnknown) return unknown(`the outputs of module.${name} are unknown: ${found.outputsUnknown}`, call.block.range);
    const objects = found.instances.map(({ key, instance }) => [key, instance.outputObject(found.model)] as const);
    if (found.repeat === 'none') return objects[0][1];
    if (found.repeat === 'count')
      return list(
        objects.map(([, o]) => o),
        call.block.range,
      );
    return map(
      objects.map(([k, o]) => [k?.kind === 'string' ? k.value : '', o]),
      call.block.range,
    );
  }

  /** The instances of a module call, made once: walk and module outputs share them. */
  callInstances(call: ModuleCall): CallInstances | 'evaluating' {
    const cached = this.calls.get(call.name);
    if (cached) return cached;
    this.calls.set(call.name, 'evaluating');
    const result = this.makeCallInstances(call);
    this.calls.set(call.name, result);
    return result;
  }

  private makeCallInstances(call: ModuleCall): CallInstances {
    const target = resolveCall(this.ctx, this, call);
    if (!target)
      return { kind: 'unknown', value: unknown(`module.${call.name} is not on disk, so its outputs are unknown`, call.block.range) };
    const { config, model } = target;
    // By real path: a source through a symlink to an enclosing directory is a cycle too.
    const real = realPath(config.dir);
    if (this.chain.some((d) => realPath(d) === real)) {
      const names = [...this.chain, config.dir].map((d) => displayPath(this.ctx.cwd, d));
      const r = call.block.range;
      // Once per call: reached from another root, the same cycle reads differently.
      if (!this.problems.some((p) => p.file === r.file && p.line === r.line && p.message.startsWith('module cycle')))
        this.problems.push({ file: r.file, line: r.line, column: r.column, message: `module cycle: ${names.join(' → ')}` });
      return { kind: 'unknown', value: failure(`module.${call.name} is part of a module cycle`, call.block.range) };
    }
    const body = call.block.body;
    const repeat = body.attributes.has('count') ? 'count' : body.attributes.has('for_each') ? 'for_each' : 'none';
    const prefix = this.address ? `${this.address}.` : '';
    const expansions = expand(
      body,
      this.evaluator,
      (range, message) => {
        report(this.problems, range, message);
      },
      this.ctx.budget,
    );
    const instances = expansions.map(({ suffix, symbols, uncertain }) => {
      const inputs: InstancePlace['inputs'] = new Map();
      for (const attr of body.attributes.values()) {
        if (CALL_META.has(attr.name)) continue;
        let value: Value | undefined;
        const read = () =>
          (value ??= via(
            this.place(this.evaluator.evaluate(attr.expr, symbols), `argument ${attr.name}`),
            attr.range,
            `module.${call.name} argument ${attr.name}`,
          ));
        inputs.set(attr.name, { read, at: attr.range });
      }
      const anchor = model ? (this.anchor ?? call.block.range) : this.anchor;
      const instance = new ModuleInstance({
        ctx: this.ctx,
        config,
        address: `${prefix}module.${call.name}${suffix}`,
        keyPath: [...this.keyPath, call.name],
        inputs,
        rootDir: this.rootDir,
        chain: [...this.chain, config.dir],
        anchor,
        workspace: this.selectedWorkspace,
        uncertain: this.uncertain ?? uncertain,
        providers: this.callProviders(body),
      });
      return { suffix, key: repeat === 'for_each' ? symbols.each?.key : undefined, instance };
    });
    // A count or for_each that cannot be known: one instance that may exist, and outputs no one can know.
    const only = expansions.length === 1 ? expansions.at(0) : undefined;
    const undecided =
      repeat !== 'none' && only?.suffix === '' ? (repeat === 'count' ? only.symbols.count : only.symbols.each?.key) : undefined;
    const reason = undecided ? firstUnknown(undecided)?.reason : undefined;
    return { kind: 'instances', call, model, repeat, instances, ...(reason ? { outputsUnknown: reason } : {}) };
  }

  /** This instance's outputs as an object; a model declares only the outputs it models, and the others are unknown. */
  outputObject(model: boolean): Value {
    const entries = new Map<string, Value>();
    for (const [name, decl] of this.config.outputs) entries.set(name, this.output(name, decl));
    return map(
      entries,
      undefined,
      [],
      model ? `${this.address} is a model of a registry module, which does not model this output` : undefined,
    );
  }

  private output(name: string, decl: OutputDecl): Value {
    const cached = this.outputs.get(name);
    if (cached) return cached;
    const value = decl.value
      ? via(
          this.place(this.evaluator.evaluate(decl.value), `output ${name}`),
          this.placeRange(decl.value.range),
          `${this.address} output ${name}`,
        )
      : unknown(`output "${name}" has no value`, decl.range);
    this.outputs.set(name, value);
    return value;
  }
}

/** Adds a problem unless the same one is already there: modules are walked once per instance. */
function report(problems: Problem[], at: { file: string; line: number; column: number }, message: string): void {
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

function sameRange(a: Range, b: Range): boolean {
  return a.file === b.file && a.line === b.line && a.column === b.column;
}

function notUsers(range: Range): boolean {
  return range.file.startsWith('(model)') || /(^|\/)\.terraform\//.test(range.file);
}

/** Every instance of the resources of the given types in a root module and the modules it calls. */
export function instantiateRoot(
  ctx: InstantiateContext,
  config: ModuleConfig,
  inputs: Map<string, Value>,
  workspace?: Value,
): ResourceInstance[] {
  // Every loaded module's declaration errors, once, including modules no instance reaches (count = 0).
  for (const module of ctx.loader.modules.values()) for (const p of module.problems) report(ctx.problems, p, p.message);
  const given: InstancePlace['inputs'] = new Map([...inputs].map(([name, value]) => [name, { read: () => value }]));
  const root = new ModuleInstance({
    ctx,
    config,
    address: '',
    keyPath: [],
    inputs: given,
    rootDir: config.dir,
    chain: [config.dir],
    workspace,
  });
  const out: ResourceInstance[] = [];
  walk(ctx, root, out);
  return out;
}

function walk(ctx: InstantiateContext, scope: ModuleInstance, out: ResourceInstance[]): void {
  const rootRel = displayPath(ctx.cwd, scope.rootDir);
  const prefix = scope.address ? `${scope.address}.` : '';
  const problem: ReportProblem = (range, message) => {
    report(ctx.problems, range, message);
  };
  for (const r of scope.config.resources) {
    if (r.mode === 'managed' ? !ctx.types.has(r.type) : !ctx.dataSources?.has(r.type)) continue;
    const paths = ctx.images?.get(r.type);
    for (const { suffix, symbols, uncertain } of expand(r.block.body, scope.evaluator, problem, ctx.budget)) {
      const why = scope.uncertain ?? uncertain;
      const location = scope.placeRange(r.block.range);
      out.push({
        address: `${prefix}${r.mode === 'data' ? 'data.' : ''}${r.type}.${r.name}${suffix}`,
        root: rootRel,
        module: scope.address,
        mode: r.mode,
        type: r.type,
        syntax: r.syntax,
        location,
        ...cdktfOrigin(r),
        ...(why ? { uncertain: { reason: why.reason, at: scope.placeRange(why.at) } } : {}),
        provider: scope.provider(providerOf(r)),
        ...evaluateResource(scope, r, symbols, problem),
        ...(paths && r.mode === 'managed'
          ? { images: valuesInBody(r.block.body, scope.evaluator, symbols, paths, r.block.range).map((f) => imageValue(scope, f)) }
          : {}),
      });
    }
  }
  for (const call of scope.config.calls) {
    const found = scope.callInstances(call);
    if (found === 'evaluating' || found.kind === 'unknown') continue;
    for (const { instance } of found.instances) walk(ctx, instance, out);
  }
}

/** The provider configuration a resource names (`provider = harbor.eu`), or its type's default one. */
function providerOf(r: ResourceBlock): string {
  const expr = r.block.body.attributes.get('provider')?.expr;
  return (expr && providerName(expr)) ?? r.type.split('_')[0];
}

/** `harbor.eu` written as a reference, or as a string (Terraform JSON). */
function providerName(expr: Expr): string | undefined {
  if (expr.kind === 'traversal' && expr.steps.every((s) => s.kind === 'attr'))
    return [expr.root, ...expr.steps.map((s) => (s as { name: string }).name)].join('.');
  if (expr.kind === 'literal' && typeof expr.value === 'string' && /^[\w-]+(\.[\w-]+)?$/.test(expr.value)) return expr.value;
  if (expr.kind === 'template' && expr.parts.length === 1 && typeof expr.parts[0] === 'string') return expr.parts[0];
  return undefined;
}

/** A resource synthesized by CDKTF names its stack (by its directory) and construct. */
function cdktfOrigin(r: ResourceBlock): Pick<ResourceInstance, 'stack' | 'constructPath' | 'madeBy'> {
  if (!r.block.constructPath) return {};
  const stack = /(?:^|\/)stacks\/([^/]+)\/cdk\.tf\.json$/.exec(r.block.range.file)?.[1];
  return { constructPath: r.block.constructPath, ...(stack ? { stack } : {}), ...(r.block.madeBy ? { madeBy: r.block.madeBy } : {}) };
}

/** model: the module is not the user's code (a registry model or a download), so findings anchor at the call. */
function resolveCall(
  ctx: InstantiateContext,
  scope: ModuleInstance,
  call: ModuleCall,
): { config: ModuleConfig; model: boolean } | undefined {
  const source = call.source ?? (call.sourceExpr && evaluatedSource(ctx, scope, call, call.sourceExpr));
  if (!source) return undefined;
  if (isLocalSource(source)) {
    const dir = path.resolve(scope.config.dir, source);
    const config = ctx.loader.modules.get(dir);
    if (call.source === undefined) {
      const targets = ctx.evaluatedSources?.get(scope.config.dir) ?? new Set<string>();
      ctx.evaluatedSources?.set(scope.config.dir, targets.add(dir));
    }
    if (!config && !isDirectory(dir)) {
      const at = call.block.body.attributes.get('source')?.expr.range ?? call.block.range;
      const missing = `module "${call.name}": no module directory at "${source}" (it does not exist or is not a directory)`;
      // --strict: an input error, as before. Otherwise a blind spot, as a module not on disk: its resources cannot be judged.
      if (ctx.loader.strict || !ctx.blindSpots) report(ctx.problems, at, missing);
      else {
        const range = scope.placeRange(at);
        const root = displayPath(ctx.cwd, scope.rootDir);
        const address = `${scope.address ? `${scope.address}.` : ''}module.${call.name}`;
        if (!ctx.blindSpots.some((b) => b.root === root && b.address === address && sameRange(b.range, range)))
          ctx.blindSpots.push({ root, address, range, message: `${missing}; the resources it would declare cannot be judged` });
      }
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

/**
 * A `source` written as an expression. OpenTofu 1.8+ evaluates it at init from
 * variables, locals and functions (in a module with `.tofu` files, or with --engine
 * tofu); Terraform accepts only a literal string. Either way, a source that cannot be
 * known is an input error at its place.
 */
function evaluatedSource(ctx: InstantiateContext, scope: ModuleInstance, call: ModuleCall, expr: Expr): string | undefined {
  const tofu = ctx.engine === 'tofu' || scope.config.tofu || ctx.loader.modules.get(scope.rootDir)?.tofu;
  if (!tofu) {
    const refers = [...expressionsIn(expr)].some((e) => e.kind === 'traversal');
    const calls = [...expressionsIn(expr)].some((e) => e.kind === 'call');
    const message = refers
      ? 'Variables not allowed: Variables may not be used here. (Terraform needs a literal module source; OpenTofu 1.8+ evaluates it: use .tofu files or --engine tofu)'
      : calls
        ? 'Function calls not allowed: Functions may not be called here. (Terraform needs a literal module source)'
        : 'Invalid module source: the source must be a literal string';
    report(ctx.problems, expr.range, `module "${call.name}": ${message}`);
    return undefined;
  }
  const value = scope.evaluator.evaluate(expr);
  if (value.kind === 'string') return value.value;
  const why = value.kind === 'unknown' ? value.reason : `a ${value.kind} is not a module source`;
  report(ctx.problems, expr.range, `module "${call.name}": the source must be known when OpenTofu installs modules: ${why}`);
  return undefined;
}

function evaluateResource(
  scope: ModuleInstance,
  r: ResourceBlock,
  symbols: Symbols,
  problem: ReportProblem,
): Pick<ResourceInstance, 'attributes' | 'blocks'> {
  const nested = nestedBlocksOf(scope.ctx.nestedBlocks, r.type);
  const attributes: ResourceInstance['attributes'] = {};
  const blocks: ResourceInstance['blocks'] = {};
  for (const attr of r.block.body.attributes.values()) {
    if (META_ARGUMENTS.has(attr.name)) continue;
    if (nested.has(attr.name)) blocks[attr.name] = jsonBlocks(scope, attr.expr, symbols);
    else attributes[attr.name] = attributeValue(scope, scope.evaluator.evaluate(attr.expr, symbols));
  }
  for (const block of r.block.body.blocks) {
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

function attributeValue(scope: Pick<ModuleInstance, 'placeRange'> | undefined, v: Value): AttributeValue {
  const location = v.origin && (scope ? scope.placeRange(v.origin) : v.origin);
  const missing = firstUnknown(v);
  if (missing)
    return { set: true, known: false, reason: missing.reason, location, trace: v.trace, ...withRefs(v), ...templateOf(scope, v) };
  if (v.kind === 'null') return { set: false, known: true, location, trace: v.trace };
  return { set: true, known: true, value: toPlain(v), location, trace: v.trace };
}

/** A value at an image path, placed where it is written, with its parts. */
/** scope: the module instance that places it; none for a plan's or a construct's value, placed as it is. */
export function imageValue(scope: Pick<ModuleInstance, 'placeRange'> | undefined, found: FoundValue): ImageValue {
  const v = found.value;
  const value = attributeValue(scope, v);
  return { path: found.path, ...value, pieces: piecesOf(scope, v) };
}

/** A string's parts (a template's, else the value itself), placed where they are written. */
function piecesOf(scope: Pick<ModuleInstance, 'placeRange'> | undefined, v: Value): TemplatePiece[] {
  const place = (r: Range | undefined) => (r && scope ? scope.placeRange(r) : r);
  const parts = (v.kind === 'string' || v.kind === 'unknown') && v.template ? v.template : [v];
  return parts.map((p) =>
    p.kind === 'unknown'
      ? { known: false, reason: p.reason, location: place(p.origin), trace: p.trace, ...withRefs(p) }
      : { known: true, value: p.kind === 'string' ? p.value : JSON.stringify(toPlain(p)), location: place(p.origin), trace: p.trace },
  );
}

/** The parts of an unknown template, placed where they are written. */
export function templateOf(scope: Pick<ModuleInstance, 'placeRange'> | undefined, v: Value): { template?: TemplatePiece[] } {
  if (v.kind !== 'unknown' || !v.template) return {};
  return { template: piecesOf(scope, v) };
}

/** `refs` of an unknown value, when it names other resources. */
export function withRefs(v: Value): { refs?: ResourceRef[] } {
  const refs = refsOf(v);
  return refs.length ? { refs } : {};
}

function blockInstance(scope: ModuleInstance, body: Body, symbols: Symbols, location: Range): BlockInstance {
  const fields: Record<string, unknown> = {};
  const origins: NonNullable<BlockInstance['origins']> = {};
  for (const attr of body.attributes.values()) {
    const v = scope.evaluator.evaluate(attr.expr, symbols);
    const missing = firstUnknown(v);
    if (missing) return { known: false, reason: missing.reason, fields, location, trace: v.trace, ...withRefs(v) };
    fields[attr.name] = toPlain(v);
    if (v.origin) origins[attr.name] = { location: scope.placeRange(v.origin), trace: v.trace };
  }
  return { known: true, fields, origins, location, trace: [] };
}

/** `dynamic "x" { for_each = …; iterator = it; content { … } }`, expanded as Terraform does. */
function dynamicBlocks(scope: ModuleInstance, block: Block, symbols: Symbols, entry: BlockValue, problem: ReportProblem): void {
  const iteratorExpr = block.body.attributes.get('iterator')?.expr;
  const iterator = iteratorExpr?.kind === 'traversal' ? iteratorExpr.root : block.labels[0];
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
    const detail =
      collection.kind === 'null'
        ? 'Cannot use a null value in for_each.'
        : `Cannot use a ${collection.kind} value in for_each. An iterable collection is required.`;
    problem(forEach.expr.range, `Invalid dynamic for_each value: ${detail}`);
    return;
  }
  for (const [key, value] of pairs) {
    const location = value.origin ? scope.placeRange(value.origin) : scope.placeRange(block.range);
    entry.instances.push({
      ...blockInstance(scope, content.body, withIterator(symbols, iterator, key, value), location),
      trace: value.trace,
      dynamic: true,
    });
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
