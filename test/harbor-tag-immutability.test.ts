import { cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Aspects, TerraformResource, TerraformStack, Testing } from 'cdktf';
import { TagguardAspect } from '../src/cdktf';
import { formatSarif } from '../src/report/sarif';
import type { ScanResult } from '../src/scan/types';
import {
  DEFAULT_POLICY,
  filesOf,
  placeAt,
  placeOf,
  tempDir,
  type Place,
  tree,
  ROOT,
  runCli,
  type SarifLog,
  scanDir,
  scanFixtures,
} from './helpers';

// harbor-tag-immutability: each harbor_project judged with the harbor_immutable_tag_rule
// resources whose project_id points at it. Every finding, exactly.
const RULE = 'harbor-tag-immutability';

const found = (findings: readonly (Place & { ruleId: string })[]) => findings.filter((f) => f.ruleId === RULE).map(placeOf);

const own = (result: ScanResult) => found(result.findings);

const at = placeAt;

const why = (file: string, line: number, column: number, rule: string) => ({
  file,
  line,
  column,
  note: `${rule} points at this project but does not cover it`,
});

const HCL = 'fixtures/harbor/main.tf';

/** The findings of fixtures/harbor with the default allow-list (latest). */
const HCL_FINDINGS = [
  at(HCL, 15, 1, 'error', 'no_immutable_rule', 'harbor_project.scratch'),
  at(HCL, 20, 1, 'error', 'no_immutable_rule', 'harbor_project.releases'),
  at(HCL, 27, 19, 'error', 'tag_matching', 'harbor_immutable_tag_rule.releases'),
  at(HCL, 53, 1, 'error', 'no_immutable_rule', 'harbor_project.legacy'),
  at(HCL, 58, 19, 'error', 'rule_disabled', 'harbor_immutable_tag_rule.legacy'),
  at(HCL, 76, 1, 'error', 'no_immutable_rule', 'harbor_project.builds'),
  at(HCL, 87, 1, 'error', 'no_immutable_rule', 'harbor_project.jobs'),
  at('fixtures/harbor/terraform.tfvars', 1, 21, 'error', 'repo_matching', 'harbor_immutable_tag_rule.jobs'),
  at('fixtures/harbor/variables.tf', 3, 13, 'error', 'tag_matching', 'harbor_immutable_tag_rule.builds'),
];

describe('harbor-tag-immutability', () => {
  test('a directory of HCL: a covering rule, no rule, a narrow tag pattern, joins by project_id and by "/projects/<name>", a disabled rule, tag_excluding latest, a proxy cache, patterns from a variable default and tfvars', async () => {
    const result = await scanFixtures(['harbor']);
    expect(result.errors).toEqual([]);
    // Ten projects and eight rules; the harbor_registry is no type of the rule.
    expect(result.summary).toMatchObject({ resources: 18, errors: 9, warnings: 0 });
    expect(own(result)).toEqual(HCL_FINDINGS);
    const byResource = (address: string, messageId: string) =>
      result.findings.find((f) => f.resource === address && f.messageId === messageId);
    // The project's finding leads to the rule that points at it; none to the rules of others.
    expect(byResource('harbor_project.releases', 'no_immutable_rule')?.trace).toEqual([
      why(HCL, 24, 1, 'harbor_immutable_tag_rule.releases'),
    ]);
    expect(byResource('harbor_project.scratch', 'no_immutable_rule')?.trace).toEqual([]);
    expect(byResource('harbor_project.scratch', 'no_immutable_rule')?.message).toBe(
      'no enabled harbor_immutable_tag_rule makes every tag of every repository in this project immutable, so a push can move a tag to a new image: add one with project_id = harbor_project.scratch.id, repo_matching = "**" and tag_matching = "**" (or tag_excluding = the allowed mutable tags)',
    );
    expect(byResource('harbor_immutable_tag_rule.releases', 'tag_matching')?.message).toBe(
      'tag_matching = "v*" leaves tags of harbor_project.releases mutable, so a push can move them: use "**" (tag_excluding may name the allowed mutable tags ["latest"])',
    );
    // A value from a variable: the finding at the literal, the trace through the variable.
    expect(byResource('harbor_immutable_tag_rule.builds', 'tag_matching')?.trace).toEqual([
      { file: HCL, line: 83, column: 19, note: 'var.builds_tag_pattern' },
    ]);
    expect(byResource('harbor_immutable_tag_rule.jobs', 'repo_matching')?.trace).toEqual([
      { file: HCL, line: 93, column: 19, note: 'var.jobs_repo_pattern' },
    ]);
  });

  test('the inputs of the joins: references to instances under for_each and count, and the literal path', async () => {
    const result = await scanFixtures(['harbor']);
    const rule = (address: string) => result.resources.find((r) => r.address === address);
    expect(rule('harbor_immutable_tag_rule.tools')?.attributes.project_id).toMatchObject({
      known: false,
      refs: [{ address: 'harbor_project.tools', attribute: 'project_id' }],
    });
    expect(rule('harbor_immutable_tag_rule.mirror')?.attributes.project_id.value).toBe('/projects/mirror');
  });

  test('for_each over a map of teams, a rule per project by for_each = harbor_project.team, count, and one explicit instance: exactly the narrow instances', async () => {
    const result = await scanFixtures(['harbor-instances']);
    expect(result.errors).toEqual([]);
    // Three team projects and their rules, web's second rule, three sandboxes and their rules.
    expect(result.summary).toMatchObject({ resources: 13, errors: 4, warnings: 0 });
    const file = 'fixtures/harbor-instances/main.tf';
    expect(own(result)).toEqual([
      // search's entry of local.teams, which the rule reads through local.teams[each.key].
      at(file, 5, 25, 'error', 'tag_matching', 'harbor_immutable_tag_rule.team["search"]'),
      at(file, 10, 1, 'error', 'no_immutable_rule', 'harbor_project.team["search"]'),
      at(file, 32, 1, 'error', 'no_immutable_rule', 'harbor_project.sandbox[2]'),
      at(file, 43, 38, 'error', 'tag_matching', 'harbor_immutable_tag_rule.sandbox[2]'),
    ]);
    expect(result.findings.map((f) => f.trace)).toEqual([
      [{ file, line: 21, column: 19, note: 'local.teams' }],
      [why(file, 16, 1, 'harbor_immutable_tag_rule.team["search"]')],
      [why(file, 38, 1, 'harbor_immutable_tag_rule.sandbox[2]')],
      [],
    ]);
    // web's own rule is as narrow as search's; the rule that names harbor_project.team["web"] covers web alone.
    const web = result.resources.find((r) => r.address === 'harbor_immutable_tag_rule.web_all');
    expect(web?.attributes.project_id).toMatchObject({ refs: [{ address: 'harbor_project.team', key: 'web', attribute: 'id' }] });
  });

  test('a local module called twice, and a rule made by a module from a project id passed in: findings at the caller, the reference through the variable', async () => {
    const result = await scanFixtures(['harbor-module']);
    expect(result.errors).toEqual([]);
    // apps, nightly, platform and batch, each with one rule.
    expect(result.summary).toMatchObject({ resources: 8, errors: 4, warnings: 0 });
    const file = 'fixtures/harbor-module/main.tf';
    const project = 'fixtures/harbor-module/modules/project/main.tf';
    const immutability = 'fixtures/harbor-module/modules/immutability/main.tf';
    expect(own(result)).toEqual([
      at(file, 10, 17, 'error', 'tag_matching', 'module.nightly.harbor_immutable_tag_rule.this'),
      at(file, 23, 1, 'error', 'no_immutable_rule', 'harbor_project.batch'),
      at(file, 30, 17, 'error', 'tag_matching', 'module.batch_immutability.harbor_immutable_tag_rule.this'),
      at(project, 11, 1, 'error', 'no_immutable_rule', 'module.nightly.harbor_project.this'),
    ]);
    expect(result.findings.map((f) => f.trace)).toEqual([
      [
        { file: project, line: 18, column: 19, note: 'var.tag_pattern' },
        { file, line: 10, column: 3, note: 'module.nightly argument tag_pattern' },
      ],
      [why(immutability, 11, 1, 'module.batch_immutability.harbor_immutable_tag_rule.this')],
      [
        { file: immutability, line: 14, column: 19, note: 'var.tag_pattern' },
        { file, line: 30, column: 3, note: 'module.batch_immutability argument tag_pattern' },
      ],
      [why(project, 15, 1, 'module.nightly.harbor_immutable_tag_rule.this')],
    ]);
    expect(result.findings[0].message).toBe(
      'tag_matching = "nightly-*" leaves tags of module.nightly.harbor_project.this mutable, so a push can move them: use "**" (tag_excluding may name the allowed mutable tags ["latest"])',
    );
    // platform's rule is made inside the module from var.project_id, which carries the reference.
    const platform = result.resources.find((r) => r.address === 'module.platform_immutability.harbor_immutable_tag_rule.this');
    expect(platform?.attributes.project_id).toMatchObject({ refs: [{ address: 'harbor_project.platform', attribute: 'id' }] });
  });

  test('Terraform JSON: "${harbor_project.x.id}" interpolations join as references do', async () => {
    const result = await scanFixtures(['harbor-json']);
    expect(result.errors).toEqual([]);
    expect(result.summary).toMatchObject({ resources: 4, errors: 2, warnings: 0 });
    const file = 'fixtures/harbor-json/main.tf.json';
    expect(own(result)).toEqual([
      at(file, 5, 18, 'error', 'no_immutable_rule', 'harbor_project.scratch'),
      at(file, 15, 27, 'error', 'repo_excluding', 'harbor_immutable_tag_rule.scratch'),
    ]);
    expect(result.findings[0].trace).toEqual([why(file, 13, 18, 'harbor_immutable_tag_rule.scratch')]);
    expect(result.findings[1].message).toBe(
      'repo_excluding = "tmp/**" leaves repositories of harbor_project.scratch out of this rule, so their tags can move: use repo_matching = "**"',
    );
  });
});

describe('harbor-tag-immutability --fix', () => {
  test('never edits: every file stays byte for byte, and the rule resource to add is printed for the project without a rule', async () => {
    const files = filesOf('fixtures/harbor');
    const dir = tree(files, { prefix: 'harbor-fix', repository: true });
    const r = await runCli(['fix', '.', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    for (const [file, text] of Object.entries(files)) expect(readFileSync(path.join(dir, file), 'utf8')).toBe(text);
    expect(r.json().findings.filter((f) => f.ruleId === RULE)).toHaveLength(HCL_FINDINGS.length);
    expect(r.err).not.toMatch(/^tagguard: fixed/m);
    const scratch = r.err.slice(r.err.indexOf('tagguard: needs a person: main.tf:15:1 harbor_project.scratch:'));
    expect(scratch.split('\n').slice(0, 6)).toEqual([
      'tagguard: needs a person: main.tf:15:1 harbor_project.scratch: add a tag immutability rule for the project by hand (or correct the rules that point at it):',
      '  resource "harbor_immutable_tag_rule" "scratch" {',
      '    project_id    = harbor_project.scratch.id',
      '    repo_matching = "**"',
      '    tag_matching  = "**"',
      '  }',
    ]);
    // Each finding is one item for a person; a rule's says what to change in it.
    expect(r.err.split('\n').filter((l) => l.startsWith('tagguard: needs a person:'))).toHaveLength(HCL_FINDINGS.length);
    expect(r.err).toContain(
      'tagguard: needs a person: variables.tf:3:13 harbor_immutable_tag_rule.builds: change the rule by hand: set tag_matching = "**" (or tag_excluding = the allowed mutable tags)\n',
    );
    expect(r.err).toContain(
      'tagguard: needs a person: main.tf:58:19 harbor_immutable_tag_rule.legacy: change the rule by hand: set disabled = false\n',
    );
  });

  test('scan --fix on a copy of the modules: nothing written, the block to add names the project as its module does', async () => {
    const dir = tempDir('harbor-fix-module');
    cpSync(path.join(ROOT, 'fixtures/harbor-module'), dir, { recursive: true });
    const r = await runCli(['scan', '--fix', '.'], dir);
    expect(r.code).toBe(1);
    expect(r.err).not.toMatch(/^tagguard: fixed/m);
    expect(r.err).toContain(
      [
        'tagguard: needs a person: modules/project/main.tf:11:1 module.nightly.harbor_project.this: add a tag immutability rule for the project by hand (or correct the rules that point at it):',
        '  resource "harbor_immutable_tag_rule" "this" {',
        '    project_id    = harbor_project.this.id',
      ].join('\n'),
    );
    for (const [file, text] of Object.entries(filesOf('fixtures/harbor-module')))
      expect(readFileSync(path.join(dir, file), 'utf8')).toBe(text);
  });
  test('the lines of the block to add are escaped each: a for_each key with a line break and a CI command stays inside its line', async () => {
    const dir = tree({
      'main.tf': 'resource "harbor_project" "p" {\n  for_each = toset(["x\\n::error::pwned"])\n  name     = "p"\n}\n',
    });
    const r = await runCli(['fix', '.', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    expect(r.err.split('\n')).toEqual([
      'tagguard: needs a person: main.tf:1:1 harbor_project.p["x\\n::error::pwned"]: add a tag immutability rule for the project by hand (or correct the rules that point at it):',
      '  resource "harbor_immutable_tag_rule" "p" {',
      '    project_id    = harbor_project.p["x\\n::error::pwned"].id',
      '    repo_matching = "**"',
      '    tag_matching  = "**"',
      '  }',
      '',
    ]);
  });
});

describe('harbor-tag-immutability options', () => {
  const EXCLUDING = [
    'resource "harbor_project" "apps" {',
    '  name = "apps"',
    '}',
    '',
    'resource "harbor_immutable_tag_rule" "apps" {',
    '  project_id    = harbor_project.apps.id',
    '  repo_matching = "**"',
    '  tag_excluding = "{latest,dev}"',
    '}',
    '',
  ].join('\n');

  test('tag_excluding = "{latest,dev}": an error with latest alone allowed, compliant with --allow-mutable-tag latest --allow-mutable-tag dev', async () => {
    const dir = tree({ 'main.tf': EXCLUDING });
    const strict = await runCli(['scan', '.', '--format', 'json'], dir);
    expect(strict.code).toBe(1);
    expect(found(strict.json().findings)).toEqual([
      at('main.tf', 1, 1, 'error', 'no_immutable_rule', 'harbor_project.apps'),
      at('main.tf', 8, 19, 'error', 'tag_excluding', 'harbor_immutable_tag_rule.apps'),
    ]);
    expect(strict.json().findings[1].message).toBe(
      'tag_excluding = "{latest,dev}" leaves tags of harbor_project.apps mutable that the allowed mutable tags ["latest"] do not cover',
    );
    const allowed = await runCli(['scan', '.', '--allow-mutable-tag', 'latest', '--allow-mutable-tag', 'dev', '--format', 'json'], dir);
    expect(allowed.code).toBe(0);
    expect(allowed.json().findings).toEqual([]);
  });

  test('a pattern from a variable without a value: a warning at the variable, an error with --unknown error', async () => {
    const dir = tree({
      'main.tf': [
        'variable "tag_pattern" {',
        '  type = string',
        '}',
        '',
        'resource "harbor_project" "apps" {',
        '  name = "apps"',
        '}',
        '',
        'resource "harbor_immutable_tag_rule" "apps" {',
        '  project_id    = harbor_project.apps.id',
        '  repo_matching = "**"',
        '  tag_matching  = var.tag_pattern',
        '}',
        '',
      ].join('\n'),
    });
    const warn = await runCli(['scan', '.', '--format', 'json'], dir);
    expect(warn.code).toBe(0);
    expect(found(warn.json().findings)).toEqual([at('main.tf', 1, 1, 'warning', 'unknown', 'harbor_immutable_tag_rule.apps')]);
    const error = await runCli(['scan', '.', '--unknown', 'error', '--format', 'json'], dir);
    expect(error.code).toBe(1);
    expect(found(error.json().findings)).toEqual([at('main.tf', 1, 1, 'error', 'unknown', 'harbor_immutable_tag_rule.apps')]);
    expect(error.json().findings[0].message).toBe(
      'tag_matching cannot be known before apply (variable "tag_pattern" has no default and no value is given); tag immutability of harbor_project.apps is not proven',
    );
  });

  test('a registry_id read from a harbor_registry is a proxy cache: not judged, no warning; one from a variable without a value is a warning at the variable', async () => {
    const dir = tree({
      'main.tf': [
        'variable "registry_id" {',
        '  type = number',
        '}',
        '',
        'resource "harbor_registry" "hub" {',
        '  provider_name = "docker-hub"',
        '  name          = "hub"',
        '  endpoint_url  = "https://hub.docker.com"',
        '}',
        '',
        'resource "harbor_project" "hub" {',
        '  name        = "hub"',
        '  registry_id = harbor_registry.hub.registry_id',
        '}',
        '',
        'resource "harbor_project" "quay" {',
        '  name        = "quay"',
        '  registry_id = var.registry_id',
        '}',
        '',
      ].join('\n'),
    });
    const result = await scanDir(dir);
    expect(result.errors).toEqual([]);
    expect(own(result)).toEqual([at('main.tf', 1, 1, 'warning', 'unknown', 'harbor_project.quay')]);
  });

  test('a tagguard:ignore comment on a harbor_project hides its finding; the other project is still reported', async () => {
    const dir = tree({
      'main.tf': [
        '# tagguard:ignore harbor-tag-immutability reason="scratch space, tags are overwritten on purpose"',
        'resource "harbor_project" "scratch" {',
        '  name = "scratch"',
        '}',
        '',
        'resource "harbor_project" "apps" {',
        '  name = "apps"',
        '}',
        '',
      ].join('\n'),
    });
    const result = await scanDir(dir);
    expect(result.summary).toMatchObject({ errors: 1, warnings: 0, suppressed: 1 });
    expect(
      result.findings.map((f) => ({
        resource: f.resource,
        messageId: f.messageId,
        suppressed: f.suppression !== undefined,
        reason: f.suppression?.reason,
      })),
    ).toEqual([
      {
        resource: 'harbor_project.scratch',
        messageId: 'no_immutable_rule',
        suppressed: true,
        reason: 'scratch space, tags are overwritten on purpose',
      },
      { resource: 'harbor_project.apps', messageId: 'no_immutable_rule', suppressed: false, reason: undefined },
    ]);
    const r = await runCli(['scan', '.', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    expect(
      r
        .json()
        .findings.filter((f) => !f.suppressed)
        .map((f) => f.resource),
    ).toEqual(['harbor_project.apps']);
  });
});

describe('harbor-tag-immutability in the rule listing, explain and SARIF', () => {
  test('tagguard explain prints the verdict table', async () => {
    const r = await runCli(['explain', RULE], ROOT);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Verdicts (the harbor_immutable_tag_rule resources whose project_id points at the project)\n');
    expect(r.out).toMatch(/^ {2}an enabled rule with repo_matching = "\*\*" and tag_matching = "\*\*" +pass$/m);
    expect(r.out).toMatch(/^ {2}no rule points at the project +error, reported at the project block$/m);
    expect(r.out).toMatch(/^ {2}a narrower rule beside a rule that covers everything +pass \(rules are OR-ed\)$/m);
    expect(r.out).toMatch(/^ {2}registry_id set \(a proxy cache project\) +not judged \(takes no pushes\)$/m);
  });

  test('SARIF: the rule descriptor with its id, and results at the findings', async () => {
    const result = await scanFixtures(['harbor']);
    const sarif = JSON.parse(formatSarif(result, result.rules, '0.1.0')) as SarifLog;
    const run = sarif.runs[0];
    const rule = run.tool.driver.rules.find((d) => d.id === RULE);
    expect(rule).toMatchObject({
      id: RULE,
      name: 'HarborTagImmutability',
      shortDescription: { text: 'Harbor projects must make their tags immutable' },
      helpUri: 'https://goharbor.io/docs/latest/working-with-projects/working-with-images/create-tag-immutability-rules',
      defaultConfiguration: { level: 'error' },
    });
    expect(run.results.filter((x) => x.ruleId === RULE)).toHaveLength(HCL_FINDINGS.length);
    const cli = await runCli(['scan', 'fixtures/harbor', '--format', 'sarif'], ROOT);
    expect(cli.code).toBe(1);
    const log = JSON.parse(cli.out) as SarifLog;
    expect(log.runs[0].tool.driver.rules.map((d) => d.id)).toContain(RULE);
  });
});

// What an attacker can write to make a project look protected: each must stay an error or become an honest unknown.
describe('harbor-tag-immutability: only what decides a project protects it', () => {
  const PROJECT = 'resource "harbor_project" "apps" {\n  name = "apps"\n}\n';
  const OTHER = 'resource "harbor_project" "other" {\n  name = "other"\n}\n';
  const covering = (projectId: string, extra = '') =>
    `resource "harbor_immutable_tag_rule" "r" {\n${extra}  project_id    = ${projectId}\n  repo_matching = "**"\n  tag_matching  = "**"\n}\n`;
  const scanOf = async (files: Record<string, string>) => own(await scanDir(tree(files)));

  // The warning is at the unknown the value is computed from.
  test.each([
    ['a template around the id', '"${harbor_project.apps.id}0"', 22],
    ['arithmetic on the project id', 'harbor_project.apps.project_id + 1', 19],
    ['a function of the id', 'upper(harbor_project.apps.id)', 25],
    ['a comparison', 'harbor_project.apps.id != ""', 19],
    ['another resource', 'random_pet.x.id', 19],
  ])('%s names no project: a warning that names the project, not a pass', async (_, projectId, column) => {
    const findings = await scanOf({ 'main.tf': [PROJECT, covering(projectId)].join('\n') });
    expect(findings).toEqual([at('main.tf', 6, column, 'warning', 'unknown', 'harbor_immutable_tag_rule.r')]);
  });

  test('the bare reference, tostring() of it and "/projects/${x.project_id}" protect the project', async () => {
    for (const projectId of ['harbor_project.apps.id', 'tostring(harbor_project.apps.id)', '"/projects/${harbor_project.apps.project_id}"'])
      expect(await scanOf({ 'main.tf': [PROJECT, covering(projectId)].join('\n') })).toEqual([]);
  });

  test('a covering rule under an unknown count or for_each may not exist: a warning at its count, an error with --unknown error', async () => {
    const variable = 'variable "enabled" {\n  type = bool\n}\n';
    for (const meta of ['  count = var.enabled ? 1 : 0\n', '  for_each = var.enabled ? toset(["x"]) : toset([])\n']) {
      const files = { 'main.tf': [variable, PROJECT, covering('harbor_project.apps.id', meta)].join('\n') };
      expect(await scanOf(files)).toEqual([
        at('main.tf', 10, meta.includes('count') ? 11 : 14, 'warning', 'unknown', 'harbor_immutable_tag_rule.r'),
      ]);
      const strict = await scanDir(tree(files), { policy: { ...DEFAULT_POLICY, unknown: 'error' } });
      expect(own(strict).map((f) => f.severity)).toEqual(['error']);
      const what = meta.includes('count') ? 'count' : 'for_each';
      expect(strict.findings[0].message).toContain(`whether this rule exists cannot be known before apply (${what} is unknown`);
    }
  });

  test('a rule in a module called with an unknown count may not exist either', async () => {
    const files = {
      'main.tf': `variable "on" {\n  type = bool\n}\n\n${PROJECT}\nmodule "rule" {\n  source = "./rule"\n  count  = var.on ? 1 : 0\n  id     = harbor_project.apps.id\n}\n`,
      'rule/main.tf': `variable "id" {\n  type = string\n}\n\n${covering('var.id')}`,
    };
    const findings = await scanOf(files);
    expect(findings).toEqual([at('main.tf', 11, 12, 'warning', 'unknown', 'module.rule.harbor_immutable_tag_rule.r')]);
  });

  test('one brace group is alternatives only when it is the whole pattern: "{team}/{x,**,y}" does not cover every repository', async () => {
    const rule = covering('harbor_project.apps.id').replace('repo_matching = "**"', 'repo_matching = "{team}/{x,**,y}"');
    expect(await scanOf({ 'main.tf': [PROJECT, rule].join('\n') })).toEqual([
      at('main.tf', 1, 1, 'error', 'no_immutable_rule', 'harbor_project.apps'),
      at('main.tf', 7, 19, 'error', 'repo_matching', 'harbor_immutable_tag_rule.r'),
    ]);
    const whole = covering('harbor_project.apps.id').replace('repo_matching = "**"', 'repo_matching = "{team/**,**}"');
    expect(await scanOf({ 'main.tf': [PROJECT, whole].join('\n') })).toEqual([]);
  });

  test.each([
    ['"1"', true],
    ['"true"', true],
    ['"0"', false],
    ['"false"', false],
  ])('disabled = %s reads as the provider converts it (disabled: %s)', async (text, isDisabled) => {
    const rule = covering('harbor_project.apps.id', `  disabled      = ${text}\n`);
    const findings = await scanOf({ 'main.tf': [PROJECT, rule].join('\n') });
    expect(findings.map((f) => f.messageId)).toEqual(isDisabled ? ['no_immutable_rule', 'rule_disabled'] : []);
  });

  test('a covering rule whose project cannot be told warns once, naming every unprotected project of its root', async () => {
    const faulty = covering('harbor_project.other.id').replace('"r"', '"other"').replace('tag_matching  = "**"', 'tag_matching  = "v*"');
    const unresolved = covering('random_pet.x.id');
    const findings = await scanOf({ 'main.tf': [PROJECT, OTHER, faulty, unresolved].join('\n') });
    expect(findings.map((f) => [f.severity, f.messageId, f.resource])).toEqual([['warning', 'unknown', 'harbor_immutable_tag_rule.r']]);
    const result = await scanDir(tree({ 'main.tf': [PROJECT, OTHER, faulty, unresolved].join('\n') }));
    expect(result.findings[0].message).toContain('harbor_project.apps, harbor_project.other is not proven');
  });
});

describe('harbor-tag-immutability in the CDKTF aspect: an override written as text is an expression', () => {
  function annotate(projectId: string) {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'harbor');
    const project = new TerraformResource(stack, 'apps', { terraformResourceType: 'harbor_project' });
    project.addOverride('name', 'apps');
    const rule = new TerraformResource(stack, 'apps-immutable', { terraformResourceType: 'harbor_immutable_tag_rule' });
    rule.addOverride('project_id', projectId);
    rule.addOverride('repo_matching', '**');
    rule.addOverride('tag_matching', '**');
    Aspects.of(stack).add(new TagguardAspect({ mode: 'error', rules: [RULE] }));
    Testing.synth(stack);
    return [project, rule].flatMap((r) =>
      r.node.metadata.filter((m) => m.type.startsWith('@cdktf/')).map((m) => `${m.type} ${String(m.data).slice(-40)}`),
    );
  }

  test('"${harbor_project.apps.id}" joins as the token would; a computed text does not', () => {
    expect(annotate('${harbor_project.apps.id}')).toEqual([]);
    expect(annotate('${harbor_project.apps.id + 1}')).toEqual([expect.stringMatching(/^@cdktf\/warn .*unknown\]$/)]);
  });
});

describe('harbor-tag-immutability: a rule protects only a project of the same Harbor', () => {
  const PROVIDERS =
    'provider "harbor" {\n  url = "https://harbor.example.com"\n}\n\nprovider "harbor" {\n  alias = "eu"\n  url   = "https://harbor.eu.example.com"\n}\n';
  const PROJECT = 'resource "harbor_project" "apps" {\n  name = "apps"\n}\n';
  const RULE_BODY = '  project_id    = var.id\n  repo_matching = "**"\n  tag_matching  = "**"\n';
  const scanOf = async (files: Record<string, string>) => own(await scanDir(tree(files)));

  test('a rule under another provider alias, directly or through a module providers map, does not protect the project', async () => {
    const direct = `resource "harbor_immutable_tag_rule" "r" {\n  provider      = harbor.eu\n${RULE_BODY.replace('var.id', 'harbor_project.apps.id')}}\n`;
    expect((await scanOf({ 'main.tf': [PROVIDERS, PROJECT, direct].join('\n') })).map((f) => [f.messageId, f.resource])).toEqual([
      ['no_immutable_rule', 'harbor_project.apps'],
    ]);
    const call = (providers: string) => `module "rule" {\n  source = "./rule"\n  id     = harbor_project.apps.id\n${providers}}\n`;
    const child = { 'rule/main.tf': `variable "id" {\n  type = string\n}\n\nresource "harbor_immutable_tag_rule" "r" {\n${RULE_BODY}}\n` };
    const other = await scanOf({
      'main.tf': [PROVIDERS, PROJECT, call('  providers = {\n    harbor = harbor.eu\n  }\n')].join('\n'),
      ...child,
    });
    expect(other.map((f) => [f.messageId, f.resource])).toEqual([['no_immutable_rule', 'harbor_project.apps']]);
    for (const same of ['', '  providers = {\n    harbor = harbor\n  }\n'])
      expect(await scanOf({ 'main.tf': [PROVIDERS, PROJECT, call(same)].join('\n'), ...child })).toEqual([]);
  });

  test('both under the same alias: protected', async () => {
    const project = PROJECT.replace('{\n', '{\n  provider = harbor.eu\n');
    const rule = `resource "harbor_immutable_tag_rule" "r" {\n  provider      = harbor.eu\n${RULE_BODY.replace('var.id', 'harbor_project.apps.id')}}\n`;
    expect(await scanOf({ 'main.tf': [PROVIDERS, project, rule].join('\n') })).toEqual([]);
  });
});
