import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { create } from 'xmlbuilder2';
import { formatGithub } from '../src/report/github';
import { formatGitlab, type GitlabIssue } from '../src/report/gitlab';
import { formatJunit } from '../src/report/junit';
import { DEFAULT_TAGS, formatSarif } from '../src/report/sarif';
import type { RuleDescriptor } from '../src/policy/engine';
import { ROOT, type SarifLog, scanFixtures } from './helpers';

// The official SARIF 2.1.0 schema, as @microsoft/sarif-multitool ships it.
const schema = JSON.parse(
  readFileSync(path.join(ROOT, 'node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json'), 'utf8'),
) as object;
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
const validateSarif = ajv.compile(schema);

describe('SARIF', () => {
  test('is valid SARIF 2.1.0 with rule descriptors, locations, traces and input errors', async () => {
    const result = await scanFixtures(['variable-and-local', 'syntax-error']);
    const sarif = JSON.parse(formatSarif(result, result.rules, '0.1.0')) as SarifLog;
    expect(validateSarif(sarif)).toBe(true);
    expect(validateSarif.errors ?? []).toEqual([]);
    const run = sarif.runs[0];
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual([
      'acr-tag-immutability',
      'ecr-tag-immutability',
      'gar-tag-immutability',
      'harbor-tag-immutability',
      'image-reference-immutable',
      'msr-tag-immutability',
    ]);
    expect(run.tool.driver.rules[1]).toMatchObject({
      id: 'ecr-tag-immutability',
      shortDescription: { text: 'ECR image tags must be immutable' },
      defaultConfiguration: { level: 'error' },
    });
    expect(run.tool.driver.rules[1].helpUri).toMatch(/^https:\/\//);
    expect(run.tool.driver.rules[5]).toMatchObject({ id: 'msr-tag-immutability', defaultConfiguration: { level: 'note' } });
    const byUri = Object.fromEntries(run.results.map((r) => [r.locations[0].physicalLocation.artifactLocation.uri, r]));
    expect(byUri['fixtures/variable-and-local/variables.tf']).toMatchObject({
      ruleId: 'ecr-tag-immutability',
      level: 'error',
      locations: [
        {
          physicalLocation: { region: { startLine: 9, startColumn: 17, endLine: 9, endColumn: 26 } },
          logicalLocations: [{ fullyQualifiedName: 'aws_ecr_repository.service', kind: 'resource' }],
        },
      ],
      relatedLocations: [
        {
          physicalLocation: { artifactLocation: { uri: 'fixtures/variable-and-local/main.tf' }, region: { startLine: 8, startColumn: 26 } },
          message: { text: 'var.tag_mutability' },
        },
      ],
    });
    expect(run.invocations[0].executionSuccessful).toBe(false);
    expect(run.invocations[0].toolExecutionNotifications[0].locations[0].physicalLocation.region).toEqual({ startLine: 6, startColumn: 5 });
  });

  test('fingerprints do not change when lines move', async () => {
    const result = await scanFixtures(['mutable']);
    const moved = { ...result, findings: result.findings.map((f) => ({ ...f, line: f.line + 10, endLine: f.endLine + 10 })) };
    const print = (r: typeof result) =>
      (JSON.parse(formatSarif(r, r.rules, '0.1.0')) as SarifLog).runs[0].results.map((x) => x.partialFingerprints);
    expect(print(moved)).toEqual(print(result));
    const renamed = { ...result, findings: result.findings.map((f) => ({ ...f, resource: 'aws_ecr_repository.other' })) };
    expect(print(renamed)).not.toEqual(print(result));
  });

  test('suppressed findings are marked with their justification', async () => {
    const result = await scanFixtures(['suppressions']);
    const sarif = JSON.parse(formatSarif(result, result.rules, '0.1.0')) as SarifLog;
    expect(validateSarif(sarif)).toBe(true);
    const mirror = sarif.runs[0].results.find(
      (r) => r.locations[0].logicalLocations?.[0]?.fullyQualifiedName === 'aws_ecr_repository.mirror',
    );
    expect(mirror?.suppressions).toEqual([{ kind: 'inSource', justification: 'mirror of an upstream registry that re-tags' }]);
  });
});

describe('fingerprints', () => {
  test('two findings on one resource get distinct fingerprints that still ignore lines', async () => {
    const result = await scanFixtures(['immutable-with-exclusion'], { allowedMutableTags: [] });
    const preview = result.findings.filter((f) => f.resource === 'aws_ecr_repository.preview');
    expect(preview.length).toBe(2);
    const prints = (r: typeof result) =>
      (JSON.parse(formatSarif(r)) as SarifLog).runs[0].results.map((x) => x.partialFingerprints['tagguard/v1']);
    const sarif = prints(result);
    expect(new Set(sarif).size).toBe(sarif.length);
    const gitlab = (JSON.parse(formatGitlab(result)) as { fingerprint: string }[]).map((i) => i.fingerprint);
    expect(new Set(gitlab).size).toBe(gitlab.length);
    const moved = { ...result, findings: result.findings.map((f) => ({ ...f, line: f.line + 3, endLine: f.endLine + 3 })) };
    expect(prints(moved)).toEqual(sarif);
  });
});

describe('GitHub annotations', () => {
  test('one workflow command per finding and input error, escaped as GitHub requires', async () => {
    const result = await scanFixtures(['mutable', 'unknown', 'syntax-error']);
    const lines = formatGithub(result).trim().split('\n');
    // In the message only %, CR and LF are escaped; in properties also : and ,.
    expect(lines[0]).toBe(
      '::error file=fixtures/mutable/main.tf,line=3,col=26,endLine=3,endColumn=35,title=ecr-tag-immutability%3A aws_ecr_repository.frontend::image_tag_mutability is MUTABLE: a push can move any tag to a new image; set it to IMMUTABLE',
    );
    expect(lines.some((l) => l.startsWith('::warning file=fixtures/unknown/main.tf,line=7,col=26'))).toBe(true);
    expect(lines.at(-1)).toMatch(
      /^::error file=fixtures\/syntax-error\/broken.tf,line=6,col=5,title=tagguard::attribute "scan_on_push" has no value/,
    );
    const tricky = { ...result, errors: [], findings: [{ ...result.findings[0], file: 'a,b:c.tf', message: 'x%y\nz' }] };
    expect(formatGithub(tricky)).toBe(
      `::error file=a%2Cb%3Ac.tf,line=3,col=26,endLine=3,endColumn=35,title=ecr-tag-immutability%3A aws_ecr_repository.frontend::x%25y%0Az\n`,
    );
  });
});

describe('GitLab code quality', () => {
  test('issues with severity, location and stable fingerprints', async () => {
    const result = await scanFixtures(['mutable', 'unknown']);
    const issues = JSON.parse(formatGitlab(result)) as GitlabIssue[];
    expect(issues.map((i) => [i.check_name, i.severity, i.location])).toEqual([
      ['ecr-tag-immutability', 'major', { path: 'fixtures/mutable/main.tf', lines: { begin: 3 } }],
      ['ecr-tag-immutability', 'minor', { path: 'fixtures/unknown/main.tf', lines: { begin: 7 } }],
    ]);
    expect(issues[0].fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(issues[0].fingerprint).not.toBe(issues[1].fingerprint);
  });
});

describe('JUnit', () => {
  test('well-formed XML: a suite per root, failures for errors, an input suite for parse errors', async () => {
    const result = await scanFixtures(['mutable', 'unknown', 'syntax-error']);
    const xml = formatJunit(result);
    const doc = create(xml).end({ format: 'object' }) as {
      testsuites: { testsuite: { '@name': string; '@failures'?: string; testcase: unknown }[] };
    };
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s) => s['@name'])).toEqual(['fixtures/mutable', 'fixtures/syntax-error', 'fixtures/unknown', 'input']);
    expect(xml).toContain(
      '<failure message="image_tag_mutability is MUTABLE: a push can move any tag to a new image; set it to IMMUTABLE" type="ecr-tag-immutability">',
    );
    expect(xml).toMatch(
      /<testsuite name="input" tests="1" errors="1">\s*<testcase name="fixtures\/syntax-error\/broken.tf:6:5" classname="input">\s*<error message="attribute &quot;scan_on_push&quot; has no value/,
    );
  });
});

describe('rule descriptors come from METADATA', () => {
  /** A test-only rule that declares nothing beyond what a descriptor must have. */
  const BARE: RuleDescriptor = { id: 'bare-rule', title: '', description: '', severity: 'warning', links: [], source: 'bare.wasm' };

  test('SARIF tags are the rule’s custom.tags', async () => {
    const result = await scanFixtures(['mutable']);
    const sarif = JSON.parse(formatSarif(result, result.rules, '0.1.0')) as SarifLog;
    expect(sarif.runs[0].tool.driver.rules[0].properties?.tags).toEqual(['security', 'containers', 'terraform', 'iac']);
  });

  test('a rule without the optional fields still reports: valid SARIF with default tags, JUnit without help', async () => {
    const result = await scanFixtures(['mutable']);
    const findings = result.findings.map((f) => ({ ...f, ruleId: BARE.id, severity: 'warning' as const }));
    const bare = { ...result, findings, rules: [BARE] };
    const sarif = JSON.parse(formatSarif(bare, bare.rules, '0.1.0')) as SarifLog;
    expect(validateSarif(sarif)).toBe(true);
    expect(sarif.runs[0].tool.driver.rules).toEqual([
      {
        id: 'bare-rule',
        name: 'BareRule',
        shortDescription: { text: 'bare-rule' },
        fullDescription: { text: 'bare-rule' },
        help: { text: 'bare-rule', markdown: 'bare-rule' },
        defaultConfiguration: { level: 'warning' },
        properties: { tags: [...DEFAULT_TAGS], source: 'bare.wasm' },
      },
    ]);
    const xml = formatJunit(bare);
    expect(xml).toContain('classname="bare-rule"');
    expect(xml).toContain(
      '<system-out>warning: fixtures/mutable/main.tf:3:26  aws_ecr_repository.frontend\nimage_tag_mutability is MUTABLE',
    );
  });

  test('tags a custom descriptor gets wrong are dropped, never copied into SARIF', async () => {
    const result = await scanFixtures(['mutable']);
    const odd = { ...BARE, tags: ['x', 7, 'x', ''] as unknown as string[] };
    const sarif = JSON.parse(formatSarif({ ...result, findings: [] }, [odd], '0.1.0')) as SarifLog;
    expect(sarif.runs[0].tool.driver.rules[0].properties?.tags).toEqual(['x']);
    expect(validateSarif(sarif)).toBe(true);
  });
  test('a severity a custom descriptor names wrongly (constructor, toString) is a warning level, valid SARIF', async () => {
    const result = await scanFixtures(['mutable']);
    for (const severity of ['constructor', 'toString', 'critical']) {
      const odd = { ...BARE, severity } as unknown as RuleDescriptor;
      const sarif = JSON.parse(formatSarif({ ...result, findings: [] }, [odd], '0.1.0')) as SarifLog;
      expect(sarif.runs[0].tool.driver.rules[0].defaultConfiguration).toEqual({ level: 'warning' });
      expect(validateSarif(sarif)).toBe(true);
    }
  });
});
