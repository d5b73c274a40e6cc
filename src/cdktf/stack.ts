import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Aspects, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { EcrTagImmutabilityAspect } from './aspect';
import { ImmutableEcrRepository, ImmutableEcrRepositoryCreationTemplate, type ImmutableEcrRepositoryCreationTemplateProps, type ImmutableEcrRepositoryProps, type LifecycleRules } from './immutable-ecr-repository';

export interface CompliantEcrStackConfig {
  readonly region?: string;
  readonly repositories: Array<Omit<ImmutableEcrRepositoryProps, 'allowedMutableTags' | 'kmsKeyArn'> & { readonly kmsKeyArn?: string }>;
  readonly creationTemplates?: Array<Omit<ImmutableEcrRepositoryCreationTemplateProps, 'allowedMutableTags' | 'kmsKeyArn'> & { readonly kmsKeyArn?: string }>;
  /** Applied to every repository and template unless it names its own. */
  readonly kmsKeyArn?: string;
  readonly allowedMutableTags?: readonly string[];
  readonly lifecycle?: LifecycleRules;
}

/** Construct ids Terraform accepts as resource names. */
export function constructId(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** A stack of ECR repositories and creation templates that cannot have mutable tags. */
export class CompliantEcrStack extends TerraformStack {
  readonly repositories: ImmutableEcrRepository[];
  readonly creationTemplates: ImmutableEcrRepositoryCreationTemplate[];

  constructor(scope: Construct, id: string, config: CompliantEcrStackConfig) {
    super(scope, id);
    new AwsProvider(this, 'aws', config.region ? { region: config.region } : {});
    const shared = { allowedMutableTags: config.allowedMutableTags };
    this.repositories = config.repositories.map(
      (r) => new ImmutableEcrRepository(this, constructId(r.name), { lifecycle: config.lifecycle, ...r, ...shared, kmsKeyArn: r.kmsKeyArn ?? config.kmsKeyArn }),
    );
    this.creationTemplates = (config.creationTemplates ?? []).map(
      (t) => new ImmutableEcrRepositoryCreationTemplate(this, `template-${constructId(t.prefix)}`, { lifecycle: config.lifecycle, ...t, ...shared, kmsKeyArn: t.kmsKeyArn ?? config.kmsKeyArn }),
    );
    Aspects.of(this).add(new EcrTagImmutabilityAspect({ mode: 'error', allowedMutableTags: config.allowedMutableTags }));
  }
}
