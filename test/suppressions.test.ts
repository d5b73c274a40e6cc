import { scan } from '../src/scan/run';
import { directives } from '../src/policy/suppressions';
import { DEFAULT_POLICY, defined, ROOT } from './helpers';

const run = () =>
  scan({
    paths: ['fixtures/suppressions'],
    cwd: ROOT,
    policy: DEFAULT_POLICY,
    variables: { varFiles: [], vars: [], env: {} },
    today: '2026-11-22',
  });

describe('suppression comments', () => {
  test('each syntax suppresses where it stands, and the rest still fails', async () => {
    const result = await run();
    const byResource = Object.fromEntries(
      result.findings
        .filter((f) => f.resource)
        .map((f) => [f.resource.replace('aws_ecr_repository.', ''), f.suppression?.source ?? 'open']),
    );
    expect(byResource).toEqual({
      mirror: 'tagguard',
      no_reason: 'tagguard',
      expired: 'open',
      from_checkov: 'checkov',
      from_trivy: 'trivy',
      from_tfsec: 'open',
      from_kics: 'kics',
      other_rule: 'open',
    });
    expect(result.summary).toMatchObject({ errors: 3, warnings: 1, suppressed: 5 });
  });

  test('suppressed findings keep their reason; expired ones say so', async () => {
    const result = await run();
    const find = (name: string) =>
      defined(
        result.findings.find((f) => f.resource === `aws_ecr_repository.${name}`),
        `the finding on ${name}`,
      );
    expect(find('mirror').suppression).toEqual({
      source: 'tagguard',
      reason: 'mirror of an upstream registry that re-tags',
      file: 'fixtures/suppressions/main.tf',
      line: 1,
    });
    expect(find('from_checkov').suppression).toMatchObject({
      source: 'checkov',
      reason: 'Build cache, tags are overwritten on purpose',
      line: 20,
    });
    expect(find('expired').message).toMatch(/tagguard suppression at fixtures\/suppressions\/main.tf:13 expired on 2020-06-30/);
    expect(find('from_tfsec').message).toMatch(/expired on 2021-01-01/);
  });

  test('a tagguard:ignore without a reason is itself a warning at the comment', async () => {
    const result = await run();
    const warning = defined(
      result.findings.find((f) => f.ruleId === 'suppression-comment'),
      'the suppression-comment warning',
    );
    expect(warning).toMatchObject({ severity: 'warning', file: 'fixtures/suppressions/main.tf', line: 7 });
    expect(warning.message).toMatch(/needs reason=/);
  });

  test.each([
    [
      '# tagguard:ignore ecr-tag-immutability,other reason="x y" until=2027-01-01',
      [{ source: 'tagguard', rules: ['ecr-tag-immutability', 'other'], reason: 'x y', until: '2027-01-01' }],
    ],
    ['#checkov:skip=CKV_AWS_51', [{ source: 'checkov', rules: ['CKV_AWS_51'], reason: undefined }]],
    ['// trivy:ignore:AVD-AWS-0031:exp:2026-01-01', [{ source: 'trivy', rules: ['AVD-AWS-0031'], until: '2026-01-01' }]],
    ['# a comment that mentions nothing', []],
  ])('%s', (text, expected) => {
    expect(directives({ line: 3, text }, 'main.tf')).toEqual(expected.map((e) => expect.objectContaining(e) as unknown));
  });
});
