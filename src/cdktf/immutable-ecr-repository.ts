import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { EcrRepositoryCreationTemplate } from '@cdktf/provider-aws/lib/ecr-repository-creation-template';
import type { TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { DEFAULT_ALLOWED_MUTABLE_TAGS } from '../policy/input';
import { allowedBy } from '../../policies/tagguard/rules/ecr_tag_immutability/fix';

export interface LifecycleRules {
  /** Keep this many tagged images, expire older ones. */
  readonly keepLastTagged?: number;
  /** Expire untagged images after this many days. */
  readonly expireUntaggedAfterDays?: number;
}

interface ImmutabilityProps {
  /**
   * Tags that may still move (IMMUTABLE_WITH_EXCLUSION). Each must be covered by
   * allowedMutableTags; leave empty for IMMUTABLE.
   */
  readonly mutableTags?: string[];
  /** The allow-list the mutable tags are judged by (default: latest), as `tagguard scan --allow-mutable-tag`. */
  readonly allowedMutableTags?: readonly string[];
  /** A KMS key ARN: KMS encryption instead of AES256. */
  readonly kmsKeyArn?: string;
  /** The Terraform resource name (default: cdktf's generated one, with a hash). */
  readonly resourceName?: string;
}

/** No image_tag_mutability here: a repository made with these props cannot be mutable. */
export interface ImmutableEcrRepositoryProps extends ImmutabilityProps {
  readonly name: string;
  readonly scanOnPush?: boolean;
  readonly forceDelete?: boolean;
  readonly lifecycle?: LifecycleRules;
  readonly tags?: Record<string, string>;
}

export interface ImmutableEcrRepositoryCreationTemplateProps extends ImmutabilityProps {
  readonly prefix: string;
  /** PULL_THROUGH_CACHE, REPLICATION and/or CREATE_ON_PUSH. */
  readonly appliedFor: ('PULL_THROUGH_CACHE' | 'REPLICATION' | 'CREATE_ON_PUSH')[];
  readonly description?: string;
  readonly lifecycle?: LifecycleRules;
  readonly resourceTags?: Record<string, string>;
}

/** The tag-mutability settings both constructs write, checked for untyped callers too. */
function immutability(construct: Construct, props: ImmutabilityProps) {
  const untyped = props as Record<string, unknown>;
  for (const key of ['imageTagMutability', 'image_tag_mutability']) {
    if (key in untyped && untyped[key] !== 'IMMUTABLE') {
      throw new Error(
        `${construct.node.path}: ${key} cannot be set on an immutable repository (got ${JSON.stringify(untyped[key])}); list mutable tags in mutableTags instead`,
      );
    }
  }
  const allowed = props.allowedMutableTags ?? DEFAULT_ALLOWED_MUTABLE_TAGS;
  const tags = props.mutableTags ?? [];
  const refused = tags.filter((t) => !allowedBy({ allowedMutableTags: allowed })(t));
  if (refused.length)
    throw new Error(
      `${construct.node.path}: mutable tags ${refused.map((t) => `"${t}"`).join(', ')} are not allowed (allowed: ${allowed.join(', ')})`,
    );
  if (tags.length > 5) throw new Error(`${construct.node.path}: ECR accepts at most 5 exclusion filters, got ${tags.length}`);
  return {
    imageTagMutability: tags.length ? 'IMMUTABLE_WITH_EXCLUSION' : 'IMMUTABLE',
    imageTagMutabilityExclusionFilter: tags.length ? tags.map((filter) => ({ filter, filterType: 'WILDCARD' })) : undefined,
    encryptionConfiguration: [props.kmsKeyArn ? { encryptionType: 'KMS', kmsKey: props.kmsKeyArn } : { encryptionType: 'AES256' }],
  };
}

/**
 * Names the tagguard construct (and stack, `stack`) that made a resource in its `//` metadata,
 * which Terraform ignores as a comment: a finding in the synthesized JSON can then name the
 * construct property that produced the value (`tagguard scan --fix` lists it for a person).
 */
export function madeBy(resource: TerraformResource, name: string, key: 'construct' | 'stack' = 'construct'): void {
  resource.addOverride(`//.tagguard.${key}`, name);
}

/** The lifecycle policy document for the helper's two rules. */
export function lifecyclePolicy(rules: LifecycleRules): string | undefined {
  const out: object[] = [];
  if (rules.expireUntaggedAfterDays !== undefined) {
    out.push({
      rulePriority: out.length + 1,
      description: `Expire untagged images after ${rules.expireUntaggedAfterDays} days`,
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: rules.expireUntaggedAfterDays },
      action: { type: 'expire' },
    });
  }
  if (rules.keepLastTagged !== undefined) {
    out.push({
      rulePriority: out.length + 1,
      description: `Keep the last ${rules.keepLastTagged} tagged images`,
      selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: rules.keepLastTagged },
      action: { type: 'expire' },
    });
  }
  return out.length ? JSON.stringify({ rules: out }) : undefined;
}

/** An ECR repository whose tags cannot be overwritten, with scan on push and encryption. */
export class ImmutableEcrRepository extends Construct {
  readonly repository: EcrRepository;
  readonly lifecyclePolicy?: EcrLifecyclePolicy;

  constructor(scope: Construct, id: string, props: ImmutableEcrRepositoryProps) {
    super(scope, id);
    const settings = immutability(this, props);
    this.repository = new EcrRepository(this, 'repository', {
      name: props.name,
      imageTagMutability: settings.imageTagMutability,
      imageTagMutabilityExclusionFilter: settings.imageTagMutabilityExclusionFilter,
      imageScanningConfiguration: { scanOnPush: props.scanOnPush ?? true },
      encryptionConfiguration: settings.encryptionConfiguration,
      forceDelete: props.forceDelete,
      tags: props.tags,
    });
    // Before any reference to the repository: cdktf ignores an override after one.
    if (props.resourceName) this.repository.overrideLogicalId(props.resourceName);
    madeBy(this.repository, 'ImmutableEcrRepository');
    const policy = props.lifecycle && lifecyclePolicy(props.lifecycle);
    if (policy) {
      this.lifecyclePolicy = new EcrLifecyclePolicy(this, 'lifecycle', { repository: this.repository.name, policy });
      if (props.resourceName) this.lifecyclePolicy.overrideLogicalId(`${props.resourceName}_lifecycle`);
    }
  }
}

/** A creation template (pull-through cache, replication, create on push) that makes immutable repositories. */
export class ImmutableEcrRepositoryCreationTemplate extends Construct {
  readonly template: EcrRepositoryCreationTemplate;

  constructor(scope: Construct, id: string, props: ImmutableEcrRepositoryCreationTemplateProps) {
    super(scope, id);
    const settings = immutability(this, props);
    this.template = new EcrRepositoryCreationTemplate(this, 'template', {
      prefix: props.prefix,
      appliedFor: props.appliedFor,
      description: props.description,
      imageTagMutability: settings.imageTagMutability,
      imageTagMutabilityExclusionFilter: settings.imageTagMutabilityExclusionFilter,
      encryptionConfiguration: settings.encryptionConfiguration,
      lifecyclePolicy: props.lifecycle && lifecyclePolicy(props.lifecycle),
      resourceTags: props.resourceTags,
    });
    if (props.resourceName) this.template.overrideLogicalId(props.resourceName);
    madeBy(this.template, 'ImmutableEcrRepositoryCreationTemplate');
  }
}
