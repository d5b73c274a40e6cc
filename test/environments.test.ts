import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expandGlob } from '../src/discover/glob';
import { runCli, tree } from './helpers';

// Issue 15, item 1: environments. envs/prod and envs/dev call modules/ecr; each has its own tfvars.
const MODULE = `variable "mutability" {
  type = string
}

resource "aws_ecr_repository" "this" {
  name                 = "app"
  image_tag_mutability = var.mutability
}
`;

const ROOT = `variable "mutability" {
  type    = string
  default = "IMMUTABLE"
}

module "ecr" {
  source     = "../../modules/ecr"
  mutability = var.mutability
}
`;

/** envs/prod (IMMUTABLE) and envs/dev (MUTABLE, and a variable no root declares), in HCL or JSON. */
function environments(json = false, extra: Record<string, string> = {}) {
  const ext = json ? 'tfvars.json' : 'tfvars';
  return tree({
    'modules/ecr/main.tf': MODULE,
    'envs/prod/main.tf': ROOT,
    'envs/dev/main.tf': ROOT,
    [`envs/prod/prod.${ext}`]: json ? '{\n  "mutability": "IMMUTABLE"\n}\n' : 'mutability = "IMMUTABLE"\n',
    [`envs/dev/dev.${ext}`]: json ? '{\n  "mutability": "MUTABLE",\n  "replicas": 2\n}\n' : 'mutability = "MUTABLE"\nreplicas   = 2\n',
    ...extra,
  });
}

const findingsOf = (out: string) =>
  (JSON.parse(out) as { findings: { root: string; file: string; line: number; column: number; messageId?: string }[] }).findings.map(
    (f) => [f.root, f.file, f.line, f.column, f.messageId],
  );

/** The same command line with its options before and after the paths. */
const bothOrders = (options: string[], paths: string[]) => [
  ['scan', ...options, ...paths],
  ['scan', ...paths, ...options],
];

describe('a plain scan of an environments layout', () => {
  test('names each tfvars file that no root reads, and judges the roots with their defaults', async () => {
    const cwd = environments();
    const { code, out, err } = await runCli(['scan', '--format', 'json'], cwd);
    expect(code).toBe(0);
    expect(findingsOf(out)).toEqual([]);
    expect(err).toBe(
      'tagguard: note: envs/dev/dev.tfvars is not applied to any root; name it with --var-file or in .tagguard.yml\n' +
        'tagguard: note: envs/prod/prod.tfvars is not applied to any root; name it with --var-file or in .tagguard.yml\n',
    );
  });
});

describe('.tagguard.yml roots', () => {
  test.each([
    ['HCL, a glob of roots and of files', false, 'roots:\n  envs/*:\n    var_files: ["*.tfvars*"]\n'],
    [
      'JSON, each root by name',
      true,
      'roots:\n  envs/prod:\n    var_files: [prod.tfvars.json]\n  envs/dev:\n    var_files: [dev.tfvars.json]\n',
    ],
  ])('%s: each root is judged with its own file; the finding points into it', async (_, json, config) => {
    const cwd = environments(json, { '.tagguard.yml': config });
    const ext = json ? 'tfvars.json' : 'tfvars';
    const { code, out, err } = await runCli(['scan', '--format', 'json'], cwd);
    expect(code).toBe(1);
    expect(findingsOf(out)).toEqual([['envs/dev', `envs/dev/dev.${ext}`, json ? 2 : 1, json ? 17 : 14, 'mutable']]);
    expect(err).toBe(
      `tagguard: note: envs/dev/dev.${ext}:${json ? '3:15' : '2:14'}: value for undeclared variable "replicas": root envs/dev declares no variable of that name, so the value is not used\n`,
    );
  });

  test('order, later wins: terraform.tfvars and *.auto.tfvars, then the root files, then --var-file', async () => {
    const cwd = environments(false, {
      '.tagguard.yml': 'roots:\n  envs/prod:\n    var_files: [prod.tfvars]\n',
      'envs/prod/terraform.tfvars': 'mutability = "MUTABLE"\n',
      'envs/prod/x.auto.tfvars': 'mutability = "MUTABLE"\n',
      'override.tfvars': 'mutability = "MUTABLE_WITH_EXCLUSION"\n',
    });
    const rootWins = await runCli(['scan', '--format', 'json', 'envs/prod'], cwd);
    expect({ code: rootWins.code, findings: findingsOf(rootWins.out) }).toEqual({ code: 0, findings: [] });
    for (const argv of bothOrders(['--format', 'json', '--var-file', 'override.tfvars'], ['envs/prod'])) {
      const optionWins = await runCli(argv, cwd);
      expect({ code: optionWins.code, findings: findingsOf(optionWins.out) }).toEqual({
        code: 1,
        findings: [['envs/prod', 'override.tfvars', 1, 14, 'mutable_with_exclusion']],
      });
    }
  });

  test.each([
    [
      'a root that matches no directory',
      'roots:\n  envs/prd:\n    var_files: [prod.tfvars]\n',
      'tagguard: .tagguard.yml: roots: envs/prd: no such directory\n',
    ],
    [
      'a variables file that is not there',
      'roots:\n  envs/*:\n    var_files: [prod.tfvars]\n',
      'tagguard: .tagguard.yml: roots: envs/*: var_files: prod.tfvars: no such file in envs/dev\n',
    ],
    [
      'an unknown setting',
      'roots:\n  envs/prod:\n    var_file: [prod.tfvars]\n',
      'tagguard: invalid config:\n.tagguard.yml:3:5: roots.envs/prod: unknown key "var_file"\n',
    ],
    [
      'a file that is not a list',
      'roots:\n  envs/prod:\n    var_files: prod.tfvars\n',
      'tagguard: invalid config:\n.tagguard.yml:3:16: roots.envs/prod.var_files: must be array\n',
    ],
    [
      'a folder of roots rather than a root',
      'roots:\n  envs:\n    var_files: ["*.tfvars"]\n',
      'tagguard: .tagguard.yml: roots: envs: no Terraform files in envs, so it is not a root module (did you mean envs/*?)\n',
    ],
    [
      'a variables file outside the repository',
      'roots:\n  envs/prod:\n    var_files: [/etc/hostname]\n',
      'tagguard: .tagguard.yml: roots: envs/prod: var_files: /etc/hostname: outside the repository; .tagguard.yml reads only files inside it\n',
    ],
    [
      'a root outside the repository',
      'roots:\n  /etc:\n    var_files: ["*.tfvars"]\n',
      'tagguard: .tagguard.yml: roots: /etc: outside the repository; .tagguard.yml reads only files inside it\n',
    ],
    [
      'a variables file for every root outside the repository',
      'var_files: [/etc/hostname]\n',
      'tagguard: .tagguard.yml: var_files: /etc/hostname: outside the repository; .tagguard.yml reads only files inside it\n',
    ],
  ])('%s is a usage error naming the file', async (_, config, message) => {
    const cwd = environments(false, { '.tagguard.yml': config });
    expect(await runCli(['scan'], cwd)).toMatchObject({ code: 2, out: '', err: message });
  });
});

describe('a tfvars file named on the command line (a pre-commit hook passes the staged files)', () => {
  test.each([false, true])('json %s: the root in its directory is judged with it', async (json) => {
    const cwd = environments(json);
    const ext = json ? 'tfvars.json' : 'tfvars';
    for (const argv of bothOrders(['--format', 'json'], [`envs/dev/dev.${ext}`])) {
      const dev = await runCli(argv, cwd);
      expect({ code: dev.code, findings: findingsOf(dev.out) }).toEqual({
        code: 1,
        findings: [['envs/dev', `envs/dev/dev.${ext}`, json ? 2 : 1, json ? 17 : 14, 'mutable']],
      });
    }
    const prod = await runCli(['scan', '--format', 'json', `envs/prod/prod.${ext}`], cwd);
    expect({ code: prod.code, findings: findingsOf(prod.out), err: prod.err }).toEqual({ code: 0, findings: [], err: '' });
  });

  test('as for a staged .tf file, only the findings that touch the named file are reported', async () => {
    const cwd = environments(false, {
      'envs/dev/extra.tf': 'resource "aws_ecr_repository" "cache" {\n  name = "cache"\n}\n',
      'envs/dev/dev.tfvars': 'mutability = "IMMUTABLE"\n',
    });
    const { code, out } = await runCli(['scan', '--format', 'json', 'envs/dev/dev.tfvars'], cwd);
    expect({ code, findings: findingsOf(out) }).toEqual({ code: 0, findings: [] });
    const both = await runCli(['scan', '--format', 'json', 'envs/dev/dev.tfvars', 'envs/dev/extra.tf'], cwd);
    expect({ code: both.code, findings: findingsOf(both.out) }).toEqual({
      code: 1,
      findings: [['envs/dev', 'envs/dev/extra.tf', 1, 1, 'not_set']],
    });
  });

  test('env/prod.tfvars beside one root: named, it applies to the root above it; the other is a note', async () => {
    const cwd = tree({
      'main.tf': ROOT.replace('../../modules/ecr', './modules/ecr'),
      'modules/ecr/main.tf': MODULE,
      'env/prod.tfvars': 'mutability = "IMMUTABLE"\n',
      'env/dev.tfvars': 'mutability = "MUTABLE"\n',
    });
    const plain = await runCli(['scan', '--format', 'json'], cwd);
    expect({ code: plain.code, findings: findingsOf(plain.out), err: plain.err }).toEqual({
      code: 0,
      findings: [],
      err:
        'tagguard: note: env/dev.tfvars is not applied to any root; name it with --var-file or in .tagguard.yml\n' +
        'tagguard: note: env/prod.tfvars is not applied to any root; name it with --var-file or in .tagguard.yml\n',
    });
    for (const argv of bothOrders(['--format', 'json'], ['env/dev.tfvars'])) {
      const named = await runCli(argv, cwd);
      expect({ code: named.code, findings: findingsOf(named.out), err: named.err }).toEqual({
        code: 1,
        findings: [['.', 'env/dev.tfvars', 1, 14, 'mutable']],
        err: 'tagguard: note: env/prod.tfvars is not applied to any root; name it with --var-file or in .tagguard.yml\n',
      });
    }
  });

  test('a file the configuration assigns is applied where it says, not to its own directory', async () => {
    const cwd = environments(false, {
      'vars/dev.tfvars': 'mutability = "MUTABLE"\n',
      '.tagguard.yml': 'roots:\n  envs/dev:\n    var_files: [../../vars/dev.tfvars]\n',
    });
    const { code, out } = await runCli(['scan', '--format', 'json', 'vars/dev.tfvars'], cwd);
    expect({ code, findings: findingsOf(out) }).toEqual({ code: 1, findings: [['envs/dev', 'vars/dev.tfvars', 1, 14, 'mutable']] });
  });
});

describe('--var-file', () => {
  test('applies to every root scanned; --verbose says where; undeclared values are notes, not findings', async () => {
    const cwd = environments();
    for (const argv of bothOrders(['--format', 'json', '--verbose', '--var-file', 'envs/dev/dev.tfvars'], ['envs'])) {
      const { code, out, err } = await runCli(argv, cwd);
      expect({ code, findings: findingsOf(out) }).toEqual({
        code: 1,
        findings: [
          ['envs/dev', 'envs/dev/dev.tfvars', 1, 14, 'mutable'],
          ['envs/prod', 'envs/dev/dev.tfvars', 1, 14, 'mutable'],
        ],
      });
      expect(err).toBe(
        'tagguard: envs/dev/dev.tfvars: applied to envs/dev, envs/prod\n' +
          'tagguard: note: envs/prod/prod.tfvars is not applied to any root; name it with --var-file or in .tagguard.yml\n' +
          'tagguard: note: envs/dev/dev.tfvars:2:14: value for undeclared variable "replicas": root envs/dev declares no variable of that name, so the value is not used\n' +
          'tagguard: note: envs/dev/dev.tfvars:2:14: value for undeclared variable "replicas": root envs/prod declares no variable of that name, so the value is not used\n',
      );
    }
  });
});

// Issue 15, item 5: a commit the hook blocks says how to fix it.
describe('inside a pre-commit hook (PRE_COMMIT=1)', () => {
  test('a blocked commit names the fix command and the tagguard-fix hook', async () => {
    const cwd = environments();
    for (const argv of bothOrders(['--format', 'json'], ['envs/dev/dev.tfvars'])) {
      const { code, err } = await runCli(argv, cwd, { env: { PRE_COMMIT: '1' } });
      expect({ code, err }).toEqual({
        code: 1,
        err:
          'tagguard: note: envs/dev/dev.tfvars:2:14: value for undeclared variable "replicas": root envs/dev declares no variable of that name, so the value is not used\n' +
          'tagguard: to fix: run tagguard fix envs/dev/dev.tfvars and stage the changes, or use the tagguard-fix hook (or args: [--fix] on this hook) in .pre-commit-config.yaml\n',
      });
    }
    const fixed = await runCli(['fix', 'envs/dev/dev.tfvars'], cwd, { env: { PRE_COMMIT: '1' } });
    expect(fixed.code).toBe(0);
    expect(readFileSync(path.join(cwd, 'envs/dev/dev.tfvars'), 'utf8')).toBe('mutability = "IMMUTABLE"\nreplicas   = 2\n');
  });

  test('outside a hook the same scan gives no hint', async () => {
    const plain = await runCli(['scan', '--format', 'json', 'envs/dev/dev.tfvars'], environments());
    expect({ code: plain.code, hint: plain.err.includes('to fix') }).toEqual({ code: 1, hint: false });
  });
});

describe('globs in roots: and var_files', () => {
  test('* and ? stay in one segment, ** crosses directories, and no wildcard enters a hidden directory', () => {
    const dir = tree({
      'envs/prod/main.tf': '',
      'envs/dev/main.tf': '',
      'envs/.terraform/modules/x/main.tf': '',
      'envs/eu/west/main.tf': '',
      'envs/prod/a.tfvars': '',
      'envs/prod/b.tfvars.json': '',
    });
    const rel = (files: string[]) => files.map((f) => path.relative(dir, f));
    expect(rel(expandGlob(dir, 'envs/*', 'directory'))).toEqual(['envs/dev', 'envs/eu', 'envs/prod']);
    expect(rel(expandGlob(dir, 'envs/pro?', 'directory'))).toEqual(['envs/prod']);
    expect(rel(expandGlob(dir, 'envs/**/west', 'directory'))).toEqual(['envs/eu/west']);
    expect(rel(expandGlob(dir, 'envs/**/modules', 'directory'))).toEqual([]);
    expect(rel(expandGlob(path.join(dir, 'envs/prod'), '*.tfvars', 'file'))).toEqual(['envs/prod/a.tfvars']);
    expect(rel(expandGlob(path.join(dir, 'envs/prod'), '*.tfvars*', 'file'))).toEqual(['envs/prod/a.tfvars', 'envs/prod/b.tfvars.json']);
    expect(rel(expandGlob(dir, './envs/prod', 'directory'))).toEqual(['envs/prod']);
  });

  test('a var_files glob that matches nothing in a root is a note naming the root; one through .. reaches a shared folder', async () => {
    const cwd = tree({
      '.git/HEAD': '',
      'envs/prod/main.tf': ROOT,
      'envs/dev/main.tf': ROOT,
      'envs/dev/dev.tfvars': 'mutability = "IMMUTABLE"\n',
      'shared/mutable.tfvars': 'mutability = "MUTABLE"\n',
      'modules/ecr/main.tf': MODULE,
      '.tagguard.yml': 'roots:\n  envs/*:\n    var_files: ["*.tfvars", "../../shared/*.tfvars"]\n',
    });
    const { code, out, err } = await runCli(['scan', '--format', 'json'], cwd);
    expect(err).toBe('tagguard: note: .tagguard.yml: roots: envs/*: var_files: *.tfvars matches no file in envs/prod\n');
    // shared/mutable.tfvars comes after each root's own file, so both roots are MUTABLE.
    const roots = (JSON.parse(out) as { findings: { root: string }[] }).findings.map((f) => f.root).sort();
    expect([code, roots]).toEqual([1, ['envs/dev', 'envs/prod']]);
  });
});
