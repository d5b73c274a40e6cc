import { ROOT, runCli, scanFixtures } from './helpers';

// gar-tag-immutability on a directory scan: every finding, exactly.
const RULE = 'gar-tag-immutability';

const found = (result: Awaited<ReturnType<typeof scanFixtures>>) =>
  result.findings
    .filter((f) => f.ruleId === RULE)
    .map((f) => ({ file: f.file, line: f.line, column: f.column, severity: f.severity, messageId: f.messageId, resource: f.resource }));

describe('gar-tag-immutability', () => {
  test('a directory of HCL', async () => {
    const result = await scanFixtures(['gar']);
    expect(result.errors).toEqual([]);
    expect(result.summary.resources).toBe(5);
    expect(found(result)).toEqual([
      {
        file: 'fixtures/gar/main.tf',
        line: 18,
        column: 1,
        severity: 'error',
        messageId: 'no_docker_config',
        resource: 'google_artifact_registry_repository.web',
      },
      {
        file: 'fixtures/gar/main.tf',
        line: 30,
        column: 3,
        severity: 'error',
        messageId: 'immutable_tags_disabled',
        resource: 'google_artifact_registry_repository.jobs',
      },
    ]);
    expect(result.findings.filter((f) => f.ruleId === RULE).every((f) => f.message.includes('latest'))).toBe(true);
  });

  test('a directory of Terraform JSON', async () => {
    const result = await scanFixtures(['gar-json']);
    expect(result.errors).toEqual([]);
    expect(result.summary.resources).toBe(4);
    expect(found(result)).toEqual([
      {
        file: 'fixtures/gar-json/main.tf.json',
        line: 10,
        column: 14,
        severity: 'error',
        messageId: 'no_docker_config',
        resource: 'google_artifact_registry_repository.web',
      },
      {
        file: 'fixtures/gar-json/main.tf.json',
        line: 19,
        column: 27,
        severity: 'error',
        messageId: 'immutable_tags_disabled',
        resource: 'google_artifact_registry_repository.jobs',
      },
    ]);
  });

  test('tagguard policies lists the rule', async () => {
    const r = await runCli(['policies'], ROOT);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^gar-tag-immutability\s+error\s+built-in\s+Artifact Registry Docker tags must be immutable$/m);
  });

  test('tagguard explain says latest is covered', async () => {
    const r = await runCli(['explain', RULE], ROOT);
    expect(r.code).toBe(0);
    expect(r.out).toContain('latest included');
  });
});
