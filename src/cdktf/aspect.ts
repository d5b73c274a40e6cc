import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcrRepositoryCreationTemplate } from '@cdktf/provider-aws/lib/ecr-repository-creation-template';
import { Annotations, type IAspect, Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { allowedFilter, DEFAULT_ALLOWED_MUTABLE_TAGS } from './allow-list';

export type AspectMode = 'enforce' | 'error' | 'warn';

export interface EcrTagImmutabilityAspectProps {
  /** enforce: rewrite to IMMUTABLE with a warning; error: fail synth; warn: a warning only. Default: error. */
  readonly mode?: AspectMode;
  readonly allowedMutableTags?: readonly string[];
}

type Target = EcrRepository | EcrRepositoryCreationTemplate;

/**
 * Checks every EcrRepository and EcrRepositoryCreationTemplate in scope by the rule
 * ecr-tag-immutability at synth time. A value that is an unresolved token is
 * reported as unknown, never passed silently.
 */
export class EcrTagImmutabilityAspect implements IAspect {
  private readonly mode: AspectMode;
  private readonly allowed: readonly string[];

  constructor(props: EcrTagImmutabilityAspectProps = {}) {
    this.mode = props.mode ?? 'error';
    this.allowed = props.allowedMutableTags ?? DEFAULT_ALLOWED_MUTABLE_TAGS;
  }

  visit(node: IConstruct): void {
    if (!(node instanceof EcrRepository || node instanceof EcrRepositoryCreationTemplate)) return;
    const problem = this.problem(node);
    if (!problem) return;
    const at = `${node.node.path}: ${problem.message} [ecr-tag-immutability]`;
    if (problem.unknown) {
      Annotations.of(node).addWarning(at);
      return;
    }
    if (this.mode === 'enforce') {
      node.imageTagMutability = 'IMMUTABLE';
      node.putImageTagMutabilityExclusionFilter([]);
      Annotations.of(node).addWarning(`${node.node.path}: image_tag_mutability set to IMMUTABLE by EcrTagImmutabilityAspect (was: ${problem.message})`);
    } else if (this.mode === 'error') Annotations.of(node).addError(at);
    else Annotations.of(node).addWarning(at);
  }

  private problem(node: Target): { message: string; unknown?: boolean } | undefined {
    const value = node.imageTagMutabilityInput;
    if (value !== undefined && Token.isUnresolved(value)) return { message: 'image_tag_mutability is an unresolved token: its value is unknown at synth time', unknown: true };
    if (value === undefined) return { message: 'image_tag_mutability is not set (the provider default is MUTABLE)' };
    if (value === 'IMMUTABLE') return undefined;
    if (value !== 'IMMUTABLE_WITH_EXCLUSION') return { message: `image_tag_mutability is ${value}` };
    const filters = node.imageTagMutabilityExclusionFilterInput;
    if (filters !== undefined && Token.isUnresolved(filters)) return { message: 'the exclusion filters are an unresolved token: unknown at synth time', unknown: true };
    const list = (filters ?? []) as Array<{ filter?: string }>;
    if (list.length === 0) return { message: 'IMMUTABLE_WITH_EXCLUSION without an exclusion filter' };
    const refused = list.map((f) => f.filter ?? '').filter((f) => Token.isUnresolved(f) || !allowedFilter(f, this.allowed));
    return refused.length ? { message: `exclusion filters ${refused.map((f) => `"${f}"`).join(', ')} leave tags mutable (allowed: ${this.allowed.join(', ')})` } : undefined;
  }
}
