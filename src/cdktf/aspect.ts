import { Annotations, type IAspect, TerraformResource } from 'cdktf';
import type { IConstruct } from 'constructs';
import { DEFAULT_ALLOWED_MUTABLE_TAGS } from '../../policies/tagguard/rules/ecr_tag_immutability';
import { RULES } from '../../policies/tagguard/rules';
import type { RawFinding } from '../policy/engine';
import type { PolicyConfig } from '../policy/input';
import { builtinPolicySync } from '../policy/sync';
import { blockIndexOf, constructInput } from './enforce';

export type AspectMode = 'enforce' | 'error' | 'warn';

export interface EcrTagImmutabilityAspectProps {
  /** enforce: apply the rule's fix, with a warning; error: fail synth; warn: a warning only. Default: error. */
  readonly mode?: AspectMode;
  readonly allowedMutableTags?: readonly string[];
}

const RULE = 'ecr-tag-immutability';

/**
 * Checks every construct whose Terraform resource type the rule ecr-tag-immutability
 * judges (its METADATA resource_types) with the compiled policy at synth time. A value
 * that is an unresolved token is unknown: a warning, never passed silently.
 */
export class EcrTagImmutabilityAspect implements IAspect {
  private readonly mode: AspectMode;
  private readonly config: PolicyConfig;

  constructor(props: EcrTagImmutabilityAspectProps = {}) {
    this.mode = props.mode ?? 'error';
    this.config = { allowedMutableTags: [...(props.allowedMutableTags ?? DEFAULT_ALLOWED_MUTABLE_TAGS)], unknown: 'warn' };
  }

  visit(node: IConstruct): void {
    if (!(node instanceof TerraformResource)) return;
    const policy = builtinPolicySync();
    if (!policy.rules().some((r) => r.id === RULE && r.resource_types?.includes(node.terraformResourceType))) return;
    const check = () => {
      const input = constructInput(node, this.config);
      return { attributes: input.resources[0].attributes, findings: policy.findings(input).filter((f) => f.ruleId === RULE) };
    };
    const { attributes, findings } = check();
    const at = (f: RawFinding) => `${node.node.path}: ${f.message} [${RULE}${f.messageId ? `/${f.messageId}` : ''}]`;
    for (const f of findings.filter((f) => f.severity !== 'error')) Annotations.of(node).addWarning(at(f));
    const errors = findings.filter((f) => f.severity === 'error');
    if (!errors.length) return;
    if (this.mode !== 'enforce') {
      for (const f of errors) Annotations.of(node)[this.mode === 'warn' ? 'addWarning' : 'addError'](at(f));
      return;
    }
    const fix = RULES.find((u) => u.id === RULE)?.cdktf;
    const result = fix
      ? fix({ resource: node, attributes, findings: errors, config: this.config, blockIndex: blockIndexOf(node.node.path) })
      : { manual: 'the rule has no CDKTF fix' };
    if ('manual' in result) {
      for (const f of errors) Annotations.of(node).addError(`${at(f)} (not enforced: ${result.manual})`);
      return;
    }
    // What the fix left is still an error.
    const left = check().findings.filter((f) => f.severity === 'error');
    for (const f of left) Annotations.of(node).addError(`${at(f)} (left after enforce)`);
    if (!left.length)
      Annotations.of(node).addWarning(
        `${node.node.path}: ${result.done} by EcrTagImmutabilityAspect (was: ${errors.map((f) => f.message).join('; ')})`,
      );
  }
}
