import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ScanResult } from '../src/scan/types';
import { filesOf, placeAt, placeOf, type Place, tree, ROOT, runCli, scanDir, scanFixtures, scanPlan } from './helpers';

// acr-tag-immutability and msr-tag-immutability on directory, JSON and plan scans: every finding, exactly.
const RULE = 'acr-tag-immutability';

/** The parts of findings the tests assert. */
const found = (findings: readonly Place[]) => findings.map(placeOf);

const own = (result: ScanResult, rule = RULE) => found(result.findings.filter((f) => f.ruleId === rule));

const at = placeAt;

const HCL = 'fixtures/acr/main.tf';
const TFVARS = 'fixtures/acr/terraform.tfvars';

/** The findings of fixtures/acr with the default allow-list (latest). */
const HCL_FINDINGS = [
  at(HCL, 9, 14, 'error', 'disabled', 'alicloud_cr_ee_repo.services["worker"]'),
  at(HCL, 29, 22, 'error', 'disabled', 'alicloud_cr_ee_repo.web'),
  at(HCL, 33, 1, 'error', 'not_set', 'alicloud_cr_ee_repo.jobs'),
  at(HCL, 66, 15, 'error', 'disabled', 'module.mirror.alicloud_cr_ee_repo.this'),
  at(HCL, 70, 1, 'note', 'personal_edition', 'alicloud_cr_repo.legacy'),
  at(TFVARS, 1, 13, 'error', 'disabled', 'alicloud_cr_ee_repo.cache'),
];

describe('acr-tag-immutability', () => {
  test('a directory of HCL: a value, a missing value, tfvars, a module argument, a for_each entry, Personal Edition', async () => {
    const result = await scanFixtures(['acr']);
    expect(result.errors).toEqual([]);
    expect(result.summary).toMatchObject({ resources: 8, errors: 5, warnings: 0 });
    expect(own(result)).toEqual(HCL_FINDINGS);
    const messages = result.findings.filter((f) => f.ruleId === RULE && f.severity === 'error').map((f) => f.message);
    expect(messages.every((m) => m.includes('latest mutable'))).toBe(true);
  });

  test('an allow-list without latest: a warning at each compliant value, as --allow-mutable-tag gives it', async () => {
    const r = await runCli(['scan', 'fixtures/acr', '--allow-mutable-tag', 'v*', '--format', 'json'], ROOT);
    expect(r.code).toBe(1);
    const report = r.json();
    expect(found(report.findings.filter((f) => f.ruleId === RULE))).toEqual([
      at(HCL, 8, 14, 'warning', 'latest_always_mutable', 'alicloud_cr_ee_repo.services["api"]'),
      ...HCL_FINDINGS.slice(0, 1),
      at(HCL, 20, 22, 'warning', 'latest_always_mutable', 'alicloud_cr_ee_repo.base'),
      ...HCL_FINDINGS.slice(1),
    ]);
    expect(report.findings.find((f) => f.messageId === 'latest_always_mutable')?.message).toBe(
      'ACR cannot make latest immutable: it stays mutable with tag_immutability = true, and the allow-list (allowed_mutable_tags) does not let it through; deploy by a tag per build, never by latest',
    );
  });

  test('an allow-list whose pattern covers latest: no warning', async () => {
    const result = await scanFixtures(['acr'], { allowedMutableTags: ['lat*'] });
    expect(own(result)).toEqual(HCL_FINDINGS);
  });

  test('a directory of Terraform JSON', async () => {
    const result = await scanFixtures(['acr-json']);
    expect(result.errors).toEqual([]);
    expect(result.summary.resources).toBe(4);
    const file = 'fixtures/acr-json/main.tf.json';
    expect(own(result)).toEqual([
      at(file, 18, 29, 'error', 'disabled', 'alicloud_cr_ee_repo.web'),
      at(file, 20, 15, 'error', 'not_set', 'alicloud_cr_ee_repo.jobs'),
      at(file, 29, 17, 'note', 'personal_edition', 'alicloud_cr_repo.legacy'),
    ]);
  });

  test('a plan: values from the plan, a computed argument the configuration leaves unset is not set', async () => {
    const result = await scanPlan('fixtures/acr-plan/plan.json', { policy: { allowedMutableTags: [] } });
    expect(result.errors).toEqual([]);
    expect(result.summary).toMatchObject({ resources: 6, errors: 3, warnings: 2 });
    const file = 'fixtures/acr-plan/plan.json';
    expect(own(result)).toEqual([
      at(file, 140, 31, 'warning', 'latest_always_mutable', 'alicloud_cr_ee_repo.api'),
      at(file, 168, 31, 'error', 'disabled', 'alicloud_cr_ee_repo.web'),
      at(file, 178, 5, 'error', 'not_set', 'alicloud_cr_ee_repo.jobs'),
      at(file, 224, 31, 'error', 'disabled', 'alicloud_cr_ee_repo.cache'),
      at(file, 256, 31, 'warning', 'unknown', 'alicloud_cr_ee_repo.edge'),
      at(file, 262, 5, 'note', 'personal_edition', 'alicloud_cr_repo.legacy'),
    ]);
  });

  test('--fix on a copy: true where false is written (main.tf, tfvars, the module argument), added where missing', async () => {
    const files = filesOf('fixtures/acr');
    const dir = tree(files, { prefix: 'acr-fix', repository: true });
    const r = await runCli(['scan', '--fix', '.'], dir);
    expect(r.code).toBe(0);
    expect(r.err).toBe('tagguard: fixed main.tf\ntagguard: fixed terraform.tfvars\n');
    expect(readFileSync(path.join(dir, 'terraform.tfvars'), 'utf8')).toBe('immutable = true\n');
    expect(readFileSync(path.join(dir, 'modules/repo/main.tf'), 'utf8')).toBe(files['modules/repo/main.tf']);
    const expected = files['main.tf']
      .replace('  tag_immutability = false\n', '  tag_immutability = true\n')
      .replace(
        [
          '  instance_id = "cri-example"',
          '  namespace   = "platform"',
          '  name        = "jobs"',
          '  summary     = "batch jobs"',
          '  repo_type   = "PRIVATE"',
          '',
        ].join('\n'),
        [
          '  tag_immutability = true',
          '  instance_id      = "cri-example"',
          '  namespace        = "platform"',
          '  name             = "jobs"',
          '  summary          = "batch jobs"',
          '  repo_type        = "PRIVATE"',
          '',
        ].join('\n'),
      )
      // Every instance of the block reads each.value: the reference gives way to the value.
      .replace('  tag_immutability = each.value\n', '  tag_immutability = true\n')
      .replace('  immutable = false\n', '  immutable = true\n');
    expect(readFileSync(path.join(dir, 'main.tf'), 'utf8')).toBe(expected);
    const after = await scanDir(dir);
    expect(found(after.findings.filter((f) => f.ruleId === RULE))).toEqual([
      at('main.tf', 71, 1, 'note', 'personal_edition', 'alicloud_cr_repo.legacy'),
    ]);
  });

  test('--fix on a copy of the Terraform JSON: the false literal replaced, the property added', async () => {
    const files = filesOf('fixtures/acr-json');
    const dir = tree(files, { prefix: 'acr-fix-json', repository: true });
    const r = await runCli(['scan', '--fix', '.'], dir);
    expect([r.code, r.err]).toEqual([0, 'tagguard: fixed main.tf.json\n']);
    expect(readFileSync(path.join(dir, 'main.tf.json'), 'utf8')).toBe(
      files['main.tf.json']
        .replace('"tag_immutability": false', '"tag_immutability": true')
        .replace(
          '        "summary": "batch jobs",\n        "repo_type": "PRIVATE"\n',
          '        "summary": "batch jobs",\n        "repo_type": "PRIVATE",\n        "tag_immutability": true\n',
        ),
    );
  });

  test('--fix: a string "false" in tfvars becomes true; a value computed by an expression is left to a person', async () => {
    const repo = (name: string, value: string) =>
      [
        `resource "alicloud_cr_ee_repo" "${name}" {`,
        '  instance_id      = "cri-example"',
        '  namespace        = "platform"',
        `  name             = "${name}"`,
        '  summary          = "images"',
        '  repo_type        = "PRIVATE"',
        `  tag_immutability = ${value}`,
        '}',
        '',
      ].join('\n');
    const main = [
      'variable "immutable" {\n  type = bool\n}\n',
      'variable "mutable" {\n  type    = bool\n  default = true\n}\n',
      repo('api', 'var.immutable'),
      repo('web', '!var.mutable'),
    ].join('\n');
    const dir = tree({ 'main.tf': main, 'terraform.tfvars': 'immutable = "false"\n' }, { prefix: 'acr-fix-values', repository: true });
    const r = await runCli(['scan', '--fix', '.', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'tagguard: needs a person: main.tf:25:22 alicloud_cr_ee_repo.web: the value is computed by an expression, not written as a literal\n' +
        'tagguard: fixed terraform.tfvars\n',
    );
    expect(readFileSync(path.join(dir, 'terraform.tfvars'), 'utf8')).toBe('immutable = true\n');
    expect(readFileSync(path.join(dir, 'main.tf'), 'utf8')).toBe(main);
  });

  test('a suppression comment by rule id; --skip-rule by id', async () => {
    const dir = tree({
      'main.tf': [
        '# tagguard:ignore acr-tag-immutability reason="scratch registry, rebuilt nightly"',
        'resource "alicloud_cr_ee_repo" "scratch" {',
        '  instance_id      = "cri-example"',
        '  namespace        = "scratch"',
        '  name             = "scratch"',
        '  summary          = "scratch images"',
        '  repo_type        = "PRIVATE"',
        '  tag_immutability = false',
        '}',
        '',
      ].join('\n'),
    });
    const result = await scanDir(dir);
    expect(result.summary).toMatchObject({ errors: 0, warnings: 0, suppressed: 1 });
    expect(
      result.findings.map((f) => ({ ruleId: f.ruleId, messageId: f.messageId, line: f.line, suppression: f.suppression?.reason })),
    ).toEqual([{ ruleId: RULE, messageId: 'disabled', line: 8, suppression: 'scratch registry, rebuilt nightly' }]);
    const skipped = await runCli(['scan', 'fixtures/acr', '--skip-rule', RULE, '--format', 'json'], ROOT);
    expect(skipped.code).toBe(0);
    expect(skipped.json().findings).toEqual([]);
  });

  test('tagguard policies lists the rules; explain says ACR leaves latest mutable', async () => {
    const r = await runCli(['policies'], ROOT);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^acr-tag-immutability\s+error\s+built-in\s+Alibaba Cloud Container Registry tags must be immutable$/m);
    expect(r.out).toMatch(/^msr-tag-immutability\s+note\s+built-in\s+Mirantis Secure Registry tags must be made immutable in MSR itself$/m);
    const explain = await runCli(['explain', RULE], ROOT);
    expect(explain.code).toBe(0);
    expect(explain.out).toContain('ACR always leaves latest mutable');
    expect(explain.out).toMatch(/^ {2}alicloud_cr_repo \(Personal Edition\) +note at the resource block/m);
  });
});

describe('msr-tag-immutability', () => {
  test('a note at each msr_repo, nothing else: in the root and each for_each instance in a module', async () => {
    const result = await scanFixtures(['msr']);
    expect(result.errors).toEqual([]);
    expect(result.summary).toMatchObject({ resources: 3, errors: 0, warnings: 0 });
    expect(own(result, 'msr-tag-immutability')).toEqual([
      at('fixtures/msr/main.tf', 14, 1, 'note', 'set_in_msr', 'msr_repo.api'),
      at('fixtures/msr/modules/team-repos/main.tf', 9, 1, 'note', 'set_in_msr', 'module.team.msr_repo.this["web"]'),
      at('fixtures/msr/modules/team-repos/main.tf', 9, 1, 'note', 'set_in_msr', 'module.team.msr_repo.this["worker"]'),
    ]);
  });

  test('Terraform JSON and a plan: the same note', async () => {
    const json = await scanFixtures(['msr-json']);
    expect(json.errors).toEqual([]);
    expect(own(json, 'msr-tag-immutability')).toEqual([
      at('fixtures/msr-json/main.tf.json', 4, 18, 'note', 'set_in_msr', 'msr_repo.billing'),
    ]);
    const plan = await scanPlan('fixtures/msr-plan/plan.json');
    expect(plan.errors).toEqual([]);
    expect(own(plan, 'msr-tag-immutability')).toEqual([at('fixtures/msr-plan/plan.json', 26, 5, 'note', 'set_in_msr', 'msr_repo.api')]);
  });

  test('explain cites what the provider lacks', async () => {
    const r = await runCli(['explain', 'msr-tag-immutability'], ROOT);
    expect(r.code).toBe(0);
    expect(r.out).toContain('msr_repo has no argument for it');
  });
});
