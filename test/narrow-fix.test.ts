import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { applyEdits, writeChanges } from '../src/fix/apply';
import { SourceFile } from '../src/parse/source';
import { readReport, runCli, tree } from './helpers';

// Issue 16, item 1: --fix changes an origin only for what is being fixed. Each case: the files, then the exact
// text of every file after one `tagguard fix` (files not named are unchanged), and the lines left to a person.

const FILTER = (filter: string) =>
  `\n  image_tag_mutability_exclusion_filter {\n    filter      = ${filter}\n    filter_type = "WILDCARD"\n  }\n`;

interface Case {
  files: Record<string, string>;
  after: Record<string, string>;
  /** What `fix` says on stderr about findings it leaves (matched in order). */
  manual?: RegExp[];
  /** Options for every scan and fix of the case. */
  args?: string[];
  /** What the fix is given to scan (default: the whole tree); the scans before and after always read it all. */
  paths?: string[];
}

const VARIABLE = 'variable "mutability" {\n  default = "MUTABLE"\n}\n';
const repo = (name: string, value: string, extra = '') =>
  `resource "aws_ecr_repository" "${name}" {\n  name                 = "${name}"\n  image_tag_mutability = ${value}\n${extra}}\n`;
const SUPPRESS = '# tagguard:ignore ecr-tag-immutability reason="mirror of an upstream registry"\n';

const CASES: Record<string, Case> = {
  'a variable default read only by the repositories being fixed: the default changes': {
    files: { 'main.tf': `${VARIABLE}\n${repo('a', 'var.mutability')}\n${repo('b', 'var.mutability')}` },
    after: {
      'main.tf': `${VARIABLE.replace('"MUTABLE"', '"IMMUTABLE"')}\n${repo('a', 'var.mutability')}\n${repo('b', 'var.mutability')}`,
    },
  },
  'a variable default also read by a suppressed repository, a parameter and an output: only the flagged attribute changes': {
    files: {
      'main.tf': `${VARIABLE}\n${repo('flagged', 'var.mutability')}\n${SUPPRESS}${repo('mirror', 'var.mutability')}`,
      'ssm.tf':
        'resource "aws_ssm_parameter" "mode" {\n  name  = "/ecr/mode"\n  type  = "String"\n  value = var.mutability\n}\n\noutput "mode" {\n  value = var.mutability\n}\n',
    },
    after: { 'main.tf': `${VARIABLE}\n${repo('flagged', '"IMMUTABLE"')}\n${SUPPRESS}${repo('mirror', 'var.mutability')}` },
  },
  'a variable also read by another attribute of the same repository: that attribute keeps its value': {
    files: { 'main.tf': `${VARIABLE}\n${repo('a', 'var.mutability', '  tags = {\n    mode = "${var.mutability}"\n  }\n')}` },
    after: { 'main.tf': `${VARIABLE}\n${repo('a', '"IMMUTABLE"', '  tags = {\n    mode = "${var.mutability}"\n  }\n')}` },
  },
  'a local shared with a compliant IMMUTABLE_WITH_EXCLUSION repository: the flagged one gets its own value': {
    files: {
      'main.tf': `locals {\n  mode = "IMMUTABLE_WITH_EXCLUSION"\n}\n\n${repo('dev', 'local.mode', FILTER('"dev-*"'))}\n${repo('app', 'local.mode', FILTER('"latest"'))}`,
    },
    after: {
      'main.tf': `locals {\n  mode = "IMMUTABLE_WITH_EXCLUSION"\n}\n\n${repo('dev', '"IMMUTABLE"')}\n${repo('app', 'local.mode', FILTER('"latest"'))}`,
    },
  },
  'a map entry read by a suppressed repository through the same map: the entry stays, the flagged attribute changes': {
    files: {
      'main.tf': `locals {\n  modes = {\n    api    = "MUTABLE"\n    legacy = "MUTABLE"\n  }\n}\n\n${repo('api', 'local.modes["api"]')}\n${SUPPRESS}${repo('legacy', 'local.modes["legacy"]')}`,
    },
    after: {
      'main.tf': `locals {\n  modes = {\n    api    = "MUTABLE"\n    legacy = "MUTABLE"\n  }\n}\n\n${repo('api', '"IMMUTABLE"')}\n${SUPPRESS}${repo('legacy', 'local.modes["legacy"]')}`,
    },
  },
  'a module argument read only by the module repository: the argument changes, the other call is untouched': {
    files: {
      'modules/ecr/main.tf': `variable "mutability" {\n  type = string\n}\n\n${repo('this', 'var.mutability')}`,
      'main.tf':
        'module "api" {\n  source     = "./modules/ecr"\n  mutability = "MUTABLE"\n}\n\nmodule "web" {\n  source     = "./modules/ecr"\n  mutability = "IMMUTABLE"\n}\n',
    },
    after: {
      'main.tf':
        'module "api" {\n  source     = "./modules/ecr"\n  mutability = "IMMUTABLE"\n}\n\nmodule "web" {\n  source     = "./modules/ecr"\n  mutability = "IMMUTABLE"\n}\n',
    },
  },
  'a module argument the module also outputs, and a caller with another compliant value: left to a person': {
    files: {
      'modules/ecr/main.tf': `variable "mutability" {\n  type = string\n}\n\n${repo('this', 'var.mutability', FILTER('"latest"'))}\noutput "mutability" {\n  value = var.mutability\n}\n`,
      'main.tf':
        'module "api" {\n  source     = "./modules/ecr"\n  mutability = "MUTABLE_WITH_EXCLUSION"\n}\n\nmodule "web" {\n  source     = "./modules/ecr"\n  mutability = "IMMUTABLE_WITH_EXCLUSION"\n}\n',
    },
    after: {},
    manual: [
      /^tagguard: needs a person: main\.tf:3:16 module\.api\.aws_ecr_repository\.this: main\.tf:3:16 is also read by output\.mutability \(modules\/ecr\/main\.tf:16\), and its own block is shared with module\.web\.aws_ecr_repository\.this: change it by hand$/m,
    ],
  },
  'a module whose filter comes from a variable, called with latest and with dev-*: the module is not edited': {
    files: {
      'modules/ecr/main.tf': `variable "filter" {\n  type = string\n}\n\n${repo('this', '"IMMUTABLE_WITH_EXCLUSION"', FILTER('var.filter'))}`,
      'main.tf':
        'module "ok" {\n  source = "./modules/ecr"\n  filter = "latest"\n}\n\nmodule "bad" {\n  source = "./modules/ecr"\n  filter = "dev-*"\n}\n',
    },
    after: {},
    manual: [
      /^tagguard: needs a person: modules\/ecr\/main\.tf:\d+:3 module\.bad\.aws_ecr_repository\.this: its block is shared with module\.ok\.aws_ecr_repository\.this, which this fix would change too: change it by hand$/m,
    ],
  },
  'a tfvars file shared by two roots, read by a repository in each: the value changes once for both': {
    files: {
      '.tagguard.yml': 'roots:\n  envs/*:\n    var_files: ["../../shared/common.tfvars"]\n',
      'shared/common.tfvars': 'mutability = "MUTABLE"\n',
      'envs/prod/main.tf': `variable "mutability" {\n  type = string\n}\n\n${repo('prod', 'var.mutability')}`,
      'envs/dev/main.tf': `variable "mutability" {\n  type = string\n}\n\n${repo('dev', 'var.mutability')}`,
    },
    after: { 'shared/common.tfvars': 'mutability = "IMMUTABLE"\n' },
  },
  'a tfvars file shared by two roots, one of which outputs the value: each repository gets its own value': {
    files: {
      '.tagguard.yml': 'roots:\n  envs/*:\n    var_files: ["../../shared/common.tfvars"]\n',
      'shared/common.tfvars': 'mutability = "MUTABLE"\n',
      'envs/prod/main.tf': `variable "mutability" {\n  type = string\n}\n\n${repo('prod', 'var.mutability')}`,
      'envs/dev/main.tf': `variable "mutability" {\n  type = string\n}\n\noutput "mode" {\n  value = var.mutability\n}\n`,
    },
    after: { 'envs/prod/main.tf': `variable "mutability" {\n  type = string\n}\n\n${repo('prod', '"IMMUTABLE"')}` },
  },
  'Terraform JSON: a variable default also read by an output: the flagged attribute gets the value': {
    files: {
      'main.tf.json':
        '{\n  "variable": { "mutability": { "default": "MUTABLE" } },\n  "resource": {\n    "aws_ecr_repository": {\n      "a": {\n        "name": "a",\n        "image_tag_mutability": "${var.mutability}"\n      }\n    }\n  },\n  "output": { "mode": { "value": "${var.mutability}" } }\n}\n',
    },
    after: {
      'main.tf.json':
        '{\n  "variable": { "mutability": { "default": "MUTABLE" } },\n  "resource": {\n    "aws_ecr_repository": {\n      "a": {\n        "name": "a",\n        "image_tag_mutability": "IMMUTABLE"\n      }\n    }\n  },\n  "output": { "mode": { "value": "${var.mutability}" } }\n}\n',
    },
  },
  '--var-file, given to every root: changed when only the repository reads the value': {
    args: ['--var-file', 'prod.tfvars'],
    files: {
      'prod.tfvars': 'mutability = "MUTABLE"\n',
      'main.tf': `variable "mutability" {\n  type = string\n}\n\n${repo('a', 'var.mutability')}`,
    },
    after: { 'prod.tfvars': 'mutability = "IMMUTABLE"\n' },
  },
  '--var-file, given to every root, read by a directory with no repository: the repository gets its own value': {
    args: ['--var-file', 'prod.tfvars'],
    files: {
      'prod.tfvars': 'mutability = "MUTABLE"\n',
      'ecr/main.tf': `variable "mutability" {\n  type = string\n}\n\n${repo('a', 'var.mutability')}`,
      'dns/main.tf': 'variable "mutability" {\n  type = string\n}\n\noutput "mode" {\n  value = var.mutability\n}\n',
    },
    after: { 'ecr/main.tf': `variable "mutability" {\n  type = string\n}\n\n${repo('a', '"IMMUTABLE"')}` },
  },
  'for_each over a map that an output reads: the value is written in image_tag_mutability, never in name': {
    files: {
      'main.tf':
        'locals {\n  repos = { api = "MUTABLE" }\n}\n\nresource "aws_ecr_repository" "r" {\n  for_each             = local.repos\n  name                 = each.key\n  image_tag_mutability = each.value\n}\n\noutput "repos" {\n  value = local.repos\n}\n',
    },
    after: {
      'main.tf':
        'locals {\n  repos = { api = "MUTABLE" }\n}\n\nresource "aws_ecr_repository" "r" {\n  for_each             = local.repos\n  name                 = each.key\n  image_tag_mutability = "IMMUTABLE"\n}\n\noutput "repos" {\n  value = local.repos\n}\n',
    },
  },
  'a for_each that filters on the value: the origin stays, or the instance would disappear': {
    files: {
      'main.tf':
        'locals {\n  repos = [{ name = "api", mode = "MUTABLE" }]\n}\n\nresource "aws_ecr_repository" "r" {\n  for_each             = { for r in local.repos : r.name => r if r.mode != "IMMUTABLE" }\n  name                 = each.key\n  image_tag_mutability = each.value.mode\n}\n',
    },
    after: {
      'main.tf':
        'locals {\n  repos = [{ name = "api", mode = "MUTABLE" }]\n}\n\nresource "aws_ecr_repository" "r" {\n  for_each             = { for r in local.repos : r.name => r if r.mode != "IMMUTABLE" }\n  name                 = each.key\n  image_tag_mutability = "IMMUTABLE"\n}\n',
    },
  },
  'a reader written with a comment inside the reference (var./* c */mode) is still a reader': {
    files: {
      'main.tf': `${VARIABLE}\n${repo('a', 'var.mutability')}\noutput "mode" {\n  value = var./* the mode */mutability\n}\n`,
    },
    after: { 'main.tf': `${VARIABLE}\n${repo('a', '"IMMUTABLE"')}\noutput "mode" {\n  value = var./* the mode */mutability\n}\n` },
  },
  'a file of the module that does not parse may read the value: the origin stays': {
    files: {
      'main.tf': `${VARIABLE}\n${repo('a', 'var.mutability')}`,
      'broken.tf': 'output "mode" {\n  value = var.mutability\n',
    },
    after: { 'main.tf': `${VARIABLE}\n${repo('a', '"IMMUTABLE"')}` },
  },
  ...Object.fromEntries(
    [
      ['fix on one root of two that share a module: the module, outside the scanned path, is left to a person', 'envs/dev'],
      ['the same, given the staged file as the pre-commit hook does', 'envs/dev/main.tf'],
    ].map(([title, scanned]): [string, Case] => [
      title,
      {
        paths: [scanned],
        files: {
          'modules/ecr/main.tf': `variable "mode" {\n  type = string\n}\n\n${repo('this', 'var.mode', FILTER('"latest"'))}`,
          'envs/dev/main.tf': 'module "ecr" {\n  source = "../../modules/ecr"\n  mode   = "MUTABLE_WITH_EXCLUSION"\n}\n',
          'envs/prod/main.tf': 'module "ecr" {\n  source = "../../modules/ecr"\n  mode   = "IMMUTABLE_WITH_EXCLUSION"\n}\n',
        },
        after: {},
        manual: [
          /needs a person: envs\/dev\/main\.tf:3:12 module\.ecr\.aws_ecr_repository\.this: .*modules\/ecr\/main\.tf is outside the scanned paths/,
        ],
      },
    ]),
  ),
};

/** Every file of a tree but .git, with its text. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const abs = path.join(e.parentPath, e.name);
    const rel = path.relative(dir, abs).split(path.sep).join('/');
    if (rel.startsWith('.git/') || rel === '.git' || !statSync(abs).isFile()) continue;
    files[rel] = readFileSync(abs, 'utf8');
  }
  return files;
}

/** The findings as rule, root, resource and message: what a second scan must not add to. */
const judged = (out: string) =>
  readReport(out).findings.map((f) => `${f.ruleId} ${f.root} ${f.resource} ${f.messageId ?? ''} ${f.suppression ? 'suppressed' : ''}`);

describe('--fix changes an origin only for the resources it fixes', () => {
  test.each(Object.entries(CASES))('%s', async (_, c) => {
    const dir = tree(c.files, { prefix: 'narrow', repository: true });
    const args = c.args ?? [];
    const before = await runCli(['scan', '--format', 'json', '.', ...args], dir);
    const fixed = await runCli(['fix', ...(c.paths ?? ['.']), ...args], dir);
    expect(snapshot(dir)).toEqual({ ...c.files, ...c.after });
    for (const m of c.manual ?? []) expect(fixed.err).toMatch(m);
    if (!c.manual) expect(fixed.err).not.toContain('needs a person');
    // No finding the first scan did not have; a suppressed finding stays suppressed.
    const after = await runCli(['scan', '--format', 'json', '.', ...args], dir);
    expect(judged(after.out).filter((f) => !judged(before.out).includes(f))).toEqual([]);
    expect(judged(after.out).filter((f) => f.endsWith('suppressed'))).toEqual(judged(before.out).filter((f) => f.endsWith('suppressed')));
    // A second fix changes nothing.
    const again = snapshot(dir);
    await runCli(['fix', ...(c.paths ?? ['.']), ...args], dir);
    expect(snapshot(dir)).toEqual(again);
  });
});

describe('a fixed file that cannot be written', () => {
  test('is reported with the reason, and the other files are still written', async () => {
    const dir = tree({ 'a/main.tf': 'x = "MUTABLE"\n', 'b/main.tf': 'x = "MUTABLE"\n' }, { prefix: 'narrow-write' });
    const sources = new Map(['a/main.tf', 'b/main.tf'].map((f) => [f, new SourceFile(f, readFileSync(path.join(dir, f), 'utf8'))]));
    const edits = [...sources.keys()].map((file) => ({ file, start: 4, end: 13, text: '"IMMUTABLE"' }));
    const applied = await applyEdits(edits, sources);
    // Between the plan and the write, the file becomes a directory: the rename over it fails (as root too).
    rmSync(path.join(dir, 'a/main.tf'));
    mkdirSync(path.join(dir, 'a/main.tf'));
    const refused = await writeChanges(applied.changed, dir);
    expect(refused).toEqual([{ file: 'a/main.tf', reason: expect.stringMatching(/^cannot write it \(E[A-Z]+\)$/) as string }]);
    expect(applied.changed.map((c) => c.file)).toEqual(['b/main.tf']);
    expect(readFileSync(path.join(dir, 'b/main.tf'), 'utf8')).toBe('x = "IMMUTABLE"\n');
  });
});
