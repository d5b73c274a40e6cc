import { existsSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { FORMAT_NAMES } from '../src/report/formatters';
import { ROOT, runCli, tree, type SarifLog } from './helpers';

// --report FORMAT=FILE: more reports from the one scan, beside --format/--output.

const MUTABLE = readFileSync(path.join(ROOT, 'fixtures/mutable/main.tf'), 'utf8');

const project = (files: Record<string, string> = {}) =>
  tree({ 'infra/main.tf': MUTABLE, 'reports/.keep': '', ...files }, { prefix: 'reports', repository: true });

const read = (cwd: string, file: string) => readFileSync(path.join(cwd, file), 'utf8');

/** The same command line with its options before the path to scan, and after it. */
const bothPositions = (options: string[], command = 'scan') => [
  [command, ...options, 'infra'],
  [command, 'infra', ...options],
];

/** bothPositions as test.each's table: one argument, the command line. */
const eachPosition = (options: string[], command = 'scan') => bothPositions(options, command).map((argv) => [argv]);

describe('--report FORMAT=FILE', () => {
  test.each(eachPosition(['--report', 'sarif=reports/tagguard.sarif', '-f', 'json', '--report', 'junit=junit.xml']))(
    '%j writes each report as --format would print it, and the main report to stdout',
    async (argv) => {
      const cwd = project();
      const r = await runCli(argv, cwd);
      expect([r.code, r.err, r.json().findings.map((f) => `${f.file}:${f.line} ${f.severity}`)]).toEqual([
        1,
        '',
        ['infra/main.tf:3 error'],
      ]);
      const sarif = await runCli(['scan', 'infra', '-f', 'sarif'], cwd);
      const junit = await runCli(['scan', 'infra', '-f', 'junit'], cwd);
      expect([read(cwd, 'reports/tagguard.sarif'), read(cwd, 'junit.xml')]).toEqual([sarif.out, junit.out]);
    },
  );

  test('every format of --format may be a report; text is written without colour', async () => {
    const cwd = project();
    const argv = ['scan', 'infra', '--output', 'main.txt', ...FORMAT_NAMES.flatMap((f) => ['--report', `${f}=reports/${f}`])];
    const r = await runCli(argv, cwd, { tty: true });
    expect([r.code, r.out, r.err]).toEqual([1, '', '']);
    for (const format of FORMAT_NAMES) {
      const printed = await runCli(['scan', 'infra', '-f', format], cwd);
      expect([format, read(cwd, `reports/${format}`)]).toEqual([format, printed.out]);
    }
    expect(read(cwd, 'reports/text')).not.toContain('\x1b[');
    expect(read(cwd, 'reports/text')).toContain('main.tf:3:');
  });

  test.each(eachPosition(['--report', 'markdown=summary.md']))('%j: markdown, a job summary', async (argv) => {
    const cwd = project();
    const r = await runCli(argv, cwd);
    expect([r.code, read(cwd, 'summary.md')]).toEqual([
      1,
      [
        '## tagguard',
        '',
        '❌ 1 error, 0 warnings in 1 file read (1 resource checked)',
        '',
        '| Severity | Rule | Resource | Location | Message |',
        '| --- | --- | --- | --- | --- |',
        '| error | ecr\\-tag\\-immutability | aws\\_ecr\\_repository\\.frontend | infra\\/main\\.tf\\:3 | image\\_tag\\_mutability is MUTABLE\\: a push can move any tag to a new image\\; set it to IMMUTABLE |',
        '',
      ].join('\n'),
    ]);
  });

  test.each(eachPosition(['--report', 'sarif=tagguard.sarif', '--report', 'json=report.json']))(
    '%j: a scan with input errors still writes every report, the SARIF with the errors as notifications',
    async (argv) => {
      const cwd = project({ 'infra/broken.tf': 'resource "aws_ecr_repository" "x" {\n' });
      const r = await runCli(argv, cwd);
      expect(r.code).toBe(2);
      const sarif = JSON.parse(read(cwd, 'tagguard.sarif')) as SarifLog;
      const invocation = sarif.runs[0].invocations[0];
      expect(invocation.executionSuccessful).toBe(false);
      expect(invocation.toolExecutionNotifications.map((n) => n.message.text)).toEqual(
        (JSON.parse(read(cwd, 'report.json')) as { errors: { message: string }[] }).errors.map((e) => e.message),
      );
      expect(invocation.toolExecutionNotifications).toHaveLength(1);
      expect(sarif.runs[0].results.map((x) => x.ruleId)).toEqual(['ecr-tag-immutability']);
    },
  );

  test.each([...eachPosition(['--report', 'sarif=left.sarif'], 'fix'), ...eachPosition(['--fix', '--report', 'sarif=left.sarif'])])(
    '%j reports what is left after fixing',
    async (argv) => {
      const cwd = project();
      const r = await runCli(argv, cwd);
      expect([r.code, r.err]).toEqual([0, 'tagguard: fixed infra/main.tf\n']);
      expect((JSON.parse(read(cwd, 'left.sarif')) as SarifLog).runs[0].results).toEqual([]);
    },
  );
});

describe('--report usage errors: exit 2, one line naming the option, nothing scanned or written', () => {
  const cwd = project({ 'reports/a-directory/.keep': '' });
  symlinkSync(path.join(cwd, 'infra/main.tf'), path.join(cwd, 'link.sarif'));
  test.each([
    [['--report', 'sarif'], '--report sarif: name a format and a file, FORMAT=FILE (for example sarif=tagguard.sarif)'],
    [['--report', 'xml=a.xml'], `--report xml=a.xml: unknown format "xml" (one of ${FORMAT_NAMES.join(', ')})`],
    [['--report', 'sarif='], '--report sarif=: name a file after the ='],
    [['--report', '=a.sarif'], `--report =a.sarif: unknown format "" (one of ${FORMAT_NAMES.join(', ')})`],
    [
      ['--report', 'sarif=a.out', '--report', 'junit=./a.out'],
      '--report junit=./a.out: --report sarif=a.out writes ./a.out too; name another file',
    ],
    [['--output', 'a.out', '--report', 'sarif=a.out'], '--report sarif=a.out: --output a.out writes a.out too; name another file'],
    [
      ['--create-baseline', 'a.out', '--report', 'json=a.out'],
      '--report json=a.out: --create-baseline a.out writes a.out too; name another file',
    ],
    [['--report', 'sarif=missing/a.sarif'], '--report sarif=missing/a.sarif: no directory missing to write into'],
    [['--report', 'sarif=reports/a-directory'], '--report sarif=reports/a-directory: is a directory; name a file to write'],
    [['--report', 'sarif=../a.sarif'], '--report sarif=../a.sarif: is outside the working directory; tagguard writes only inside it'],
    [
      ['--report', 'sarif=link.sarif'],
      '--report sarif=link.sarif: is a symlink; tagguard does not write through one (remove it or name another file)',
    ],
  ])('%j', async (options, message) => {
    for (const argv of bothPositions(options)) {
      const r = await runCli(argv, cwd);
      expect([argv, r.code, r.err, r.out]).toEqual([argv, 2, `tagguard: ${message}\n`, '']);
    }
    expect(['a.out', 'a.sarif', 'a.xml', 'reports/a-directory/.keep'].map((f) => existsSync(path.join(cwd, f)))).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(read(cwd, 'infra/main.tf')).toBe(MUTABLE);
  });

  test('--report with nothing after it, and before a path to scan (which it takes as its value)', async () => {
    const r = await runCli(['scan', 'infra', '--report'], cwd);
    expect([r.code, r.err, r.out]).toEqual([2, 'tagguard: --report needs a value\n', '']);
    const before = await runCli(['scan', '--report', 'infra'], cwd);
    expect([before.code, before.err, before.out]).toEqual([
      2,
      'tagguard: --report infra: name a format and a file, FORMAT=FILE (for example sarif=tagguard.sarif)\n',
      '',
    ]);
  });
});

describe('a report never overwrites what tagguard reads', () => {
  const READ =
    'tagguard: %OPT% %FILE%: is a file tagguard reads (Terraform code, variables or its configuration); write the report to another file\n';
  test.each([
    ['--output', 'infra/main.tf'],
    ['-o', 'infra/vars.tfvars'],
    ['--output', 'infra/extra.tf.json'],
    ['--create-baseline', 'infra/main.tf'],
    ['--output', '.tagguard.yml'],
  ])('%s %s is a usage error, and the file is left as it was', async (option, file) => {
    const files = { 'infra/vars.tfvars': 'x = 1\n', 'infra/extra.tf.json': '{}\n', '.tagguard.yml': 'unknown: warn\n' };
    for (const argv of bothPositions([option, file])) {
      const cwd = project(files);
      const before = read(cwd, file);
      const r = await runCli(argv, cwd);
      expect([r.code, r.out, r.err]).toEqual([2, '', READ.replace('%OPT%', option === '-o' ? '--output' : option).replace('%FILE%', file)]);
      expect(read(cwd, file)).toBe(before);
    }
  });

  test.each(eachPosition(['--report', 'json=infra/main.tf']))('%j is a usage error; main.tf is left as it was', async (argv) => {
    const cwd = project();
    const r = await runCli(argv, cwd);
    expect([r.code, r.out, r.err]).toEqual([2, '', READ.replace('%OPT%', '--report').replace('%FILE%', 'json=infra/main.tf')]);
    expect(read(cwd, 'infra/main.tf')).toBe(MUTABLE);
  });
});
