import { registryPackage } from '../src/terraform/config/registry-models';
import { runCli, tree } from './helpers';

/** A call of a modelled registry module that makes its repository mutable; its value sits at line `start + 5`, column 37. */
const repositoryCall = (name: string, source: string, version?: string) =>
  [
    `module "${name}" {`,
    `  source  = "${source}"`,
    version ? `  version = "${version}"` : '  # no version constraint',
    '',
    `  repository_name                 = "${name}"`,
    '  repository_image_tag_mutability = "MUTABLE"',
    '}',
    '',
    '',
  ].join('\n');

/** The same for the repository-template submodule; the value sits at line `start + 5`, column 26. */
const templateCall = (name: string, source: string) =>
  [
    `module "${name}" {`,
    `  source  = "${source}"`,
    '  prefix      = "cache"',
    '  applied_for = ["PULL_THROUGH_CACHE"]',
    '',
    '  image_tag_mutability = "MUTABLE"',
    '}',
    '',
    '',
  ].join('\n');

describe('registry addresses: every form of a public registry address names the same modelled module', () => {
  const dir = tree({
    'main.tf': [
      repositoryCall('bare', 'terraform-aws-modules/ecr/aws', '~> 2.0'),
      repositoryCall('terraform_registry', 'registry.terraform.io/terraform-aws-modules/ecr/aws', '>= 3.0'),
      repositoryCall('opentofu_registry', 'registry.opentofu.org/terraform-aws-modules/ecr/aws'),
      repositoryCall('any_case', 'Registry.Terraform.IO/Terraform-AWS-Modules/ECR/AWS', '3.1.0'),
      repositoryCall('with_ref', 'terraform-aws-modules/ecr/aws?ref=v3.0.0'),
      templateCall('template_bare', 'terraform-aws-modules/ecr/aws//modules/repository-template'),
      templateCall('template_opentofu', 'registry.opentofu.org/terraform-aws-modules/ecr/aws//modules/repository-template?ref=v3.0.0'),
      // Not the public registries: a host that does not exist (the old regex's registry.opentofu.io) and a private registry.
      repositoryCall('wrong_host', 'registry.opentofu.io/terraform-aws-modules/ecr/aws'),
      repositoryCall('private_registry', 'app.terraform.io/terraform-aws-modules/ecr/aws'),
    ].join(''),
  });

  test('each modelled call yields its finding at its own argument, under the module address', async () => {
    const { code, json, err } = await runCli(['scan', '--format', 'json', '--verbose'], dir);
    expect(code).toBe(1);
    const findings = json().findings.map((f: { resource: string; file: string; line: number; column: number; severity: string }) => [
      f.resource,
      `${f.file}:${f.line}:${f.column}`,
      f.severity,
    ]);
    expect(findings).toEqual([
      ['module.bare.aws_ecr_repository.this[0]', 'main.tf:6:37', 'error'],
      ['module.terraform_registry.aws_ecr_repository.this[0]', 'main.tf:14:37', 'error'],
      ['module.opentofu_registry.aws_ecr_repository.this[0]', 'main.tf:22:37', 'error'],
      ['module.any_case.aws_ecr_repository.this[0]', 'main.tf:30:37', 'error'],
      ['module.with_ref.aws_ecr_repository.this[0]', 'main.tf:38:37', 'error'],
      ['module.template_bare.aws_ecr_repository_creation_template.this[0]', 'main.tf:46:26', 'error'],
      ['module.template_opentofu.aws_ecr_repository_creation_template.this[0]', 'main.tf:54:26', 'error'],
    ]);
    expect(err.split('\n').filter(Boolean)).toEqual([
      'tagguard: main.tf:57: module "wrong_host" (registry.opentofu.io/terraform-aws-modules/ecr/aws) is not on disk; run terraform init to scan it',
      'tagguard: main.tf:65: module "private_registry" (app.terraform.io/terraform-aws-modules/ecr/aws) is not on disk; run terraform init to scan it',
    ]);
  });
});

describe('registryPackage: how Terraform compares registry module addresses', () => {
  test.each([
    ['terraform-aws-modules/ecr/aws', 'terraform-aws-modules/ecr/aws'],
    ['registry.terraform.io/terraform-aws-modules/ecr/aws', 'terraform-aws-modules/ecr/aws'],
    ['REGISTRY.OPENTOFU.ORG/CloudPosse/ECR/AWS', 'cloudposse/ecr/aws'],
    // The subdirectory is a path inside the package: normalized, but its case is kept.
    ['terraform-aws-modules/ecr/aws//modules/./repository-template/?ref=v3', 'terraform-aws-modules/ecr/aws//modules/repository-template'],
    ['terraform-aws-modules/ecr/aws//Modules/Repository-Template', 'terraform-aws-modules/ecr/aws//Modules/Repository-Template'],
    ['cloudposse/ecr/aws//', 'cloudposse/ecr/aws'],
  ])('%s is %s', (source, expected) => {
    expect(registryPackage(source)).toBe(expected);
  });

  test.each([
    'registry.opentofu.io/terraform-aws-modules/ecr/aws',
    'app.terraform.io/acme/ecr/aws',
    'github.com/terraform-aws-modules/terraform-aws-ecr',
    'git::https://github.com/terraform-aws-modules/terraform-aws-ecr.git//modules/repository-template?ref=v3.0.0',
    './modules/ecr',
    'terraform-aws-modules/ecr',
  ])('%s is not a public registry address', (source) => {
    expect(registryPackage(source)).toBeUndefined();
  });
});
