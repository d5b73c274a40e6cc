import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { create } from 'xmlbuilder2';
import type { GitlabIssue } from '../src/report/gitlab';
import { runCli, tree, type SarifLog } from './helpers';

// Issue 15, items 6 and 7: a finding reached from two roots, the files read, the CDKTF hint.
const MODULE = 'resource "aws_ecr_repository" "this" {\n  name                 = "app"\n  image_tag_mutability = "MUTABLE"\n}\n';
const CALL = 'module "ecr" {\n  source = "../../modules/ecr"\n}\n';
const MESSAGE = 'image_tag_mutability is MUTABLE: a push can move any tag to a new image; set it to IMMUTABLE';

/** modules/ecr, called by envs/prod and envs/dev, and a file that names no judged type. */
function twoRoots(): string {
  return tree({ 'modules/ecr/main.tf': MODULE, 'envs/prod/main.tf': CALL, 'envs/dev/main.tf': CALL, 'notes.tf': '# nothing here\n' });
}

interface JunitCase {
  '@name': string;
  failure?: { '@message': string; '#': string };
}
interface JunitSuite {
  '@name': string;
  '@tests': string;
  '@failures': string;
  testcase: JunitCase | JunitCase[];
}

/** The <testsuite> elements of a JUnit report. */
function junitSuites(xml: string): JunitSuite[] {
  const doc = create(xml).end({ format: 'object' }) as unknown as { testsuites: { testsuite: JunitSuite | JunitSuite[] } };
  return [doc.testsuites.testsuite].flat();
}

describe('a finding reached from two roots', () => {
  test('is printed once in the text report, naming both roots; the summary counts it per root', async () => {
    const r = await runCli(['scan'], twoRoots());
    expect([r.code, r.err]).toEqual([1, '']);
    expect(r.out).toBe(
      [
        'modules/ecr/main.tf:3:26  error  module.ecr.aws_ecr_repository.this  [ecr-tag-immutability]',
        `  ${MESSAGE}`,
        '  roots: envs/dev, envs/prod',
        '    2 |   name                 = "app"',
        '  > 3 |   image_tag_mutability = "MUTABLE"',
        '      |                          ^^^^^^^^^',
        '    4 | }',
        '',
        '✖ 2 errors, 0 warnings in 3 files read (2 resources checked)',
        '',
      ].join('\n'),
    );
  });

  test('stays one finding per root in the JSON report', async () => {
    const r = await runCli(['scan', '--format', 'json'], twoRoots());
    const report = r.json();
    expect(report.findings.map((f) => [f.root, f.file, f.line, f.resource])).toEqual([
      ['envs/dev', 'modules/ecr/main.tf', 3, 'module.ecr.aws_ecr_repository.this'],
      ['envs/prod', 'modules/ecr/main.tf', 3, 'module.ecr.aws_ecr_repository.this'],
    ]);
    expect(report.summary).toEqual({ files: 3, resources: 2, errors: 2, warnings: 0, parseErrors: 0 });
  });

  test('is one SARIF result with the roots in its properties and the first root fingerprint', async () => {
    const cwd = twoRoots();
    const both = JSON.parse((await runCli(['scan', '--format', 'sarif'], cwd)).out) as SarifLog;
    const dev = JSON.parse((await runCli(['scan', '--format', 'sarif', 'envs/dev', 'modules'], cwd)).out) as SarifLog;
    const [result] = both.runs[0].results;
    expect(both.runs[0].results).toHaveLength(1);
    expect(result.properties).toEqual({ root: 'envs/dev', roots: ['envs/dev', 'envs/prod'], messageId: 'mutable' });
    expect(dev.runs[0].results).toHaveLength(1);
    expect(dev.runs[0].results[0].properties).toEqual({ root: 'envs/dev', messageId: 'mutable' });
    expect(result.partialFingerprints).toEqual(dev.runs[0].results[0].partialFingerprints);
  });

  test('is one GitHub annotation and one job-summary row, naming both roots', async () => {
    const cwd = twoRoots();
    const github = (await runCli(['scan', '--format', 'github'], cwd)).out.trim().split('\n');
    expect(github).toEqual([
      `::error file=modules/ecr/main.tf,line=3,col=26,endLine=3,endColumn=35,title=ecr-tag-immutability%3A module.ecr.aws_ecr_repository.this (roots%3A envs/dev%2C envs/prod)::${MESSAGE}`,
    ]);
    const rows = (await runCli(['scan', '--format', 'markdown'], cwd)).out.split('\n').filter((l) => l.startsWith('| error'));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('module\\.ecr\\.aws\\_ecr\\_repository\\.this \\(roots\\: envs\\/dev\\, envs\\/prod\\)');
  });

  test('is one GitLab Code Quality issue naming both roots, with the first root fingerprint', async () => {
    const cwd = twoRoots();
    const both = JSON.parse((await runCli(['scan', '--format', 'gitlab'], cwd)).out) as GitlabIssue[];
    const dev = JSON.parse((await runCli(['scan', '--format', 'gitlab', 'envs/dev', 'modules'], cwd)).out) as GitlabIssue[];
    expect(both.map((i) => [i.check_name, i.description, i.location])).toEqual([
      [
        'ecr-tag-immutability',
        `module.ecr.aws_ecr_repository.this: ${MESSAGE} (roots: envs/dev, envs/prod)`,
        { path: 'modules/ecr/main.tf', lines: { begin: 3 } },
      ],
    ]);
    expect(dev.map((i) => i.description)).toEqual([`module.ecr.aws_ecr_repository.this: ${MESSAGE}`]);
    expect(both[0].fingerprint).toBe(dev[0].fingerprint);
  });

  test('is one JUnit test case and failure, in a suite of both roots, its text naming them', async () => {
    const xml = (await runCli(['scan', '--format', 'junit'], twoRoots())).out;
    const suites = junitSuites(xml);
    expect(suites.map((s) => [s['@name'], s['@tests'], s['@failures']])).toEqual([['envs/dev, envs/prod', '1', '1']]);
    expect(xml).toContain('<testsuites name="tagguard" tests="1" failures="1" errors="0" skipped="0">');
    const cases = [suites[0].testcase].flat();
    expect(cases.map((c) => [c['@name'], c.failure?.['@message']])).toEqual([
      ['module.ecr.aws_ecr_repository.this', `${MESSAGE} (roots: envs/dev, envs/prod)`],
    ]);
    expect(cases[0].failure?.['#']).toContain(`${MESSAGE}\nroots: envs/dev, envs/prod\n`);
  });

  test('each variant stays a GitLab issue and a JUnit case of its own, each naming both roots', async () => {
    const cwd = tree({
      'modules/ecr/main.tf': MODULE,
      'envs/prod/main.tf': CALL,
      'envs/dev/main.tf': CALL,
      'envs/prod/a.tfvars': '',
      'envs/prod/b.tfvars': '',
      'envs/dev/a.tfvars': '',
      'envs/dev/b.tfvars': '',
    });
    const issues = JSON.parse((await runCli(['scan', '--each-var-file', '--format', 'gitlab'], cwd)).out) as GitlabIssue[];
    expect(issues.map((i) => i.description)).toEqual([
      `module.ecr.aws_ecr_repository.this: ${MESSAGE} (roots: envs/dev, envs/prod)`,
      `module.ecr.aws_ecr_repository.this: ${MESSAGE} (roots: envs/dev, envs/prod)`,
    ]);
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(2);
    const suites = junitSuites((await runCli(['scan', '--each-var-file', '--format', 'junit'], cwd)).out);
    expect(suites.map((s) => [s['@name'], s['@tests']])).toEqual([['envs/dev, envs/prod', '2']]);
    const cases = [suites[0].testcase].flat();
    expect(cases.map((c) => c['@name'])).toEqual([
      'module.ecr.aws_ecr_repository.this [a.tfvars]',
      'module.ecr.aws_ecr_repository.this [b.tfvars]',
    ]);
    expect(cases.map((c) => c.failure?.['#'].includes('roots: envs/dev, envs/prod'))).toEqual([true, true]);
  });

  test('a value each root passes is reported at each call, one entry per root', async () => {
    const cwd = tree({
      'modules/ecr/main.tf':
        'variable "m" {}\nresource "aws_ecr_repository" "this" {\n  name                 = "app"\n  image_tag_mutability = var.m\n}\n',
      'envs/prod/main.tf': 'module "ecr" {\n  source = "../../modules/ecr"\n  m      = "MUTABLE"\n}\n',
      'envs/dev/main.tf': 'module "ecr" {\n  source = "../../modules/ecr"\n  m      = "IMMUTABLE_WITH_EXCLUSION"\n}\n',
    });
    const r = await runCli(['scan'], cwd);
    expect(r.out).not.toContain('roots:');
    expect(r.out.match(/^\S+\.tf:\d+:\d+ .*/gm)).toEqual([
      'envs/dev/main.tf:3:12  error  module.ecr.aws_ecr_repository.this  [ecr-tag-immutability]',
      'envs/prod/main.tf:3:12  error  module.ecr.aws_ecr_repository.this  [ecr-tag-immutability]',
    ]);
  });
});

describe('the summary', () => {
  // A file beside a judged resource is read once its directory matters (it may declare a variable); one elsewhere is not.
  test('counts the files read: a file in a directory that cannot matter is not read', async () => {
    const cwd = tree({ 'main.tf': MODULE, 'notes.tf': '# nothing here\n', 'docs/b.tf': '# nor here\n' });
    for (const format of [[], ['--format', 'json']]) {
      const r = await runCli(['scan', ...format], cwd);
      if (format.length) expect(r.json().summary.files).toBe(2);
      else expect(r.out.trimEnd().split('\n').at(-1)).toBe('✖ 1 error, 0 warnings in 2 files read (1 resource checked)');
    }
  });
});

describe('a CDKTF project that is not synthesized', () => {
  test.each([
    ['named', ['scan', 'app'], 'app/cdktf.json: no cdktf.out here'],
    ['as the working directory', ['scan'], 'cdktf.json: no cdktf.out here'],
  ])('gets a hint to run cdktf synth (%s), not a finding', async (_, argv, where) => {
    const cwd = tree({ 'app/cdktf.json': '{"language": "typescript", "app": "npx ts-node main.ts"}\n', 'app/main.ts': '' });
    const r = await runCli(argv, argv.length > 1 ? cwd : path.join(cwd, 'app'));
    expect(r).toMatchObject({
      code: 0,
      out: '✔ 0 errors, 0 warnings in 0 files read (0 resources checked)\n',
      err: `tagguard: note: ${where}; run cdktf synth first, then scan again\n`,
    });
  });

  test('a cdktf.out without a manifest gets the hint; a synthesized one is scanned without it', async () => {
    const cwd = tree({ 'cdktf.json': '{}\n' });
    mkdirSync(path.join(cwd, 'cdktf.out'));
    expect((await runCli(['scan'], cwd)).err).toBe(
      'tagguard: note: cdktf.out: no manifest.json here; run cdktf synth first, then scan again\n',
    );
    const stack = { resource: { aws_ecr_repository: { r: { name: 'r', image_tag_mutability: 'IMMUTABLE' } } } };
    mkdirSync(path.join(cwd, 'cdktf.out/stacks/app'), { recursive: true });
    writeFileSync(path.join(cwd, 'cdktf.out/stacks/app/cdk.tf.json'), JSON.stringify(stack));
    writeFileSync(
      path.join(cwd, 'cdktf.out/manifest.json'),
      JSON.stringify({ stacks: { app: { synthesizedStackPath: 'stacks/app/cdk.tf.json' } } }),
    );
    expect(await runCli(['scan', '-q'], cwd)).toMatchObject({ code: 0, out: '', err: '' });
  });
});
