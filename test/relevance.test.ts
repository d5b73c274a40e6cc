import { readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PreSearch } from '../src/discover/pre-search';
import { decidesSearch, factsOf, type FileFacts, LOCAL_SOURCE, relevantDirs, withCallers } from '../src/discover/relevance';
import { DEFAULT_POLICY, defined, runCli, tempDir, tree as makeTree } from './helpers';
import { scan } from '../src/scan/run';

// The benchmark's generator is plain JavaScript.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript outside the TypeScript project: no import types it
const { generate } = require('../bench/generate.js') as { generate: (dir: string, files: number) => string };

const WORDS = ['aws_ecr_repository'];

const tree = (files: Record<string, string>) => makeTree(files, { prefix: 'relevance' });

describe('factsOf', () => {
  test.each<[string, string, Partial<FileFacts>]>([
    ['a judged type', 'resource "aws_ecr_repository" "r" {}', { judged: true, declares: false, calls: false }],
    ['a variable', 'variable "x" {}', { judged: false, declares: true, calls: false }],
    ['a local module call', 'module "m" {\n  source = "../m"\n}', { calls: true, localSources: ['../m'], otherCall: false }],
    ['a JSON module call', '{"module": {"m": {"source": "./m"}}}', { calls: true, localSources: ['./m'], otherCall: false }],
    [
      'a registry module call',
      'module "m" {\n  source = "terraform-aws-modules/ecr/aws"\n}',
      { calls: true, localSources: [], otherCall: true },
    ],
    [
      'an unmodelled registry module call',
      'module "label" {\n  source  = "cloudposse/label/null"\n  version = "0.25.0"\n}',
      { calls: true, otherCall: true, modelledCall: false, remoteCall: true, unreadableCall: false },
    ],
    [
      'a modelled registry module call, in any address form',
      'module "m" {\n  source = "registry.terraform.io/terraform-aws-modules/ecr/aws"\n}',
      { modelledCall: true, remoteCall: false, unreadableCall: false },
    ],
    [
      'a module call whose source cannot be read',
      'module "m" {\n  source = local.where\n}',
      { calls: true, otherCall: true, unreadableCall: true },
    ],
    [
      'a second module call whose source cannot be read',
      'module "a" {\n  source = "./a"\n}\nmodule "b" {\n  source = var.where\n}',
      { localSources: ['./a'], unreadableCall: true },
    ],
    ['a templated source', 'module "m" {\n  source = "./${var.env}"\n}', { unreadableCall: true }],
    ['a JSON module call with no string source', '{"module": {"m": {"source": 1}}}', { calls: true, unreadableCall: true }],
    [
      'outputs of a module read, no call',
      'output "x" {\n  value = module.this.id\n}',
      { calls: true, unreadableCall: false, readsOutputs: true },
    ],
    ['nothing that matters', 'resource "aws_s3_bucket" "b" {\n  bucket = local.name\n}', { judged: false, declares: false, calls: false }],
  ])('%s', (_name, text, expected) => {
    expect(factsOf(text, WORDS)).toMatchObject(expected);
  });
});

describe('relevantDirs', () => {
  const f = (text: string) => factsOf(text, WORDS);
  const ecr = f('resource "aws_ecr_repository" "r" {}');
  const vars = f('variable "x" {}');
  const call = (to: string) => f(`module "m" {\n  source = "${to}"\n}`);

  test('a directory that cannot reach a judged resource is left out; its callers and the judged one are kept', () => {
    const facts = new Map([
      ['/r/ecr', [ecr, vars]],
      ['/r/calls-ecr', [call('../ecr')]],
      ['/r/calls-calls-ecr', [call('../calls-ecr')]],
      ['/r/plain', [vars]],
      ['/r/calls-plain', [call('../plain'), vars]],
    ]);
    expect([...relevantDirs(facts)].sort()).toEqual(['/r/calls-calls-ecr', '/r/calls-ecr', '/r/ecr']);
  });

  const facts = new Map([
    ['/r/registry', [call('terraform-aws-modules/ecr/aws')]],
    ['/r/label', [call('cloudposse/label/null'), vars]],
    ['/r/git', [call('git::https://example.com/x.git')]],
    ['/r/installed', [call('example/app/aws')]],
    ['/r/calls-installed', [call('../installed')]],
    ['/r/computed', [f('module "m" {\n  source = var.where\n}')]],
    ['/r/outside', [call('../../elsewhere')]],
    ['/r/a', [call('../b')]],
    ['/r/b', [call('../a')]],
    ['/r/into-cycle', [call('../a')]],
    ['/r/plain', [vars]],
  ]);

  test('only modelled registry modules, installed modules that matter and unreadable sources lead to a judged type', () => {
    // `installed`: module-loader.ts finds them in .terraform/modules/modules.json.
    expect([...relevantDirs(facts, undefined, { installed: new Set(['/r/installed']) })].sort()).toEqual([
      '/r/calls-installed',
      '/r/computed',
      '/r/installed',
      '/r/registry',
    ]);
  });

  test('--strict: every remote call, every call outside the scan and every cycle may lead to one, as before', () => {
    expect([...relevantDirs(facts, undefined, { strict: true })].sort()).toEqual([
      '/r/a',
      '/r/b',
      '/r/calls-installed',
      '/r/computed',
      '/r/git',
      '/r/installed',
      '/r/into-cycle',
      '/r/label',
      '/r/outside',
      '/r/registry',
    ]);
  });

  test('a directory outside the scan that local calls lead to counts as any other', () => {
    const withOutside = new Map([...facts, ['/elsewhere', [ecr]]]);
    expect(relevantDirs(withOutside).has('/r/outside')).toBe(true);
    expect(relevantDirs(withOutside).has('/elsewhere')).toBe(true);
  });

  test('focus keeps the focus directories and their callers only', () => {
    const facts = new Map([
      ['/r/ecr', [ecr]],
      ['/r/other-ecr', [ecr]],
      ['/r/root', [call('../ecr')]],
      ['/r/other-root', [call('../other-ecr')]],
    ]);
    expect([...relevantDirs(facts, new Set(['/r/ecr']))].sort()).toEqual(['/r/ecr', '/r/root']);
  });

  test('withCallers follows calls transitively', () => {
    const calls = new Map([
      ['/r/a', ['/r/b']],
      ['/r/b', ['/r/c']],
      ['/r/x', ['/r/y']],
    ]);
    expect([...withCallers(new Set(['/r/c']), calls)].sort()).toEqual(['/r/a', '/r/b', '/r/c']);
  });
});

describe('filesMatching', () => {
  test('grep and the Node fallback list the same files, skipping .terraform and other extensions', async () => {
    const root = tree({
      'envs/prod/main.tf': 'module "ecr" {\n  source = "../../modules/ecr"\n}\n',
      'envs/dev/main.tf.json': '{"module": {"ecr": {"source": "../../modules/ecr"}}}',
      'envs/dev/other.tf': 'module "x" {\n  source = "git::https://example.com/x.git"\n}\n',
      'envs/prod/.terraform/modules/m/main.tf': 'module "y" {\n  source = "./z"\n}\n',
      'envs/prod/notes.md': 'source = "./not-terraform"',
      'modules/ecr/main.tf': 'resource "aws_ecr_repository" "r" {}\n',
    });
    const rel = (files: string[]) => files.map((f) => path.relative(root, f)).sort();
    const withGrep = rel(await new PreSearch().filesMatching(root, LOCAL_SOURCE));
    const saved = process.env.PATH;
    process.env.PATH = '';
    let withoutGrep: string[];
    try {
      withoutGrep = rel(await new PreSearch().filesMatching(root, LOCAL_SOURCE));
    } finally {
      process.env.PATH = saved;
    }
    expect(withGrep).toEqual(['envs/dev/main.tf.json', 'envs/prod/main.tf']);
    expect(withoutGrep).toEqual(withGrep);
  });
});

describe('scans that read only what can matter', () => {
  let root: string;
  let sample: string;
  beforeAll(() => {
    root = tempDir('synthetic');
    sample = generate(root, 600);
  });

  const options = (extra: object = {}) => ({
    paths: ['.'],
    cwd: root,
    policy: DEFAULT_POLICY,
    variables: { varFiles: [], vars: [], env: {} },
    ...extra,
  });
  const key = (f: { resource: string; root: string; file: string; line: number; column: number }) =>
    `${f.root} ${f.resource} ${f.file}:${f.line}:${f.column}`;

  test('a whole-tree scan parses only the directories that reach an ECR repository', async () => {
    const result = await scan(options());
    expect(result.summary.resources).toBeGreaterThan(0);
    expect(result.findings.length).toBeGreaterThan(0);
    const parsed = [...result.sources.keys()];
    // Files of modules with neither a repository nor a call that reaches one stay unread by the parser.
    expect(parsed.every((p) => /\/(ecr-\d+\.tf|variables\.tf|calls\.tf|terraform\.tfvars)$/.test(p))).toBe(true);
    expect(parsed.some((p) => p.endsWith('calls.tf'))).toBe(true);
    const dirs = new Set(parsed.map((p) => path.dirname(p)));
    expect(dirs.size).toBeLessThan(60 / 2);
  });

  // module-3 holds an ECR repository; module-0 reaches none, so a problem there cannot change a verdict (--strict reports it).
  test.each([false, true])(
    'strict %s: the grep search changes nothing: the same findings and errors as reading every file, binary, Latin-1 and symlinked files included',
    async (strict) => {
      const written: string[] = [];
      for (const m of ['module-0', 'module-3']) {
        written.push(path.join(root, 'group-0', m, 'logo.tf'), path.join(root, 'group-0', m, 'latin1.tf'));
        writeFileSync(path.join(root, 'group-0', m, 'logo.tf'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0xff]));
        writeFileSync(path.join(root, 'group-0', m, 'latin1.tf'), Buffer.from('locals {\n  owner = "caf\xe9"\n}\n', 'latin1'));
      }
      written.push(path.join(root, 'group-0', 'module-6', 'linked.tf'));
      symlinkSync(path.join(root, 'group-0', 'module-3', 'ecr-35.tf'), path.join(root, 'group-0', 'module-6', 'linked.tf'));
      const compare = (r: Awaited<ReturnType<typeof scan>>) => ({
        findings: r.findings.map(key),
        errors: r.errors,
        resources: r.resources.map((x) => x.address),
      });
      try {
        const withGrep = await scan(options({ strict }));
        const saved = process.env.PATH;
        process.env.PATH = '';
        let withoutGrep;
        try {
          withoutGrep = await scan(options({ strict }));
        } finally {
          process.env.PATH = saved;
        }
        expect(compare(withGrep)).toEqual(compare(withoutGrep));
        expect(withGrep.errors.map((e) => e.file).sort()).toEqual([
          ...(strict ? ['group-0/module-0/latin1.tf', 'group-0/module-0/logo.tf'] : []),
          'group-0/module-3/latin1.tf',
          'group-0/module-3/logo.tf',
        ]);
        expect(withGrep.resources.some((r) => r.location.file === 'group-0/module-6/linked.tf')).toBe(true);
      } finally {
        for (const f of written) rmSync(f);
      }
    },
  );

  test('a scan of one named file reports exactly what the whole-tree scan reports about it, callers included', async () => {
    const whole = await scan(options());
    const ecrFiles = [...new Set(whole.resources.map((r) => r.location.file))];
    expect(ecrFiles.length).toBeGreaterThan(3);
    for (const file of ecrFiles) {
      const named = await scan(options({ onlyFiles: new Set([file]) }));
      const touching = whole.findings.filter((f) => f.file === file || f.trace.some((t) => t.file === file));
      expect(named.findings.map(key)).toEqual(touching.map(key));
      expect(named.resources.map((r) => r.address).sort()).toEqual(
        whole.resources
          .filter((r) => r.location.file === file)
          .map((r) => r.address)
          .sort(),
      );
    }
  });

  test('the CLI finds the caller of a named module file through a text search', async () => {
    // The sample is a module that the next module, a root with a tfvars file that says MUTABLE, calls.
    const file = path.relative(root, sample);
    const m = Number(defined(/module-(\d+)/.exec(file), `a module number in ${file}`)[1]);
    const { code, json } = await runCli(['scan', file, '--format', 'json'], root);
    const report = json();
    expect(report.findings.map((f: { root: string; resource: string; file: string }) => [f.root, f.resource, f.file])).toEqual([
      [
        `group-0/module-${m + 1}`,
        expect.stringMatching(/^module\.previous\.aws_ecr_repository\./),
        `group-0/module-${m + 1}/terraform.tfvars`,
      ],
    ]);
    expect(code).toBe(1);
    // Only the named file's module and its caller were listed, not the tree.
    expect(report.summary.files).toBe(
      readdirSync(path.dirname(sample)).length +
        readdirSync(path.join(root, `group-0/module-${m + 1}`)).filter((f) => f.endsWith('.tf')).length,
    );
  });
});

describe('the search for files that decide relevance', () => {
  const texts: [string, boolean][] = [
    ['module "x" {\n  source = "./x"\n}\n', true],
    ['module "x" {\n  source="cloudposse/label/null"\n}\n', true],
    ['{"module": {"x": {"source": "./x"}}}', true],
    ['resource "aws_ecr_repository" "r" {}\n', true],
    // A unicode escape may spell the type.
    ['{"resource": {"aws_ecr\\u005frepository": {}}}', true],
    // `resource` holds `source`; an attribute that ends in source is not a module's.
    ['resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n', false],
    ['resource "aws_lambda_permission" "p" {\n  event_source = "x"\n  source_arn = "y"\n}\n', false],
  ];
  test.each(texts)('%j: %s', async (text, decides) => {
    const search = decidesSearch(['aws_ecr_repository']);
    expect(search.regex.test(text)).toBe(decides);
    // grep reads the same with the ERE (when the system has grep).
    const dir = makeTree({ 'main.tf': text });
    const found = await new PreSearch().grepFiles(dir, search);
    if (found) expect(found.length).toBe(decides ? 1 : 0);
  });
});

describe('a judged type spelt with a unicode escape', () => {
  test.each([
    ['main.tf.json', '{"resource": {"aws_ecr\\u005frepository": {"x": {"name": "x", "image_tag_mutability": "MUTABLE"}}}}\n'],
    ['main.tf', 'resource "aws_ecr\\u005frepository" "x" {\n  image_tag_mutability = "MUTABLE"\n}\n'],
  ])('%s is read and judged, with and without --strict', async (file, text) => {
    const dir = makeTree({ [file]: text });
    for (const argv of [
      ['scan', '--format', 'json', '.'],
      ['scan', '.', '--strict', '--format', 'json'],
    ]) {
      const r = await runCli(argv, dir);
      expect([r.code, r.json().findings.map((f) => f.resource)]).toEqual([1, ['aws_ecr_repository.x']]);
    }
  });
});

// Ways a change could make the root that makes a repository mutable look irrelevant: each must be judged as --strict is.
describe('a module call the relevance filter must not lose', () => {
  const CHILD =
    'variable "mut" {\n  default = "IMMUTABLE"\n}\n\nresource "aws_ecr_repository" "r" {\n  name                 = "x"\n  image_tag_mutability = var.mut\n}\n';
  const cases: [string, Record<string, string>, string][] = [
    [
      'a JSON \\/ escape in the source',
      { 'main.tf.json': '{"module": {"c": {"source": ".\\/child", "mut": "MUTABLE"}}}\n' },
      'module.c.aws_ecr_repository.r',
    ],
    [
      'a JSON line break before the colon',
      { 'main.tf.json': '{"module": {"c": {"source"\n  : "./child", "mut": "MUTABLE"}}}\n' },
      'module.c.aws_ecr_repository.r',
    ],
    [
      'a comment between source and =',
      { 'main.tf': 'module "c" {\n  source /* x */ = "./child"\n  mut = "MUTABLE"\n}\n' },
      'module.c.aws_ecr_repository.r',
    ],
    [
      'a parenthesised source and a decoy comment',
      { 'main.tf': '# source = "./decoy"\nmodule "c" {\n  source = ("./child")\n  mut    = "MUTABLE"\n}\n' },
      'module.c.aws_ecr_repository.r',
    ],
    [
      'a byte order mark and a parenthesised source',
      { 'main.tf': '\ufeffmodule "c" {\r\n  source = ("./child")\r\n  mut    = "MUTABLE"\r\n}\r\n' },
      'module.c.aws_ecr_repository.r',
    ],
    [
      'an override file that moves the source',
      {
        'main.tf': 'module "c" {\n  source = "./safe"\n  mut    = "MUTABLE"\n}\n',
        'safe/main.tf': 'variable "mut" {}\n',
        'main_override.tf.json': '{"module": {"c": {"source"\n: "./child"}}}\n',
      },
      'module.c.aws_ecr_repository.r',
    ],
    [
      'an installed module whose repository is in its own local module',
      {
        'main.tf': 'module "platform" {\n  source = "git::https://example.com/platform.git//service?ref=v1"\n}\n',
        '.terraform/modules/modules.json':
          '{"Modules": [{"Key": "", "Source": "", "Dir": "."}, {"Key": "platform", "Source": "git::https://example.com/platform.git//service?ref=v1", "Dir": ".terraform/modules/platform"}, {"Key": "platform.repo", "Source": "./modules/repo", "Dir": ".terraform/modules/platform/modules/repo"}]}\n',
        '.terraform/modules/platform/main.tf': 'module "repo" {\n  source = "./modules/repo"\n}\n',
        '.terraform/modules/platform/modules/repo/main.tf': 'resource "aws_ecr_repository" "r" {\n  image_tag_mutability = "MUTABLE"\n}\n',
      },
      'module.platform.module.repo.aws_ecr_repository.r',
    ],
  ];
  test.each(cases)('%s', async (_, files, resource) => {
    const dir = makeTree({ 'child/main.tf': CHILD, ...files });
    const r = await runCli(['scan', '--format', 'json', '.'], dir);
    expect([r.code, r.json().findings.map((f) => f.resource)]).toEqual([1, [resource]]);
  });

  test('a modules.json whose entries are not strings is left out, not a crash', async () => {
    const dir = makeTree({
      'ecr/main.tf': 'resource "aws_ecr_repository" "r" {\n  name = "r"\n}\n',
      'unrelated/main.tf': 'variable "x" {}\n',
      'unrelated/.terraform/modules/modules.json': '{"Modules": [{"Key": "a", "Source": 1, "Dir": "x"}, {"Key": 5}, null]}\n',
    });
    const r = await runCli(['scan', '--format', 'json', '.'], dir);
    expect([r.code, r.json().findings.map((f) => f.resource)]).toEqual([1, ['aws_ecr_repository.r']]);
  });
});
