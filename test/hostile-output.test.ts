/**
 * A pull request controls the code tagguard reads: its file names, values, module
 * sources and messages. Nothing of that may act on the reader of tagguard's output:
 * no control character reaches a terminal unescaped (ESC, CR, LF, C0, C1, U+2028/2029),
 * no line on stdout or stderr can be read by a CI runner as a command (GitHub: a line
 * that starts with `::`, or `##[` anywhere), and a code frame never shows the lines of a
 * file outside the scanned tree. Writes (--output, --create-baseline, generate --out)
 * never go through a symlink or outside the working directory, and --changed-since
 * never passes an option to git.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ScanResult } from '../src/scan/types';
import type { Finding } from '../src/policy/findings';
import { escapeControl, forTerminal, guardJson, guardXml, neutralizeCommands } from '../src/report/escape';
import { formatGithub } from '../src/report/github';
import { formatJson } from '../src/report/json';
import { formatJunit } from '../src/report/junit';
import { formatMarkdown } from '../src/report/markdown';
import { formatText } from '../src/report/text';
import { readReport, runCli, tempDir } from './helpers';

const ESC = '\u001b';

/** base/ with files (relative path → text); `root/` in it is the working directory, a repository. */
function base(files: Record<string, string>): { base: string; root: string } {
  const dir = tempDir('hostile');
  mkdirSync(path.join(dir, 'root', '.git'), { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return { base: dir, root: path.join(dir, 'root') };
}

const MUTABLE = (name: string) =>
  `resource "aws_ecr_repository" "${name}" {\n  name                 = "${name}"\n  image_tag_mutability = "MUTABLE"\n}\n`;

/** No line a GitHub runner would read as a workflow command (ActionCommand.TryParseV2 and TryParse). */
function expectNoCommand(text: string): void {
  const commands = text.split(/\r\n|\r|\n/).filter((l) => /^\s*::/.test(l) || l.includes('##['));
  expect(commands).toEqual([]);
}

describe('the escaping helper (src/report/escape.ts)', () => {
  test.each<[string, string]>([
    [`evil${ESC}[31m.tf`, 'evil\\x1b[31m.tf'],
    ['a\nb\rc\u0000d\u007fe', 'a\\nb\\rc\\x00d\\x7fe'],
    ['csi\u009b2J nel\u0085', 'csi\\x9b2J nel\\x85'],
    ['line\u2028para\u2029', 'line\\u2028para\\u2029'],
    ['bidi\u202eevil\u2066', 'bidi\\u202eevil\\u2066'],
    ['tab\tstays, so does é, ü and 日本', 'tab\tstays, so does é, ü and 日本'],
  ])('escapeControl(%j) is %j', (raw, escaped) => {
    expect(escapeControl(raw)).toBe(escaped);
  });

  test('keepLineBreaks keeps LF and CRLF, and escapes a lone CR (a runner splits lines there too)', () => {
    expect(escapeControl('a\r\nb\nc\rd', { keepLineBreaks: true })).toBe('a\r\nb\nc\\rd');
  });

  test('a line that starts with :: (after any white space .NET trims) and ##[ anywhere are made inert', () => {
    expect(
      neutralizeCommands(
        '::error::x\n  ::warning::y\n\u00a0::notice::z\nok :: not at the start\nsee ##[error]e and ##vso[task.setvariable]v',
      ),
    ).toBe(
      '\\x3a:error::x\n  \\x3a:warning::y\n\u00a0\\x3a:notice::z\nok :: not at the start\nsee ##\\x5berror]e and ##vso\\x5btask.setvariable]v',
    );
    expect(forTerminal('a\n::error::pwned')).toBe('a\\n::error::pwned');
    expect(forTerminal('a\n::error::pwned', { keepLineBreaks: true })).toBe('a\n\\x3a:error::pwned');
  });

  test('JSON and XML keep their values: the escapes are their own', () => {
    const value = `##[error]x \u009b2J \u2028 ${ESC}`;
    const json = guardJson(JSON.stringify({ value }));
    expect(json).toBe('{"value":"##\\u005berror]x \\u009b2J \\u2028 \\u001b"}');
    expect((JSON.parse(json) as { value: unknown }).value).toBe(value);
    expect(guardXml('<a b="##[x]">\n::error::y\r\u0085</a>')).toBe('<a b="##&#91;x]">\n&#58;:error::y&#xD;&#x85;</a>');
  });
});

/** A result as a custom policy can make it: any message, any severity. */
function result(findings: Partial<Finding>[], errors: ScanResult['errors'] = []): ScanResult {
  return {
    findings: findings.map((f) => ({
      ruleId: 'custom',
      severity: 'error',
      resource: 'aws_ecr_repository.a',
      root: '.',
      file: 'main.tf',
      line: 1,
      column: 1,
      endLine: 1,
      endColumn: 2,
      message: 'm',
      trace: [],
      ...f,
    })),
    errors,
    notes: [],
    notices: [],
    summary: { files: 1, resources: 1, errors: findings.length, warnings: 0, parseErrors: errors.length },
    sources: new Map(),
    resources: [],
    rules: [],
  };
}

describe('reports: every format', () => {
  const hostile = result(
    [
      {
        file: `evil${ESC}[31m.tf`,
        message: `value "x\n::error::pwned" ##[add-mask]secret`,
        trace: [{ file: '::set-output name=a::b.tf', line: 2, column: 3, note: `var.x\r::error::cr` }],
      },
      { severity: 'constructor' as Finding['severity'], file: 'a,b:c%.tf', message: '100% sure\r\n::error::pwned' },
    ],
    [{ file: '::error::broken.tf', line: 0, column: 0, message: `cannot read\u2028::warning::ls` }],
  );

  test('text: control characters escaped, no line that starts with :: or holds ##[', () => {
    const text = formatText(hostile, { color: false });
    expect(text).toBe(
      [
        'evil\\x1b[31m.tf:1:1  error  aws_ecr_repository.a  [custom]',
        '  value "x\\n::error::pwned" ##\\x5badd-mask]secret',
        '  via ::set-output name=a::b.tf:2:3  var.x\\r::error::cr',
        '',
        'a,b:c%.tf:1:1  constructor  aws_ecr_repository.a  [custom]',
        '  100% sure\\r\\n::error::pwned',
        '',
        '\\x3a:error::broken.tf  error  cannot read\\u2028::warning::ls',
        '',
        '✖ 2 errors, 0 warnings in 1 file read (1 resource checked); 1 problem reading input',
        '',
      ].join('\n'),
    );
    expectNoCommand(text);
  });

  test('github: properties and data escaped as GitHub documents (%, CR, LF; and : , in properties); a severity that names an Object property is a warning', () => {
    expect(formatGithub(hostile)).toBe(
      [
        `::error file=evil${ESC}[31m.tf,line=1,col=1,endLine=1,endColumn=2,title=custom%3A aws_ecr_repository.a::value "x%0A::error::pwned" ##[add-mask]secret`,
        '::warning file=a%2Cb%3Ac%25.tf,line=1,col=1,endLine=1,endColumn=2,title=custom%3A aws_ecr_repository.a::100%25 sure%0D%0A::error::pwned',
        '::error file=%3A%3Aerror%3A%3Abroken.tf,title=tagguard::cannot read\u2028::warning::ls',
        '',
      ].join('\n'),
    );
  });

  test('json: the same values, no ##[ in the text, C1 and separators as \\u escapes', () => {
    const json = formatJson(hostile);
    expectNoCommand(json);
    expect(json).toContain('"message": "value \\"x\\n::error::pwned\\" ##\\u005badd-mask]secret"');
    expect(json).toContain('"message": "cannot read\\u2028::warning::ls"');
    expect(readReport(json).findings[0].message).toBe(hostile.findings[0].message);
  });

  test('junit: no line that starts with :: or holds ##[', () => {
    const xml = formatJunit(hostile);
    expectNoCommand(xml);
    expect(xml).toContain('\n&#58;:error::pwned" ##&#91;add-mask]secret\n');
    expect(xml).toContain('var.x&#xD;::error::cr');
  });

  test('markdown: one table row per finding, a line per input error; nothing of the values is Markdown, HTML or a command', () => {
    const md = formatMarkdown(hostile);
    expect(md).toBe(
      [
        '## tagguard',
        '',
        '❌ 2 errors, 0 warnings in 1 file read (1 resource checked); 1 problem reading input',
        '',
        '| Severity | Rule | Resource | Location | Message |',
        '| --- | --- | --- | --- | --- |',
        '| error | custom | aws\\_ecr\\_repository\\.a | evil\\\\x1b\\[31m\\.tf\\:1 | value \\"x\\\\n\\:\\:error\\:\\:pwned\\" \\#\\#\\[add\\-mask\\]secret |',
        '| constructor | custom | aws\\_ecr\\_repository\\.a | a\\,b\\:c\\%\\.tf\\:1 | 100\\% sure\\\\r\\\\n\\:\\:error\\:\\:pwned |',
        '',
        '**Input errors** (the scan is incomplete):',
        '',
        '- \\:\\:error\\:\\:broken\\.tf: cannot read\\\\u2028\\:\\:warning\\:\\:ls',
        '',
      ].join('\n'),
    );
    expectNoCommand(md);
  });

  test('markdown: HTML, links, emphasis, code, cell boundaries and autolinks in a value render as the characters they are', () => {
    const md = formatMarkdown(
      result([
        {
          ruleId: '<script>alert(1)</script>',
          file: '[x](javascript:alert(1)).tf',
          message: '<img src=x onerror=alert(1)> | **bold** `code` ![i](https://evil.example/i.png) www.evil.example :smile: &amp; \\|',
        },
      ]),
    );
    expect(md.split('\n')[6]).toBe(
      '| error | &lt;script&gt;alert\\(1\\)&lt;\\/script&gt; | aws\\_ecr\\_repository\\.a | \\[x\\]\\(javascript\\:alert\\(1\\)\\)\\.tf\\:1 | ' +
        '&lt;img src\\=x onerror\\=alert\\(1\\)&gt; \\| \\*\\*bold\\*\\* \\`code\\` \\!\\[i\\]\\(https\\:\\/\\/evil\\.example\\/i\\.png\\) ' +
        'www\\.evil\\.example \\:smile\\: &amp;amp\\; \\\\\\| |',
    );
  });

  test('markdown: a clean scan is a line of counts and no table', () => {
    expect(formatMarkdown({ ...result([]), summary: { files: 3, resources: 2, errors: 0, warnings: 0, parseErrors: 0 } })).toBe(
      '## tagguard\n\n✅ 0 errors, 0 warnings in 3 files read (2 resources checked)\n',
    );
  });
});

describe('scan output of a tree with hostile names and values', () => {
  function hostileTree() {
    return base({
      [`root/evil${ESC}[31m.tf`]:
        'resource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = "x\\n::error::pwned\\u001b[2J"\n}\n',
      'root/::error::pwned/main.tf': MUTABLE('b'),
      'root/remote.tf': 'module "m" {\n  source = "git::https://example.com/m.git?ref=\\u001b]0;title\\u0007\\n::error::note"\n}\n',
    });
  }

  test('text: the file name and value escaped, the path that starts with :: made inert, in the report and in its code frame', async () => {
    const { root } = hostileTree();
    const r = await runCli(['scan'], root);
    expect(r.code).toBe(1);
    expect(r.out).toBe(
      [
        '\\x3a:error::pwned/main.tf:3:26  error  aws_ecr_repository.b  [ecr-tag-immutability]',
        '  image_tag_mutability is MUTABLE: a push can move any tag to a new image; set it to IMMUTABLE',
        '    2 |   name                 = "b"',
        '  > 3 |   image_tag_mutability = "MUTABLE"',
        '      |                          ^^^^^^^^^',
        '    4 | }',
        '',
        'evil\\x1b[31m.tf:3:26  error  aws_ecr_repository.a  [ecr-tag-immutability]',
        '  image_tag_mutability "x\\n::error::pwned\\u001b[2J" is not a valid value; the valid values are IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, MUTABLE and MUTABLE_WITH_EXCLUSION: use IMMUTABLE',
        '    2 |   name                 = "a"',
        '  > 3 |   image_tag_mutability = "x\\n::error::pwned\\u001b[2J"',
        '      |                          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        '    4 | }',
        '',
        '✖ 2 errors, 0 warnings in 3 files read (2 resources checked)',
        '',
      ].join('\n'),
    );
    expectNoCommand(r.out);
  });

  test('a code frame escapes a raw control character in the line and keeps the mark under the value', async () => {
    const { root } = base({
      'root/main.tf': `resource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = "${ESC}[2J" == "" ? "IMMUTABLE" : "MUTABLE" # ##[error]x\n}\n`,
    });
    const r = await runCli(['scan'], root);
    expect(r.out).toBe(
      [
        'main.tf:3:55  error  aws_ecr_repository.a  [ecr-tag-immutability]',
        '  image_tag_mutability is MUTABLE: a push can move any tag to a new image; set it to IMMUTABLE',
        '    2 |   name                 = "a"',
        '  > 3 |   image_tag_mutability = "\\x1b[2J" == "" ? "IMMUTABLE" : "MUTABLE" # ##\\x5berror]x',
        '      |                                                          ^^^^^^^^^',
        '    4 | }',
        '',
        '✖ 1 error, 0 warnings in 1 file read (1 resource checked)',
        '',
      ].join('\n'),
    );
  });

  test('stderr: a module source in a --verbose note is escaped', async () => {
    const { root } = hostileTree();
    const r = await runCli(['scan', '--verbose', '--format', 'json'], root);
    expect(r.err).toBe(
      'tagguard: remote.tf:1: module "m" (git::https://example.com/m.git?ref=\\x1b]0;title\\x07\\n::error::note) is not on disk; run terraform init to scan it\n',
    );
    expectNoCommand(r.err);
  });

  test('stderr: "fixed" and "needs a person" name the file escaped', async () => {
    const { root } = base({
      [`root/evil${ESC}[31m.tf`]: MUTABLE('a'),
      [`root/\n::error::x.tf`]:
        'resource "aws_ecr_repository" "b" {\n  name                 = "b"\n  image_tag_mutability = upper("mutable")\n}\n',
    });
    const r = await runCli(['fix'], root);
    expect(r.err.split('\n')).toEqual([
      'tagguard: needs a person: \\n::error::x.tf:3:26 aws_ecr_repository.b: the value is computed by an expression, not written as a literal',
      'tagguard: fixed evil\\x1b[31m.tf',
      '',
    ]);
    expect(readFileSync(path.join(root, `evil${ESC}[31m.tf`), 'utf8')).toContain('"IMMUTABLE"');
  });

  test("--fix-dry-run: the diff shows the file's lines with control characters escaped and no line that starts with ::", async () => {
    const { root } = base({
      'root/main.tf': `resource "aws_ecr_repository" "a" {\n  name = <<EOT\n::error::pwned${ESC}[2J\nEOT\n  image_tag_mutability = "MUTABLE"\n}\n`,
    });
    const r = await runCli(['scan', '--fix-dry-run'], root);
    expect(r.out).toBe(
      [
        '===================================================================',
        '--- a/main.tf',
        '+++ b/main.tf',
        '@@ -2,5 +2,5 @@',
        '   name = <<EOT',
        ' \\x3a:error::pwned\\x1b[2J',
        ' EOT',
        '-  image_tag_mutability = "MUTABLE"',
        '+  image_tag_mutability = "IMMUTABLE"',
        ' }',
        '',
      ].join('\n'),
    );
  });

  test('json: a file name with ##[ is written with \\u005b, and parses back to the name', async () => {
    const { root } = base({ 'root/##[error]x.tf': MUTABLE('a') });
    const r = await runCli(['scan', '--format', 'json'], root);
    expect(r.out).toContain('"file": "##\\u005berror]x.tf"');
    expect(r.json().findings[0].file).toBe('##[error]x.tf');
    expectNoCommand(r.out);
  });

  test('an error message on stderr escapes what a config file names', async () => {
    const { root } = base({ 'root/.tagguard.yml': 'var_files: ["a\\e[2J\\n::error::pwned.tfvars"]\n', 'root/main.tf': MUTABLE('a') });
    const r = await runCli(['scan'], root);
    expect([r.code, r.out, r.err]).toEqual([
      2,
      '',
      'tagguard: .tagguard.yml: var_files: a\\x1b[2J\\n::error::pwned.tfvars: no such file\n',
    ]);
  });

  test('a config key: its control characters escaped; the list of config errors keeps its line breaks, each line inert (README: a limit)', async () => {
    const { root } = base({ 'root/.tagguard.yml': '"k\\e[2J\\n::error::pwned": 1\n', 'root/main.tf': MUTABLE('a') });
    const r = await runCli(['scan'], root);
    expect([r.code, r.out, r.err]).toEqual([
      2,
      '',
      'tagguard: invalid config:\n.tagguard.yml:1:1: the file: unknown key "k\\x1b[2J\n\\x3a:error::pwned"\n',
    ]);
    expectNoCommand(r.err);
  });
});

describe('a code frame never shows a file outside the scanned tree', () => {
  function linkedOutside() {
    const t = base({
      'elsewhere/secret.tf': `# token = "s3cr3t-token"\n${MUTABLE('linked')}`,
      'elsewhere/broken.tf': 'resource "aws_ecr_repository" "x" {\n  token = "s3cr3t-key"\n  broken =\n}\n',
      'root/main.tf': MUTABLE('own'),
    });
    symlinkSync('../elsewhere/secret.tf', path.join(t.root, 'link.tf'));
    symlinkSync('../elsewhere/broken.tf', path.join(t.root, 'broken.tf'));
    return t;
  }

  test('a symlinked .tf file that leads outside the working directory: its finding and its parse error without their lines', async () => {
    const { root } = linkedOutside();
    const r = await runCli(['scan'], root);
    expect(r.code).toBe(2);
    // The file inside keeps its frame.
    expect(r.out).toBe(
      [
        'link.tf:4:26  error  aws_ecr_repository.linked  [ecr-tag-immutability]',
        '  image_tag_mutability is MUTABLE: a push can move any tag to a new image; set it to IMMUTABLE',
        '',
        'main.tf:3:26  error  aws_ecr_repository.own  [ecr-tag-immutability]',
        '  image_tag_mutability is MUTABLE: a push can move any tag to a new image; set it to IMMUTABLE',
        '    2 |   name                 = "own"',
        '  > 3 |   image_tag_mutability = "MUTABLE"',
        '      |                          ^^^^^^^^^',
        '    4 | }',
        '',
        'broken.tf:3:3  error  attribute "broken" has no value after "=" in block resource "aws_ecr_repository" "x"',
        '',
        '✖ 2 errors, 0 warnings in 3 files read (2 resources checked); 1 problem reading input',
        '',
      ].join('\n'),
    );
  });

  test('a symlinked file named on the command line (as a pre-commit hook names the staged files) is still shown without its lines', async () => {
    const { root } = linkedOutside();
    const r = await runCli(['scan', 'link.tf'], root);
    expect(r.out).toBe(
      [
        'link.tf:4:26  error  aws_ecr_repository.linked  [ecr-tag-immutability]',
        '  image_tag_mutability is MUTABLE: a push can move any tag to a new image; set it to IMMUTABLE',
        '',
        'broken.tf:3:3  error  attribute "broken" has no value after "=" in block resource "aws_ecr_repository" "x"',
        '',
        '✖ 1 error, 0 warnings in 3 files read (2 resources checked); 1 problem reading input',
        '',
      ].join('\n'),
    );
  });

  test('a tree named on the command line is scanned, outside the working directory or not: its frames are shown', async () => {
    const { root } = linkedOutside();
    const r = await runCli(['scan', '../elsewhere'], root);
    expect(r.out).toContain('  > 4 |   image_tag_mutability = "MUTABLE"');
    expect(r.out).toContain('  > 3 |   broken =');
  });
});

describe('writes stay inside the working directory', () => {
  function withVictim() {
    const t = base({ 'victim.txt': 'precious\n', 'elsewhere/.keep': '', 'root/main.tf': MUTABLE('a') });
    return { ...t, victim: path.join(t.base, 'victim.txt') };
  }

  test.each<[string, string[], (root: string, victim: string) => void, string]>([
    [
      '--output through a committed symlink',
      ['scan', '--format', 'sarif', '--output', 'tagguard.sarif'],
      (root, victim) => {
        symlinkSync(victim, path.join(root, 'tagguard.sarif'));
      },
      '--output tagguard.sarif: is a symlink; tagguard does not write through one (remove it or name another file)',
    ],
    [
      '--output through a dangling symlink',
      ['scan', '-o', 'new.json'],
      (root) => {
        symlinkSync('../created-by-tagguard', path.join(root, 'new.json'));
      },
      '--output new.json: is a symlink; tagguard does not write through one (remove it or name another file)',
    ],
    [
      '--create-baseline through a symlink',
      ['scan', '--create-baseline', 'base.json'],
      (root, victim) => {
        symlinkSync(victim, path.join(root, 'base.json'));
      },
      '--create-baseline base.json: is a symlink; tagguard does not write through one (remove it or name another file)',
    ],
    [
      '--output with ../',
      ['scan', '--output', '../victim.txt'],
      () => undefined,
      '--output ../victim.txt: is outside the working directory; tagguard writes only inside it',
    ],
    [
      '--output through a symlinked directory',
      ['scan', '--output', 'reports/victim.txt'],
      (root) => {
        symlinkSync('..', path.join(root, 'reports'));
      },
      '--output reports/victim.txt: is outside the working directory through a symlink (it leads to BASE); tagguard writes only inside it',
    ],
    [
      'generate --out through a symlinked directory',
      ['generate', '--repo', 'app', '--out', 'stack'],
      (root) => {
        symlinkSync('../elsewhere', path.join(root, 'stack'));
      },
      '--out stack: is a symlink; tagguard does not write through one (remove it or name another file)',
    ],
    [
      'generate --out below a symlinked directory',
      ['generate', '--repo', 'app', '--out', 'up/new'],
      (root) => {
        symlinkSync('..', path.join(root, 'up'));
      },
      '--out up/new: is outside the working directory through a symlink (it leads to BASE); tagguard writes only inside it',
    ],
    [
      'generate --out .. ',
      ['generate', '--repo', 'app', '--out', '..'],
      () => undefined,
      '--out ..: is outside the working directory; tagguard writes only inside it',
    ],
    [
      'generate --force over a symlinked main.tf',
      ['generate', '--repo', 'app', '--out', 'gen', '--force'],
      (root, victim) => {
        mkdirSync(path.join(root, 'gen'));
        symlinkSync(victim, path.join(root, 'gen', 'main.tf'));
      },
      '--out gen: gen/main.tf is a symlink; tagguard does not write through one',
    ],
  ])('%s: a usage error before the scan, nothing written', async (_title, argv, arrange, message) => {
    const { base: dir, root, victim } = withVictim();
    arrange(root, victim);
    const before = readFileSync(victim, 'utf8');
    const r = await runCli(argv, root);
    expect([r.code, r.out, r.err]).toEqual([2, '', `tagguard: ${message.replace('BASE', realpathSync(dir))}\n`]);
    expect(readFileSync(victim, 'utf8')).toBe(before);
    expect(existsSync(path.join(dir, 'created-by-tagguard'))).toBe(false);
    expect(existsSync(path.join(dir, 'elsewhere', 'main.tf'))).toBe(false);
    expect(existsSync(path.join(dir, 'new', 'main.tf'))).toBe(false);
  });

  test('an absolute path outside is refused; a symlink left in place is still a symlink', async () => {
    const { root, victim } = withVictim();
    symlinkSync(victim, path.join(root, 'tagguard.sarif'));
    const r = await runCli(['scan', '--output', victim], root);
    expect([r.code, r.err]).toEqual([
      2,
      `tagguard: --output ${victim}: is outside the working directory; tagguard writes only inside it\n`,
    ]);
    expect((await runCli(['scan', '-f', 'sarif', '-o', 'tagguard.sarif'], root)).code).toBe(2);
    expect(lstatSync(path.join(root, 'tagguard.sarif')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(root, 'tagguard.sarif'))).toBe(victim);
  });

  test('a file inside, also in a subdirectory or through a symlinked directory that stays inside, is written', async () => {
    const { root } = withVictim();
    mkdirSync(path.join(root, 'reports'));
    symlinkSync('reports', path.join(root, 'linked'));
    expect((await runCli(['scan', '-f', 'json', '-o', 'reports/a.json'], root)).code).toBe(1);
    expect((await runCli(['scan', '-f', 'json', '-o', 'linked/b.json'], root)).code).toBe(1);
    expect(readReport(readFileSync(path.join(root, 'reports', 'a.json'), 'utf8')).findings).toHaveLength(1);
    expect(readReport(readFileSync(path.join(root, 'reports', 'b.json'), 'utf8')).findings).toHaveLength(1);
    expect(lstatSync(path.join(root, 'linked')).isSymbolicLink()).toBe(true);
  });
});

describe('--changed-since never passes an option to git', () => {
  function repository() {
    const { root } = base({ 'root/main.tf': MUTABLE('a') });
    rmSync(path.join(root, '.git'), { recursive: true });
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd: root, encoding: 'utf8' }).trim();
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'base');
    writeFileSync(path.join(root, 'new.tf'), MUTABLE('b'));
    return { root, git };
  }

  test.each<[string, (git: (...a: string[]) => string) => string]>([
    ['an option that writes a file', () => '--output=x'],
    ['an option that changes what git prints', () => '-p'],
    ['a branch that does not exist', () => 'no-such-branch'],
    ['a tree', (git) => git('rev-parse', 'HEAD^{tree}')],
    ['nothing', () => ''],
  ])('%s is a usage error, not an empty passing run', async (_title, refOf) => {
    const { root, git } = repository();
    const ref = refOf(git);
    const r = await runCli(['scan', `--changed-since=${ref}`], root);
    expect([r.code, r.out, r.err]).toEqual([2, '', `tagguard: --changed-since ${ref}: not a commit in this repository\n`]);
    expect(existsSync(path.join(root, 'x'))).toBe(false);
  });

  test('a commit, a branch and a tag still limit the report to the changed files', async () => {
    const { root, git } = repository();
    git('tag', 'v1');
    for (const ref of ['HEAD', git('rev-parse', 'HEAD'), git('branch', '--show-current'), 'v1']) {
      const r = await runCli(['scan', '--changed-since', ref, '--format', 'json'], root);
      expect([r.code, r.json().findings.map((f: { file: string }) => f.file)]).toEqual([1, ['new.tf']]);
    }
  });

  test("outside a repository: a usage error with git's reason", async () => {
    const { root } = base({ 'root/main.tf': MUTABLE('a') });
    rmSync(path.join(root, '.git'), { recursive: true });
    const r = await runCli(['scan', '--changed-since', 'HEAD'], root);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^tagguard: --changed-since HEAD: not a commit in this repository \(fatal: not a git repository/);
  });
});
