import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { applyTofuPrecedence, discover, type Discovered, type Exclusions } from '../discover/discover';
import { filesMatching, grepFiles } from '../discover/search';
import { readTextFile } from '../discover/read';
import { hclParser } from '../parse/hcl';
import { SourceFile } from '../parse/source';
import { PolicyEngine, type PolicySource, type RawFinding, type RuleDescriptor } from '../policy/engine';
import { CustomPolicy } from '../policy/custom';
import { compareFindings, toFindings, type Finding } from '../policy/findings';
import { newFindings, type Baseline } from '../policy/baseline';
import { applySuppressions } from '../policy/suppressions';
import { policyInput, type PolicyConfig } from '../policy/input';
import type { ModuleConfig } from '../terraform/config';
import { DEFAULT_LIMITS, isLocalSource, ModuleLoader, type Limits } from '../terraform/loader';
import { factsOf, withCallers } from '../terraform/relevance';
import { plannedSearches, type PlannedSearch } from './searches';
import { BudgetExceeded, WorkBudget } from '../terraform/budget';
import { instantiateRoot, type InstantiateContext, type ResourceInstance } from '../terraform/resources';
import { planInstances } from '../terraform/from-plan';
import { readPlan, type PlanResource } from '../terraform/plan';
import { rootVariables, type VariableOptions } from '../terraform/variables';
import { selectedWorkspace } from '../terraform/workspace';

export interface ScanOptions {
  paths: string[];
  cwd: string;
  policy: PolicyConfig;
  variables: Omit<VariableOptions, 'cwd'>;
  /** `terraform show -json` output to judge instead of the configuration's static values. */
  plan?: string;
  /** Where the plan's configuration is, when not next to the plan. */
  configDir?: string;
  /** YYYY-MM-DD that suppression expiry dates are compared with (default: today). */
  today?: string;
  /** Compiled custom policies (policy.wasm or bundle.tar.gz; files, or bytes read from a git commit), evaluated beside the built-in ones. */
  policies?: PolicySource[];
  /** How long each custom policy may take, in milliseconds (--policy-timeout; default 30 s). */
  policyTimeoutMs?: number;
  /** Report only findings this baseline does not list. */
  baseline?: Baseline;
  /** Report only findings whose location or trace is in one of these files (paths as reported). */
  onlyFiles?: ReadonlySet<string>;
  /** Bounds on one file: size in bytes and nesting depth (--max-file-size, --max-depth). */
  limits?: Partial<Limits>;
  /**
   * false: .gitignore files are not honoured. With --config-from the code under review
   * wrote them, and a rule added there could hide a file that Terraform still reads;
   * `exclude` in the trusted configuration still applies.
   */
  gitignore?: boolean;
  /** Paths left out of discovery (.tagguard.yml exclude). */
  exclude?: Exclusions;
  /** `tofu`: read every module as OpenTofu does (module sources evaluated at init), not only those with .tofu files. */
  engine?: 'terraform' | 'tofu';
  /** The workspace terraform.workspace names (--workspace); else TF_WORKSPACE or .terraform/environment. */
  workspace?: string;
  /** Severity per rule id; `off` drops the rule's findings (.tagguard.yml severity). */
  severity?: Record<string, 'error' | 'warning' | 'note' | 'off'>;
}

export interface ScanProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface ScanResult {
  findings: Finding[];
  errors: ScanProblem[];
  /** Things a user may want to know with --verbose: remote modules not on disk. */
  notes: string[];
  summary: { files: number; resources: number; errors: number; warnings: number; parseErrors: number; suppressed?: number };
  /** The scanned files by reported path, for code frames and fixes. */
  sources: Map<string, SourceFile>;
  /** The evaluated resource instances the findings refer to. */
  resources: ResourceInstance[];
  /** The descriptors of every loaded rule. */
  rules: RuleDescriptor[];
}

/** Paths in reports are relative to the working directory, with `/` separators. */
export function displayPath(cwd: string, abs: string): string {
  return path.relative(cwd, abs).split(path.sep).join('/') || '.';
}

export async function scan(options: ScanOptions, engine?: PolicyEngine): Promise<ScanResult> {
  const { cwd } = options;
  const planFile = options.plan && path.resolve(cwd, options.plan);
  const configDir = options.configDir ?? (planFile && path.dirname(planFile));
  const paths = planFile ? (configDir && hasConfiguration(path.resolve(cwd, configDir)) ? [configDir] : []) : options.paths;
  const focus = options.onlyFiles && !planFile ? new Set([...options.onlyFiles].map((f) => path.dirname(path.resolve(cwd, f)))) : undefined;
  // The WASM modules compile on background threads, and grep reads the tree on another core, while the files are found.
  const loading = loadEngines(options, engine);
  void hclParser();
  const searches = plannedSearches(options, engine !== undefined);
  const matters = searches.filter((s) => s.kind === 'matters');
  const readable = Promise.all(matters.map((s) => grepFiles(s.root, s.search)));
  const found = focus ? await discoverFocus(options, focus, searches) : discover(paths, cwd, options.exclude, { engine: options.engine, gitignore: options.gitignore });
  const errors: ScanProblem[] = found.missing.map((p) => ({ file: p, line: 0, column: 0, message: 'no such file or directory' }));
  for (const u of found.unreadable) errors.push({ file: displayPath(cwd, u.dir), line: 0, column: 0, message: `cannot read the directory: ${u.code}` });
  for (const p of found.problems) {
    const file = displayPath(cwd, p.file);
    if (!errors.some((e) => e.file === file && e.message === p.message)) errors.push({ file, line: 0, column: 0, message: p.message });
  }
  // grep does not follow symlinks (search.ts): linked files are found here, while grep and the policy's compile run.
  const links = matters.length ? symlinks(found.files) : new Set<string>();
  const { builtin, custom, rules, problems: policyProblems } = await loading;
  errors.push(...policyProblems);
  const types = new Set(rules.flatMap((r) => r.resource_types ?? []));
  const loader = new ModuleLoader(cwd, [...types], { ...DEFAULT_LIMITS, ...options.limits }, options.engine);
  await loader.load(found.files, focus, await readableFiles(readable, matters.map((s) => s.root), found.files, links));
  const { ctx, resources, inputProblems } = await instantiate(loader, types, options, found.files);
  if (planFile) {
    const plan = await readPlanFile(planFile, loader);
    errors.push(...plan.problems);
    const root = configDir ? displayPath(cwd, path.resolve(cwd, configDir)) : '.';
    resources.splice(0, resources.length, ...planInstances(plan.resources, types, root, resources));
  }
  errors.push(...loader.problems, ...inputProblems, ...ctx.problems);
  const verdicts = judge(builtin, resources, options.policy);
  errors.push(...verdicts.problems);
  const judged = toFindings([...verdicts.raw, ...(await customFindings(custom, policyInput(resources, options.policy), errors))], resources);
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const suppressed = applySuppressions(judged, resources, loader.comments, rules, today);
  let findings = overrideSeverity([...suppressed.findings, ...suppressed.warnings], options.severity).sort(compareFindings);
  if (options.baseline) findings = newFindings(findings, options.baseline);
  const only = options.onlyFiles;
  if (only) findings = findings.filter((f) => only.has(f.file) || f.trace.some((t) => only.has(t.file)));
  const open = findings.filter((f) => !f.suppression);
  return {
    findings,
    errors,
    notes: ctx.notes,
    sources: loader.sources,
    resources,
    rules,
    summary: {
      files: found.files.length,
      resources: resources.length,
      errors: open.filter((f) => f.severity === 'error').length,
      warnings: open.filter((f) => f.severity === 'warning').length,
      parseErrors: loader.parseErrors,
      ...(open.length < findings.length ? { suppressed: findings.length - open.length } : {}),
    },
  };
}

/**
 * The built-in policy's findings over all roots at once. A policy that fails on that
 * input (its memory cap, say) is evaluated again root by root, so that only the roots
 * it fails on are lost, each as an input error.
 */
function judge(engine: PolicyEngine, resources: ResourceInstance[], config: PolicyConfig): { raw: RawFinding[]; problems: ScanProblem[] } {
  try {
    return { raw: engine.findings(policyInput(resources, config)), problems: [] };
  } catch {
    // isolated below
  }
  const raw: RawFinding[] = [];
  const problems: ScanProblem[] = [];
  const byRoot = new Map<string, ResourceInstance[]>();
  for (const r of resources) byRoot.set(r.root, [...(byRoot.get(r.root) ?? []), r]);
  for (const [root, group] of byRoot) {
    try {
      raw.push(...engine.findings(policyInput(group, config)));
    } catch (e) {
      const name = engine.rules().map((r) => r.id).join(', ') || 'a policy';
      problems.push({ file: root, line: 0, column: 0, message: `${name} could not judge this root (${(e as Error).message}); its resources are not judged` });
    }
  }
  return { raw, problems };
}

/**
 * The files worth reading, when every directory was searched: the search's hits
 * and every file outside the searched directories (named on the command line,
 * CDKTF stacks from a manifest). Undefined, so that every file is read, when a
 * search could not run.
 */
async function readableFiles(results: Promise<Array<string[] | undefined>>, roots: string[], files: string[], links: ReadonlySet<string>): Promise<Set<string> | undefined> {
  if (roots.length === 0) return undefined;
  const hits = await results;
  if (hits.some((h) => h === undefined)) return undefined;
  const set = new Set(hits.flat() as string[]);
  const cdktfOut = `${path.sep}cdktf.out${path.sep}`;
  const inside = (f: string) => !f.includes(cdktfOut) && roots.some((r) => f.startsWith(r) && f[r.length] === path.sep);
  for (const f of files) if (!inside(f)) set.add(f);
  // Node reads linked files itself, within its bounds.
  for (const f of links) set.add(f);
  return set;
}

/** The files among these that are symbolic links: one listing per directory costs less than one lstat per file. */
function symlinks(files: string[]): Set<string> {
  const links = new Set<string>();
  for (const dir of new Set(files.map((f) => path.dirname(f)))) {
    try {
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isSymbolicLink()) links.add(path.join(dir, e.name));
    } catch {
      // reported when the directory is loaded
    }
  }
  return new Set(files.filter((f) => links.has(f)));
}

/**
 * The built-in policy (or the one given), in-process, and the custom ones, each in a
 * worker with a time limit; a custom policy that cannot be loaded or described in
 * time is an input error naming it, and the scan goes on without it.
 */
async function loadEngines(
  options: ScanOptions,
  engine: PolicyEngine | undefined,
): Promise<{ builtin: PolicyEngine; custom: CustomPolicy[]; rules: RuleDescriptor[]; problems: ScanProblem[] }> {
  const loaded = await Promise.all(
    (options.policies ?? []).map(async (source) => {
      const name = typeof source === 'string' ? source : source.name;
      let policy: CustomPolicy | undefined;
      try {
        policy = await CustomPolicy.load(typeof source === 'string' ? path.resolve(options.cwd, source) : source, { name, timeoutMs: options.policyTimeoutMs });
        return { policy, rules: await policy.rules() };
      } catch (e) {
        policy?.close();
        return { problem: policyProblem(name, e) };
      }
    }),
  );
  const builtin = engine ?? (await PolicyEngine.load());
  const custom = loaded.flatMap((l) => (l.policy ? [l.policy] : []));
  const rules = [...builtin.rules(), ...loaded.flatMap((l) => l.rules ?? [])];
  return { builtin, custom, rules, problems: loaded.flatMap((l) => (l.problem ? [l.problem] : [])) };
}

/**
 * The findings of each custom policy, which is then closed (its worker ends); one
 * that fails or runs out of time is an input error naming it, and the others still count.
 */
async function customFindings(custom: CustomPolicy[], input: unknown, errors: ScanProblem[]): Promise<RawFinding[]> {
  const results = await Promise.all(
    custom.map(async (c) => {
      try {
        return await c.findings(input);
      } catch (e) {
        errors.push(policyProblem(c.name, e));
        return [];
      } finally {
        c.close();
      }
    }),
  );
  return results.flat();
}

function policyProblem(name: string, e: unknown): ScanProblem {
  return { file: name, line: 0, column: 0, message: e instanceof Error ? e.message : String(e) };
}

/**
 * The files of the focus directories and of the directories whose local module calls
 * lead to them, found without reading the whole tree: a text search lists the files
 * that write a local module source (search.ts), and only those are read.
 */
async function discoverFocus(options: ScanOptions, focus: ReadonlySet<string>, searches: PlannedSearch[]): Promise<Discovered> {
  const { cwd } = options;
  const candidates = (await Promise.all(searches.map((s) => filesMatching(s.root, s.search)))).flat();
  const calls = new Map<string, string[]>();
  for (const file of new Set(candidates)) {
    const read = readTextFile(file, { ...DEFAULT_LIMITS, ...options.limits }.maxFileBytes);
    // A file that cannot be read is reported if its directory is loaded.
    if (!read.ok) continue;
    const dir = path.dirname(file);
    calls.set(dir, [...(calls.get(dir) ?? []), ...factsOf(read.text, []).localSources.map((s) => path.resolve(dir, s))]);
  }
  const dirs = [...withCallers(focus, calls)].map((d) => path.relative(cwd, d) || '.');
  const named = [...(options.onlyFiles ?? [])].filter((f) => existsSync(path.resolve(cwd, f)));
  const listed = discover(dirs, cwd, options.exclude, { shallow: true, engine: options.engine, gitignore: options.gitignore });
  const files = discover(named, cwd, options.exclude, { engine: options.engine, gitignore: options.gitignore });
  const missing = options.paths.filter((p) => !existsSync(path.resolve(cwd, p)));
  return { files: applyTofuPrecedence([...new Set([...listed.files, ...files.files])]).sort(), missing, unreadable: listed.unreadable, problems: [...listed.problems, ...files.problems] };
}

/** Rounds of loading the modules that sources evaluated at init lead to (OpenTofu); each round can only add modules. */
const MAX_SOURCE_ROUNDS = 4;

/**
 * Every root's resource instances. A module source that OpenTofu evaluates at init
 * can lead to a directory not loaded yet, and makes its target a called module rather
 * than a root: such directories are loaded and the roots instantiated again.
 */
async function instantiate(loader: ModuleLoader, types: ReadonlySet<string>, options: ScanOptions, files: string[]) {
  const { cwd } = options;
  const evaluatedSources = new Map<string, Set<string>>();
  for (let round = 1; ; round++) {
    const ctx: InstantiateContext = { loader, types, cwd, problems: [], notes: [], engine: options.engine, evaluatedSources: new Map(), evaluationDepth: { current: 0 } };
    const inputProblems: ScanProblem[] = [];
    const resources: ResourceInstance[] = [];
    const scanInstances = { instances: 0 };
    for (const root of roots(loader, files, options.paths.map((p) => path.resolve(cwd, p)), evaluatedSources)) {
      ctx.budget = new WorkBudget(scanInstances);
      try {
        const inputs = await rootVariables(root, { ...options.variables, cwd, maxFileBytes: options.limits?.maxFileBytes }, inputProblems, loader.sources);
        const workspace = selectedWorkspace(root.dir, { workspace: options.workspace, env: options.variables.env }, (abs) => loader.displayPath(abs), inputProblems, loader.sources);
        resources.push(...instantiateRoot(ctx, root, inputs, workspace));
      } catch (e) {
        if (e instanceof BudgetExceeded) {
          inputProblems.push({ file: e.at.file, line: e.at.line, column: e.at.column, message: e.message });
          continue;
        }
        // One root that cannot be evaluated (the stack, a string past V8's length) fails alone: the others are still judged.
        inputProblems.push({ file: displayPath(cwd, root.dir), line: 0, column: 0, message: `this root could not be evaluated (${(e as Error).message}); its resources are not judged` });
      }
    }
    const found = [...ctx.evaluatedSources!].flatMap(([from, targets]) => [...targets].map((t) => [from, t] as const));
    const added = found.filter(([from, t]) => !evaluatedSources.get(from)?.has(t));
    if (added.length === 0 || round === MAX_SOURCE_ROUNDS) return { ctx, resources, inputProblems };
    for (const [from, t] of added) evaluatedSources.set(from, (evaluatedSources.get(from) ?? new Set()).add(t));
    await loader.loadCalled(added.map(([, t]) => t));
  }
}

/**
 * design.md, Roots and modules: a scanned module that another scanned module calls
 * through a local source is evaluated through its callers, unless the user named
 * its directory. Modules that only call each other (a cycle) stay roots, so that
 * they are still checked and the cycle is reported.
 */
function roots(loader: ModuleLoader, files: string[], named: string[], evaluatedSources: ReadonlyMap<string, ReadonlySet<string>>): ModuleConfig[] {
  const scanned = [...new Set(files.map((f) => path.dirname(f)))].sort();
  const callees = (dir: string) => [
    ...(loader.modules.get(dir)?.calls ?? []).filter((c) => c.source && isLocalSource(c.source)).map((c) => path.resolve(dir, c.source!)),
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

function overrideSeverity(findings: Finding[], severity: ScanOptions['severity']): Finding[] {
  if (!severity) return findings;
  return findings.flatMap((f) => {
    const level = severity[f.ruleId];
    if (level === 'off') return [];
    return level ? [{ ...f, severity: level }] : [f];
  });
}

function hasConfiguration(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).some((f) => /\.(tf|tofu)(\.json)?$/.test(f));
}

/** Plans of large estates run to hundreds of MB; the bound is only against reads that never end. */
const MAX_PLAN_BYTES = 512 * 1024 * 1024;

async function readPlanFile(file: string, loader: ModuleLoader): Promise<{ resources: PlanResource[]; problems: ScanProblem[] }> {
  const read = readTextFile(file, MAX_PLAN_BYTES, 'plans are read up to 512 MiB');
  if (!read.ok) return { resources: [], problems: [{ file: loader.displayPath(file), line: read.line ?? 0, column: read.column ?? 0, message: `cannot read the plan: ${read.message}` }] };
  const source = new SourceFile(loader.displayPath(file), read.text);
  loader.sources.set(source.path, source);
  const result = readPlan(source);
  return result.ok ? { resources: result.resources, problems: [] } : { resources: [], problems: result.problems };
}

/** design.md: 0 clean, 1 an error-severity finding, 2 a usage or parse error. */
export function exitCode(result: ScanResult): number {
  if (result.errors.length > 0) return 2;
  return result.summary.errors > 0 ? 1 : 0;
}
