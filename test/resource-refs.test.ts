import { policyInput } from '../src/policy/input';
import type { ScanResult } from '../src/scan/types';
import { DEFAULT_POLICY, scanDir, scanPlan, tree } from './helpers';

// References between resources in the policy input (design.md: refs): a value read from
// another resource is unknown, but names the resource instance and attribute, so that a
// policy can join resources; count and for_each instances are matched as Terraform would.

/** The refs of one attribute of each judged resource, by address. */
function refsOf(result: ScanResult, attribute: string) {
  const input = policyInput(result.resources, DEFAULT_POLICY);
  return Object.fromEntries(
    input.resources.flatMap((r) => {
      const a = Object.hasOwn(r.attributes, attribute) ? (r.attributes[attribute] as { refs?: unknown }) : undefined;
      return a ? [[r.address, a.refs]] : [];
    }),
  );
}

const rule = (name: string, projectId: string, extra = '') =>
  `resource "harbor_immutable_tag_rule" "${name}" {\n  project_id    = ${projectId}\n  repo_matching = "**"\n  tag_matching  = "**"\n${extra}}\n`;

describe('refs in the policy input', () => {
  test('a plain reference names the resource and the attribute; the instance is the address', async () => {
    const dir = tree({
      'main.tf': ['resource "harbor_project" "apps" {\n  name = "apps"\n}\n', rule('apps', 'harbor_project.apps.id')].join('\n'),
    });
    const result = await scanDir(dir);
    expect(refsOf(result, 'project_id')).toEqual({
      'harbor_immutable_tag_rule.apps': [{ address: 'harbor_project.apps', attribute: 'id', instance: 'harbor_project.apps' }],
    });
    expect(result.findings).toEqual([]);
  });

  test('count: [count.index] picks the instance with the same index; a literal index its own', async () => {
    const dir = tree({
      'main.tf': [
        'resource "harbor_project" "team" {\n  count = 2\n  name  = "team-${count.index}"\n}\n',
        rule('team', 'harbor_project.team[count.index].id', '  count         = 2\n'),
        rule('first', 'harbor_project.team[0].project_id'),
      ].join('\n'),
    });
    expect(refsOf(await scanDir(dir), 'project_id')).toEqual({
      'harbor_immutable_tag_rule.team[0]': [
        { address: 'harbor_project.team', key: 0, attribute: 'id', instance: 'harbor_project.team[0]' },
      ],
      'harbor_immutable_tag_rule.team[1]': [
        { address: 'harbor_project.team', key: 1, attribute: 'id', instance: 'harbor_project.team[1]' },
      ],
      'harbor_immutable_tag_rule.first': [
        { address: 'harbor_project.team', key: 0, attribute: 'project_id', instance: 'harbor_project.team[0]' },
      ],
    });
  });

  test('for_each over the resource itself: each.value is the instance with the same key', async () => {
    const dir = tree({
      'main.tf': [
        'resource "harbor_project" "team" {\n  for_each = toset(["api", "web"])\n  name     = each.key\n}\n',
        rule('team', 'each.value.id', '  for_each      = harbor_project.team\n'),
        rule('web', 'harbor_project.team["web"].id'),
      ].join('\n'),
    });
    const result = await scanDir(dir);
    expect(refsOf(result, 'project_id')).toEqual({
      'harbor_immutable_tag_rule.team["api"]': [
        { address: 'harbor_project.team', key: 'api', attribute: 'id', instance: 'harbor_project.team["api"]' },
      ],
      'harbor_immutable_tag_rule.team["web"]': [
        { address: 'harbor_project.team', key: 'web', attribute: 'id', instance: 'harbor_project.team["web"]' },
      ],
      'harbor_immutable_tag_rule.web': [
        { address: 'harbor_project.team', key: 'web', attribute: 'id', instance: 'harbor_project.team["web"]' },
      ],
    });
    expect(result.findings).toEqual([]);
  });

  test('through a module variable, and inside a module instance, with the module path', async () => {
    const dir = tree({
      'main.tf': [
        'resource "harbor_project" "root" {\n  name = "root"\n}\n',
        'module "rules" {\n  source     = "./modules/rule"\n  project_id = harbor_project.root.id\n}\n',
        'module "team" {\n  source   = "./modules/project"\n  for_each = toset(["a"])\n  name     = each.key\n}\n',
      ].join('\n'),
      'modules/rule/main.tf': 'variable "project_id" {\n  type = string\n}\n\n' + rule('this', 'var.project_id'),
      'modules/project/main.tf':
        'variable "name" {\n  type = string\n}\n\nresource "harbor_project" "this" {\n  name = var.name\n}\n\n' +
        rule('this', 'harbor_project.this.id'),
    });
    const result = await scanDir(dir);
    expect(refsOf(result, 'project_id')).toEqual({
      'module.rules.harbor_immutable_tag_rule.this': [{ address: 'harbor_project.root', attribute: 'id', instance: 'harbor_project.root' }],
      'module.team["a"].harbor_immutable_tag_rule.this': [
        { address: 'module.team["a"].harbor_project.this', attribute: 'id', instance: 'module.team["a"].harbor_project.this' },
      ],
    });
    expect(result.findings).toEqual([]);
  });

  test('any attribute, any resource type, and data sources; a template names the resource it reads, as derived, and keeps its parts', async () => {
    const dir = tree({
      'main.tf': [
        'data "harbor_project" "shared" {\n  name = "shared"\n}\n',
        'resource "harbor_project" "apps" {\n  name = random_pet.apps.id\n}\n',
        rule('shared', 'data.harbor_project.shared.id'),
        rule('joined', '"/projects/${harbor_project.apps.name}"'),
      ].join('\n'),
    });
    const result = await scanDir(dir);
    expect(refsOf(result, 'name')).toEqual({
      'harbor_project.apps': [{ address: 'random_pet.apps', attribute: 'id', instance: 'random_pet.apps' }],
    });
    expect(refsOf(result, 'project_id')).toEqual({
      'harbor_immutable_tag_rule.shared': [
        { address: 'data.harbor_project.shared', attribute: 'id', instance: 'data.harbor_project.shared' },
      ],
      'harbor_immutable_tag_rule.joined': [
        { address: 'harbor_project.apps', attribute: 'name', instance: 'harbor_project.apps', derived: true },
      ],
    });
    const joined = policyInput(result.resources, DEFAULT_POLICY).resources.find((r) => r.address === 'harbor_immutable_tag_rule.joined');
    const template = (joined?.attributes.project_id as { template?: { known: boolean; value?: string; refs?: unknown }[] }).template;
    expect(template?.map((p) => [p.known, p.value, p.refs])).toEqual([
      [true, '/projects/', undefined],
      [false, undefined, [{ address: 'harbor_project.apps', attribute: 'name', instance: 'harbor_project.apps' }]],
    ]);
  });

  test('a for_each over a resource has its keys before apply: length() and keys() are known', async () => {
    const dir = tree({
      'main.tf': [
        'resource "harbor_project" "team" {\n  for_each = toset(["api", "web"])\n  name     = each.key\n}\n',
        'resource "harbor_project" "summary" {\n  name = join(",", keys(harbor_project.team))\n}\n',
      ].join('\n'),
    });
    const result = await scanDir(dir);
    const summary = result.resources.find((r) => r.address === 'harbor_project.summary');
    expect(summary?.attributes.name).toMatchObject({ known: true, value: 'api,web' });
  });
});

describe('a plan scanned without its configuration: refs from the configuration section', () => {
  test('exact findings of fixtures/harbor-plan', async () => {
    const result = await scanPlan('fixtures/harbor-plan/plan.json');
    expect(result.errors).toEqual([]);
    const file = 'fixtures/harbor-plan/plan.json';
    expect(result.findings.map((f) => [f.file, f.line, f.column, f.severity, f.messageId, f.resource])).toEqual([
      [file, 205, 5, 'error', 'no_immutable_rule', 'harbor_project.tools'],
      [file, 246, 27, 'error', 'tag_matching', 'harbor_immutable_tag_rule.tools'],
      // `harbor_project.team[count.index]` is listed as `harbor_project.team`: one of its instances, which one not told.
      [file, 329, 25, 'warning', 'unknown', 'harbor_immutable_tag_rule.team[0]'],
      [file, 362, 5, 'error', 'no_immutable_rule', 'harbor_project.orphan'],
    ]);
    expect(result.findings[2].message).toContain('it reads harbor_project.team without saying which instance');
    expect(result.findings[2].message).toContain('harbor_project.team[0], harbor_project.team[1] is not proven');
    expect(refsOf(result, 'project_id')['harbor_immutable_tag_rule.team[0]']).toEqual([
      { address: 'harbor_project.team', instance: 'harbor_project.team' },
    ]);
  });
});
