import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { editDistance } from '../src/cli/main';
import { runCli, tree } from './helpers';

// What users of git, terraform, trivy and checkov expect of a command line: help without
// asking for it, "did you mean" for a slip, one line and exit 2 for every mistake.

const MUTABLE = 'resource "aws_ecr_repository" "app" {\n  name = "app"\n}\n';

const dir = tree({ 'infra/main.tf': MUTABLE }, { prefix: 'command-line' });

describe('help', () => {
  test('a bare tagguard prints the help with every command on stdout and exits 0', async () => {
    const r = await runCli([], dir);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(/^tagguard <command>\n\nCommands:\n/);
    expect(r.out.match(/^ {2}tagguard \S+/gm)).toEqual([
      '  tagguard scan',
      '  tagguard fix',
      '  tagguard generate',
      '  tagguard policies',
      '  tagguard explain',
      '  tagguard help',
    ]);
    expect((await runCli(['--help'], dir)).out).toBe(r.out);
  });

  test('tagguard help prints the same help', async () => {
    const bare = await runCli([], dir);
    expect(await runCli(['help'], dir)).toMatchObject({ code: 0, err: '', out: bare.out });
  });

  test.each(['scan', 'fix', 'generate', 'policies', 'explain'])('tagguard help %s prints the help of %s --help', async (command) => {
    const r = await runCli(['help', command], dir);
    const direct = await runCli([command, '--help'], dir);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toMatch(new RegExp(`^tagguard ${command}\\b`));
    expect(r.out).toBe(direct.out);
  });

  test('tagguard help with a command that does not exist is a usage error with the nearest command', async () => {
    expect(await runCli(['help', 'fxi'], dir)).toMatchObject({
      code: 2,
      out: '',
      err: 'tagguard: help fxi: unknown command "fxi" (did you mean fix?)\n',
    });
    expect(await runCli(['help', 'lint'], dir)).toMatchObject({
      code: 2,
      out: '',
      err: 'tagguard: help lint: unknown command "lint" (the commands: scan, fix, generate, policies, explain)\n',
    });
  });
});

describe('did you mean', () => {
  test.each([
    [['sacn', 'infra'], 'unknown command "sacn" (did you mean scan?)'],
    [['scna'], 'unknown command "scna" (did you mean scan?)'],
    [['polices'], 'unknown command "polices" (did you mean policies?)'],
    [['deploy'], 'unknown command "deploy" (the commands: scan, fix, generate, policies, explain)'],
    // Options before and after the paths.
    [['scan', '--frmat', 'json', 'infra'], 'unknown option --frmat (did you mean --format?)'],
    [['scan', 'infra', '--frmat', 'json'], 'unknown option --frmat (did you mean --format?)'],
    [['scan', 'infra', '--frmat=json'], 'unknown option --frmat (did you mean --format?)'],
    [['fix', '--var-fle', 'x.tfvars', 'infra'], 'unknown option --var-fle (did you mean --var-file?)'],
    [['fix', 'infra', '--var-fle', 'x.tfvars'], 'unknown option --var-fle (did you mean --var-file?)'],
    // fix has no --fix: the nearest is another option or none.
    [['fix', 'infra', '--fixx'], 'unknown option --fixx'],
    [['scan', 'infra', '--fixx'], 'unknown option --fixx (did you mean --fix?)'],
    [['scan', '-x', 'infra'], 'unknown option -x'],
    [['scan', 'infra', '--nope', '--formt', 'json'], 'unknown option --nope; unknown option --formt (did you mean --format?)'],
    [['generate', '--repo', 'api', '--frce'], 'unknown option --frce (did you mean --force?)'],
    [['policies', '--polcy', 'a.wasm'], 'unknown option --polcy (did you mean --policy?)'],
    [['generate', '--repo', 'api', 'web'], 'unexpected argument "web"'],
    // An option without its value: the option as written in the table, with its choices.
    [['scan', 'infra', '--format'], '--format needs a value (one of text, json, sarif, junit, github, gitlab, markdown)'],
    [['--format', 'scan'], '--format needs a value (one of text, json, sarif, junit, github, gitlab, markdown)'],
    [['scan', '-f'], '--format needs a value (one of text, json, sarif, junit, github, gitlab, markdown)'],
    [['generate', '--repo', 'api', '--format'], '--format needs a value (one of hcl, json, cdktf)'],
    [['scan', '--var-file'], '--var-file needs a value'],
  ])('%j', async (argv, message) => {
    expect(await runCli(argv, dir)).toMatchObject({ code: 2, out: '', err: `tagguard: ${message}\n` });
  });

  test('edit distance counts a swap of neighbours as one edit', () => {
    expect([editDistance('sacn', 'scan'), editDistance('frmat', 'format'), editDistance('abc', 'abc'), editDistance('', 'ab')]).toEqual([
      1, 1, 0, 2,
    ]);
  });
});

const UNKNOWN = [
  'data "aws_ssm_parameter" "mutability" {',
  '  name = "/platform/ecr/tag-mutability"',
  '}',
  '',
  'resource "aws_ecr_repository" "ingest" {',
  '  name                 = "ingest"',
  '  image_tag_mutability = data.aws_ssm_parameter.mutability.value',
  '}',
  '',
].join('\n');

const IMMUTABLE = 'resource "aws_ecr_repository" "ok" {\n  name                 = "ok"\n  image_tag_mutability = "IMMUTABLE"\n}\n';

/**
 * infra/    a mutable repository (an error)
 * unknown/  a repository whose mutability is unknown before apply (a warning)
 * clean/    an immutable repository
 */
const project = tree({ 'infra/main.tf': MUTABLE, 'unknown/main.tf': UNKNOWN, 'clean/main.tf': IMMUTABLE }, { prefix: 'cl-project' });

/** The command line with the options before the paths, and after them. */
function bothPositions(command: string, options: string[], paths: string[]): [string, string[]][] {
  return [
    ['before the paths', [command, ...options, ...paths]],
    ['after the paths', [command, ...paths, ...options]],
  ];
}

const INFRA_FINDING = [
  'infra/main.tf:1:1  error  aws_ecr_repository.app  [ecr-tag-immutability]',
  '  image_tag_mutability is not set; the provider default is MUTABLE, so any tag can be overwritten: set it to IMMUTABLE',
  '  > 1 | resource "aws_ecr_repository" "app" {',
  '      | ^',
  '    2 |   name = "app"',
  '',
].join('\n');

describe('--quiet', () => {
  test.each(bothPositions('scan', ['--quiet'], ['infra']))('prints the findings without the summary (%s)', async (_, argv) => {
    expect(await runCli(argv, project)).toMatchObject({ code: 1, err: '', out: INFRA_FINDING });
  });

  test.each([[['--quiet', 'scan', 'infra']], [['-q', '--format', 'text', 'scan', 'infra']]])(
    'options before the command are the command’s, as trivy takes them: %j',
    async (argv) => {
      expect(await runCli(argv, project)).toMatchObject({ code: 1, err: '', out: INFRA_FINDING });
    },
  );

  test('without --quiet the same report ends with the summary line', async () => {
    expect(await runCli(['scan', 'infra'], project)).toMatchObject({
      code: 1,
      out: `${INFRA_FINDING}\n✖ 1 error, 0 warnings in 1 file read (1 resource checked)\n`,
    });
  });

  test.each(bothPositions('scan', ['-q'], ['clean']))('a clean run prints nothing (%s)', async (_, argv) => {
    expect(await runCli(argv, project)).toMatchObject({ code: 0, err: '', out: '' });
  });

  test('leaves the JSON report whole', async () => {
    const r = await runCli(['scan', '--quiet', '--format', 'json', 'infra'], project);
    expect(r.code).toBe(1);
    expect(r.json().summary).toEqual({ files: 1, resources: 1, errors: 1, warnings: 0, parseErrors: 0 });
  });
});

describe('colour', () => {
  const ANSI = '\u001b[';
  test.each([
    ['a terminal', [], {}, true, true],
    ['a terminal with NO_COLOR=1', [], { NO_COLOR: '1' }, true, false],
    // no-color.org: NO_COLOR set to an empty string is not set.
    ['a terminal with NO_COLOR empty', [], { NO_COLOR: '' }, true, true],
    ['a pipe', [], {}, false, false],
    ['a terminal with --no-color', ['--no-color'], {}, true, false],
    ['a pipe with --color', ['--color'], {}, false, true],
    ['NO_COLOR=1 with --color', ['--color'], { NO_COLOR: '1' }, true, true],
    ['the last of --color --no-color', ['--color', '--no-color'], {}, true, false],
  ] as const)('%s', async (_, options, env, tty, coloured) => {
    for (const argv of [
      ['scan', ...options, 'infra'],
      ['scan', 'infra', ...options],
    ]) {
      const r = await runCli(argv, project, { env, tty });
      expect([r.code, r.out.includes(ANSI)]).toEqual([1, coloured]);
    }
  });

  test('a report written to a file has no colour even with --color', async () => {
    const dir = tree({ 'main.tf': MUTABLE }, { prefix: 'cl-color' });
    expect(await runCli(['scan', '--color', '--output', 'report.txt', '.'], dir, { tty: true })).toMatchObject({ code: 1, out: '' });
    expect(readFileSync(path.join(dir, 'report.txt'), 'utf8')).not.toContain(ANSI);
  });
});

describe('which findings fail the run', () => {
  test.each(bothPositions('scan', ['--soft-fail'], ['infra']))(
    '--soft-fail exits 0 with an error finding, still reported (%s)',
    async (_, argv) => {
      const r = await runCli(argv, project);
      expect([r.code, r.out.endsWith('✖ 1 error, 0 warnings in 1 file read (1 resource checked)\n')]).toEqual([0, true]);
    },
  );

  test.each(bothPositions('scan', ['--soft-fail'], ['infra', 'missing']))(
    '--soft-fail still exits 2 on an input error (%s)',
    async (_, argv) => {
      const r = await runCli(argv, project);
      expect(r.code).toBe(2);
      expect(r.out).toMatch(/^missing {2}error {2}no such file or directory$/m);
    },
  );

  test('a warning does not fail the run by default', async () => {
    expect((await runCli(['scan', 'unknown'], project)).code).toBe(0);
  });

  test.each(bothPositions('scan', ['--severity-threshold', 'warning'], ['unknown']))(
    '--severity-threshold warning makes a warning fail the run (%s)',
    async (_, argv) => {
      expect((await runCli(argv, project)).code).toBe(1);
    },
  );

  test.each(bothPositions('scan', ['--severity-threshold', 'warning', '--soft-fail'], ['unknown']))(
    '--soft-fail wins over --severity-threshold (%s)',
    async (_, argv) => {
      expect((await runCli(argv, project)).code).toBe(0);
    },
  );

  test('--severity-threshold takes error, warning or note', async () => {
    const r = await runCli(['scan', 'unknown', '--severity-threshold', 'warn'], project);
    expect([r.code, r.out, r.err]).toEqual([2, '', 'tagguard: --severity-threshold "warn": must be one of error, warning, note\n']);
  });

  test('.tagguard.yml: severity_threshold and soft_fail, which the command line overrides', async () => {
    const dir = tree(
      { 'unknown/main.tf': UNKNOWN, 'infra/main.tf': MUTABLE, '.tagguard.yml': 'severity_threshold: warning\n' },
      { prefix: 'cl-cfg' },
    );
    expect((await runCli(['scan', 'unknown'], dir)).code).toBe(1);
    expect((await runCli(['scan', 'unknown', '--severity-threshold', 'error'], dir)).code).toBe(0);
    writeFileSync(path.join(dir, '.tagguard.yml'), 'soft_fail: true\n');
    expect((await runCli(['scan', 'infra'], dir)).code).toBe(0);
    expect((await runCli(['scan', 'infra', '--no-soft-fail'], dir)).code).toBe(1);
    writeFileSync(path.join(dir, '.tagguard.yml'), 'soft_fail: yes please\nseverity_threshold: warn\n');
    expect(await runCli(['scan', 'infra'], dir)).toMatchObject({
      code: 2,
      err: 'tagguard: invalid config:\n.tagguard.yml:1:12: soft_fail: must be boolean\n.tagguard.yml:2:21: severity_threshold: must be one of "error", "warning", "note"\n',
    });
  });
});

describe('--skip-rule, --only-rule', () => {
  test.each([
    ...bothPositions('scan', ['--skip-rule', 'ecr-tag-immutability'], ['infra']),
    ...bothPositions('scan', ['--skip-rule', 'CKV_AWS_51'], ['infra']),
    ...bothPositions('scan', ['--skip-rule', 'AVD-AWS-0031'], ['infra']),
  ])('leave out the rule by id or alias (%s: %j)', async (_, argv) => {
    expect(await runCli(argv, project)).toMatchObject({
      code: 0,
      err: '',
      out: '✔ 0 errors, 0 warnings in 1 file read (1 resource checked)\n',
    });
  });

  test.each([
    ...bothPositions('scan', ['--only-rule', 'CKV_AWS_51'], ['infra']),
    ...bothPositions('scan', ['--only-rule', 'ecr-tag-immutability', '--only-rule', 'AVD-AWS-0031'], ['infra']),
  ])('--only-rule keeps the rule (%s: %j)', async (_, argv) => {
    expect((await runCli(argv, project)).code).toBe(1);
  });

  test.each([
    ...bothPositions('scan', ['--skip-rule', 'CKV_AWS_52'], ['infra']),
    ...bothPositions('fix', ['--only-rule', 'CKV_AWS_52'], ['infra']),
  ])('an unknown rule is a usage error listing the rules, and nothing is fixed (%s: %j)', async (_, argv) => {
    const option = argv.includes('--skip-rule') ? '--skip-rule' : '--only-rule';
    expect(await runCli(argv, project)).toMatchObject({
      code: 2,
      out: '',
      err: `tagguard: ${option} CKV_AWS_52: no such rule; the rules: acr-tag-immutability, ecr-tag-immutability (CKV_AWS_51, AVD-AWS-0031, aws-ecr-enforce-immutable-repository), gar-tag-immutability, harbor-tag-immutability, image-reference-immutable (CKV_K8S_14, CKV_K8S_43, KSV013, AVD-KSV-0013), msr-tag-immutability\n`,
    });
    expect(readFileSync(path.join(project, 'infra/main.tf'), 'utf8')).toBe(MUTABLE);
  });

  test('an empty rule id is a usage error', async () => {
    expect(await runCli(['scan', 'infra', '--skip-rule='], project)).toMatchObject({
      code: 2,
      out: '',
      err: 'tagguard: --skip-rule needs a rule id\n',
    });
  });

  test('.tagguard.yml: skip_rules and only_rules, which the command line replaces', async () => {
    const dir = tree({ 'main.tf': MUTABLE, '.tagguard.yml': 'skip_rules: [CKV_AWS_51]\n' }, { prefix: 'cl-rules' });
    expect((await runCli(['scan'], dir)).code).toBe(0);
    expect((await runCli(['scan', '--skip-rule', 'suppression-comment'], dir)).err).toMatch(
      /^tagguard: --skip-rule suppression-comment: no such rule/,
    );
    writeFileSync(path.join(dir, '.tagguard.yml'), 'only_rules: [not-a-rule]\n');
    expect(await runCli(['scan'], dir)).toMatchObject({
      code: 2,
      err: 'tagguard: .tagguard.yml: only_rules: not-a-rule: no such rule; the rules: acr-tag-immutability, ecr-tag-immutability (CKV_AWS_51, AVD-AWS-0031, aws-ecr-enforce-immutable-repository), gar-tag-immutability, harbor-tag-immutability, image-reference-immutable (CKV_K8S_14, CKV_K8S_43, KSV013, AVD-KSV-0013), msr-tag-immutability\n',
    });
    expect((await runCli(['scan', '--only-rule', 'ecr-tag-immutability'], dir)).code).toBe(1);
  });
});

describe('--skip-path', () => {
  const layout = () =>
    tree(
      {
        'live/main.tf': IMMUTABLE,
        'legacy/main.tf': MUTABLE,
        'modules/old/legacy/main.tf': MUTABLE,
        'sandbox.tf': MUTABLE,
      },
      { prefix: 'cl-skip' },
    );

  test.each([
    [['--skip-path', 'legacy/', '--skip-path', 'sandbox.tf'], '✔ 0 errors, 0 warnings in 1 file read (1 resource checked)\n'],
    // .gitignore syntax: a pattern with no slash matches at any depth, one with a leading slash only at the top.
    [
      ['--skip-path', '/legacy', '--skip-path', '*.tf', '--skip-path', '!live/*.tf'],
      '✔ 0 errors, 0 warnings in 1 file read (1 resource checked)\n',
    ],
    [['--skip-path', '**/legacy', '--skip-path=sandbox.tf'], '✔ 0 errors, 0 warnings in 1 file read (1 resource checked)\n'],
  ])('%j leaves the paths out, before or after the paths', async (options, out) => {
    const dir = layout();
    for (const argv of [
      ['scan', ...options, '.'],
      ['scan', '.', ...options],
    ])
      expect(await runCli(argv, dir)).toMatchObject({ code: 0, err: '', out });
  });

  test('/legacy at the top leaves the module folder of the same name in', async () => {
    const r = await runCli(['scan', '--format', 'json', '.', '--skip-path', '/legacy', '--skip-path', 'sandbox.tf'], layout());
    expect(r.json().findings.map((f) => f.file)).toEqual(['modules/old/legacy/main.tf']);
  });

  test('adds to .tagguard.yml exclude', async () => {
    const dir = layout();
    writeFileSync(path.join(dir, '.tagguard.yml'), 'exclude: [legacy/]\n');
    const r = await runCli(['scan', '--format', 'json', '.', '--skip-path', 'sandbox.tf'], dir);
    expect([r.code, r.json().findings]).toEqual([0, []]);
  });

  test('an empty pattern is a usage error', async () => {
    expect(await runCli(['scan', '.', '--skip-path', ' '], layout())).toMatchObject({
      code: 2,
      out: '',
      err: 'tagguard: --skip-path needs a pattern\n',
    });
  });
});

describe('a file to write that cannot be written', () => {
  // Longer than a file name may be once the atomic write adds its suffix, short enough to pass the checks before the scan.
  const long = 'r'.repeat(250);
  test.each([...bothPositions('scan', ['--output', long], ['.']), ...bothPositions('scan', ['--create-baseline', long], ['.'])])(
    'is a usage error naming the option and the file, not the temporary file (%s: %j)',
    async (_, argv) => {
      const dir = tree({ 'main.tf': MUTABLE }, { prefix: 'cl-write' });
      const option = argv.find((a) => a.startsWith('--')) ?? '';
      const r = await runCli(argv, dir);
      expect([r.code, r.err]).toEqual([2, `tagguard: ${option} ${long}: cannot be written: ENAMETOOLONG\n`]);
    },
  );

  test.each(bothPositions('scan', ['--output', 'r'.repeat(300)], ['.']))(
    'a name too long to exist at all says it cannot be written (%s)',
    async (_, argv) => {
      const dir = tree({ 'main.tf': MUTABLE }, { prefix: 'cl-write' });
      const r = await runCli(argv, dir);
      expect([r.code, r.out, r.err]).toEqual([2, '', `tagguard: --output ${'r'.repeat(300)}: cannot be written: ENAMETOOLONG\n`]);
    },
  );
});

describe('baselines', () => {
  test.each(bothPositions('scan', ['--create-baseline', 'baseline.json'], ['.']))(
    '--create-baseline exits 0 with findings (%s)',
    async (_, argv) => {
      const dir = tree({ 'main.tf': MUTABLE }, { prefix: 'cl-base' });
      const r = await runCli(argv, dir);
      expect([r.code, r.err]).toEqual([0, 'tagguard: baseline of 1 findings written to baseline.json\n']);
      expect(r.out).toMatch(/✖ 1 error, 0 warnings in 1 file read \(1 resource checked\)\n$/);
    },
  );

  test('--create-baseline still exits 2 on an input error', async () => {
    const dir = tree({ 'main.tf': MUTABLE }, { prefix: 'cl-base' });
    expect((await runCli(['scan', '.', 'missing', '--create-baseline', 'baseline.json'], dir)).code).toBe(2);
  });

  test('the summary counts the findings the baseline hides', async () => {
    const dir = tree({ 'a/main.tf': MUTABLE, 'b/main.tf': MUTABLE }, { prefix: 'cl-base' });
    expect((await runCli(['scan', 'a', '--create-baseline', 'baseline.json'], dir)).code).toBe(0);
    const text = await runCli(['scan', '--baseline', 'baseline.json', '.'], dir);
    expect([text.code, text.out.split('\n').at(-2)]).toEqual([
      1,
      '✖ 1 error, 0 warnings, 1 in the baseline in 2 files read (2 resources checked)',
    ]);
    const json = await runCli(['scan', '.', '--baseline', 'baseline.json', '--format', 'json'], dir);
    expect(json.json().summary).toEqual({ files: 2, resources: 2, errors: 1, warnings: 0, parseErrors: 0, baselined: 1 });
    const all = await runCli(['scan', 'a', '--baseline', 'baseline.json', '--format', 'json'], dir);
    expect([all.code, all.json().summary]).toEqual([0, { files: 1, resources: 1, errors: 0, warnings: 0, parseErrors: 0, baselined: 1 }]);
  });
});

describe('explain and SARIF', () => {
  test('explain without a rule lists the rules', async () => {
    expect(await runCli(['explain'], dir)).toMatchObject({
      code: 0,
      err: '',
      out:
        'acr-tag-immutability       error  Alibaba Cloud Container Registry tags must be immutable\n' +
        'ecr-tag-immutability       error  ECR image tags must be immutable\n' +
        'gar-tag-immutability       error  Artifact Registry Docker tags must be immutable\n' +
        'harbor-tag-immutability    error  Harbor projects must make their tags immutable\n' +
        'image-reference-immutable  error  Deployed images must be pinned to something that cannot move\n' +
        'msr-tag-immutability       note  Mirantis Secure Registry tags must be made immutable in MSR itself\n\n' +
        'tagguard explain <rule> explains one (an id or an alias such as CKV_AWS_51)\n',
    });
  });

  test('explain with an alias explains the rule', async () => {
    const r = await runCli(['explain', 'AVD-AWS-0031'], dir);
    expect([r.code, r.out.split('\n')[0]]).toEqual([0, 'ecr-tag-immutability: ECR image tags must be immutable']);
  });

  test("explain image-reference-immutable: the verdicts, where images are read (in the order of the rule's types) and the two fixes", async () => {
    const r = await runCli(['explain', 'image-reference-immutable'], dir);
    expect(r.code).toBe(0);
    const sections = r.out.split('\n').filter((l) => /^\S/.test(l));
    expect(sections.slice(0, 7)).toEqual([
      'image-reference-immutable: Deployed images must be pinned to something that cannot move',
      'severity: error',
      'Why it matters',
      'Verdicts (each image reference of a judged resource (its digest, tag and repository))',
      'Where images are read',
      'How to fix',
      'In Terraform / OpenTofu (HCL):',
    ]);
    const where = r.out.split('Where images are read\n')[1].split('\n\n')[0].split('\n');
    expect(where[0]).toMatch(/^ {2}aws_ecs_task_definition +container_definitions\.image$/);
    expect(where).toContainEqual(
      expect.stringMatching(/^ {2}kubernetes_manifest +manifest\.\*\*\.containers\.image, manifest\.\*\*\.initContainers\.image$/),
    );
    const fix = r.out.split('How to fix\n')[1].split('\n\n')[0].replace(/\s+/g, ' ');
    expect(fix).toContain('Fix 1: pin the digest the CI that built the image printed');
    expect(fix).toContain('Fix 2: tag each build with its git SHA, push it to a repository whose tags are immutable');
  });

  test('SARIF names no home page that package.json does not', async () => {
    const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8')) as { homepage?: string };
    const r = await runCli(['scan', 'infra', '--format', 'sarif'], dir);
    const driver = (JSON.parse(r.out) as { runs: { tool: { driver: { informationUri?: string } } }[] }).runs[0]?.tool.driver;
    expect(driver.informationUri).toBe(pkg.homepage);
  });
});
