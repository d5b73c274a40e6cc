import type { SourceFile } from '../parse/source';
import { resourceKey, type Finding } from '../policy/findings';
import type { PolicyConfig } from '../policy/input';
import type { ResourceInstance } from '../terraform/instances/module-tree';
import { RULES, type RuleUnit } from '../../policies/tagguard/rules';
import { inCdktfOutput } from '../discover/cdktf-output';
import { dedupe, type Edit, type EditsOrReason } from './edit';
import { narrowFixes, type PlannedFix } from './narrow';
import type { Configuration } from './readers';

/** What a rule's fixer is given: one resource and the open error findings of that rule on it. */
export interface FixContext {
  resource: ResourceInstance;
  /** Each carries the messageId the fixer decides by. */
  findings: Finding[];
  sources: ReadonlyMap<string, SourceFile>;
  config: PolicyConfig;
}

/** The edits that fix a resource, or why it is left to a person. */
export type RuleFixer = (context: FixContext) => EditsOrReason;

export interface FixPlan {
  edits: Edit[];
  /** Findings no edit can fix: unknown or computed values, code outside the scanned tree, rules with no fixer. */
  manual: { finding: Finding; reason: string }[];
}

export interface PlanOptions {
  /** The rules and their fixers (default: the built-in ones). */
  rules?: readonly RuleUnit[];
  /** The CDKTF output folders, as reported paths (ScanResult.cdktfOutputs): nothing in them is edited. */
  cdktfOutputs?: readonly string[];
}

/**
 * What a person changes for a resource that cdktf synth wrote: the construct (by its path, or the
 * synthesized file when the output has no metadata) and, from the rule, the property to set.
 */
function synthesizedReason(unit: RuleUnit, resource: ResourceInstance, findings: Finding[], file?: string): string {
  const where =
    resource.constructPath && file === undefined
      ? `the construct ${resource.constructPath}${resource.stack ? ` in stack ${resource.stack}` : ''}`
      : `the construct that writes the synthesized file ${file ?? resource.location.file}`;
  const what = unit.cdktfChange?.({
    type: resource.type,
    messageIds: findings.flatMap((f) => (f.messageId ? [f.messageId] : [])),
    ...(resource.madeBy ? { madeBy: resource.madeBy } : {}),
  });
  return `synthesized by CDKTF: change ${where}${what ? ` (${what})` : ''}, then run cdktf synth`;
}

/**
 * The edits that make the next scan clean, from each rule's fixer (policies/tagguard/rules):
 * every open error finding goes to the fixer of its rule, grouped by resource. Findings of
 * a rule without a fixer (custom policies) are not listed: nothing here knows them.
 * These are the fixers' edits as planned; `planSafeFixes` narrows them to what is safe.
 */
export function planFixes(
  findings: Finding[],
  resources: ResourceInstance[],
  sources: ReadonlyMap<string, SourceFile>,
  config: PolicyConfig,
  options: PlanOptions = {},
): FixPlan {
  const { planned, manual } = plannedFixes(findings, resources, sources, config, options);
  return { edits: dedupe(planned.flatMap((p) => p.edits)), manual };
}

/**
 * The fixes that change exactly what was asked (narrow.ts): an origin shared with code
 * that is not being fixed is left as it is, the resource's own attribute is changed
 * instead, or the finding is left to a person with the reason.
 */
export async function planSafeFixes(
  findings: Finding[],
  resources: ResourceInstance[],
  sources: ReadonlyMap<string, SourceFile>,
  config: PolicyConfig,
  configuration: Configuration,
  options: PlanOptions = {},
): Promise<FixPlan> {
  const { planned, manual } = plannedFixes(findings, resources, sources, config, options);
  const narrowed = await narrowFixes(planned, resources, findings, sources, configuration);
  const plan: FixPlan = { edits: [], manual };
  for (const p of planned) {
    const result = narrowed.get(p) ?? p.edits;
    if (typeof result === 'string') plan.manual.push(...p.findings.map((finding) => ({ finding, reason: result })));
    else plan.edits.push(...result);
  }
  plan.edits = dedupe(plan.edits);
  return plan;
}

function plannedFixes(
  findings: Finding[],
  resources: ResourceInstance[],
  sources: ReadonlyMap<string, SourceFile>,
  config: PolicyConfig,
  options: PlanOptions,
): { planned: PlannedFix[]; manual: FixPlan['manual'] } {
  const { rules = RULES, cdktfOutputs = [] } = options;
  const synthesized = (file: string) => inCdktfOutput(file, cdktfOutputs);
  const planned: PlannedFix[] = [];
  const manual: FixPlan['manual'] = [];
  // --each-var-file judges a root once per variables file: an address names one instance per variant.
  const byResource = new Map(resources.map((r) => [`${resourceKey(r.root, r.address)}\u0000${r.variant ?? ''}`, r]));
  // By rule, with the rule's fixer: only rules that have one are grouped.
  const groups = new Map<RuleUnit, { fixer: RuleFixer; byRule: Map<ResourceInstance, Finding[]> }>();
  for (const f of findings) {
    const unit = rules.find((u) => u.id === f.ruleId);
    const r = byResource.get(`${resourceKey(f.root, f.resource)}\u0000${f.variant ?? ''}`);
    if (!unit?.fixer || f.severity !== 'error' || f.suppression || !r) continue;
    const group = groups.get(unit) ?? { fixer: unit.fixer, byRule: new Map<ResourceInstance, Finding[]>() };
    groups.set(unit, { ...group, byRule: group.byRule.set(r, [...(group.byRule.get(r) ?? []), f]) });
  }
  for (const [unit, { fixer, byRule }] of groups) {
    for (const [resource, list] of byRule) {
      // cdktf synth writes its output folder (cdktf.out, or cdktf.json's "output") again from the app: an edit there
      // would be lost, and hide the finding until then. The construct path comes from the resource's `//` metadata,
      // so a stack is recognised in whatever folder it was synthesized to; a stack without it (cdktf synth --hcl, or
      // metadata stripped) by its file being in an output folder, and so is any edit the fixer would make there.
      const toPerson = (file?: string) => synthesizedReason(unit, resource, list, file);
      let result: EditsOrReason | undefined = resource.constructPath
        ? toPerson()
        : synthesized(resource.location.file)
          ? toPerson(resource.location.file)
          : undefined;
      result ??= planOne(fixer, { resource, findings: list, sources, config });
      const into = typeof result === 'string' ? undefined : result.find((e) => synthesized(e.file));
      if (into) result = toPerson(into.file);
      if (typeof result === 'string') {
        const reason = result;
        manual.push(...list.map((finding) => ({ finding, reason })));
      } else planned.push({ resource, findings: list, edits: result });
    }
  }
  return { planned, manual };
}

/**
 * One resource's fix, or why not: a fixer that throws (a layout no edit foresaw) leaves that
 * resource to a person, with the message, and the other resources are still fixed.
 */
function planOne(fixer: RuleFixer, context: FixContext): EditsOrReason {
  try {
    return fixer(context);
  } catch (e) {
    return `could not plan the fix (${e instanceof Error ? e.message : String(e)})`;
  }
}
