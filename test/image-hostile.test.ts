import path from 'node:path';
import type { Finding } from '../src/policy/findings';
import { scanDir, scanPlan, tree } from './helpers';

// image-reference-immutable on code written to make a movable image pass, or the scan
// fail: each case was a silent pass, a crash or a wrong place before it was fixed.
const RULE = 'image-reference-immutable';

/** [message id, severity, file:line:column] of the rule's findings. */
const found = (findings: readonly Finding[]) =>
  findings.filter((f) => f.ruleId === RULE).map((f) => [f.messageId, f.severity, `${f.file}:${f.line}:${f.column}`]);

const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`;
const REPOSITORY = 'resource "aws_ecr_repository" "imm" {\n  name                 = "api"\n  image_tag_mutability = "IMMUTABLE"\n}\n';
const lambda = (image: string) => `resource "aws_lambda_function" "fn" {\n  function_name = "fn"\n  image_uri     = ${image}\n}\n`;

async function scan(files: Record<string, string>) {
  const result = await scanDir(tree(files));
  expect(result.errors).toEqual([]);
  return found(result.findings);
}

describe('a name around a repository reference is another repository', () => {
  // Each finding is at the tag's text (":v1"), after the reference.
  test.each([
    ['text before it', '"evil.io/${aws_ecr_repository.imm.repository_url}:v1"', 68],
    ['text after it', '"${aws_ecr_repository.imm.repository_url}-dev:v1"', 60],
    ['an unknown part after it', '"${aws_ecr_repository.imm.repository_url}${var.suffix}:v1"', 73],
    ['an unknown part before it', '"${var.prefix}${aws_ecr_repository.imm.repository_url}:v1"', 73],
  ])('%s: not proven (a warning), never a pass', async (_, image, column) => {
    const vars = 'variable "suffix" {}\nvariable "prefix" {}\n';
    expect(await scan({ 'main.tf': vars + REPOSITORY + lambda(image) })).toEqual([['unknown', 'warning', `main.tf:9:${column}`]]);
  });

  test.each([
    ['replace', 'replace("${aws_ecr_repository.imm.repository_url}:v1", ":v1", ":latest")', 30],
    ['trimsuffix', `trimsuffix("\${aws_ecr_repository.imm.repository_url}@${DIGEST}", "@${DIGEST}")`, 33],
    ['substr', 'substr("${aws_ecr_repository.imm.repository_url}:v1", 0, 10)', 29],
  ])('%s of a template is computed from it, not the template: not proven, never a pass', async (_, image, column) => {
    expect(await scan({ 'main.tf': REPOSITORY + lambda(image) })).toEqual([['unknown', 'warning', `main.tf:7:${column}`]]);
  });

  test.each([
    ['format with a literal latest', 'format("%s:latest", aws_ecr_repository.imm.repository_url)', [['latest', 'error', 'main.tf:7:19']]],
    ['join with latest', 'join(":", [aws_ecr_repository.imm.repository_url, "latest"])', [['latest', 'error', 'main.tf:7:69']]],
    ['format with a semver tag', 'format("%s:%s", aws_ecr_repository.imm.repository_url, "v1.2.3")', []],
    [
      'format with a width (not read)',
      'format("%-5s:v1", aws_ecr_repository.imm.repository_url)',
      [['unknown', 'warning', 'main.tf:7:37']],
    ],
  ])('%s: the text it makes is read around the URL', async (_, image, expected) => {
    expect(await scan({ 'main.tf': REPOSITORY + lambda(image) })).toEqual(expected);
  });

  test('the URL itself, with a tag, is the repository', async () => {
    expect(await scan({ 'main.tf': REPOSITORY + lambda('"${aws_ecr_repository.imm.repository_url}:v1"') })).toEqual([]);
  });

  test('an unknown part after it that may hold a tag is an unknown tag, not a pass', async () => {
    const text = 'variable "rest" {}\n' + REPOSITORY + lambda('"${aws_ecr_repository.imm.repository_url}${var.rest}"');
    expect(await scan({ 'main.tf': text })).toEqual([['unknown', 'warning', 'main.tf:8:62']]);
  });
});

describe('JSON as the provider decodes it', () => {
  const task = (definitions: string) =>
    `resource "aws_ecs_task_definition" "app" {\n  family                = "app"\n  container_definitions = ${definitions}\n}\n`;

  test('a key in another letter case is the image (Go matches keys whatever their case)', async () => {
    expect(await scan({ 'main.tf': task('jsonencode([{ name = "a", Image = "nginx:latest" }])') })).toEqual([
      ['latest', 'error', 'main.tf:3:61'],
    ]);
  });

  test('of two keys that differ in case, the last one in the JSON text wins', async () => {
    // jsonencode writes keys sorted: "IMAGE" before "image", so "image" is what the provider reads.
    const pinned = `jsonencode([{ IMAGE = "nginx:latest", image = "nginx@${DIGEST}" }])`;
    expect(await scan({ 'main.tf': task(pinned) })).toEqual([]);
    const text = `<<JSON\n[{"image": "nginx@${DIGEST}", "IMAGE": "nginx:latest"}]\nJSON`;
    expect(await scan({ 'main.tf': task(text) })).toEqual([['latest', 'error', 'main.tf:3:27']]);
  });

  test('an unknown value outside a JSON string stands for a value: the image is still read', async () => {
    const text = `variable "cpu" {}\n${task(`<<JSON\n[{"name": "h", "image": "nginx@${DIGEST}", "cpu": \${var.cpu}}]\nJSON`)}`;
    expect(await scan({ 'main.tf': text })).toEqual([]);
    const latest = `variable "cpu" {}\n${task('<<JSON\n[{"name": "h", "image": "nginx:latest", "cpu": ${var.cpu}}]\nJSON')}`;
    expect(await scan({ 'main.tf': latest })).toEqual([['latest', 'error', 'main.tf:5:1']]);
  });

  test('a value interpolated into JSON text keeps its origin: the finding is at the tfvars value, so --changed-since sees it', async () => {
    const text = `variable "image" {}\n${task('<<-JSON\n    [{"name": "api", "image": "${var.image}"}]\n  JSON')}`;
    expect(await scan({ 'main.tf': text, 'terraform.tfvars': 'image = "nginx:latest"\n' })).toEqual([
      ['latest', 'error', 'terraform.tfvars:1:9'],
    ]);
    // A value that holds JSON syntax is read as the text it makes.
    const quoted = `variable "image" {}\n${task('<<-JSON\n    [{"name": "api", "image": "${var.image}"}]\n  JSON')}`;
    expect(await scan({ 'main.tf': quoted, 'terraform.tfvars': 'image = "nginx\\"x"\n' })).toEqual([]);
  });

  test('JSON nested deeper than 256 levels is an unknown, and the scan goes on', async () => {
    const deep = `${'['.repeat(2000)}{"image": "nginx:latest"}${']'.repeat(2000)}`;
    const result = await scanDir(tree({ 'main.tf': task(`<<JSON\n${deep}\nJSON`) + REPOSITORY }));
    expect(result.errors).toEqual([]);
    expect(found(result.findings)).toEqual([['unknown', 'warning', 'main.tf:3:27']]);
    expect(result.findings.find((f) => f.ruleId === RULE)?.message).toContain('JSON nested deeper than 256 levels is not decoded');
  });
});

describe('kubernetes_manifest with unknown parts', () => {
  const manifest = (spec: string) =>
    `variable "containers" {}\nvariable "ns" {}\nresource "kubernetes_manifest" "pod" {\n  manifest = {\n    apiVersion = "v1"\n    kind       = "Pod"\n    metadata   = { name = "p", namespace = var.ns }\n    spec       = ${spec}\n  }\n}\n`;

  test.each([
    // At the variable that has no value: where the unknown comes from.
    ['the containers', '{ containers = var.containers }', 'main.tf:1:1'],
    ['the whole spec', 'var.containers', 'main.tf:1:1'],
    ['a spec read from a file', 'yamldecode(file("pod.yaml"))', 'main.tf:8:18'],
  ])('%s unknown: an unknown image, never a silent pass', async (_, spec, at) => {
    expect(await scan({ 'main.tf': manifest(spec) })).toEqual([['unknown', 'warning', at]]);
  });

  test('an unknown label or namespace holds no image: the known containers are judged alone', async () => {
    expect(await scan({ 'main.tf': manifest(`{ containers = [{ name = "c", image = "nginx@${DIGEST}" }] }`) })).toEqual([]);
  });
});

describe('bounds', () => {
  test('a manifest too large to search is an unknown at the resource, never a silent pass', async () => {
    const labels = Array.from({ length: 21_000 }, (_, i) => `a${i} = "x"`).join(', ');
    const text = [
      'resource "kubernetes_manifest" "d" {',
      '  manifest = {',
      '    metadata = { name = "d", labels = { ' + labels + ' } }',
      '    spec = { template = { spec = { containers = [{ name = "c", image = "nginx:latest" }] } } }',
      '  }',
      '}',
      '',
    ].join('\n');
    const result = found((await scanDir(tree({ 'main.tf': text }))).findings);
    expect(result).toEqual([['unknown', 'warning', 'main.tf:1:1']]);
  });

  test('1,500 images, each naming one of 1,500 repositories, are judged (an image looks its repository up)', async () => {
    const names = Array.from({ length: 1500 }, (_, i) => `"r${i}"`).join(', ');
    const text = [
      `variable "names" {\n  default = [${names}]\n}`,
      'resource "aws_ecr_repository" "r" {\n  for_each             = toset(var.names)\n  name                 = each.key\n  image_tag_mutability = each.key == "r7" ? "MUTABLE" : "IMMUTABLE"\n}',
      'resource "aws_ecs_task_definition" "t" {',
      '  family                = "t"',
      '  container_definitions = jsonencode([for n in var.names : { name = n, image = "${aws_ecr_repository.r[n].repository_url}:v1" }])',
      '}',
      '',
    ].join('\n');
    const result = await scanDir(tree({ 'main.tf': text }));
    // Before, the policy ran out of its memory on this root: an input error, nothing judged.
    expect(result.errors).toEqual([]);
    expect(found(result.findings)).toEqual([['mutable_repository', 'error', 'main.tf:11:122']]);
  });

  test('an image longer than any reference is invalid, without parsing it character by character', async () => {
    const long = `ghcr.io/acme/${'a'.repeat(5000)}:v1`;
    const result = await scanDir(tree({ 'main.tf': lambda(JSON.stringify(long)) }));
    expect(found(result.findings)).toEqual([['invalid_reference', 'error', 'main.tf:3:19']]);
    expect(result.findings[0].message).toContain('5016 characters long');
  });

  test('a number where an image is named is not a reference', async () => {
    expect(await scan({ 'main.tf': lambda('5') })).toEqual([['invalid_reference', 'error', 'main.tf:3:19']]);
  });
});

describe('where a finding points', () => {
  test('an unknown tag is reported where the template uses it, not at the variable', async () => {
    const text = 'variable "tag" {}\n' + lambda('"ghcr.io/acme/api:${var.tag}"');
    expect(await scan({ 'main.tf': text })).toEqual([['unseen_registry', 'warning', 'main.tf:4:39']]);
  });

  test('a dynamic container block whose for_each is unknown: a literal latest in its content is an error', async () => {
    const text = [
      'variable "sidecars" {}',
      'resource "kubernetes_pod" "p" {',
      '  spec {',
      '    dynamic "container" {',
      '      for_each = var.sidecars',
      '      content {',
      '        name  = container.key',
      '        image = "nginx:latest"',
      '      }',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    expect(await scan({ 'main.tf': text })).toEqual([['latest', 'error', 'main.tf:8:17']]);
  });
});

describe('a plan with its configuration', () => {
  // The repository is created by the same plan, so image_uri is unknown there: only the
  // configuration says which tag, and it must be read with the values the plan was made with.
  const config = [
    'variable "tag" {\n  default = "v1"\n}',
    'resource "aws_ecr_repository" "api" {\n  name                 = "api"\n  image_tag_mutability = "IMMUTABLE"\n}',
    'resource "aws_lambda_function" "fn" {\n  function_name = "fn"\n  image_uri     = "${aws_ecr_repository.api.repository_url}:${var.tag}"\n}',
    '',
  ].join('\n');
  const change = (type: string, name: string, after: object, unknown: object) => ({
    address: `${type}.${name}`,
    mode: 'managed',
    type,
    name,
    change: { actions: ['create'], before: null, after, after_unknown: unknown },
  });
  const plan = (tag: string) =>
    JSON.stringify(
      {
        format_version: '1.2',
        variables: { tag: { value: tag } },
        resource_changes: [
          change('aws_ecr_repository', 'api', { name: 'api', image_tag_mutability: 'IMMUTABLE' }, { repository_url: true }),
          change('aws_lambda_function', 'fn', { function_name: 'fn' }, { image_uri: true }),
        ],
      },
      null,
      2,
    );

  test("is evaluated with the plan's variable values, not the defaults: latest is an error at the plan's value", async () => {
    const dir = tree({ 'main.tf': config, 'plan.json': plan('latest') });
    const result = await scanPlan(path.join(dir, 'plan.json'));
    expect(result.errors).toEqual([]);
    expect(found(result.findings).map(([id, severity, at]) => [id, severity, at?.replace(/^.*\//, '')])).toEqual([
      ['latest', 'error', 'plan.json:5:16'],
    ]);
  });

  test('the same configuration planned with a semver tag passes', async () => {
    const result = await scanPlan(path.join(tree({ 'main.tf': config, 'plan.json': plan('v1.2.3') }), 'plan.json'));
    expect(found(result.findings)).toEqual([]);
  });
});
