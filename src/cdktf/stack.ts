import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Aspects, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { EcrTagImmutabilityAspect } from './aspect';
import { constructId } from './construct-id';
import {
  ImmutableEcrRepository,
  ImmutableEcrRepositoryCreationTemplate,
  madeBy,
  type ImmutableEcrRepositoryCreationTemplateProps,
  type ImmutableEcrRepositoryProps,
  type LifecycleRules,
} from './immutable-ecr-repository';

export { constructId };

export interface CompliantEcrStackConfig {
  readonly region?: string;
  readonly repositories: (Omit<ImmutableEcrRepositoryProps, 'allowedMutableTags' | 'kmsKeyArn'> & { readonly kmsKeyArn?: string })[];
  readonly creationTemplates?: (Omit<ImmutableEcrRepositoryCreationTemplateProps, 'allowedMutableTags' | 'kmsKeyArn'> & {
    readonly kmsKeyArn?: string;
  })[];
  /** Applied to every repository and template unless it names its own. */
  readonly kmsKeyArn?: string;
  readonly allowedMutableTags?: readonly string[];
  readonly lifecycle?: LifecycleRules;
}

/** A stack of ECR repositories and creation templates that cannot have mutable tags. */
export class CompliantEcrStack extends TerraformStack {
  readonly repositories: ImmutableEcrRepository[];
  readonly creationTemplates: ImmutableEcrRepositoryCreationTemplate[];

  constructor(scope: Construct, id: string, config: CompliantEcrStackConfig) {
    super(scope, id);
    const provider = new AwsProvider(this, 'aws', config.region ? { region: config.region } : {});
    // A constraint, not the exact version the bindings were generated from: any later
    // release of that major version has every argument they write.
    const built = /^(\d+)\.(\d+)\./.exec(provider.terraformGeneratorMetadata?.providerVersion ?? '');
    this.addOverride('terraform.required_providers.aws.source', 'hashicorp/aws');
    if (built) this.addOverride('terraform.required_providers.aws.version', `~> ${built[1]}.${built[2]}`);
    const shared = { allowedMutableTags: config.allowedMutableTags };
    // Readable resource names in the synthesized code: the repository name, not a hash.
    this.repositories = config.repositories.map((r) => {
      const id = constructId(r.name);
      return new ImmutableEcrRepository(this, id, {
        lifecycle: config.lifecycle,
        resourceName: id,
        ...r,
        ...shared,
        kmsKeyArn: r.kmsKeyArn ?? config.kmsKeyArn,
      });
    });
    this.creationTemplates = (config.creationTemplates ?? []).map((t) => {
      const id = `template_${constructId(t.prefix).replace(/^_/, '')}`;
      return new ImmutableEcrRepositoryCreationTemplate(this, id, {
        lifecycle: config.lifecycle,
        resourceName: id,
        ...t,
        ...shared,
        kmsKeyArn: t.kmsKeyArn ?? config.kmsKeyArn,
      });
    });
    for (const r of this.repositories) madeBy(r.repository, 'CompliantEcrStack', 'stack');
    for (const t of this.creationTemplates) madeBy(t.template, 'CompliantEcrStack', 'stack');
    Aspects.of(this).add(new EcrTagImmutabilityAspect({ mode: 'error', allowedMutableTags: config.allowedMutableTags }));
  }
}
