import { copyFileSync, cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, scanDir, scanFixtures, scanPlan, tempDir } from './helpers';
import type { ScanResult } from '../src/scan/types';

// The AWS Cloud Control provider (awscc): awscc_ecr_repository and
// awscc_ecr_repository_creation_template are judged by ecr-tag-immutability, their exclusion
// filters read from the list attribute image_tag_mutability_exclusion_filters (reported at
// the attribute: a list element has no location of its own).

const HCL = 'fixtures/awscc/main.tf';
const JSON_FILE = 'fixtures/awscc/json/main.tf.json';

const EXPECTED = [
  // var.mutability's default, read through "${var.mutability}".
  { resource: 'awscc_ecr_repository.from_variable', file: JSON_FILE, line: 3, column: 50, messageId: 'mutable', severity: 'error' },
  { resource: 'awscc_ecr_repository.not_set', file: JSON_FILE, line: 15, column: 18, messageId: 'not_set', severity: 'error' },
  { resource: 'awscc_ecr_repository.filters', file: JSON_FILE, line: 21, column: 51, messageId: 'filter_type_case', severity: 'error' },
  {
    resource: 'awscc_ecr_repository_creation_template.template',
    file: JSON_FILE,
    line: 37,
    column: 33,
    messageId: 'mutable',
    severity: 'error',
  },
  { resource: 'awscc_ecr_repository.not_set', file: HCL, line: 7, column: 1, messageId: 'not_set', severity: 'error' },
  { resource: 'awscc_ecr_repository.mutable', file: HCL, line: 13, column: 26, messageId: 'mutable', severity: 'error' },
  { resource: 'awscc_ecr_repository.filters', file: HCL, line: 19, column: 44, messageId: 'filter_not_allowed', severity: 'error' },
  {
    resource: 'awscc_ecr_repository_creation_template.template',
    file: HCL,
    line: 34,
    column: 26,
    messageId: 'mutable_with_exclusion',
    severity: 'error',
  },
];

function where(findings: Pick<ScanResult['findings'][number], 'resource' | 'file' | 'line' | 'column' | 'messageId' | 'severity'>[]) {
  return findings.map((f) => ({
    resource: f.resource,
    file: f.file,
    line: f.line,
    column: f.column,
    messageId: f.messageId,
    severity: f.severity,
  }));
}

test('awscc: HCL and Terraform JSON findings, at the value, the filters attribute or the block', async () => {
  const result = await scanFixtures(['awscc']);
  expect(result.errors).toEqual([]);
  expect(result.summary.resources).toBe(10);
  expect(where(result.findings)).toEqual(EXPECTED);
  expect(result.findings[0].trace).toEqual([{ file: JSON_FILE, line: 13, column: 33, note: 'var.mutability' }]);
  const filters = result.findings.find((f) => f.messageId === 'filter_not_allowed');
  expect(filters?.message).toBe('exclusion filter "dev-*" leaves the tags it matches mutable; allowed mutable tags: "latest"');
  const wildcard = result.findings.find((f) => f.messageId === 'filter_type_case');
  expect(wildcard?.message).toBe(
    'exclusion filter "latest": filter_type "Wildcard" is not a valid value: values are case-sensitive; did you mean WILDCARD?',
  );
});

test('awscc: tagguard scan of a directory finds the awscc resources (pre-search and relevance)', async () => {
  const { code, json } = await runCli(['scan', 'fixtures/awscc', '--format', 'json'], ROOT);
  expect(code).toBe(1);
  expect(where(json().findings)).toEqual(EXPECTED);
});

describe('awscc: where a MUTABLE comes from', () => {
  const INPUTS = 'fixtures/awscc-inputs';

  test('a local module called twice, for_each over a map, a variable default and tfvars: each at the value it reads', async () => {
    const result = await scanFixtures(['awscc-inputs']);
    expect(result.errors).toEqual([]);
    // api (the module's IMMUTABLE default), team["payments"] and the four findings' resources.
    expect(result.summary.resources).toBe(6);
    expect(where(result.findings)).toEqual([
      {
        resource: 'module.sandbox.awscc_ecr_repository.this',
        file: `${INPUTS}/main.tf`,
        line: 10,
        column: 26,
        messageId: 'mutable',
        severity: 'error',
      },
      {
        resource: 'awscc_ecr_repository.team["search"]',
        file: `${INPUTS}/main.tf`,
        line: 17,
        column: 31,
        messageId: 'mutable',
        severity: 'error',
      },
      {
        resource: 'awscc_ecr_repository.ci',
        file: `${INPUTS}/terraform.tfvars`,
        line: 1,
        column: 17,
        messageId: 'mutable',
        severity: 'error',
      },
      {
        resource: 'awscc_ecr_repository_creation_template.cache',
        file: `${INPUTS}/variables.tf`,
        line: 8,
        column: 13,
        messageId: 'mutable',
        severity: 'error',
      },
    ]);
    expect(result.findings[0].trace).toEqual([
      { file: `${INPUTS}/modules/repository/main.tf`, line: 12, column: 26, note: 'var.image_tag_mutability' },
      { file: `${INPUTS}/main.tf`, line: 10, column: 3, note: 'module.sandbox argument image_tag_mutability' },
    ]);
  });

  test('--fix: IMMUTABLE at the module argument, the tfvars value and the variable default; the for_each resource gets its own value', async () => {
    const dir = tempDir('awscc-inputs');
    cpSync(path.join(ROOT, INPUTS), dir, { recursive: true });
    const original = (file: string) => readFileSync(path.join(ROOT, INPUTS, file), 'utf8');
    const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
    const { code } = await runCli(['fix', '.'], dir);
    expect(code).toBe(0);
    expect(read('terraform.tfvars')).toBe('ci_mutability = "IMMUTABLE"\n');
    expect(read('variables.tf')).toBe(original('variables.tf').replace('default = "MUTABLE"', 'default = "IMMUTABLE"'));
    expect(read('main.tf')).toBe(
      original('main.tf')
        .replace('  image_tag_mutability = "MUTABLE"\n}', '  image_tag_mutability = "IMMUTABLE"\n}')
        .replace('image_tag_mutability = each.value.mutability', 'image_tag_mutability = "IMMUTABLE"'),
    );
    expect(read('modules/repository/main.tf')).toBe(original('modules/repository/main.tf'));
    expect((await scanDir(dir)).findings).toEqual([]);
  });

  test('a plan: the MUTABLE repository at its value in plan.json; the IMMUTABLE one passes', async () => {
    const dir = tempDir('awscc-plan');
    copyFileSync(path.join(ROOT, 'fixtures/awscc-plan/plan.json'), path.join(dir, 'plan.json'));
    const result = await scanDir(dir, { plan: 'plan.json' });
    expect(result.errors).toEqual([]);
    expect(result.summary.resources).toBe(2);
    expect(where(result.findings)).toEqual([
      { resource: 'awscc_ecr_repository.legacy', file: 'plan.json', line: 83, column: 35, messageId: 'mutable', severity: 'error' },
    ]);
    expect(readFileSync(path.join(dir, 'plan.json'), 'utf8').split('\n')[82]).toBe('          "image_tag_mutability": "MUTABLE"');
  });

  test('a plan with the configuration it was made from: the finding points at the MUTABLE in main.tf', async () => {
    const result = await scanPlan('fixtures/awscc-plan/plan.json', { paths: ['.'] });
    expect(result.errors).toEqual([]);
    expect(result.summary.resources).toBe(2);
    expect(where(result.findings)).toEqual([
      {
        resource: 'awscc_ecr_repository.legacy',
        file: 'fixtures/awscc-plan/main.tf',
        line: 24,
        column: 26,
        messageId: 'mutable',
        severity: 'error',
      },
    ]);
  });
});
