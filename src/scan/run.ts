import path from 'node:path';
import { isWithin } from '../discover/inside';
import { discover, enclosingOutputs } from '../discover/discover';
import { discoverFocus } from '../discover/focus';
import { enclosingCdktfOutputs } from '../discover/cdktf-output';
import { displayPath, slashPath } from '../discover/paths';
import { PreSearch, readableFiles, symlinks } from '../discover/pre-search';
import { hclParser } from '../parse/hcl';
import type { Problem } from '../parse/source';
import { newFindings } from '../policy/baseline';
import { builtinResourceTypes } from '../policy/builtin';
import type { PolicyEngine } from '../policy/engine';
import { compareFindings, toFindings, type Finding } from '../policy/findings';
import { policyInput } from '../policy/input';
import { applySuppressions } from '../policy/suppressions';
import { DEFAULT_LIMITS, ModuleLoader } from '../terraform/config/module-loader';
import { declaredImages } from '../policy/declared-images';
import { declaredNestedBlocks } from '../policy/nested-blocks';
import { instantiateRoots } from '../terraform/instances/roots';
import { planInstances } from '../terraform/plan/from-plan';
import { planConfiguration, readPlanFile } from '../terraform/plan/plan-file';
import { customFindings, judge, loadEngines } from './judge';
import type { RuleSelection, ScanOptions, ScanResult } from './types';
import type { RuleDescriptor } from '../policy/engine';
import type { BlindSpot, ResourceInstance } from '../terraform/instances/module-tree';
import type { PolicyConfig } from '../policy/input';
import { PolicyError } from '../policy/errors';
import type { Severity } from '../policy/findings';

/**
 * The pipeline: discover → parse and evaluate (terraform/) → judge (policy/) →
 * suppressions, severities, baseline. `preSearch` holds the grep searches the CLI
 * started early; a scan without one starts its own.
 */
export async function scan(options: ScanOptions, engine?: PolicyEngine, preSearch = new PreSearch()): Promise<ScanResult> {
  const { cwd } = options;
  const plan = options.plan === undefined ? undefined : planConfiguration(cwd, options.plan, options.configDir);
  const paths = plan ? plan.paths : options.paths;
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  // A variables file named on the command line (a pre-commit hook's) is read with the roots it is applied to.
  const namedRoots = [...(options.variables.rootVarFiles ?? [])]
    .filter(([, files]) => files.some((f) => options.onlyFiles?.has(slashPath(path.relative(cwd, path.resolve(cwd, f))))))
    .map(([dir]) => dir);
  const focus =
    options.onlyFiles && !plan
      ? new Set([...[...options.onlyFiles].map((f) => path.dirname(path.resolve(cwd, f))), ...namedRoots])
      : undefined;
  // The WASM modules compile on background threads, and grep reads the tree on another core, while the files are found.
  const loading = loadEngines(options, engine);
  void hclParser();
  const searches = PreSearch.plan(options, builtinResourceTypes, engine !== undefined);
  const matters = searches.filter((s) => s.kind === 'matters');
  const readable = Promise.all(matters.map((s) => preSearch.grepFiles(s.root, s.search)));
  const exclude = [options.exclude, options.skipPaths].filter((e) => e !== undefined);
  const found = focus
    ? await discoverFocus({ ...options, exclude, maxFileBytes: limits.maxFileBytes }, focus, searches, preSearch)
    : discover(paths, cwd, exclude, { engine: options.engine, gitignore: options.gitignore });
  const errors: Problem[] = found.missing.map((p) => ({ file: p, line: 0, column: 0, message: 'no such file or directory' }));
  for (const u of found.unreadable)
    errors.push({ file: displayPath(cwd, u.dir), line: 0, column: 0, message: `cannot read the directory: ${u.code}` });
  for (const p of found.problems) {
    const file = displayPath(cwd, p.file);
    if (!errors.some((e) => e.file === file && e.message === p.message)) errors.push({ file, line: 0, column: 0, message: p.message });
  }
  // grep does not follow symlinks (pre-search.ts): linked files are found here, while grep and the policy's compile run.
  const links = matters.length ? symlinks(found.files) : new Set<string>();
  const { builtin, custom, rules, problems: policyProblems } = await loading;
  errors.push(...policyProblems);
  const reported = reportedRules(rules, options.rules);
  const types = new Set(rules.flatMap((r) => r.resource_types ?? []));
  // Custom policies are described before any resource is read, so their nested blocks count too.
  const nestedBlocks = declaredNestedBlocks(rules);
  const images = declaredImages(rules);
  const loader = new ModuleLoader(cwd, [...types], limits, options.engine, options.strict);
  await loader.load(
    found.files,
    focus,
    await readableFiles(
      readable,
      matters.map((s) => s.root),
      found.files,
      links,
      found.cdktfOutputs,
    ),
  );
  // A plan is read first: its configuration is evaluated with the variable values the plan was made with.
  const read = plan ? await readPlanFile(plan.planFile, loader) : undefined;
  const variables =
    plan?.configDir && read?.variables
      ? { ...options.variables, planValues: read.variables, planRoot: path.resolve(cwd, plan.configDir) }
      : options.variables;
  const { ctx, resources, dataSources, inputProblems, varFiles } = await instantiateRoots(
    loader,
    types,
    nestedBlocks,
    { ...options, variables, maxFileBytes: options.limits?.maxFileBytes },
    found.files,
    images,
  );
  let unchanged: ResourceInstance[] = [];
  if (plan && read) {
    errors.push(...read.problems);
    const root = plan.configDir ? displayPath(cwd, path.resolve(cwd, plan.configDir)) : '.';
    unchanged = planInstances(read.unchanged ?? [], types, nestedBlocks, root, resources, images.paths);
    resources.splice(0, resources.length, ...planInstances(read.resources, types, nestedBlocks, root, resources, images.paths));
  }
  // A root judged once per variables file (--each-var-file) meets the same problem in each judgement: it is reported once.
  for (const p of [...loader.problems, ...inputProblems, ...ctx.problems])
    if (!errors.some((e) => e.file === p.file && e.line === p.line && e.column === p.column && e.message === p.message)) errors.push(p);
  // Each variant of the roots is judged apart: an address is unique only within one evaluation of its root.
  const groups = byVariant(resources);
  // The data sources evaluated with the same variables as the group, and what a plan leaves unchanged.
  const contextOf = (group: ResourceInstance[]) => ({
    dataSources: dataSources.filter((d) => d.variant === group[0]?.variant),
    unchanged,
  });
  const custom_ = await customFindings(
    custom,
    groups.map((g) => policyInput(g, options.policy, contextOf(g))),
    errors,
  );
  const judged = groups.flatMap((group, n) => {
    const verdicts = judge(builtin, group, options.policy, contextOf(group));
    errors.push(...verdicts.problems);
    return toFindings([...verdicts.raw, ...(custom_[n] ?? [])], group);
  });
  judged.push(...blindSpotFindings(ctx.blindSpots ?? [], rules, options.policy.unknown));
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const suppressed = applySuppressions(judged, resources, loader.comments, rules, today);
  let findings = overrideSeverity([...suppressed.findings, ...suppressed.warnings], options.severity)
    .filter(reported)
    .sort(compareFindings);
  const only = options.onlyFiles;
  if (only) findings = findings.filter((f) => only.has(f.file) || f.trace.some((t) => only.has(t.file)));
  const beforeBaseline = findings.length;
  if (options.baseline) findings = newFindings(findings, options.baseline);
  const baselined = beforeBaseline - findings.length;
  const open = findings.filter((f) => !f.suppression);
  // Only --fix reads these.
  let cdktfOutputs: string[] | undefined;
  let readersByFile: Map<string, string[]> | undefined;
  return {
    findings,
    errors,
    notes: [...ctx.notes, ...[...varFiles.applied].map(([file, roots]) => `${file}: applied to ${[...new Set(roots)].join(', ')}`)],
    notices: [
      ...(found.hints ?? []).map((h) => `${displayPath(cwd, h.file)}: ${h.message}`),
      ...[...varFiles.unapplied]
        .filter((file) => !varFiles.applied.has(file))
        .map((file) => `${file} is not applied to any root; name it with --var-file or in .tagguard.yml`),
      ...varFiles.undeclared,
    ],
    sources: loader.sources,
    resources,
    dataSources,
    rules,
    configuration: {
      cwd,
      modules: loader.modules,
      get varFileRoots() {
        readersByFile ??= varFileReaders(cwd, options.variables, varFiles.applied, found.files);
        return readersByFile;
      },
      parseFile: (abs) => loader.parseFile(abs),
      inScope: scope(cwd, focus ? [...focus] : paths),
      engine: options.engine,
    },
    // Looked up only when read (by --fix): a walk up from every file's folder costs a whole-tree scan that never fixes.
    get cdktfOutputs() {
      cdktfOutputs ??= [
        ...new Set([
          ...(found.cdktfOutputs ?? []),
          ...(focus ? enclosingCdktfOutputs(found.files, () => path.resolve(cwd)) : enclosingOutputs(found.files, paths, cwd)),
        ]),
      ].map((o) => displayPath(cwd, o));
      return cdktfOutputs;
    },
    summary: {
      files: loader.filesRead.size + (plan ? 1 : 0),
      resources: resources.length,
      errors: open.filter((f) => f.severity === 'error').length,
      warnings: open.filter((f) => f.severity === 'warning').length,
      parseErrors: loader.parseErrors,
      ...(open.length < findings.length ? { suppressed: findings.length - open.length } : {}),
      ...(baselined > 0 ? { baselined } : {}),
    },
  };
}

/** Whether a reported file lies in one of these files or directories (a pre-commit hook's focus, or the paths scanned). */
function scope(cwd: string, within: readonly string[]): (file: string) => boolean {
  const bases = within.map((p) => path.resolve(cwd, p));
  return (file) => bases.some((b) => isWithin(b, path.resolve(cwd, file)));
}

/**
 * A local module call to a directory that does not exist, from a module that matters:
 * its resources cannot be seen, so whether they keep tags immutable is unknown. Reported
 * as the rules report a value unknown before apply (`--unknown`: a warning, an error, or
 * nothing), once for each rule that judges resource types with warnings or errors, at the call's source.
 */
export function blindSpotFindings(spots: readonly BlindSpot[], rules: readonly RuleDescriptor[], mode: PolicyConfig['unknown']): Finding[] {
  if (mode === 'ignore') return [];
  const severity: Severity = mode === 'error' ? 'error' : 'warning';
  // A rule that only ever takes notes (msr-tag-immutability) has no verdict a blind spot could hide.
  const judging = rules.filter((r) => r.resource_types?.length && r.severity !== 'note');
  return spots.flatMap((b) =>
    judging.map(
      (r): Finding => ({
        ruleId: r.id,
        severity,
        resource: b.address,
        root: b.root,
        file: b.range.file,
        line: b.range.line,
        column: b.range.column,
        endLine: b.range.endLine,
        endColumn: b.range.endColumn,
        message: b.message,
        messageId: 'unknown',
        trace: [],
      }),
    ),
  );
}

/**
 * Every directory that reads each variables file: the roots it was applied to, the roots `.tagguard.yml` or the
 * command line gives it, and for a --var-file (given to every root) every directory scanned, evaluated or not.
 */
function varFileReaders(
  cwd: string,
  variables: ScanOptions['variables'],
  applied: ReadonlyMap<string, string[]>,
  files: readonly string[],
): Map<string, string[]> {
  const display = (abs: string) => slashPath(path.relative(cwd, abs)) || '.';
  const readers = new Map<string, Set<string>>();
  const add = (file: string, dir: string) => readers.set(file, (readers.get(file) ?? new Set()).add(dir));
  for (const [file, roots] of applied) for (const root of roots) add(file, root);
  for (const [dir, list] of variables.rootVarFiles ?? []) for (const f of list) add(display(path.resolve(cwd, f)), display(dir));
  const dirs = [...new Set(files.map((f) => display(path.dirname(f))))];
  for (const f of variables.varFiles) for (const dir of dirs) add(display(path.resolve(cwd, f)), dir);
  return new Map([...readers].map(([file, set]) => [file, [...set]]));
}

/** The resources by the variables file their root was evaluated with (--each-var-file); those of no variant first. Without variants, one group. */
function byVariant(resources: ResourceInstance[]): ResourceInstance[][] {
  const groups = new Map<string | undefined, ResourceInstance[]>([[undefined, []]]);
  for (const r of resources) {
    const group = groups.get(r.variant);
    if (group) group.push(r);
    else groups.set(r.variant, [r]);
  }
  return [...groups.values()].filter((g, n) => n === 0 || g.length > 0);
}

function overrideSeverity(findings: Finding[], severity: ScanOptions['severity']): Finding[] {
  if (!severity) return findings;
  return findings.flatMap((f) => {
    // Only the rules the configuration names (a rule id is any text a policy returns, `constructor` too).
    const level = Object.hasOwn(severity, f.ruleId) ? severity[f.ruleId] : undefined;
    if (level === 'off') return [];
    return level ? [{ ...f, severity: level }] : [f];
  });
}

/**
 * The rules --skip-rule and --only-rule leave, as a test of a finding; findings of no
 * loaded rule (a suppression comment's warnings) are always kept. A name that is no
 * rule's id or alias is an error listing the rules, before any file is read.
 */
function reportedRules(rules: readonly RuleDescriptor[], selection: RuleSelection | undefined): (f: Finding) => boolean {
  if (!selection) return () => true;
  const resolve = (name: string, from: string): string => {
    const rule = rules.find((r) => r.id === name || r.aliases?.includes(name));
    if (rule) return rule.id;
    const known = rules.map((r) => (r.aliases?.length ? `${r.id} (${r.aliases.join(', ')})` : r.id));
    throw new PolicyError(`${from} ${name}: no such rule; the rules: ${known.join(', ')}`);
  };
  const skip = new Set(selection.skip.map((name) => resolve(name, selection.from.skip)));
  const only = selection.only && new Set(selection.only.map((name) => resolve(name, selection.from.only)));
  const ids = new Set(rules.map((r) => r.id));
  return (f) => !ids.has(f.ruleId) || (!skip.has(f.ruleId) && (!only || only.has(f.ruleId)));
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/**
 * design.md: 0 clean, 1 a finding that fails the run (error severity, or down to
 * `failure.threshold`; none with `softFail`), 2 a usage or parse error.
 */
export function exitCode(result: ScanResult, failure: ScanOptions['failure'] = { threshold: 'error', softFail: false }): number {
  if (result.errors.length > 0) return 2;
  if (failure.softFail) return 0;
  return result.findings.some((f) => !f.suppression && RANK[f.severity] <= RANK[failure.threshold]) ? 1 : 0;
}
