import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { displayPath, slashPath } from '../../discover/paths';
import type { Engine } from '../../discover/terraform-files';
import type { Problem } from '../../parse/source';
import type { ModuleConfig } from '../config/module-config';
import { isLocalSource, type ModuleLoader } from '../config/module-loader';
import { BudgetExceeded, WorkBudget } from '../eval/budget';
import type { ImagePaths } from './image-paths';
import type { NestedBlocks } from '../config/nested-blocks';
import { instantiateRoot, type InstantiateContext, type ResourceInstance } from './module-tree';
import { newVarFileLog, rootVariables, varFilesBeside, type VariableOptions } from './variables';
import { selectedWorkspace } from './workspace';

export interface RootsOptions {
  cwd: string;
  /** The paths the user named: a named module directory stays a root even when another module calls it. */
  paths: readonly string[];
  variables: Omit<VariableOptions, 'cwd' | 'maxFileBytes'>;
  maxFileBytes?: number;
  engine?: Engine;
  workspace?: string;
}

/** Rounds of loading the modules that sources evaluated at init lead to (OpenTofu); each round can only add modules. */
const MAX_SOURCE_ROUNDS = 4;

/**
 * Every root's resource instances. A module source that OpenTofu evaluates at init
 * can lead to a directory not loaded yet, and makes its target a called module rather
 * than a root: such directories are loaded and the roots instantiated again.
 */
export async function instantiateRoots(
  loader: ModuleLoader,
  types: ReadonlySet<string>,
  nestedBlocks: NestedBlocks,
  options: RootsOptions,
  files: string[],
  images?: { paths: ImagePaths; dataSources: ReadonlySet<string> },
) {
  const { cwd } = options;
  const evaluatedSources = new Map<string, Set<string>>();
  for (let round = 1; ; round++) {
    // The local sources this round's evaluation found (module-tree.ts records them).
    const roundSources = new Map<string, Set<string>>();
    const ctx: InstantiateContext = {
      loader,
      types,
      nestedBlocks,
      images: images?.paths,
      dataSources: images?.dataSources,
      cwd,
      problems: [],
      notes: [],
      blindSpots: [],
      engine: options.engine,
      evaluatedSources: roundSources,
      evaluationDepth: { current: 0 },
    };
    const inputProblems: Problem[] = [];
    const varFiles = newVarFileLog();
    const resources: ResourceInstance[] = [];
    const dataSources: ResourceInstance[] = [];
    const scanInstances = { instances: 0 };
    for (const root of rootModules(
      loader,
      files,
      options.paths.map((p) => path.resolve(cwd, p)),
      evaluatedSources,
    )) {
      for (const variant of variants(root, options)) {
        // Each variant is a judgement of its own, with a root's budget; the scan's cap on instances counts them all.
        ctx.budget = new WorkBudget(scanInstances);
        const variables = variant ? { ...options.variables, rootVarFiles: new Map([[root.dir, [variant.file]]]) } : options.variables;
        try {
          const inputs = await rootVariables(
            root,
            { ...variables, cwd, maxFileBytes: options.maxFileBytes },
            inputProblems,
            loader.sources,
            varFiles,
          );
          const workspace = selectedWorkspace(
            root.dir,
            { workspace: options.workspace, env: options.variables.env },
            (abs) => loader.displayPath(abs),
            inputProblems,
            loader.sources,
          );
          const instances = instantiateRoot(ctx, root, inputs, workspace).map((r) => (variant ? { ...r, variant: variant.name } : r));
          for (const r of instances) (r.mode === 'data' ? dataSources : resources).push(r);
        } catch (e) {
          const with_ = variant ? ` (with ${variant.name})` : '';
          if (e instanceof BudgetExceeded) {
            inputProblems.push({ file: e.at.file, line: e.at.line, column: e.at.column, message: e.message + with_ });
            continue;
          }
          // One root that cannot be evaluated (the stack, a string past V8's length) fails alone: the others are still judged.
          inputProblems.push({
            file: displayPath(cwd, root.dir),
            line: 0,
            column: 0,
            message: `this root could not be evaluated${with_} (${(e as Error).message}); its resources are not judged`,
          });
        }
      }
    }
    const found = [...roundSources].flatMap(([from, targets]) => [...targets].map((t) => [from, t] as const));
    const added = found.filter(([from, t]) => !evaluatedSources.get(from)?.has(t));
    if (added.length === 0 || round === MAX_SOURCE_ROUNDS) return { ctx, resources, dataSources, inputProblems, varFiles };
    for (const [from, t] of added) evaluatedSources.set(from, (evaluatedSources.get(from) ?? new Set()).add(t));
    await loader.loadCalled(added.map(([, t]) => t));
  }
}

/**
 * The variables files a root is judged with one at a time (--each-var-file): those the
 * configuration or the command line gives it, then those beside it that Terraform does
 * not load by itself, each once. Named by its path from the root's directory. None
 * (one judgement, as without the option) when the option is off or no such file exists.
 */
function variants(root: ModuleConfig, options: RootsOptions): ({ file: string; name: string } | undefined)[] {
  if (!options.variables.eachVarFile) return [undefined];
  const given = (options.variables.rootVarFiles?.get(root.dir) ?? []).map((f) => path.resolve(options.cwd, f));
  const listed = existsSync(root.dir) ? readdirSync(root.dir).sort() : [];
  const files = [...new Set([...given, ...varFilesBeside(root.dir, listed)])];
  if (files.length === 0) return [undefined];
  return files.map((file) => ({ file, name: slashPath(path.relative(root.dir, file)) }));
}

/**
 * design.md, Roots and modules: a scanned module that another scanned module calls
 * through a local source is evaluated through its callers, unless the user named
 * its directory. Modules that only call each other (a cycle) stay roots, so that
 * they are still checked and the cycle is reported.
 */
function rootModules(
  loader: ModuleLoader,
  files: string[],
  named: string[],
  evaluatedSources: ReadonlyMap<string, ReadonlySet<string>>,
): ModuleConfig[] {
  const scanned = [...new Set(files.map((f) => path.dirname(f)))].sort();
  const callees = (dir: string) => [
    ...(loader.modules.get(dir)?.calls ?? []).flatMap((c) => (c.source && isLocalSource(c.source) ? [path.resolve(dir, c.source)] : [])),
    ...(evaluatedSources.get(dir) ?? []),
  ];
  const called = new Set(scanned.flatMap(callees));
  const chosen = scanned.filter((dir) => !called.has(dir) || named.includes(dir));
  const reached = new Set<string>();
  const visit = (dir: string) => {
    if (reached.has(dir)) return;
    reached.add(dir);
    callees(dir).forEach(visit);
  };
  chosen.forEach(visit);
  for (const dir of scanned) {
    if (reached.has(dir)) continue;
    chosen.push(dir);
    visit(dir);
  }
  return chosen.map((dir) => loader.modules.get(dir)).filter((m): m is ModuleConfig => m !== undefined);
}
