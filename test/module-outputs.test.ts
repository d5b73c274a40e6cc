import { places, runCli, scanDir, scanFixtures, tree } from './helpers';

// Issue 12, item 6: an output known at plan time flows into its callers with its origin and trace.
describe('module outputs', () => {
  test('outputs from variables, locals and literals are evaluated per instance; outputs from data sources stay unknown', async () => {
    const result = await scanFixtures(['module-outputs']);
    expect(result.errors).toEqual([]);
    expect(places(result)).toEqual([
      {
        file: 'fixtures/module-outputs/modules/settings/outputs.tf',
        line: 2,
        column: 13,
        severity: 'error',
        resource: 'aws_ecr_repository.api',
      },
      {
        file: 'fixtures/module-outputs/modules/settings/outputs.tf',
        line: 14,
        column: 11,
        severity: 'warning',
        resource: 'aws_ecr_repository.audit',
      },
      {
        file: 'fixtures/module-outputs/modules/team/outputs.tf',
        line: 10,
        column: 34,
        severity: 'error',
        resource: 'aws_ecr_repository.team["search"]',
      },
    ]);
    const api = result.findings[0];
    expect(api.trace).toEqual([
      { file: 'fixtures/module-outputs/main.tf', line: 14, column: 26, note: 'module.settings' },
      { file: 'fixtures/module-outputs/modules/settings/outputs.tf', line: 10, column: 11, note: 'module.settings output mutability' },
      { file: 'fixtures/module-outputs/modules/settings/outputs.tf', line: 10, column: 38, note: 'local.relaxed' },
    ]);
    expect(result.findings[1].message).toMatch(/data sources are read during plan \(data\.aws_ssm_parameter\.mutability\.value\)/);
    // for_each over a module's instances: one repository per key, each with that instance's outputs.
    expect(result.resources.map((r) => r.address).sort()).toEqual([
      'aws_ecr_repository.api',
      'aws_ecr_repository.audit',
      'aws_ecr_repository.team["payments"]',
      'aws_ecr_repository.team["search"]',
    ]);
  });

  const callee = {
    'modules/mode/main.tf':
      'variable "mode" {\n  type = string\n}\n\noutput "value" {\n  value = upper(var.mode)\n}\n\noutput "arn" {\n  value = aws_ecr_repository.other.arn\n}\n',
  };

  test('count makes a list of instances, and an output of a resource is unknown', async () => {
    const dir = tree({
      ...callee,
      'main.tf': `module "mode" {
  source = "./modules/mode"
  count  = 2
  mode   = count.index == 0 ? "immutable" : "mutable"
}

resource "aws_ecr_repository" "second" {
  name                 = "second"
  image_tag_mutability = module.mode[1].value
}

resource "aws_ecr_repository" "first" {
  name                 = "first"
  image_tag_mutability = module.mode[0].value
}

resource "aws_ecr_repository" "arn" {
  name                 = "arn"
  image_tag_mutability = module.mode[0].arn
}
`,
    });
    const result = await scanDir(dir);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.resource, f.severity, f.file, f.line, f.column])).toEqual([
      // upper() computes the value: it is reported where the output is written.
      ['aws_ecr_repository.second', 'error', 'modules/mode/main.tf', 6, 11],
      ['aws_ecr_repository.arn', 'warning', 'modules/mode/main.tf', 10, 11],
    ]);
    expect(result.findings[0].message).toMatch(/is MUTABLE/);
  });

  test('an unknown count, a remote module not on disk and an undeclared output are unknown, with the reason', async () => {
    const dir = tree({
      ...callee,
      'main.tf': `data "aws_caller_identity" "current" {}

module "mode" {
  source = "./modules/mode"
  count  = length(data.aws_caller_identity.current.account_id)
  mode   = "immutable"
}

module "vpc" {
  source  = "terraform-aws-modules/vpc/aws"
  version = "5.0.0"
}

resource "aws_ecr_repository" "counted" {
  name                 = "counted"
  image_tag_mutability = module.mode[0].value
}

resource "aws_ecr_repository" "remote" {
  name                 = "remote"
  image_tag_mutability = module.vpc.mutability
}
`,
    });
    const result = await scanDir(dir);
    const byResource = Object.fromEntries(result.findings.map((f) => [f.resource, f]));
    expect(byResource['aws_ecr_repository.counted'].severity).toBe('warning');
    expect(byResource['aws_ecr_repository.counted'].message).toMatch(/the outputs of module\.mode are unknown: count is unknown/);
    expect(byResource['aws_ecr_repository.remote'].message).toMatch(/module\.vpc is not on disk/);
  });

  test('a module whose outputs nobody reads is not parsed; one whose outputs are read is', async () => {
    const files = {
      'modules/a/outputs.tf': 'output "mutability" {\n  value = "MUTABLE"\n}\n',
      'modules/b/outputs.tf': 'output "mutability" {\n  value = "MUTABLE"\n}\n',
      'app/main.tf':
        'module "a" {\n  source = "../modules/a"\n}\n\nmodule "b" {\n  source = "../modules/b"\n}\n\nresource "aws_ecr_repository" "x" {\n  name                 = "x"\n  image_tag_mutability = module.a.mutability\n}\n',
    };
    const dir = tree(files);
    const result = await scanDir(dir);
    expect(places(result)).toEqual([
      { file: 'modules/a/outputs.tf', line: 2, column: 11, severity: 'error', resource: 'aws_ecr_repository.x' },
    ]);
    // Named alone, the app still reaches the module it reads outputs from.
    const named = await scanDir(dir, { paths: ['app'] });
    expect(places(named)).toEqual(places(result));
  });
});

describe('module outputs chained without end', () => {
  test('a chain of thousands of module calls, each reading the previous one’s output, is an input error at the call, not a crash', async () => {
    const calls = ['module "a0" {\n  source = "./m"\n}\n'];
    for (let i = 1; i < 3000; i++) calls.push(`module "a${i}" {\n  source = "./m"\n  x      = module.a${i - 1}.out\n}\n`);
    calls.push('resource "aws_ecr_repository" "r" {\n  name                 = "r"\n  image_tag_mutability = module.a2999.out\n}\n');
    const dir = tree({
      'm/main.tf': 'variable "x" {\n  default = "MUTABLE"\n}\n\noutput "out" {\n  value = var.x\n}\n',
      'main.tf': calls.join(''),
    });
    const result = await scanDir(dir);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0].message).toBe('module outputs read through more than 100 module calls in a chain (too long to follow)');
    expect(result.errors[0].file).toBe('main.tf');
    expect(result.findings.map((f) => [f.resource, f.severity])).toEqual([['aws_ecr_repository.r', 'warning']]);
  });
});

describe('outputs however they are spelled', () => {
  test.each([
    ['an unquoted label', 'output mode {\n  value = "MUTABLE"\n}\n', 'module.cfg.mode'],
    ['a comment before the label', 'output /* the mode */ "mode" {\n  value = "MUTABLE"\n}\n', 'module.cfg.mode'],
    ['space before the dot', 'output "mode" {\n  value = "MUTABLE"\n}\n', 'module .cfg.mode'],
    ['a comment before the dot', 'output "mode" {\n  value = "MUTABLE"\n}\n', 'module /* cfg */ .cfg.mode'],
  ])('%s: the output is read, in a whole-tree and a named-file scan', async (_name, output, reference) => {
    const dir = tree({
      'cfg/main.tf': output,
      'live/main.tf': `module "cfg" {\n  source = "../cfg"\n}\n\nresource "aws_ecr_repository" "r" {\n  name                 = "r"\n  image_tag_mutability = ${reference}\n}\n`,
    });
    const expected = [{ file: 'cfg/main.tf', line: 2, column: 11, severity: 'error', resource: 'aws_ecr_repository.r' }];
    expect(places(await scanDir(dir))).toEqual(expected);
    const named = await runCli(['scan', '--format', 'json', 'cfg/main.tf'], dir);
    expect([
      named.code,
      named.json().findings.map((f: { file: string; line: number; resource: string }) => `${f.file}:${f.line} ${f.resource}`),
    ]).toEqual([1, ['cfg/main.tf:2 aws_ecr_repository.r']]);
  });
});

describe('module outputs in a cycle', () => {
  test('two calls that feed each other their outputs are an input error at the argument, as Terraform reports a cycle', async () => {
    const dir = tree({
      'm/main.tf': 'variable "x" {\n  type = string\n}\n\noutput "out" {\n  value = var.x\n}\n',
      'main.tf':
        'module "a" {\n  source = "./m"\n  x      = module.b.out\n}\n\nmodule "b" {\n  source = "./m"\n  x      = module.a.out\n}\n\nresource "aws_ecr_repository" "r" {\n  name                 = "r"\n  image_tag_mutability = module.a.out\n}\n',
    });
    const { code, json } = await runCli(['scan', '--format', 'json', '.'], dir);
    expect(code).toBe(2);
    expect(json().errors).toEqual([
      { file: 'main.tf', line: 3, column: 3, message: 'Cycle: var.x of module.a depends on itself through module outputs' },
    ]);
    expect(json().findings.map((f: { resource: string; severity: string }) => [f.resource, f.severity])).toEqual([
      ['aws_ecr_repository.r', 'warning'],
    ]);
  });
});
