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
  ])('%j', async (argv, message) => {
    expect(await runCli(argv, dir)).toMatchObject({ code: 2, out: '', err: `tagguard: ${message}\n` });
  });

  test('edit distance counts a swap of neighbours as one edit', () => {
    expect([editDistance('sacn', 'scan'), editDistance('frmat', 'format'), editDistance('abc', 'abc'), editDistance('', 'ab')]).toEqual([
      1, 1, 0, 2,
    ]);
  });
});
