import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../src/cli/main';
import { explain } from '../src/cli/explain';
import { anyString, readReport, ROOT, tempDir } from './helpers';

async function run(argv: string[], opts: { tty?: boolean; env?: NodeJS.ProcessEnv; cwd?: string } = {}) {
  const stdout = Object.assign(new PassThrough(), { isTTY: opts.tty ?? false });
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer | string) => (out += d.toString()));
  stderr.on('data', (d: Buffer | string) => (err += d.toString()));
  const code = await main(argv, { stdout, stderr, cwd: opts.cwd ?? ROOT, env: opts.env ?? {} });
  return { code, out, err };
}

const ESC = '\u001b[';

describe('tagguard scan', () => {
  test.each([
    ['fixtures/immutable', 0],
    ['fixtures/unknown', 0],
    ['fixtures/mutable', 1],
    ['fixtures/syntax-error', 2],
  ])('%s exits %i', async (dir, code) => {
    expect((await run(['scan', dir])).code).toBe(code);
  });

  test('--unknown error turns an unknown into a failing finding', async () => {
    expect((await run(['scan', 'fixtures/unknown', '--unknown', 'error'])).code).toBe(1);
  });

  test('text report: place, resource, message, code frame, trace and summary', async () => {
    const { out } = await run(['scan', 'fixtures/variable-and-local']);
    expect(out).toContain('fixtures/variable-and-local/variables.tf:9:17  error  aws_ecr_repository.service  [ecr-tag-immutability]');
    expect(out).toMatch(/> +9 \| +default += "MUTABLE"\n +\| +\^{9}/);
    expect(out).toContain('via fixtures/variable-and-local/main.tf:8:26  var.tag_mutability');
    expect(out.trimEnd().split('\n').at(-1)).toBe('✖ 1 error, 0 warnings in 2 files read (2 resources checked)');
    expect(out).not.toContain(ESC);
  });

  test('colour only on a terminal, and never with NO_COLOR', async () => {
    expect((await run(['scan', 'fixtures/mutable'], { tty: true })).out).toContain(ESC);
    expect((await run(['scan', 'fixtures/mutable'], { tty: true, env: { NO_COLOR: '1' } })).out).not.toContain(ESC);
  });

  test('json report has exactly the version-1 shape', async () => {
    const { out, code } = await run(['scan', 'fixtures/syntax-error', 'fixtures/mutable', '--format', 'json']);
    expect(code).toBe(2);
    const report = readReport(out);
    expect(Object.keys(report)).toEqual(['version', 'findings', 'errors', 'summary']);
    expect(report.version).toBe(1);
    expect(report.findings).toHaveLength(2);
    expect(Object.keys(report.findings[0])).toEqual([
      'ruleId',
      'severity',
      'resource',
      'root',
      'file',
      'line',
      'column',
      'endLine',
      'endColumn',
      'message',
      'messageId',
      'trace',
    ]);
    expect(report.findings[0]).toMatchObject({ root: 'fixtures/mutable', file: 'fixtures/mutable/main.tf', line: 3, column: 26 });
    expect(report.errors).toEqual([{ file: 'fixtures/syntax-error/broken.tf', line: 6, column: 5, message: anyString() }]);
    expect(report.summary).toEqual({ files: 3, resources: 2, errors: 2, warnings: 0, parseErrors: 1 });
  });

  test('--output writes the report to a file (inside the working directory) and nothing to stdout', async () => {
    const dir = tempDir('cli');
    const file = path.join(dir, 'report.json');
    writeFileSync(file, 'old report');
    const { out, code } = await run(['scan', path.join(ROOT, 'fixtures/mutable'), '--format', 'json', '--output', 'report.json'], {
      cwd: dir,
    });
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(readReport(readFileSync(file, 'utf8')).findings[0].resource).toBe('aws_ecr_repository.frontend');
  });

  test('a path that does not exist is an input error, and the rest is still scanned', async () => {
    const { code, out } = await run(['scan', 'fixtures/nope', 'fixtures/mutable', '--format', 'json']);
    expect(code).toBe(2);
    const report = readReport(out);
    expect(report.errors).toEqual([{ file: 'fixtures/nope', line: 0, column: 0, message: 'no such file or directory' }]);
    expect(report.findings).toHaveLength(1);
  });

  test.each([[['scan', '--format', 'xml']], [['scan', '--bogus']], [['nothing-such']]])(
    'usage error %j exits 2 with a message on stderr',
    async (argv) => {
      const { code, err, out } = await run(argv);
      expect(code).toBe(2);
      expect(err).toMatch(/^tagguard: /);
      expect(out).toBe('');
    },
  );
});

describe('tagguard explain', () => {
  test('prints the story, the verdict table and both fixes from the policy metadata', async () => {
    const { out, code } = await run(['explain', 'ecr-tag-immutability']);
    expect(code).toBe(0);
    expect(out).toMatch(/^ecr-tag-immutability: ECR image tags must be immutable/);
    expect(out).toMatch(/running\s+keep\s+the\s+old\s+digest/);
    expect(out).toMatch(/reproduced/);
    for (const value of ['IMMUTABLE ', 'not set', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION', 'unknown before apply'])
      expect(out).toContain(value);
    expect(out).toContain('image_tag_mutability = "IMMUTABLE"');
    expect(out).toContain('imageTagMutability: "IMMUTABLE"');
  });

  test('the text comes from the compiled policy, not a copy in the CLI', () => {
    const policy = readFileSync(path.join(ROOT, 'policies/tagguard/rules/ecr_tag_immutability/policy.rego'), 'utf8');
    expect(policy).toContain('fix_cdktf');
    const cli = readFileSync(path.join(ROOT, 'src/cli/explain.ts'), 'utf8');
    expect(cli).not.toMatch(/digest|IMMUTABLE|image_tag_mutability/);
  });

  test('the verdict table is headed by the argument METADATA names (custom.verdicts_of)', async () => {
    const { out } = await run(['explain', 'ecr-tag-immutability']);
    expect(out).toMatch(/^Verdicts \(image_tag_mutability\)\n {2}IMMUTABLE {2}/m);
  });

  test('a rule without the optional fields explains what it has', () => {
    const bare = { id: 'bare-rule', title: '', description: '', severity: 'warning', links: [] };
    expect(explain(bare)).toBe('bare-rule\nseverity: warning\n\n');
    const verdicts = [
      { value: 'on', verdict: 'pass' },
      { value: 'off', verdict: 'error' },
    ];
    expect(explain({ ...bare, title: 'Bare', verdicts, links: ['https://example.com/bare'] })).toBe(
      'bare-rule: Bare\nseverity: warning\n\nVerdicts\n  on   pass\n  off  error\n\nSee also:\n  https://example.com/bare\n',
    );
  });

  test('an alias names the same rule; an unknown rule is a usage error', async () => {
    expect((await run(['explain', 'CKV_AWS_51'])).out).toMatch(/^ecr-tag-immutability:/);
    const { code, err } = await run(['explain', 'no-such-rule']);
    expect(code).toBe(2);
    expect(err).toContain(
      'known rules: acr-tag-immutability, ecr-tag-immutability, gar-tag-immutability, harbor-tag-immutability, image-reference-immutable, msr-tag-immutability\n',
    );
  });
});

test('a Terraform file that cannot be read is an input error; the rest is still scanned', async () => {
  const dir = tempDir('unreadable');
  mkdirSync(path.join(dir, '.git'));
  writeFileSync(path.join(dir, 'main.tf'), readFileSync(path.join(ROOT, 'fixtures/mutable/main.tf'), 'utf8'));
  symlinkSync(path.join(dir, 'missing-target.tf'), path.join(dir, 'dangling.tf'));
  const { code, out } = await run(['scan', '--format', 'json'], { cwd: dir });
  const report = readReport(out);
  expect(report.errors).toEqual([{ file: 'dangling.tf', line: 0, column: 0, message: 'cannot read the file: ENOENT' }]);
  expect(report.findings.map((f: { resource: string }) => f.resource)).toEqual(['aws_ecr_repository.frontend']);
  expect(code).toBe(2);
});
