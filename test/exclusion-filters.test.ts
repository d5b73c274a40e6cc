import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, scanFixtures, tree as makeTree } from './helpers';
import type { ScanResult } from '../src/scan/types';

// Exclusion filters as terraform-provider-aws validates them
// (internal/service/ecr/repository.go: MaxItems 5; filter Required, StringLenBetween(1, 128),
// ^[a-zA-Z0-9._*-]+$, at most 2 '*'; filter_type Required, WILDCARD only; CustomizeDiff
// validateImageTagMutabilityExclusionFilterUsage: filters only with *_WITH_EXCLUSION)
// and ECR's ImageTagMutabilityExclusionFilter (filter 1 to 128 characters, 1 to 5 filters).

const DIR = 'fixtures/exclusion-filters';

/** Everything a finding says, but its trace. */
function findings(result: ScanResult) {
  return result.findings.map((f) => ({
    resource: f.resource,
    severity: f.severity,
    file: f.file,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    message: f.message,
  }));
}

const notAccepted = (filter: string, mode: string) =>
  `exclusion filter "${filter}" is only accepted with IMMUTABLE_WITH_EXCLUSION or MUTABLE_WITH_EXCLUSION, but image_tag_mutability is ${mode}, so terraform plan fails: remove the filter`;

describe('exclusion filters: verdicts', () => {
  test('HCL: each filter the provider rejects is one error that names the problem', async () => {
    const result = await scanFixtures(['exclusion-filters/hcl']);
    expect(result.errors).toEqual([]);
    const file = `${DIR}/hcl/main.tf`;
    expect(findings(result)).toEqual([
      // Was: exclusion filter "latest" () leaves tags mutable; allowed mutable tags: latest
      {
        resource: 'aws_ecr_repository.api',
        severity: 'error',
        file,
        line: 19,
        column: 3,
        endLine: 21,
        endColumn: 4,
        message: 'exclusion filter "latest" has no filter_type; it is required and must be "WILDCARD"',
      },
      {
        resource: 'aws_ecr_repository.worker',
        severity: 'error',
        file,
        line: 29,
        column: 3,
        endLine: 32,
        endColumn: 4,
        message:
          'exclusion filter "latest": filter_type "wildcard" is not a valid value: values are case-sensitive; did you mean WILDCARD?',
      },
      {
        resource: 'aws_ecr_repository.cache',
        severity: 'error',
        file,
        line: 40,
        column: 3,
        endLine: 43,
        endColumn: 4,
        message: 'exclusion filter "" is empty; ECR requires 1 to 128 characters',
      },
      {
        resource: 'aws_ecr_repository.legacy',
        severity: 'error',
        file,
        line: 51,
        column: 3,
        endLine: 54,
        endColumn: 4,
        message: notAccepted('latest', 'IMMUTABLE'),
      },
      // The heredoc's trailing newline is printed escaped, and it is not blamed on case.
      {
        resource: 'aws_ecr_repository.batch',
        severity: 'error',
        file,
        line: 60,
        column: 26,
        endLine: 62,
        endColumn: 6,
        message: 'image_tag_mutability "IMMUTABLE\\n" is not a valid value: it has whitespace around it; did you mean IMMUTABLE?',
      },
      {
        resource: 'aws_ecr_repository_creation_template.mirror',
        severity: 'error',
        file,
        line: 71,
        column: 3,
        endLine: 74,
        endColumn: 4,
        message: 'exclusion filter "latest stable" has characters ECR does not accept; use only letters, digits and . _ * -',
      },
    ]);
    expect(result.summary).toMatchObject({ resources: 7, errors: 6, warnings: 0 });
  });

  test('Terraform JSON: a filter object without filter_type, a filter with 3 wildcards, a filter under MUTABLE', async () => {
    const result = await scanFixtures(['exclusion-filters/json']);
    expect(result.errors).toEqual([]);
    const file = `${DIR}/json/main.tf.json`;
    expect(findings(result)).toEqual([
      {
        resource: 'aws_ecr_repository.events',
        severity: 'error',
        file,
        line: 8,
        column: 11,
        endLine: 8,
        endColumn: 33,
        message: 'exclusion filter "latest" has no filter_type; it is required and must be "WILDCARD"',
      },
      {
        resource: 'aws_ecr_repository.events',
        severity: 'error',
        file,
        line: 9,
        column: 11,
        endLine: 9,
        endColumn: 63,
        message: 'exclusion filter "sha-*-*-*" has 3 wildcards (*); the provider accepts at most 2',
      },
      {
        resource: 'aws_ecr_repository.archive',
        severity: 'error',
        file,
        line: 14,
        column: 33,
        endLine: 14,
        endColumn: 42,
        message: 'image_tag_mutability is MUTABLE: a push can move any tag to a new image; set it to IMMUTABLE',
      },
      {
        resource: 'aws_ecr_repository.archive',
        severity: 'error',
        file,
        line: 15,
        column: 50,
        endLine: 15,
        endColumn: 99,
        message: notAccepted('latest', 'MUTABLE'),
      },
    ]);
  });

  test('inside a module: a filter from a dynamic block is reported where the caller wrote it; the sixth filter is one too many', async () => {
    const result = await scanFixtures(['exclusion-filters/module'], { allowedMutableTags: ['latest*'] });
    expect(result.errors).toEqual([]);
    const file = `${DIR}/module/main.tf`;
    expect(findings(result)).toEqual([
      {
        resource: 'module.frontend.aws_ecr_repository.this',
        severity: 'error',
        file,
        line: 5,
        column: 29,
        endLine: 5,
        endColumn: 44,
        message: 'exclusion filter "latest stable" has characters ECR does not accept; use only letters, digits and . _ * -',
      },
      {
        resource: 'module.base_images.aws_ecr_repository.this',
        severity: 'error',
        file,
        line: 13,
        column: 95,
        endLine: 13,
        endColumn: 109,
        message:
          '6 image_tag_mutability_exclusion_filter blocks, but the provider accepts at most 5 (ECR: 1 to 5 filters): this is the first one too many',
      },
    ]);
    expect(result.findings[0].trace).toEqual([
      { file: `${DIR}/module/modules/ecr/main.tf`, line: 16, column: 16, note: 'var.mutable_tags' },
      { file, line: 5, column: 3, note: 'module.frontend argument mutable_tags' },
    ]);
  });

  test('inside a module, with the default allow-list: a valid filter outside it leaves tags mutable, an invalid one is only invalid', async () => {
    const result = await scanFixtures(['exclusion-filters/module']);
    const messages = result.findings.map((f) => [f.resource, f.column, f.message]);
    expect(messages).toContainEqual([
      'module.base_images.aws_ecr_repository.this',
      29,
      'exclusion filter "latest-amd64" leaves the tags it matches mutable; allowed mutable tags: "latest"',
    ]);
    expect(messages.filter(([resource]) => resource === 'module.frontend.aws_ecr_repository.this')).toEqual([
      [
        'module.frontend.aws_ecr_repository.this',
        29,
        'exclusion filter "latest stable" has characters ECR does not accept; use only letters, digits and . _ * -',
      ],
    ]);
    expect(result.findings).toHaveLength(7);
  });

  test('the CLI exits 1 on these errors and prints the values escaped, in text and in JSON', async () => {
    const text = await runCli(['scan', `${DIR}/hcl`], ROOT);
    expect(text.code).toBe(1);
    expect(text.out).toContain('image_tag_mutability "IMMUTABLE\\n" is not a valid value');
    expect(text.out).not.toContain('()');
    const json = await runCli(['scan', `${DIR}/json`, '--format', 'json'], ROOT);
    expect(json.code).toBe(1);
    expect(json.json().summary).toMatchObject({ errors: 4, warnings: 0 });
    const module = await runCli(['scan', `${DIR}/module`, '--allow-mutable-tag', 'latest*', '--format', 'json'], ROOT);
    expect(module.code).toBe(1);
    expect(module.json().findings.map((f: { line: number; column: number }) => [f.line, f.column])).toEqual([
      [5, 29],
      [13, 95],
    ]);
  });

  test('valid filters within the limits pass and the CLI exits 0', async () => {
    const dir = makeTree({
      'main.tf': `resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"

${['latest', 'latest-*', '*-latest', 'v1.2.x', '2024_11']
  .map((f) => `  image_tag_mutability_exclusion_filter {\n    filter      = "${f}"\n    filter_type = "WILDCARD"\n  }\n`)
  .join('\n')}}
`,
    });
    const { code, json } = await runCli(
      [
        'scan',
        '--allow-mutable-tag',
        'latest*',
        '--allow-mutable-tag',
        '*-latest',
        '--allow-mutable-tag',
        'v*',
        '--allow-mutable-tag',
        '2024*',
        '--format',
        'json',
      ],
      dir,
    );
    expect(json().findings).toEqual([]);
    expect(code).toBe(0);
  });

  test.each([
    ['warn', 'warning', 0],
    ['error', 'error', 1],
    ['ignore', undefined, 0],
  ] as const)('a filter value from a data source is unknown: --unknown %s', async (mode, severity, exit) => {
    const dir = makeTree({
      'main.tf': `data "aws_ssm_parameter" "mutable_tag" {
  name = "/ecr/mutable-tag"
}

resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"

  image_tag_mutability_exclusion_filter {
    filter      = data.aws_ssm_parameter.mutable_tag.value
    filter_type = "WILDCARD"
  }
}
`,
    });
    const { code, json } = await runCli(['scan', '--unknown', mode, '--format', 'json'], dir);
    const found = json().findings.map((f: { severity: string; line: number; column: number; message: string }) => [
      f.severity,
      f.line,
      f.column,
      f.message,
    ]);
    expect(found).toEqual(
      severity
        ? [
            [
              severity,
              9,
              3,
              expect.stringMatching(
                /^image_tag_mutability_exclusion_filter cannot be known before apply \(.*data\.aws_ssm_parameter\.mutable_tag.*\); tag immutability is not proven$/,
              ),
            ],
          ]
        : [],
    );
    expect(code).toBe(exit);
  });
});

const fix = (files: Record<string, string>) => makeTree(files, { prefix: 'fix-filters', repository: true });
const read = (dir: string, rel: string) => readFileSync(path.join(dir, rel), 'utf8');

// Each case: the file before, its text after one --fix (which must scan clean, and a second --fix changes nothing).
const FIXES: [string, string, string, string, string[]?][] = [
  [
    'IMMUTABLE with a filter: the filter goes (filters fail the plan under IMMUTABLE)',
    'main.tf',
    'resource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = "IMMUTABLE"\n\n  image_tag_mutability_exclusion_filter {\n    filter      = "latest"\n    filter_type = "WILDCARD"\n  }\n}\n',
    'resource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = "IMMUTABLE"\n}\n',
  ],
  [
    'not set with a filter: IMMUTABLE comes and the filter goes',
    'main.tf',
    'resource "aws_ecr_repository" "a" {\n  name = "a"\n\n  image_tag_mutability_exclusion_filter {\n    filter      = "latest"\n    filter_type = "WILDCARD"\n  }\n}\n',
    'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE"\n  name                 = "a"\n}\n',
  ],
  [
    'MUTABLE with filters: IMMUTABLE, and every filter goes',
    'main.tf',
    'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "MUTABLE"\n\n  image_tag_mutability_exclusion_filter {\n    filter      = "latest"\n    filter_type = "WILDCARD"\n  }\n\n  image_tag_mutability_exclusion_filter {\n    filter = "dev-*"\n  }\n}\n',
    'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE"\n}\n',
  ],
  [
    'an allowed filter without filter_type gets WILDCARD; a refused one with a wrong filter_type goes',
    'main.tf',
    'resource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n\n  image_tag_mutability_exclusion_filter {\n    filter = "latest"\n  }\n\n  image_tag_mutability_exclusion_filter {\n    filter      = "dev-*"\n    filter_type = "wildcard"\n  }\n}\n',
    'resource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n\n  image_tag_mutability_exclusion_filter {\n    filter_type = "WILDCARD"\n    filter      = "latest"\n  }\n}\n',
  ],
  [
    'a wrong filter_type literal is replaced where it is written, its comment kept',
    'main.tf',
    'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n\n  image_tag_mutability_exclusion_filter {\n    filter      = "latest"\n    filter_type = "Wildcard" # the only type\n  }\n}\n',
    'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n\n  image_tag_mutability_exclusion_filter {\n    filter      = "latest"\n    filter_type = "WILDCARD" # the only type\n  }\n}\n',
  ],
  [
    '--allow-mutable-tag decides whether a filter with a wrong filter_type is kept',
    'main.tf',
    'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n\n  image_tag_mutability_exclusion_filter {\n    filter      = "dev-*"\n    filter_type = "wildcard"\n  }\n}\n',
    'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n\n  image_tag_mutability_exclusion_filter {\n    filter      = "dev-*"\n    filter_type = "WILDCARD"\n  }\n}\n',
    ['--allow-mutable-tag', 'dev-*'],
  ],
  [
    'with no allowed filter left, the value becomes IMMUTABLE',
    'main.tf',
    'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n\n  image_tag_mutability_exclusion_filter {\n    filter = "dev-*"\n  }\n}\n',
    'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE"\n}\n',
  ],
  [
    'Terraform JSON: the filter_type property added to a one-line object, a wrong one replaced',
    'main.tf.json',
    '{\n  "resource": {\n    "aws_ecr_repository": {\n      "a": {\n        "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",\n        "image_tag_mutability_exclusion_filter": [\n          { "filter": "latest" },\n          {\n            "filter": "latest-*",\n            "filter_type": "wildcard"\n          }\n        ]\n      }\n    }\n  }\n}\n',
    '{\n  "resource": {\n    "aws_ecr_repository": {\n      "a": {\n        "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",\n        "image_tag_mutability_exclusion_filter": [\n          { "filter": "latest", "filter_type": "WILDCARD" },\n          {\n            "filter": "latest-*",\n            "filter_type": "WILDCARD"\n          }\n        ]\n      }\n    }\n  }\n}\n',
    ['--allow-mutable-tag', 'latest*'],
  ],
  [
    "Terraform JSON: not set with filters: the value takes the filters' place",
    'main.tf.json',
    '{\n  "resource": {\n    "aws_ecr_repository": {\n      "a": {\n        "name": "a",\n        "image_tag_mutability_exclusion_filter": [\n          { "filter": "latest", "filter_type": "WILDCARD" }\n        ]\n      }\n    }\n  }\n}\n',
    '{\n  "resource": {\n    "aws_ecr_repository": {\n      "a": {\n        "name": "a",\n        "image_tag_mutability": "IMMUTABLE"\n      }\n    }\n  }\n}\n',
  ],
  [
    'Terraform JSON: MUTABLE with a filter object: IMMUTABLE, and the property goes',
    'main.tf.json',
    '{\n  "resource": {\n    "aws_ecr_repository": {\n      "a": {\n        "image_tag_mutability": "MUTABLE",\n        "image_tag_mutability_exclusion_filter": { "filter": "latest", "filter_type": "WILDCARD" },\n        "name": "a"\n      }\n    }\n  }\n}\n',
    '{\n  "resource": {\n    "aws_ecr_repository": {\n      "a": {\n        "image_tag_mutability": "IMMUTABLE",\n        "name": "a"\n      }\n    }\n  }\n}\n',
  ],
];

describe('exclusion filters: --fix never leaves a resource the provider rejects', () => {
  test.each(FIXES)('%s', async (_name, file, before, after, options = []) => {
    const dir = fix({ [file]: before });
    const first = await runCli(['scan', '--fix', ...options], dir);
    expect(read(dir, file)).toBe(after);
    expect(first.code).toBe(0);
    const second = await runCli(['scan', '--fix', ...options], dir);
    expect(second.err).toBe('');
    expect(read(dir, file)).toBe(after);
  });

  test.each([
    [
      'an invalid filter value: which tag was meant is for a person to say',
      'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n\n  image_tag_mutability_exclusion_filter {\n    filter      = ""\n    filter_type = "WILDCARD"\n  }\n}\n',
      'tagguard: needs a person: main.tf:4:3 aws_ecr_repository.a: exclusion filter "" is not valid (its filter is empty): correct it or remove it\n',
    ],
    [
      'six filters: which five to keep is for a person to say',
      `resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n${[1, 2, 3, 4, 5, 6].map((n) => `\n  image_tag_mutability_exclusion_filter {\n    filter      = "latest-${n}"\n    filter_type = "WILDCARD"\n  }\n`).join('')}}\n`,
      'tagguard: needs a person: main.tf:29:3 aws_ecr_repository.a: 6 exclusion filters, and the provider accepts at most 5: choose the ones to keep\n',
    ],
    [
      'filters from a dynamic block under IMMUTABLE cannot be removed one by one',
      'variable "tags" {\n  default = ["latest"]\n}\n\nresource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE"\n\n  dynamic "image_tag_mutability_exclusion_filter" {\n    for_each = var.tags\n    content {\n      filter      = image_tag_mutability_exclusion_filter.value\n      filter_type = "WILDCARD"\n    }\n  }\n}\n',
      'tagguard: needs a person: main.tf:2:14 aws_ecr_repository.a: the exclusion filters come from a dynamic block or an expression: change them together with image_tag_mutability\n',
    ],
  ])('%s', async (_name, text, message) => {
    const dir = fix({ 'main.tf': text });
    const { code, err } = await runCli(['scan', '--fix', '--allow-mutable-tag', 'latest*'], dir);
    expect(err).toBe(message);
    expect(read(dir, 'main.tf')).toBe(text);
    expect(code).toBe(1);
  });
});
