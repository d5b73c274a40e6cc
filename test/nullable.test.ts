import { places, ROOT, runCli, scanDir, scanFixtures, tree } from './helpers';

// Issue 12, item 3: nullable = false turns a given null into the default; a null that reaches the attribute keeps its origin.
describe('null values and nullable = false', () => {
  test('a null from tfvars or a module argument takes the default of a non-nullable variable; a nullable one stays null and is reported where the null is written', async () => {
    const result = await scanFixtures(['nullable']);
    expect(result.errors).toEqual([]);
    expect(places(result)).toEqual([
      {
        file: 'fixtures/nullable/modules/repo/main.tf',
        line: 7,
        column: 14,
        severity: 'error',
        resource: 'module.worker.aws_ecr_repository.this',
      },
      { file: 'fixtures/nullable/terraform.tfvars', line: 2, column: 18, severity: 'error', resource: 'aws_ecr_repository.web' },
    ]);
    const web = result.findings[1];
    expect(web.message).toMatch(/not set/);
    expect(web.trace).toEqual([{ file: 'fixtures/nullable/main.tf', line: 19, column: 26, note: 'var.web_mutability' }]);
  });

  test('a scan of the tfvars file alone (pre-commit) reports the null it introduces', async () => {
    const run = await runCli(['scan', '--format', 'json', 'fixtures/nullable/terraform.tfvars'], ROOT);
    expect(run.code).toBe(1);
    expect(
      run
        .json()
        .findings.map((f: { resource: string; file: string; line: number; column: number }) => [f.resource, f.file, f.line, f.column]),
    ).toEqual([['aws_ecr_repository.web', 'fixtures/nullable/terraform.tfvars', 2, 18]]);
  });

  test('--var passes null to a variable of type any (read as HCL), and the literal string "null" to an untyped one', async () => {
    const dir = tree({
      'main.tf': `variable "typed" {
  type     = any
  default  = "MUTABLE"
  nullable = false
}

variable "untyped" {
  default = "IMMUTABLE"
}

resource "aws_ecr_repository" "typed" {
  name                 = "typed"
  image_tag_mutability = var.typed
}

resource "aws_ecr_repository" "untyped" {
  name                 = "untyped"
  image_tag_mutability = var.untyped
}
`,
    });
    const result = await scanDir(dir, { variables: { vars: ['typed=null', 'untyped=null'] } });
    expect(result.findings.map((f) => [f.resource, f.file, f.line, f.column, f.message.slice(0, 40)])).toEqual([
      // null took the default "MUTABLE".
      ['aws_ecr_repository.typed', 'main.tf', 3, 14, expect.stringMatching(/is MUTABLE:/)],
      // "null" is a string here, and not a valid value; --var has no line, so the resource stands in.
      ['aws_ecr_repository.untyped', 'main.tf', 16, 1, expect.stringContaining('"null"')],
    ]);
  });

  test('in Terraform JSON the type is a string: "string" reads --var literally, "any" as HCL', async () => {
    const dir = tree({
      'main.tf.json': JSON.stringify({
        variable: { literal: { type: 'string', default: 'IMMUTABLE' }, parsed: { type: 'any', nullable: false, default: 'MUTABLE' } },
        resource: {
          aws_ecr_repository: {
            literal: { name: 'literal', image_tag_mutability: '${var.literal}' },
            parsed: { name: 'parsed', image_tag_mutability: '${var.parsed}' },
          },
        },
      }),
    });
    const result = await scanDir(dir, { variables: { vars: ['literal=MUTABLE', 'parsed=null'] } });
    expect(result.findings.map((f) => [f.resource, f.message.split(':')[0]])).toEqual([
      ['aws_ecr_repository.parsed', 'image_tag_mutability is MUTABLE'],
      ['aws_ecr_repository.literal', 'image_tag_mutability is MUTABLE'],
    ]);
  });

  test('a null given to a non-nullable variable without a default is an input error where the null is written', async () => {
    const dir = tree({
      'main.tf': 'module "repo" {\n  source     = "./repo"\n  mutability = null\n}\n',
      'repo/main.tf':
        'variable "mutability" {\n  type     = string\n  nullable = false\n}\n\nresource "aws_ecr_repository" "this" {\n  name                 = "this"\n  image_tag_mutability = var.mutability\n}\n',
    });
    const result = await scanDir(dir);
    expect(result.errors).toEqual([
      {
        file: 'main.tf',
        line: 3,
        column: 16,
        message: 'Invalid value for input variable: variable "mutability" is not nullable and has no default, but the value given is null',
      },
    ]);
    expect(result.findings.map((f) => [f.resource, f.severity, f.file, f.line, f.column])).toEqual([
      ['module.repo.aws_ecr_repository.this', 'warning', 'main.tf', 3, 16],
    ]);
    expect(result.findings[0].message).toMatch(/not nullable and has no default, but the value given is null/);
  });
});

describe('nullable as Terraform reads it', () => {
  test('nullable = "false" converts to false; a null default with nullable = false is an input error at the default', async () => {
    const dir = tree({
      'main.tf':
        'variable "a" {\n  default  = "IMMUTABLE"\n  nullable = "false"\n}\n\nvariable "b" {\n  type     = string\n  default  = null\n  nullable = false\n}\n\nresource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = var.a\n}\n',
      'terraform.tfvars': 'a = null\n',
    });
    const result = await scanDir(dir);
    expect(result.findings).toEqual([]);
    expect(result.errors).toEqual([
      {
        file: 'main.tf',
        line: 8,
        column: 14,
        message: 'Invalid default value for variable: A null default value is not valid when nullable=false.',
      },
    ]);
  });
});
