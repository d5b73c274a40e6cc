import { defined, matching, places, ROOT, runCli, scanFixtures, type SarifLog } from './helpers';

// design.md: the verdict table of ecr-tag-immutability, one row per case, with the
// exact place each finding is reported.
describe('ecr-tag-immutability verdicts', () => {
  test.each([
    ['immutable', []],
    [
      'not-set',
      [
        {
          file: 'fixtures/not-set/main.tf',
          line: 2,
          column: 1,
          severity: 'error',
          resource: 'aws_ecr_repository.worker',
          messageId: 'not_set',
          message: /is not set/,
        },
      ],
    ],
    [
      'mutable',
      [
        {
          file: 'fixtures/mutable/main.tf',
          line: 3,
          column: 26,
          severity: 'error',
          resource: 'aws_ecr_repository.frontend',
          messageId: 'mutable',
          message: /is MUTABLE/,
        },
      ],
    ],
    [
      'mutable-with-exclusion',
      [
        {
          file: 'fixtures/mutable-with-exclusion/main.tf',
          line: 3,
          column: 26,
          severity: 'error',
          resource: 'aws_ecr_repository.batch',
          messageId: 'mutable_with_exclusion',
          message: /MUTABLE_WITH_EXCLUSION/,
        },
      ],
    ],
    [
      'immutable-with-exclusion',
      [
        {
          file: 'fixtures/immutable-with-exclusion/main.tf',
          line: 22,
          column: 3,
          severity: 'error',
          resource: 'aws_ecr_repository.preview',
          messageId: 'filter_not_allowed',
          message: /"dev-\*"/,
        },
      ],
    ],
    [
      'exclusion-without-filter',
      [
        {
          file: 'fixtures/exclusion-without-filter/main.tf',
          line: 3,
          column: 26,
          severity: 'error',
          resource: 'aws_ecr_repository.reports',
          messageId: 'no_filter',
          message: /at least one/,
        },
      ],
    ],
    [
      'invalid-value',
      [
        {
          file: 'fixtures/invalid-value/main.tf',
          line: 3,
          column: 26,
          severity: 'error',
          resource: 'aws_ecr_repository.auth',
          messageId: 'invalid_value_case',
          message: /"immutable" is not a valid value/,
        },
      ],
    ],
    [
      'unknown',
      [
        {
          file: 'fixtures/unknown/main.tf',
          line: 7,
          column: 26,
          severity: 'warning',
          resource: 'aws_ecr_repository.ingest',
          messageId: 'unknown',
          message: /data sources/,
        },
      ],
    ],
    [
      'creation-template',
      [
        {
          file: 'fixtures/creation-template/main.tf',
          line: 7,
          column: 1,
          severity: 'error',
          resource: 'aws_ecr_repository_creation_template.dockerhub',
          messageId: 'not_set',
          message: /is not set/,
        },
      ],
    ],
  ])('%s', async (fixture, expected) => {
    const result = await scanFixtures([fixture]);
    expect(result.errors).toEqual([]);
    expect(places(result)).toEqual(expected.map(({ message: _, messageId: __, ...place }) => place));
    expect(result.findings.map((f) => f.messageId)).toEqual(expected.map((e) => e.messageId));
    result.findings.forEach((f, i) => {
      expect(f.message).toMatch(expected[i].message);
    });
    expect(result.findings.every((f) => f.ruleId === 'ecr-tag-immutability')).toBe(true);
  });

  test('a finding on a whole block spans the block', async () => {
    const [f] = (await scanFixtures(['not-set'])).findings;
    expect(f).toMatchObject({ line: 2, column: 1, endLine: 8, endColumn: 2 });
  });

  test('a literal value is reported at the literal, quotes included', async () => {
    const [f] = (await scanFixtures(['mutable'])).findings;
    expect(f).toMatchObject({ line: 3, column: 26, endLine: 3, endColumn: 35 });
  });

  test('--allow-mutable-tag widens what IMMUTABLE_WITH_EXCLUSION may leave mutable', async () => {
    const allowed = await scanFixtures(['immutable-with-exclusion'], { allowedMutableTags: ['latest', 'dev-*'] });
    expect(allowed.findings).toEqual([]);
    const onlyDev = await scanFixtures(['immutable-with-exclusion'], { allowedMutableTags: ['dev-*'] });
    expect(onlyDev.findings.map((f) => f.message)).toEqual([expect.stringMatching(/"latest"/), expect.stringMatching(/"latest"/)]);
    expect(onlyDev.findings.map((f) => f.resource)).toEqual(['aws_ecr_repository.web', 'aws_ecr_repository.preview']);
    expect(onlyDev.findings.map((f) => f.messageId)).toEqual(['filter_not_allowed', 'filter_not_allowed']);
  });

  test.each([
    ['error', 'error', 1],
    ['warn', 'warning', 1],
    ['ignore', undefined, 0],
  ] as const)('--unknown %s', async (mode, severity, count) => {
    const result = await scanFixtures(['unknown'], { unknown: mode });
    expect(result.findings).toHaveLength(count);
    if (severity) expect(result.findings[0]).toMatchObject({ severity, messageId: 'unknown' });
  });

  test('a variable default is the origin, and the trace leads there from the resource', async () => {
    const result = await scanFixtures(['variable-and-local']);
    expect(places(result)).toEqual([
      { file: 'fixtures/variable-and-local/variables.tf', line: 9, column: 17, severity: 'error', resource: 'aws_ecr_repository.service' },
    ]);
    expect(result.findings[0].trace).toEqual([
      { file: 'fixtures/variable-and-local/main.tf', line: 8, column: 26, note: 'var.tag_mutability' },
    ]);
    // aws_ecr_repository.jobs takes IMMUTABLE from a local and passes.
    expect(result.summary.resources).toBe(2);
  });

  test('Terraform JSON: a template reference and a list of exclusion filters', async () => {
    const result = await scanFixtures(['json']);
    expect(places(result)).toEqual([
      { file: 'fixtures/json/main.tf.json', line: 5, column: 18, severity: 'error', resource: 'aws_ecr_repository.events' },
      { file: 'fixtures/json/main.tf.json', line: 19, column: 11, severity: 'error', resource: 'aws_ecr_repository.gateway' },
    ]);
    expect(result.findings[1].message).toMatch(/"nightly-\*"/);
    expect(result.findings.map((f) => f.messageId)).toEqual(['mutable', 'filter_not_allowed']);
  });

  test('.tofu files win over .tf files of the same name', async () => {
    const result = await scanFixtures(['tofu-precedence']);
    expect(result.findings).toEqual([]);
    expect(result.summary.files).toBe(2);
    expect([...result.sources.keys()].sort()).toEqual(['fixtures/tofu-precedence/extra.tofu.json', 'fixtures/tofu-precedence/main.tofu']);
  });

  test('CRLF line endings and a UTF-8 BOM do not move columns', async () => {
    const result = await scanFixtures(['crlf-bom']);
    expect(places(result)).toEqual([
      { file: 'fixtures/crlf-bom/main.tf', line: 4, column: 26, severity: 'error', resource: 'aws_ecr_repository.legacy' },
    ]);
    expect(result.findings[0]).toMatchObject({ endLine: 4, endColumn: 35 });
  });

  test('a syntax error is reported with its place and the other files are still scanned', async () => {
    const result = await scanFixtures(['syntax-error']);
    expect(result.errors).toEqual([
      { file: 'fixtures/syntax-error/broken.tf', line: 6, column: 5, message: matching(/"scan_on_push" has no value/) },
    ]);
    expect(places(result)).toEqual([
      { file: 'fixtures/syntax-error/good.tf', line: 3, column: 26, severity: 'error', resource: 'aws_ecr_repository.cron' },
    ]);
    expect(result.summary.parseErrors).toBe(1);
  });

  test('the JSON report carries messageId after message, SARIF in the result properties', async () => {
    const json = (await runCli(['scan', 'fixtures/mutable', '--format', 'json'], ROOT)).json();
    expect(Object.keys(json.findings[0]).slice(9, 12)).toEqual(['message', 'messageId', 'trace']);
    expect(json.findings[0].messageId).toBe('mutable');
    const sarif = JSON.parse((await runCli(['scan', 'fixtures/mutable', '--format', 'sarif'], ROOT)).out) as SarifLog;
    expect(defined(sarif.runs[0], 'a run').results[0]?.properties).toMatchObject({ messageId: 'mutable' });
  });
});
