import { Annotations, type IAspect, TerraformResource, TerraformStack } from 'cdktf';
import type { IConstruct } from 'constructs';
import { RULES } from '../../policies/tagguard/rules';
import type { RawFinding } from '../policy/engine';
import {
  DEFAULT_ALLOWED_MUTABLE_TAGS,
  DEFAULT_MOVING_TAGS,
  DEFAULT_UNSEEN_REGISTRY,
  UNSEEN_REGISTRY_SEVERITIES,
  type PolicyConfig,
  type UnseenRegistrySeverity,
} from '../policy/input';
import { declaredImages } from '../policy/declared-images';
import { TAG } from '../policy/image-config';
import { builtinPolicySync } from '../policy/sync';
import { blockIndexOf, constructInput } from './enforce';

export type AspectMode = 'enforce' | 'error' | 'warn';

export interface TagguardAspectProps {
  /** enforce: apply each rule's CDKTF fix, with a warning; error: fail synth; warn: a warning only. Default: error. */
  readonly mode?: AspectMode;
  readonly allowedMutableTags?: readonly string[];
  /** Tags that move by convention, matched exactly (image-reference-immutable), as `tagguard scan --moving-tag`. Default: DEFAULT_MOVING_TAGS. */
  readonly movingTags?: readonly string[];
  /** The severity of an image tag in a registry tagguard cannot see (image-reference-immutable), as `tagguard scan --unseen-registry`. Default: warning. */
  readonly unseenRegistry?: UnseenRegistrySeverity;
  /** The ids of the rules to check (as `tagguard policies` lists them). Default: every built-in rule. */
  readonly rules?: readonly string[];
}

/** The policy configuration an aspect judges by: its props over the defaults `tagguard scan` has. */
export function aspectConfig(props: TagguardAspectProps): PolicyConfig {
  // Untyped callers too: a mistake fails the construct, not silently the check.
  if (props.movingTags?.includes('')) throw new Error('movingTags: a tag is not empty');
  const bad = props.movingTags?.find((t) => !TAG.test(t));
  if (bad !== undefined) throw new Error(`movingTags ${JSON.stringify(bad)}: not an image tag`);
  if (props.unseenRegistry !== undefined && !UNSEEN_REGISTRY_SEVERITIES.includes(props.unseenRegistry))
    throw new Error(`unseenRegistry ${JSON.stringify(props.unseenRegistry)}: must be one of ${UNSEEN_REGISTRY_SEVERITIES.join(', ')}`);
  return {
    allowedMutableTags: [...(props.allowedMutableTags ?? DEFAULT_ALLOWED_MUTABLE_TAGS)],
    unknown: 'warn',
    movingTags: [...(props.movingTags ?? DEFAULT_MOVING_TAGS)],
    unseenRegistry: props.unseenRegistry ?? DEFAULT_UNSEEN_REGISTRY,
  };
}

export type EcrTagImmutabilityAspectProps = Omit<TagguardAspectProps, 'rules'>;

/**
 * Checks every construct whose Terraform resource type a built-in rule judges (its
 * METADATA resource_types) with the compiled policy at synth time, as `tagguard scan`
 * would judge what the construct synthesizes. A value that is an unresolved token is
 * unknown: a warning, never passed silently.
 */
export class TagguardAspect implements IAspect {
  private readonly mode: AspectMode;
  private readonly config: PolicyConfig;
  private readonly rules: ReadonlySet<string> | undefined;

  constructor(
    props: TagguardAspectProps = {},
    private readonly name = 'TagguardAspect',
  ) {
    this.mode = props.mode ?? 'error';
    this.config = aspectConfig(props);
    this.rules = props.rules ? new Set(props.rules) : undefined;
  }

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource)) return;
    const policy = builtinPolicySync();
    const rules = policy.rules().filter((r) => (this.rules?.has(r.id) ?? true) && r.resource_types?.includes(node.terraformResourceType));
    const judged = new Set(rules.map((r) => r.id));
    if (!judged.size) return;
    // A rule that joins resources (METADATA joins) sees every construct of its types in the stack; one that reads
    // images sees every construct a built-in rule judges, so that an image meets the repository behind it.
    const joined = new Set([
      ...rules.filter((r) => r.joins).flatMap((r) => r.resource_types ?? []),
      ...(rules.some((r) => r.images) ? policy.rules().flatMap((r) => r.resource_types ?? []) : []),
    ]);
    const others = joined.size
      ? TerraformStack.of(node)
          .node.findAll()
          .filter((c): c is TerraformResource => c instanceof TerraformResource && c !== node && joined.has(c.terraformResourceType))
      : [];
    const check = () => {
      const input = constructInput(node, this.config, others, declaredImages(rules).paths);
      const own = input.resources[0];
      const findings = policy.findings(input).filter((f) => judged.has(f.ruleId) && f.resource === own.address);
      return { attributes: own.attributes, findings };
    };
    const { attributes, findings } = check();
    const at = (f: RawFinding) => `${node.node.path}: ${f.message} [${f.ruleId}${f.messageId ? `/${f.messageId}` : ''}]`;
    // A note is information; a warning (an unknown value, say) a warning.
    for (const f of findings.filter((f) => f.severity === 'note')) Annotations.of(node).addInfo(at(f));
    for (const f of findings.filter((f) => f.severity === 'warning')) Annotations.of(node).addWarning(at(f));
    const errors = findings.filter((f) => f.severity === 'error');
    if (!errors.length) return;
    if (this.mode !== 'enforce') {
      for (const f of errors) Annotations.of(node)[this.mode === 'warn' ? 'addWarning' : 'addError'](at(f));
      return;
    }
    const fixed = new Map<string, string>();
    for (const rule of new Set(errors.map((f) => f.ruleId))) {
      const own = errors.filter((f) => f.ruleId === rule);
      const fix = RULES.find((u) => u.id === rule)?.cdktf;
      const result = fix
        ? fix({ resource: node, attributes, findings: own, config: this.config, blockIndex: blockIndexOf(node.node.path) })
        : { manual: 'the rule has no CDKTF fix' };
      if ('manual' in result) for (const f of own) Annotations.of(node).addError(`${at(f)} (not enforced: ${result.manual})`);
      else fixed.set(rule, `${result.done} by ${this.name} (was: ${own.map((f) => f.message).join('; ')})`);
    }
    if (!fixed.size) return;
    // What the fixes left is still an error.
    const left = check().findings.filter((f) => f.severity === 'error' && fixed.has(f.ruleId));
    for (const f of left) Annotations.of(node).addError(`${at(f)} (left after enforce)`);
    if (!left.length) for (const done of fixed.values()) Annotations.of(node).addWarning(`${node.node.path}: ${done}`);
  }
}

/** The aspect for ecr-tag-immutability alone (the rule the compliant ECR constructs are built for). */
export class EcrTagImmutabilityAspect extends TagguardAspect {
  constructor(props: EcrTagImmutabilityAspectProps = {}) {
    super({ ...props, rules: ['ecr-tag-immutability'] }, 'EcrTagImmutabilityAspect');
  }
}
