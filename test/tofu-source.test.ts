import { places, runCli, scanDir, scanFixtures, tree } from './helpers';

// Issue 12, item 10: OpenTofu 1.8+ evaluates a module source at init; Terraform needs a literal.
describe('module sources built from variables and locals', () => {
  test('in a directory with .tofu files the source is evaluated with the tfvars values, and its target is a called module, not a root', async () => {
    const result = await scanFixtures(['tofu-source']);
    expect(result.errors).toEqual([]);
    expect(places(result)).toEqual([
      {
        file: 'fixtures/tofu-source/modules/dev/main.tf',
        line: 3,
        column: 26,
        severity: 'error',
        resource: 'module.registry.aws_ecr_repository.this',
      },
    ]);
    // modules/prod is not called by anyone: it stays a root of its own.
    expect(result.resources.map((r) => `${r.root} ${r.address}`).sort()).toEqual([
      'fixtures/tofu-source module.registry.aws_ecr_repository.this',
      'fixtures/tofu-source/modules/prod aws_ecr_repository.this',
    ]);
  });

  test('--var changes which module the source names', async () => {
    const result = await scanFixtures(['tofu-source'], {}, { vars: ['environment=prod'] });
    expect(result.findings.filter((f) => f.resource.startsWith('module.registry'))).toEqual([]);
    // Now modules/dev is the one nobody calls: judged as a root of its own.
    expect(places(result)).toEqual([
      { file: 'fixtures/tofu-source/modules/dev/main.tf', line: 3, column: 26, severity: 'error', resource: 'aws_ecr_repository.this' },
    ]);
  });

  const files = {
    'variables.tf': 'variable "environment" {\n  type    = string\n  default = "dev"\n}\n',
    'main.tf':
      'module "registry" {\n  source = "./modules/${var.environment}"\n}\n\nresource "aws_ecr_repository" "other" {\n  name = "other"\n}\n',
    'modules/dev/main.tf':
      'resource "aws_ecr_repository" "this" {\n  name                 = "dev"\n  image_tag_mutability = "MUTABLE"\n}\n',
  };

  test('Terraform keeps its error: an input error at the source, and the rest is still judged', async () => {
    const dir = tree(files);
    const run = await runCli(['scan', '--format', 'json', '.'], dir);
    expect(run.code).toBe(2);
    expect(run.json().errors).toEqual([
      {
        file: 'main.tf',
        line: 2,
        column: 12,
        message:
          'module "registry": Variables not allowed: Variables may not be used here. (Terraform needs a literal module source; OpenTofu 1.8+ evaluates it: use .tofu files or --engine tofu)',
      },
    ]);
    expect(run.json().findings.map((f: { resource: string }) => f.resource)).toEqual([
      'aws_ecr_repository.other',
      'aws_ecr_repository.this',
    ]);
  });

  test('the tofu engine reads the same .tf files as OpenTofu does', async () => {
    const dir = tree(files);
    const result = await scanDir(dir, { engine: 'tofu' });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.resource, f.file, f.line])).toEqual([
      ['aws_ecr_repository.other', 'main.tf', 5],
      ['module.registry.aws_ecr_repository.this', 'modules/dev/main.tf', 3],
    ]);
  });

  test('a source that cannot be known at init is an input error, also for OpenTofu', async () => {
    const dir = tree({
      'main.tofu':
        'data "aws_ssm_parameter" "dir" {\n  name = "/modules/registry"\n}\n\nmodule "registry" {\n  source = data.aws_ssm_parameter.dir.value\n}\n',
    });
    const result = await scanDir(dir);
    expect(result.errors.map((e) => [e.file, e.line, e.column, e.message])).toEqual([
      [
        'main.tofu',
        6,
        12,
        'module "registry": the source must be known when OpenTofu installs modules: data sources are read during plan (data.aws_ssm_parameter.dir.value)',
      ],
    ]);
  });
});
