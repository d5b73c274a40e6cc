import { chmodSync, cpSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { readReport, ROOT, runCli, tempDir, tree as makeTree } from './helpers';

const run = (argv: string[], cwd: string) => runCli(argv, cwd);

const tree = (files: Record<string, string>) => makeTree(files, { prefix: 'fix', repository: true });

const read = (dir: string, rel: string) => readFileSync(path.join(dir, rel), 'utf8');

// Each case: the files before, the file that changes, and its text after one --fix.
const CASES: [string, Record<string, string>, string, string][] = [
  [
    'MUTABLE literal',
    {
      'main.tf':
        'resource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = "MUTABLE" # keep this comment\n}\n',
    },
    'main.tf',
    'resource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = "IMMUTABLE" # keep this comment\n}\n',
  ],
  [
    'invalid value',
    { 'main.tf': 'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "Immutable"\n}\n' },
    'main.tf',
    'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE"\n}\n',
  ],
  [
    'missing attribute: inserted and aligned with its group',
    { 'main.tf': '# repo\nresource "aws_ecr_repository" "a" {\n  name         = "a"\n  force_delete = true\n\n  tags = {}\n}\n' },
    'main.tf',
    '# repo\nresource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE"\n  name                 = "a"\n  force_delete         = true\n\n  tags = {}\n}\n',
  ],
  [
    'null is the literal to change',
    { 'main.tf': 'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = null\n}\n' },
    'main.tf',
    'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE"\n}\n',
  ],
  [
    'variable default in another file',
    {
      'main.tf': 'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = var.m\n}\n',
      'variables.tf': 'variable "m" {\n  default = "MUTABLE"\n}\n',
    },
    'variables.tf',
    'variable "m" {\n  default = "IMMUTABLE"\n}\n',
  ],
  [
    'tfvars value',
    {
      'main.tf': 'variable "m" {\n  default = "IMMUTABLE"\n}\nresource "aws_ecr_repository" "a" {\n  image_tag_mutability = var.m\n}\n',
      'terraform.tfvars': 'm = "MUTABLE"\n',
    },
    'terraform.tfvars',
    'm = "IMMUTABLE"\n',
  ],
  [
    'filters outside the allow-list are removed; the allowed one stays',
    {
      'main.tf':
        'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n\n  image_tag_mutability_exclusion_filter {\n    filter      = "latest"\n    filter_type = "WILDCARD"\n  }\n\n  image_tag_mutability_exclusion_filter {\n    filter      = "dev-*"\n    filter_type = "WILDCARD"\n  }\n}\n',
    },
    'main.tf',
    'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n\n  image_tag_mutability_exclusion_filter {\n    filter      = "latest"\n    filter_type = "WILDCARD"\n  }\n}\n',
  ],
  [
    'no allowed filter left: IMMUTABLE',
    {
      'main.tf':
        'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"\n\n  image_tag_mutability_exclusion_filter {\n    filter      = "dev-*"\n    filter_type = "WILDCARD"\n  }\n}\n',
    },
    'main.tf',
    'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "IMMUTABLE"\n}\n',
  ],
  [
    'Terraform JSON: value replaced, indentation kept',
    {
      'main.tf.json':
        '{\n    "resource": {\n        "aws_ecr_repository": {\n            "a": {\n                "image_tag_mutability": "MUTABLE"\n            }\n        }\n    }\n}\n',
    },
    'main.tf.json',
    '{\n    "resource": {\n        "aws_ecr_repository": {\n            "a": {\n                "image_tag_mutability": "IMMUTABLE"\n            }\n        }\n    }\n}\n',
  ],
  [
    'Terraform JSON: missing attribute inserted',
    { 'main.tf.json': '{\n  "resource": {\n    "aws_ecr_repository": {\n      "a": {\n        "name": "a"\n      }\n    }\n  }\n}\n' },
    'main.tf.json',
    '{\n  "resource": {\n    "aws_ecr_repository": {\n      "a": {\n        "name": "a",\n        "image_tag_mutability": "IMMUTABLE"\n      }\n    }\n  }\n}\n',
  ],
  [
    'CRLF and BOM are kept',
    { 'main.tf': '\ufeffresource "aws_ecr_repository" "a" {\r\n  name = "a"\r\n}\r\n' },
    'main.tf',
    '\ufeffresource "aws_ecr_repository" "a" {\r\n  image_tag_mutability = "IMMUTABLE"\r\n  name                 = "a"\r\n}\r\n',
  ],
];

describe('tagguard scan --fix', () => {
  test.each(CASES)('%s', async (_name, files, changed, expected) => {
    const dir = tree(files);
    const first = await run(['scan', '--fix'], dir);
    expect(read(dir, changed)).toBe(expected);
    expect(first.code).toBe(0);
    // Everything else is untouched, and a second --fix changes nothing.
    for (const [rel, text] of Object.entries(files)) if (rel !== changed) expect(read(dir, rel)).toBe(text);
    const second = await run(['scan', '--fix'], dir);
    expect(second.err).not.toMatch(/fixed/);
    expect(read(dir, changed)).toBe(expected);
  });

  test('--fix-dry-run prints a unified diff and writes nothing', async () => {
    const files = { 'main.tf': 'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "MUTABLE"\n}\n' };
    const dir = tree(files);
    const { out, code } = await run(['scan', '--fix-dry-run'], dir);
    expect(out).toContain('--- a/main.tf\n+++ b/main.tf\n');
    expect(out).toContain('-  image_tag_mutability = "MUTABLE"\n+  image_tag_mutability = "IMMUTABLE"\n');
    expect(code).toBe(1);
    expect(read(dir, 'main.tf')).toBe(files['main.tf']);
  });

  test('keeps the file mode; a file with a syntax error is never edited', async () => {
    const dir = tree({
      'ok/main.tf': 'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = "MUTABLE"\n}\n',
      'broken/main.tf': 'resource "aws_ecr_repository" "b" {\n  image_tag_mutability = "MUTABLE"\n',
    });
    chmodSync(path.join(dir, 'ok/main.tf'), 0o640);
    const { code } = await run(['fix'], dir);
    expect(statSync(path.join(dir, 'ok/main.tf')).mode & 0o777).toBe(0o640);
    expect(read(dir, 'ok/main.tf')).toContain('"IMMUTABLE"');
    expect(read(dir, 'broken/main.tf')).toContain('"MUTABLE"');
    expect(code).toBe(2);
  });

  test('unknown values and computed values are left to a person', async () => {
    const dir = tree({
      'main.tf':
        'resource "aws_ecr_repository" "a" {\n  image_tag_mutability = data.aws_ssm_parameter.m.value\n}\nresource "aws_ecr_repository" "b" {\n  image_tag_mutability = upper("mutable")\n}\n',
    });
    const before = read(dir, 'main.tf');
    const { err } = await run(['scan', '--fix'], dir);
    expect(err).toMatch(/needs a person: main.tf:5:26 aws_ecr_repository.b: the value is computed by an expression/);
    expect(read(dir, 'main.tf')).toBe(before);
  });

  test('every fixture that can be fixed is clean after one --fix, and the second is a no-op', async () => {
    const dir = tempDir('fix-all');
    const fixable = [
      'mutable',
      'not-set',
      'mutable-with-exclusion',
      'immutable-with-exclusion',
      'exclusion-without-filter',
      'invalid-value',
      'json',
      'crlf-bom',
      'tfvars',
      'modules-twice',
      'for-each-map',
      'gates',
      'optional-defaults',
      'conditional-each-key',
      'variable-and-local',
      'creation-template',
      'plan',
    ];
    for (const f of fixable) cpSync(path.join(ROOT, 'fixtures', f), path.join(dir, f), { recursive: true });
    mkdirSync(path.join(dir, '.git'));
    await run(['fix'], dir);
    const after = await run(['scan', '--format', 'json'], dir);
    // plan/ keeps its warning: a value read from a data source is not fixable.
    expect(readReport(after.out).findings.map((f) => [f.severity, f.file])).toEqual([['warning', 'plan/main.tf']]);
    const again = await run(['fix'], dir);
    // Nothing fixed; the one line is the note that release.tfvars is read only when named (--var-file).
    expect(again.err).toBe(
      'tagguard: note: tfvars/release.tfvars is not applied to any root; name it with --var-file or in .tagguard.yml\n',
    );
  });
});

describe('--fix properties', () => {
  const value = fc.constantFrom('"MUTABLE"', '"MUTABLE_WITH_EXCLUSION"', '"immutable"', '"Immutable"', null);
  const padding = fc.array(fc.constantFrom('# note\n', '\n', 'locals {\n  x = 1\n}\n', '// c\n'), { maxLength: 3 }).map((a) => a.join(''));
  const repo = fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/), value, before: padding, after: padding, crlf: fc.boolean() });

  test('generated fixable inputs become clean, and bytes outside the edited lines stay identical', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(repo, { minLength: 1, maxLength: 4, selector: (r) => r.name }), async (repos) => {
        const crlf = repos[0].crlf;
        const blocks = repos.map(
          (r) =>
            `${r.before}resource "aws_ecr_repository" "${r.name}" {\n  name = "${r.name}"\n${r.value ? `  image_tag_mutability = ${r.value}\n` : ''}}\n${r.after}`,
        );
        const text = blocks.join('\n').replace(/\n/g, crlf ? '\r\n' : '\n');
        const dir = tree({ 'main.tf': text });
        await run(['fix'], dir);
        const fixed = read(dir, 'main.tf');
        const scanAfter = await run(['scan', '--format', 'json'], dir);
        expect(readReport(scanAfter.out).findings).toEqual([]);
        // Lines that carry no image_tag_mutability and no resource name are unchanged.
        const keep = (t: string) => t.split(crlf ? '\r\n' : '\n').filter((l) => !/image_tag_mutability|^\s+name\s*=/.test(l));
        expect(keep(fixed)).toEqual(keep(text));
        expect(fixed.includes('\r\n')).toBe(crlf);
      }),
      { numRuns: 25 },
    );
  });
});

describe('--fix and CDKTF output', () => {
  const STACK = path.join('cdktf.out', 'stacks', 'registry', 'cdk.tf.json');
  const NEEDS_A_PERSON =
    'tagguard: needs a person: cdktf.out/stacks/registry/cdk.tf.json:40:33 aws_ecr_repository.legacy_worker: synthesized by CDKTF: change the construct registry/legacy-worker in stack registry (set imageTagMutability to "IMMUTABLE" on the EcrRepository, or remove its addOverride(\'image_tag_mutability\', …)), then run cdktf synth\n';

  test.each([[['fix', '.']], [['scan', '--fix', '.']], [['scan', '.', '--fix']]])(
    'never edits cdktf.out, naming the construct to change instead (%j)',
    async (argv: string[]) => {
      const dir = tempDir('fix-cdktf');
      cpSync(path.join(ROOT, 'fixtures', 'cdktf-app'), dir, { recursive: true });
      const before = readFileSync(path.join(dir, STACK), 'utf8');
      const { code, err } = await runCli(argv, dir);
      expect({ code, err }).toEqual({ code: 1, err: NEEDS_A_PERSON });
      expect(readFileSync(path.join(dir, STACK), 'utf8')).toBe(before);
    },
  );

  test.each([[['fix', '.']], [['scan', '--fix', '.']]])(
    'never edits the output folder cdktf.json names ("output": "build/synth") either (%j)',
    async (argv: string[]) => {
      const dir = tempDir('fix-cdktf-output');
      cpSync(path.join(ROOT, 'fixtures', 'cdktf-app'), dir, { recursive: true });
      mkdirSync(path.join(dir, 'build'));
      renameSync(path.join(dir, 'cdktf.out'), path.join(dir, 'build', 'synth'));
      writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify({ language: 'typescript', output: 'build/synth' }));
      writeFileSync(path.join(dir, '.gitignore'), 'build/\n');
      const stack = path.join('build', 'synth', 'stacks', 'registry', 'cdk.tf.json');
      const before = readFileSync(path.join(dir, stack), 'utf8');
      const { code, err } = await runCli(argv, dir);
      expect({ code, err }).toEqual({ code: 1, err: NEEDS_A_PERSON.replace('cdktf.out/', 'build/synth/') });
      expect(readFileSync(path.join(dir, stack), 'utf8')).toBe(before);
    },
  );
});

describe('--fix and CDKTF output without construct metadata', () => {
  const MUTABLE_HCL =
    'resource "aws_ecr_repository" "site" {\n  name                 = "web/site"\n  image_tag_mutability = "MUTABLE"\n}\n';
  const manifest = (stack: string) => JSON.stringify({ version: '0.21.0', stacks: { web: { name: 'web', synthesizedStackPath: stack } } });
  const needsAPerson = (at: string, file: string) =>
    `tagguard: needs a person: ${at} aws_ecr_repository.site: synthesized by CDKTF: change the construct that writes the synthesized file ${file} (set imageTagMutability to "IMMUTABLE" on the EcrRepository, or remove its addOverride('image_tag_mutability', …)), then run cdktf synth\n`;

  test.each([[['fix', '.']], [['scan', '--fix', '.']], [['fix', 'cdktf.out']]])(
    'cdktf synth --hcl output (cdk.tf, which carries no metadata) is never edited (%j)',
    async (argv: string[]) => {
      const dir = makeTree({
        'cdktf.json': '{"language": "typescript", "app": "npx ts-node main.ts"}\n',
        '.gitignore': 'cdktf.out/\n',
        'cdktf.out/manifest.json': manifest('stacks/web/cdk.tf'),
        'cdktf.out/stacks/web/cdk.tf': MUTABLE_HCL,
      });
      const { code, err } = await run(argv, dir);
      expect({ code, err }).toEqual({ code: 1, err: needsAPerson('cdktf.out/stacks/web/cdk.tf:3:26', 'cdktf.out/stacks/web/cdk.tf') });
      expect(read(dir, 'cdktf.out/stacks/web/cdk.tf')).toBe(MUTABLE_HCL);
    },
  );

  const STRIPPED = JSON.stringify(
    { resource: { aws_ecr_repository: { site: { name: 'web/site', image_tag_mutability: 'MUTABLE' } } } },
    null,
    2,
  );
  const STACK = 'build/synth/stacks/web/cdk.tf.json';

  test.each([
    [['fix', '.']],
    [['fix', 'build/synth']],
    [['fix', 'build/synth/stacks/web']],
    [['scan', '--fix', 'build/synth/stacks/web/cdk.tf.json']],
  ])('a cdk.tf.json stripped of its metadata in the output folder cdktf.json names is never edited (%j)', async (argv: string[]) => {
    const dir = makeTree({
      'cdktf.json': JSON.stringify({ language: 'typescript', output: 'build/synth' }),
      'build/synth/manifest.json': manifest('stacks/web/cdk.tf.json'),
      [STACK]: STRIPPED,
    });
    const { code, err } = await run(argv, dir);
    expect({ code, err }).toEqual({ code: 1, err: needsAPerson(`${STACK}:6:33`, STACK) });
    expect(read(dir, STACK)).toBe(STRIPPED);
  });

  test('an output folder is known by its cdktf.json even without a manifest, and a folder named cdktf.out always', async () => {
    const dir = makeTree({
      'app/cdktf.json': '{"output": "out"}',
      'app/out/stacks/web/cdk.tf.json': STRIPPED,
      'cdktf.out/x/main.tf': MUTABLE_HCL,
    });
    const { code, err } = await run(['fix', '.'], dir);
    expect(code).toBe(1);
    expect(err).toContain('change the construct that writes the synthesized file app/out/stacks/web/cdk.tf.json');
    expect(err).toContain('change the construct that writes the synthesized file cdktf.out/x/main.tf');
    expect([read(dir, 'app/out/stacks/web/cdk.tf.json'), read(dir, 'cdktf.out/x/main.tf')]).toEqual([STRIPPED, MUTABLE_HCL]);
  });

  test('an edit the fixer would make in synthesized output for a resource outside it is refused: a module argument in cdk.tf.json', async () => {
    const module =
      'variable "mutability" {}\n\nresource "aws_ecr_repository" "site" {\n  name                 = "web/site"\n  image_tag_mutability = var.mutability\n}\n';
    const stack = JSON.stringify({ module: { ecr: { source: '../../../modules/ecr', mutability: 'MUTABLE' } } }, null, 2);
    const dir = makeTree({
      'cdktf.json': '{}',
      'cdktf.out/manifest.json': manifest('stacks/web/cdk.tf.json'),
      'cdktf.out/stacks/web/cdk.tf.json': stack,
      'modules/ecr/main.tf': module,
    });
    const { code, err } = await run(['fix', '.'], dir);
    expect(code).toBe(1);
    expect(err).toContain('synthesized by CDKTF: change the construct that writes the synthesized file cdktf.out/stacks/web/cdk.tf.json');
    expect([read(dir, 'cdktf.out/stacks/web/cdk.tf.json'), read(dir, 'modules/ecr/main.tf')]).toEqual([stack, module]);
  });

  test('outside CDKTF output the same files are fixed', async () => {
    const dir = makeTree({ 'stacks/web/cdk.tf.json': STRIPPED, 'stacks/web/manifest.json': manifest('cdk.tf.json') });
    expect((await run(['fix', '.'], dir)).code).toBe(0);
    expect(read(dir, 'stacks/web/cdk.tf.json')).toContain('"IMMUTABLE"');
  });
});
