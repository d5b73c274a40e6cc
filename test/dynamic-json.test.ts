import { cpSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTerraformJson } from '../src/parse/json';
import { SourceFile } from '../src/parse/source';
import { places, ROOT, runCli, scanDir, scanFixtures, tempDir, tree } from './helpers';

// issue 12 item 4: "dynamic" blocks in Terraform JSON expand as in HCL, and --fix never leaves a
// resource whose image_tag_mutability disagrees with the filters a dynamic block makes.
describe('dynamic blocks in Terraform JSON', () => {
  test('expanded over their for_each: object and list forms, "iterator" as a string, "content" as an object or a list of one', async () => {
    const result = await scanFixtures(['dynamic-filter-json']);
    const file = 'fixtures/dynamic-filter-json/main.tf.json';
    expect(result.errors).toEqual([]);
    // docs allows only "latest"; preview's "pr-*" comes from the variable default; nightly's from its for_each map.
    expect(places(result)).toEqual([
      { file, line: 5, column: 29, severity: 'error', resource: 'aws_ecr_repository.preview' },
      { file, line: 45, column: 40, severity: 'error', resource: 'aws_ecr_repository.nightly' },
    ]);
    expect(result.findings[0].message).toBe('exclusion filter "pr-*" leaves the tags it matches mutable; allowed mutable tags: "latest"');
    expect(result.findings[0].trace).toEqual([{ file, line: 15, column: 25, note: 'var.mutable_tags' }]);
    expect(result.findings[1].message).toMatch(/^exclusion filter "nightly-\*" leaves the tags it matches mutable/);
  });

  test('the same verdicts as the HCL form of the same configuration', async () => {
    const hcl = await scanFixtures(['dynamic-filter']);
    const json = await scanFixtures(['dynamic-filter-json']);
    const verdicts = (r: typeof hcl) =>
      r.findings.filter((f) => f.resource !== 'aws_ecr_repository.nightly').map((f) => [f.resource, f.severity, f.message]);
    expect(verdicts(json)).toEqual(verdicts(hcl));
  });

  test("a for_each that is not a collection is an input error at the for_each (HCL dynblock's wording)", async () => {
    const text = JSON.stringify({
      resource: {
        aws_ecr_repository: {
          r: {
            image_tag_mutability: 'IMMUTABLE_WITH_EXCLUSION',
            dynamic: {
              image_tag_mutability_exclusion_filter: {
                for_each: 'latest',
                content: { filter: '${image_tag_mutability_exclusion_filter.value}', filter_type: 'WILDCARD' },
              },
            },
          },
        },
      },
    });
    const dir = tree({ 'main.tf.json': text });
    const { code, json } = await runCli(['scan', '--format', 'json'], dir);
    expect(json().errors).toEqual([
      {
        file: 'main.tf.json',
        line: 1,
        column: text.indexOf('"latest"') + 1,
        message: 'Invalid dynamic for_each value: Cannot use a string value in for_each. An iterable collection is required.',
      },
    ]);
    expect(json().findings.map((f: { severity: string; message: string }) => [f.severity, f.message])).toEqual([
      ['warning', expect.stringMatching(/the for_each of dynamic "image_tag_mutability_exclusion_filter" is invalid/)],
    ]);
    expect(code).toBe(2);
  });
});

describe('tagguard fix with dynamic exclusion filters', () => {
  const NEEDS_A_PERSON = 'the exclusion filters come from a dynamic block or an expression: change them together with image_tag_mutability';

  test('Terraform JSON: the plain MUTABLE is fixed, resources with dynamic filters are left to a person, and the file stays valid', async () => {
    const dir = tempDir('dynamic-fix');
    mkdirSync(path.join(dir, '.git'));
    cpSync(path.join(ROOT, 'fixtures/dynamic-filter-json-fix'), dir, { recursive: true });
    const before = readFileSync(path.join(dir, 'main.tf.json'), 'utf8');
    const fix = await runCli(['fix'], dir);
    const after = readFileSync(path.join(dir, 'main.tf.json'), 'utf8');
    // One value changed, every other byte as it was.
    expect(after).toBe(before.replace('"image_tag_mutability": "MUTABLE"', '"image_tag_mutability": "IMMUTABLE"'));
    expect(() => JSON.parse(after) as unknown).not.toThrow();
    expect((await parseTerraformJson(new SourceFile('main.tf.json', after))).ok).toBe(true);
    expect(fix.err).toBe(
      [
        `tagguard: needs a person: main.tf.json:13:36 aws_ecr_repository.preview: ${NEEDS_A_PERSON}`,
        `tagguard: needs a person: main.tf.json:21:33 aws_ecr_repository.legacy: ${NEEDS_A_PERSON}`,
        'tagguard: fixed main.tf.json',
        '',
      ].join('\n'),
    );
    // docs (dynamic "latest" only) passes and was never touched; preview and legacy still fail.
    const second = await runCli(['scan', '--format', 'json'], dir);
    expect(
      second
        .json()
        .findings.map((f: { resource: string; file: string; line: number; column: number }) => [f.resource, f.file, f.line, f.column]),
    ).toEqual([
      ['aws_ecr_repository.preview', 'main.tf.json', 13, 36],
      ['aws_ecr_repository.legacy', 'main.tf.json', 21, 33],
    ]);
    expect(second.code).toBe(1);
    const again = await runCli(['fix'], dir);
    expect(readFileSync(path.join(dir, 'main.tf.json'), 'utf8')).toBe(after);
    expect(again.err).not.toMatch(/fixed/);
  });

  test('HCL: MUTABLE with a dynamic filter block is left to a person too, not turned into IMMUTABLE with filters', async () => {
    const text = [
      'resource "aws_ecr_repository" "a" {',
      '  image_tag_mutability = "MUTABLE"',
      '',
      '  dynamic "image_tag_mutability_exclusion_filter" {',
      '    for_each = ["latest"]',
      '    content {',
      '      filter      = image_tag_mutability_exclusion_filter.value',
      '      filter_type = "WILDCARD"',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    const dir = tree({ 'main.tf': text }, { repository: true });
    const fix = await runCli(['fix'], dir);
    expect(readFileSync(path.join(dir, 'main.tf'), 'utf8')).toBe(text);
    // Both findings, the value and the filter the provider refuses under MUTABLE, wait for the same person.
    expect(fix.err).toBe(
      `tagguard: needs a person: main.tf:2:26 aws_ecr_repository.a: ${NEEDS_A_PERSON}\ntagguard: needs a person: main.tf:5:17 aws_ecr_repository.a: ${NEEDS_A_PERSON}\n`,
    );
    expect(fix.code).toBe(1);
  });
});

describe('a key written twice in Terraform JSON', () => {
  const filters = (tag: string) =>
    `"dynamic": {"image_tag_mutability_exclusion_filter": {"for_each": ["${tag}"], "content": {"filter": "\${image_tag_mutability_exclusion_filter.value}", "filter_type": "WILDCARD"}}}`;

  test('two "dynamic" keys, or two static block keys, are two sets of blocks, as HCL reads them', async () => {
    const dynamic = `{"resource": {"aws_ecr_repository": {"a": {"name": "a", "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",\n ${filters('prod-*')},\n ${filters('latest')}}}}}\n`;
    const result = await scanFixturesIn({ 'main.tf.json': dynamic });
    expect(result.findings.map((f) => [f.line, f.message.slice(0, 26)])).toEqual([[2, 'exclusion filter "prod-*" ']]);
    const twice = `{"resource": {"aws_ecr_repository": {"a": {"name": "a", "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",\n "image_tag_mutability_exclusion_filter": {"filter": "prod-*", "filter_type": "WILDCARD"},\n "image_tag_mutability_exclusion_filter": {"filter": "latest", "filter_type": "WILDCARD"}}}}}\n`;
    const both = await scanFixturesIn({ 'main.tf.json': twice });
    expect(both.findings.map((f) => [f.line, f.column, f.message.slice(0, 26)])).toEqual([[2, 43, 'exclusion filter "prod-*" ']]);
  });

  test('an argument written twice is an input error, as Terraform\'s "Duplicate argument"', async () => {
    const { code, json } = await runCli(
      ['scan', '--format', 'json', '.'],
      tree({
        'main.tf.json':
          '{"resource": {"aws_ecr_repository": {"a": {"name": "a",\n "image_tag_mutability": "MUTABLE",\n "image_tag_mutability": "IMMUTABLE"}}}}\n',
      }),
    );
    expect(code).toBe(2);
    expect(json().errors).toEqual([
      {
        file: 'main.tf.json',
        line: 3,
        column: 2,
        message:
          'Duplicate argument: The argument "image_tag_mutability" was already set at main.tf.json:2,2. Each argument may be set only once.',
      },
    ]);
  });
});

function scanFixturesIn(files: Record<string, string>) {
  return scanDir(tree(files));
}
