import { ROOT, runCli, scanFixtures } from './helpers';
import type { ScanResult } from '../src/scan/types';

// The AWS Cloud Control provider (awscc): awscc_ecr_repository and
// awscc_ecr_repository_creation_template are judged by ecr-tag-immutability, their exclusion
// filters read from the list attribute image_tag_mutability_exclusion_filters (reported at
// the attribute: a list element has no location of its own).

const HCL = 'fixtures/awscc/main.tf';
const JSON_FILE = 'fixtures/awscc/json/main.tf.json';

const EXPECTED = [
  { resource: 'awscc_ecr_repository.not_set', file: JSON_FILE, line: 4, column: 18, messageId: 'not_set', severity: 'error' },
  { resource: 'awscc_ecr_repository.filters', file: JSON_FILE, line: 10, column: 51, messageId: 'filter_type_case', severity: 'error' },
  {
    resource: 'awscc_ecr_repository_creation_template.template',
    file: JSON_FILE,
    line: 26,
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
  expect(result.summary.resources).toBe(8);
  expect(where(result.findings)).toEqual(EXPECTED);
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
