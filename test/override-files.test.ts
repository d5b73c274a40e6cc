import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defined, places, runCli, scanDir, scanFixtures, tree } from './helpers';

// Issue 12, item 2: override files merge into the blocks they override, as Terraform's do.
describe('override files', () => {
  test('each argument, local and variable default of an override replaces the original, in lexical order; findings point into the override', async () => {
    const result = await scanFixtures(['override-files']);
    expect(result.errors).toEqual([]);
    expect(places(result)).toEqual([
      {
        file: 'fixtures/override-files/locals_override.tf.json',
        line: 3,
        column: 26,
        severity: 'error',
        resource: 'aws_ecr_repository.worker',
      },
      // a_override.tf applies first and override.tf after it: MUTABLE wins over MUTABLE_WITH_EXCLUSION.
      { file: 'fixtures/override-files/override.tf', line: 3, column: 26, severity: 'error', resource: 'aws_ecr_repository.api' },
      { file: 'fixtures/override-files/override.tf', line: 7, column: 13, severity: 'error', resource: 'aws_ecr_repository.cron' },
      // The override's filter block replaces the original's "latest" filter.
      { file: 'fixtures/override-files/web_override.tf', line: 2, column: 3, severity: 'error', resource: 'aws_ecr_repository.web' },
    ]);
    expect(
      defined(
        result.findings.find((f) => f.resource === 'aws_ecr_repository.cron'),
        'the finding on cron',
      ).trace,
    ).toEqual([{ file: 'fixtures/override-files/main.tf', line: 32, column: 26, note: 'var.cron_mutability' }]);
    expect(result.summary.resources).toBe(4);
  });

  test('an override is never a duplicate resource, and a scan of the override file alone reports what it changes', async () => {
    const cwd = path.join(__dirname, '..');
    const run = await runCli(['scan', '--format', 'json', 'fixtures/override-files/override.tf'], cwd);
    expect(run.code).toBe(1);
    expect(run.json().errors).toEqual([]);
    expect(run.json().findings.map((f: { resource: string; file: string; line: number }) => [f.resource, f.file, f.line])).toEqual([
      ['aws_ecr_repository.api', 'fixtures/override-files/override.tf', 3],
      ['aws_ecr_repository.cron', 'fixtures/override-files/override.tf', 7],
    ]);
  });

  test('an override can make a repository compliant: nested blocks of a type it writes replace all of the original ones', async () => {
    const dir = tree({
      'main.tf': `resource "aws_ecr_repository" "api" {
  name                 = "api"
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"

  image_tag_mutability_exclusion_filter {
    filter      = "dev-*"
    filter_type = "WILDCARD"
  }
  image_tag_mutability_exclusion_filter {
    filter      = "pr-*"
    filter_type = "WILDCARD"
  }
}
`,
      'prod_override.tf': `resource "aws_ecr_repository" "api" {
  image_tag_mutability_exclusion_filter {
    filter      = "latest"
    filter_type = "WILDCARD"
  }
}
`,
    });
    const result = await scanDir(dir);
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([]);
  });

  test('JSON and HCL merge both ways: a JSON attribute replaces HCL blocks of that name, and arguments keep their own file', async () => {
    const dir = tree({
      'main.tf.json': JSON.stringify(
        { resource: { aws_ecr_repository: { api: { name: 'api', image_tag_mutability: 'IMMUTABLE' } } } },
        null,
        2,
      ),
      'override.tf': 'resource "aws_ecr_repository" "api" {\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n}\n',
      'main.tf': `resource "aws_ecr_repository" "web" {
  name                 = "web"
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"

  image_tag_mutability_exclusion_filter {
    filter      = "latest"
    filter_type = "WILDCARD"
  }
}
`,
      'web_override.tf.json': JSON.stringify(
        {
          resource: {
            aws_ecr_repository: { web: { image_tag_mutability_exclusion_filter: [{ filter: 'feature-*', filter_type: 'WILDCARD' }] } },
          },
        },
        null,
        2,
      ),
    });
    const result = await scanDir(dir);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.resource, f.file, f.line, f.column, f.message.split(':')[0]])).toEqual([
      // The override sets the mode, and the filters that mode needs are missing: reported at the override's value.
      ['aws_ecr_repository.api', 'override.tf', 2, 26, expect.stringContaining('IMMUTABLE_WITH_EXCLUSION')],
      ['aws_ecr_repository.web', 'web_override.tf.json', 6, 11, expect.stringContaining('feature-*')],
    ]);
  });

  test('module calls, outputs-free modules and OpenTofu .tofu overrides merge too', async () => {
    const dir = tree({
      'main.tf': 'module "registry" {\n  source     = "./modules/repo"\n  mutability = "IMMUTABLE"\n}\n',
      'override.tofu': 'module "registry" {\n  mutability = "MUTABLE"\n}\n',
      'modules/repo/main.tf':
        'variable "mutability" {\n  type = string\n}\n\nresource "aws_ecr_repository" "this" {\n  name                 = "repo"\n  image_tag_mutability = var.mutability\n}\n',
    });
    const result = await scanDir(dir);
    expect(result.errors).toEqual([]);
    expect(places(result)).toEqual([
      { file: 'override.tofu', line: 2, column: 16, severity: 'error', resource: 'module.registry.aws_ecr_repository.this' },
    ]);
  });

  test('an override with nothing to override is an input error at the block; the rest is still judged', async () => {
    const dir = tree({
      'main.tf': 'resource "aws_ecr_repository" "api" {\n  name = "api"\n}\n',
      'override.tf': 'resource "aws_ecr_repository" "missing" {\n  image_tag_mutability = "IMMUTABLE"\n}\n\nlocals {\n  nowhere = 1\n}\n',
    });
    const run = await runCli(['scan', '--format', 'json', '.'], dir);
    expect(run.code).toBe(2);
    expect(
      run
        .json()
        .errors.map((e: { file: string; line: number; column: number; message: string }) => [
          e.file,
          e.line,
          e.column,
          e.message.split(':')[0],
        ]),
    ).toEqual([
      ['override.tf', 1, 1, 'Missing resource to override'],
      ['override.tf', 6, 3, 'Missing base local value definition to override'],
    ]);
    expect(run.json().findings.map((f: { resource: string }) => f.resource)).toEqual(['aws_ecr_repository.api']);
  });

  test('a block type named like an object property (constructor, toString) in an override is no block Terraform overrides', async () => {
    const dir = tree({
      'main.tf': 'resource "aws_ecr_repository" "api" {\n  name                 = "api"\n  image_tag_mutability = "IMMUTABLE"\n}\n',
      'override.tf': 'constructor {\n}\n\ntoString "x" {\n}\n',
    });
    const run = await runCli(['scan', '--format', 'json', '.'], dir);
    expect(run.json().errors).toEqual([]);
    expect(run.code).toBe(0);
  });
});

describe('files Terraform does not read cannot override anything', () => {
  const main = 'resource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = "MUTABLE"\n}\n';
  const immutable = 'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE"\n}\n';

  test('hidden and editor files (.x_override.tf, x_override.tf~, #x.tf#) are skipped, as Terraform skips them', async () => {
    const dir = tree({ 'main.tf': main, '.local_override.tf': immutable, 'b_override.tf~': immutable, '#c_override.tf#': immutable });
    for (const paths of [['.'], ['main.tf'], ['.local_override.tf']]) {
      const result = await scanDir(dir, { paths });
      expect(result.errors).toEqual([]);
      expect(places(result)).toEqual(
        paths[0] === '.local_override.tf'
          ? []
          : [{ file: 'main.tf', line: 3, column: 26, severity: 'error', resource: 'aws_ecr_repository.a' }],
      );
    }
  });

  test('with engine terraform, .tofu files are not configuration: neither a .tofu override nor a .tofu twin of main.tf hides main.tf', async () => {
    const mutable = [{ file: 'main.tf', line: 3, column: 26, severity: 'error', resource: 'aws_ecr_repository.a' }];
    const override = tree({ 'main.tf': main, 'main_override.tofu': immutable });
    expect(places(await scanDir(override, { engine: 'terraform' }))).toEqual(mutable);
    const twin = tree({
      'main.tf': main,
      'main.tofu': 'resource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = "IMMUTABLE"\n}\n',
    });
    expect(places(await scanDir(twin, { engine: 'terraform' }))).toEqual(mutable);
    // Read as OpenTofu reads it (the default where .tofu files are present), main.tofu replaces main.tf.
    expect(places(await scanDir(twin))).toEqual([]);
    const run = await runCli(['scan', '--format', 'json', '--engine', 'terraform', 'main.tf'], twin);
    expect([run.code, run.json().findings.length]).toEqual([1, 1]);
  });
});

describe('dynamic blocks in overrides, in either syntax', () => {
  const staticLatest =
    'resource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n\n  image_tag_mutability_exclusion_filter {\n    filter      = "latest"\n    filter_type = "WILDCARD"\n  }\n}\n';
  const jsonDynamic = (tag: string, extra: Record<string, unknown> = {}) =>
    JSON.stringify(
      {
        resource: {
          aws_ecr_repository: {
            a: {
              ...extra,
              dynamic: {
                image_tag_mutability_exclusion_filter: {
                  for_each: [tag],
                  content: { filter: '${image_tag_mutability_exclusion_filter.value}', filter_type: 'WILDCARD' },
                },
              },
            },
          },
        },
      },
      null,
      2,
    );

  test('a JSON dynamic block in an override replaces the original static blocks of its type', async () => {
    const result = await scanDir(tree({ 'main.tf': staticLatest, 'override.tf.json': jsonDynamic('prod-*') }));
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.file, f.line, f.message.slice(0, 26)])).toEqual([
      ['override.tf.json', 8, 'exclusion filter "prod-*" '],
    ]);
  });

  test('a static HCL override replaces a JSON dynamic original, and a JSON dynamic override replaces an HCL one', async () => {
    const original = jsonDynamic('prod-*', { name: 'a', image_tag_mutability: 'IMMUTABLE_WITH_EXCLUSION' });
    const staticOverride =
      'resource "aws_ecr_repository" "a" {\n  image_tag_mutability_exclusion_filter {\n    filter      = "latest"\n    filter_type = "WILDCARD"\n  }\n}\n';
    expect((await scanDir(tree({ 'main.tf.json': original, 'override.tf': staticOverride }))).findings).toEqual([]);
    const hclDynamic = staticLatest.replace(
      / {2}image_tag_mutability_exclusion_filter \{[\s\S]*?\n {2}\}\n/,
      '  dynamic "image_tag_mutability_exclusion_filter" {\n    for_each = ["dev-*"]\n    content {\n      filter      = image_tag_mutability_exclusion_filter.value\n      filter_type = "WILDCARD"\n    }\n  }\n',
    );
    const replaced = await scanDir(tree({ 'main.tf': hclDynamic, 'override.tf.json': jsonDynamic('latest') }));
    expect([replaced.errors, replaced.findings]).toEqual([[], []]);
  });
});

describe('--fix and override files', () => {
  test('filters from an override, which replace the original ones, are left to a person: removing them would bring the original ones back', async () => {
    const main =
      'variable "tags" {\n  default = ["latest"]\n}\n\nresource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n\n  dynamic "image_tag_mutability_exclusion_filter" {\n    for_each = var.tags\n    content {\n      filter      = image_tag_mutability_exclusion_filter.value\n      filter_type = "WILDCARD"\n    }\n  }\n}\n';
    const override =
      'resource "aws_ecr_repository" "a" {\n  image_tag_mutability_exclusion_filter {\n    filter      = "*"\n    filter_type = "WILDCARD"\n  }\n}\n';
    const dir = tree({ 'main.tf': main, 'override.tf': override });
    const run = await runCli(['fix', '.'], dir);
    expect(run.err).toBe(
      'tagguard: needs a person: override.tf:2:3 aws_ecr_repository.a: the exclusion filters are set in an override file, which replaces the original blocks: change both by hand\n',
    );
    expect(readFileSync(path.join(dir, 'main.tf'), 'utf8')).toBe(main);
    expect(readFileSync(path.join(dir, 'override.tf'), 'utf8')).toBe(override);
    expect(run.code).toBe(1);
  });

  test('an argument written in an override is fixed in the override', async () => {
    const dir = tree({
      'main.tf': 'resource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = "IMMUTABLE"\n}\n',
      'override.tf': 'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "MUTABLE"\n}\n',
    });
    const run = await runCli(['fix', '.'], dir);
    expect([run.code, run.err]).toEqual([0, 'tagguard: fixed override.tf\n']);
    expect(readFileSync(path.join(dir, 'override.tf'), 'utf8')).toBe(
      'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE"\n}\n',
    );
  });
});
