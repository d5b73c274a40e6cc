import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runCli, tree } from './helpers';

// Input errors are reported only where they can change a verdict (issue 17): in a directory that holds a judged
// type, calls a modelled or installed module that does, or reaches one through local calls. --strict reports them all.

const LABEL = 'module "this" {\n  source  = "cloudposse/label/null"\n  version = "0.25.0"\n}\n';
const ECR = 'resource "aws_ecr_repository" "r" {\n  name                 = "app"\n  image_tag_mutability = "IMMUTABLE"\n}\n';

/** The same problem, in HCL or JSON syntax where it has one. */
const PROBLEMS: [string, Record<string, string>][] = [
  ['a syntax error', { 'broken.tf': 'variable "x" {\n  default = \n' }],
  [
    'a duplicate module call',
    { 'a.tf': 'module "x" {\n  source = "cloudposse/label/null"\n}\n', 'b.tf': 'module "x" {\n  source = "cloudposse/label/null"\n}\n' },
  ],
  ['a missing local module (HCL)', { 'roles.tf': 'module "iam_roles" {\n  source = "../account-map/modules/iam-roles"\n}\n' }],
  ['a missing local module (JSON)', { 'roles.tf.json': '{"module": {"iam_roles": {"source": "../account-map/modules/iam-roles"}}}\n' }],
  ['a file that is not UTF-8', { 'latin1.tf': 'locals {\n  owner = "caf\xe9"\n}\n' }],
];

function write(root: string, dir: string, files: Record<string, string>): void {
  mkdirSync(path.join(root, dir), { recursive: true });
  for (const [name, text] of Object.entries(files))
    writeFileSync(path.join(root, dir, name), name === 'latin1.tf' ? Buffer.from(text, 'latin1') : text);
}

/** A repository with an ECR component that is fine, and `problems` in a directory laid out by `where`. */
function repository(where: 'label only' | 'with ECR' | 'calls ECR', problems: Record<string, string>, extra: Record<string, string> = {}) {
  const root = tree({ 'components/ecr/main.tf': ECR, 'components/ecr/context.tf': LABEL, ...extra }, { repository: true });
  const dir = 'components/other';
  write(root, dir, { 'context.tf': LABEL, 'variables.tf': 'variable "region" {}\n' });
  if (where === 'with ECR') write(root, dir, { 'ecr.tf': ECR.replace('"r"', '"other"') });
  if (where === 'calls ECR') write(root, dir, { 'ecr.tf': 'module "ecr" {\n  source = "../ecr"\n}\n' });
  write(root, dir, problems);
  return root;
}

const bothOrders = (options: string[]) => [
  ['scan', ...options, '.'],
  ['scan', '.', ...options],
];

describe('a problem in a directory that reaches no judged type (it only calls cloudposse/label/null)', () => {
  test.each(PROBLEMS)('%s: not parsed, not reported, exit 0', async (_, problems) => {
    const cwd = repository('label only', problems);
    const r = await runCli(['scan', '--format', 'json'], cwd);
    expect({ code: r.code, errors: r.json().errors, findings: r.json().findings }).toEqual({ code: 0, errors: [], findings: [] });
    // Only the ECR component and the files that decide relevance were read; nothing of components/other was parsed.
    expect(r.json().summary.resources).toBe(1);
  });

  test.each(PROBLEMS)('%s: --strict reports it and exits 2, in either option position', async (_, problems) => {
    const cwd = repository('label only', problems);
    for (const argv of bothOrders(['--strict', '--format', 'json'])) {
      const r = await runCli(argv, cwd);
      expect(r.code).toBe(2);
      expect(r.json().errors.map((e) => e.file)).toEqual([expect.stringMatching(/^components\/other\//)]);
    }
  });

  test.each(PROBLEMS)('%s: .tagguard.yml strict: true reports it; --no-strict does not', async (_, problems) => {
    const cwd = repository('label only', problems, { '.tagguard.yml': 'strict: true\n' });
    expect((await runCli(['scan', '--format', 'json'], cwd)).code).toBe(2);
    expect((await runCli(['scan', '--no-strict', '--format', 'json'], cwd)).code).toBe(0);
  });
});

// A missing local module there is a blind spot, not an input error: tested below.
describe.each(['with ECR', 'calls ECR'] as const)('the same problems in a directory %s', (where) => {
  test.each(PROBLEMS.filter(([name]) => !name.startsWith('a missing local module')))('%s: reported, exit 2', async (_, problems) => {
    const cwd = repository(where, problems);
    const r = await runCli(['scan', '--format', 'json'], cwd);
    expect(r.code).toBe(2);
    expect(r.json().errors.map((e) => e.file)).toEqual([expect.stringMatching(/^components\/other\//)]);
  });
});

/** The built-in rules that judge resource types with errors: each reports a blind spot once (a rule of notes does not). */
const JUDGING = [
  'acr-tag-immutability',
  'ecr-tag-immutability',
  'gar-tag-immutability',
  'harbor-tag-immutability',
  'image-reference-immutable',
];

describe('a missing local module called from a directory that matters', () => {
  const MISSING = PROBLEMS.filter(([name]) => name.startsWith('a missing local module'));

  test.each(MISSING)('%s: an unknown at the call, governed by --unknown', async (name, problems) => {
    const cwd = repository('with ECR', problems);
    const json = name.includes('JSON');
    const warn = await runCli(['scan', '--format', 'json'], cwd);
    expect(warn.code).toBe(0);
    expect(warn.json().errors).toEqual([]);
    // Once for each rule that judges resource types: whether any of them holds is unknown.
    expect(warn.json().findings).toEqual(
      JUDGING.map((ruleId): unknown =>
        expect.objectContaining({
          ruleId,
          severity: 'warning',
          messageId: 'unknown',
          resource: 'module.iam_roles',
          root: 'components/other',
          file: `components/other/roles.tf${json ? '.json' : ''}`,
          line: json ? 1 : 2,
          message: expect.stringContaining('no module directory at "../account-map/modules/iam-roles"') as unknown,
        }),
      ),
    );
    const error = await runCli(['scan', '--unknown', 'error', '--format', 'json'], cwd);
    expect(error.code).toBe(1);
    expect(error.json().findings.map((f) => f.severity)).toEqual(JUDGING.map(() => 'error'));
    const ignore = await runCli(['scan', '--unknown', 'ignore', '--format', 'json'], cwd);
    expect({ code: ignore.code, findings: ignore.json().findings, errors: ignore.json().errors }).toEqual({
      code: 0,
      findings: [],
      errors: [],
    });
  });

  test.each(MISSING)('%s: --strict keeps it an input error', async (_, problems) => {
    const cwd = repository('with ECR', problems);
    const r = await runCli(['scan', '--strict', '--format', 'json'], cwd);
    expect(r.code).toBe(2);
    expect(r.json().errors.map((e) => e.message)).toEqual([expect.stringContaining('no module directory at')]);
    expect(r.json().findings).toEqual([]);
  });

  test('the text report shows it as a warning, and the summary counts it', async () => {
    const cwd = repository('calls ECR', MISSING[0][1]);
    const r = await runCli(['scan'], cwd);
    expect(r.code).toBe(0);
    expect(r.out).toContain('components/other/roles.tf:2');
    expect(r.out).toContain(`0 errors, ${JUDGING.length} warnings`);
  });
});

describe('modules that can still hold a judged type are followed', () => {
  test('an installed module (.terraform/modules) with an ECR repository, called through a local module', async () => {
    const cwd = tree(
      {
        'live/main.tf': 'module "app" {\n  source = "../modules/app"\n}\n',
        'modules/app/main.tf': 'module "registry" {\n  source  = "example/private-ecr/aws"\n  version = "1.0.0"\n}\n',
        'live/.terraform/modules/modules.json': JSON.stringify({
          Modules: [
            { Key: '', Source: '', Dir: '.' },
            { Key: 'app', Source: '../modules/app', Dir: '../modules/app' },
            { Key: 'app.registry', Source: 'registry.terraform.io/example/private-ecr/aws', Dir: '.terraform/modules/app.registry' },
          ],
        }),
        'live/.terraform/modules/app.registry/main.tf':
          'resource "aws_ecr_repository" "r" {\n  name                 = "app"\n  image_tag_mutability = "MUTABLE"\n}\n',
      },
      { repository: true },
    );
    const r = await runCli(['scan', '--format', 'json'], cwd);
    expect(r.code).toBe(1);
    expect(r.json().findings.map((f) => [f.root, f.resource])).toEqual([['live', 'module.app.module.registry.aws_ecr_repository.r']]);
  });

  test('the same module not installed is a blind spot: nothing parsed, nothing reported', async () => {
    const cwd = tree(
      {
        'live/main.tf': 'module "app" {\n  source = "../modules/app"\n}\n\nbroken {\n',
        'modules/app/main.tf': 'module "registry" {\n  source  = "example/private-ecr/aws"\n  version = "1.0.0"\n}\n',
      },
      { repository: true },
    );
    const r = await runCli(['scan', '--format', 'json'], cwd);
    expect({ code: r.code, errors: r.json().errors, resources: r.json().summary.resources }).toEqual({ code: 0, errors: [], resources: 0 });
  });

  test('a modelled registry module (cloudposse/ecr/aws) is still judged', async () => {
    const cwd = tree(
      {
        'components/ecr/main.tf':
          'module "ecr" {\n  source  = "cloudposse/ecr/aws"\n  version = "0.41.0"\n  image_tag_mutability = "MUTABLE"\n}\n',
        'components/ecr/context.tf': LABEL,
      },
      { repository: true },
    );
    const r = await runCli(['scan', '--format', 'json'], cwd);
    expect(r.code).toBe(1);
    expect(r.json().findings.map((f) => [f.root, f.severity])).toEqual([['components/ecr', 'error']]);
  });

  test('a module outside the scanned directory that holds a judged type makes its caller matter', async () => {
    const cwd = tree(
      {
        'modules/ecr/main.tf': ECR.replace('IMMUTABLE', 'MUTABLE'),
        'envs/prod/main.tf': 'module "ecr" {\n  source = "../../modules/ecr"\n}\n',
        'envs/prod/context.tf': LABEL,
      },
      { repository: true },
    );
    const r = await runCli(['scan', '--format', 'json', 'envs'], cwd);
    expect(r.code).toBe(1);
    expect(r.json().findings.map((f) => [f.root, f.resource])).toEqual([['envs/prod', 'module.ecr.aws_ecr_repository.r']]);
  });
});
