import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Expr } from '../src/parse/syntax';
import { Evaluator, MAX_EVALUATION_DEPTH } from '../src/terraform/eval/evaluate';
import { failure, firstUnknown } from '../src/terraform/eval/value';
import { CLI, defined, matching, ROOT, runCli, tempDir } from './helpers';

/**
 * issue 8: malformed and hostile input. Every case folder holds the broken input and
 * good.tf, whose mutable repository must still be reported: nothing is lost to a bad file.
 * Committed cases are in fixtures/malformed/<name>; large, binary and platform-dependent
 * ones are written into a temporary folder at test time.
 */
const GOOD = readFileSync(path.join(ROOT, 'fixtures/malformed/unterminated-block/good.tf'), 'utf8');
const GOOD_FINDING: Finding = ['good.tf', 3, 26, 'aws_ecr_repository.frontend'];
const MiB = 1024 * 1024;

type Finding = [file: string, line: number, column: number, resource: string];

interface Case {
  name: string;
  /** Writes the case into its folder (good.tf is already there); without it the case is committed. */
  make?: (dir: string) => void;
  /** Paths relative to the case folder; the first errors in (file, line, column) order. Other errors may follow, in these files only. */
  errors: { file: string; line: number; column: number; message: RegExp }[];
  /** Default: good.tf's finding only. */
  findings?: Finding[];
  /** Default 2. */
  code?: number;
  /** More options for the scan. */
  args?: string[];
  /** Run as a separate process: a case that could hang or abort the test process; 'nobody' drops root, so that permissions apply. */
  process?: 'own' | 'nobody';
}

/**
 * How deep generated input nests. Every `{`, `[` and `(` opens a level, block bodies and the
 * JSON top-level object included; the error is at the one that opens level MAX_DEPTH + 1.
 */
const DEPTH = 5000;
const MAX_DEPTH = 256;

const cases: Case[] = [
  // Syntax: a position where the problem is, and a message that says what is wrong.
  {
    name: 'unterminated-block',
    errors: [{ file: 'broken.tf', line: 8, column: 1, message: /^missing "}" in block resource "aws_ecr_repository" "api"$/ }],
  },
  { name: 'unterminated-string', errors: [{ file: 'broken.tf', line: 2, column: 26, message: /string is never closed/ }] },
  { name: 'stray-brace', errors: [{ file: 'broken.tf', line: 5, column: 1, message: /^unexpected "}"$/ }] },
  // Terraform accepts an empty file, and so does tagguard.
  { name: 'empty-file', errors: [], code: 1 },
  { name: 'not-json', errors: [{ file: 'main.tf.json', line: 1, column: 1, message: /^invalid JSON: unexpected "resource"$/ }] },
  {
    name: 'json-not-object',
    errors: [{ file: 'main.tf.json', line: 1, column: 1, message: /^a Terraform JSON file must hold one object at the top level$/ }],
  },
  {
    name: 'json-wrong-shape',
    errors: [
      {
        file: 'main.tf.json',
        line: 4,
        column: 14,
        message: /^resource "aws_ecr_repository" "api" must be a JSON object \(the block's body\) or an array of objects, not a string$/,
      },
    ],
  },
  {
    name: 'duplicate-resource',
    errors: [
      {
        file: 'repository-v2.tf',
        line: 2,
        column: 1,
        message:
          /^duplicate resource "aws_ecr_repository" configuration: aws_ecr_repository.frontend is already declared at fixtures\/malformed\/duplicate-resource\/good.tf:1:1$/,
      },
    ],
    // Both blocks are judged, so renaming one loses no finding.
    findings: [GOOD_FINDING, ['repository-v2.tf', 4, 26, 'aws_ecr_repository.frontend']],
  },
  {
    name: 'locals-cycle',
    errors: [
      {
        file: 'locals.tf',
        line: 2,
        column: 3,
        message: /^local values refer to each other in a cycle: local.prefix → local.team → local.prefix$/,
      },
      {
        file: 'locals.tf',
        line: 4,
        column: 3,
        message: /^local values refer to each other in a cycle: local.mutability → local.mutability$/,
      },
    ],
  },
  // A local source that leads to no directory is a blind spot, not an input error: an unknown at the call (issue 17)...
  {
    name: 'module-source-outside',
    errors: [],
    // One unknown for each rule that judges resource types with errors (acr-, ecr-, gar-, harbor-tag-immutability, image-reference-immutable).
    findings: [GOOD_FINDING, ...Array.from({ length: 5 }, (): Finding => ['main.tf', 2, 12, 'module.shared'])],
    code: 1,
  },
  // ... and with --strict an input error, as before.
  {
    name: 'module-source-outside',
    args: ['--strict'],
    errors: [
      {
        file: 'main.tf',
        line: 2,
        column: 12,
        message: /^module "shared": no module directory at "(\.\.\/)+shared\/ecr" \(it does not exist or is not a directory\)$/,
      },
    ],
  },
  {
    name: 'module-source-self',
    errors: [
      {
        file: 'main.tf',
        line: 1,
        column: 1,
        message: /^module cycle: fixtures\/malformed\/module-source-self → fixtures\/malformed\/module-source-self$/,
      },
    ],
  },

  // Generated: large, deep, binary.
  {
    name: 'too-large',
    make: (dir) => {
      writeFileSync(
        path.join(dir, 'big.tf'),
        fill(20 * MiB, (i) => `resource "aws_ecr_repository" "r${i}" {\n  name = "r${i}"\n}\n\n`),
      );
    },
    errors: [{ file: 'big.tf', line: 0, column: 0, message: /^file is 20\.0 MiB, over the 10 MiB limit \(--max-file-size\)$/ }],
    // Past the limit, tree-sitter would abort the whole process.
    process: 'own',
  },
  {
    name: 'deep-hcl',
    make: (dir) => {
      writeFileSync(path.join(dir, 'deep.tf'), `locals {\n  x = ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}\n}\n`);
    },
    // `locals {` is level 1, so the 256th `[` (column 7 + 255) opens level 257.
    errors: [{ file: 'deep.tf', line: 2, column: 7 + MAX_DEPTH - 1, message: /more than 256 levels deep \(--max-depth\)/ }],
  },
  {
    name: 'deep-json',
    make: (dir) => {
      writeFileSync(path.join(dir, 'deep.tf.json'), `{"locals": {"x": ${'['.repeat(DEPTH)}${']'.repeat(DEPTH)}}}`);
    },
    // The top-level object and "locals" are levels 1 and 2: the 255th `[` opens level 257.
    errors: [
      {
        file: 'deep.tf.json',
        line: 1,
        column: '{"locals": {"x": '.length + MAX_DEPTH - 1,
        message: /^more than 256 levels deep \(--max-depth\)$/,
      },
    ],
  },
  {
    name: 'locals-chain',
    // 5,000 locals, each naming the next: flat to parse, deep to evaluate.
    make: (dir) => {
      writeFileSync(
        path.join(dir, 'chain.tf'),
        `locals {\n${Array.from({ length: DEPTH }, (_, i) => `  l${i} = local.l${i + 1}\n`).join('')}  l${DEPTH} = "shop/chain"\n}\n\nresource "aws_ecr_repository" "chain" {\n  name                 = local.l0\n  image_tag_mutability = "IMMUTABLE"\n}\n`,
      );
    },
    // Evaluation stops at depth MAX_EVALUATION_DEPTH: the resource's name is level 1, l0's value level 2, ….
    errors: [
      {
        file: 'chain.tf',
        line: MAX_EVALUATION_DEPTH + 1,
        column: `  l${MAX_EVALUATION_DEPTH - 1} = `.length + 1,
        message: /^evaluation nested more than 1000 levels deep/,
      },
    ],
  },
  {
    name: 'long-line',
    make: (dir) => {
      writeFileSync(
        path.join(dir, 'long.tf'),
        `locals {\n  blob = "${'a'.repeat(MiB)}"\n}\n\nresource "aws_ecr_repository" "blob" {\n  name                 = "shop/blob"\n  image_tag_mutability = "IMMUTABLE"\n}\n`,
      );
    },
    errors: [],
    code: 1,
  },
  {
    name: 'long-line-error',
    make: (dir) => {
      writeFileSync(
        path.join(dir, 'long.tf'),
        `locals {\n  blob = "${'a'.repeat(MiB)}" +\n}\n\nresource "aws_ecr_repository" "blob" {\n  name = local.blob\n}\n`,
      );
    },
    // A short message: the token, not the line.
    errors: [{ file: 'long.tf', line: 2, column: `  blob = "`.length + MiB + 3, message: /^unexpected "\+".{0,80}$/ }],
  },
  {
    name: 'nul-byte',
    make: (dir) => {
      writeFileSync(
        path.join(dir, 'nul.tf'),
        'resource "aws_ecr_repository" "api" {\n  name                 = "shop/api\0"\n  image_tag_mutability = "IMMUTABLE"\n}\n',
      );
    },
    errors: [{ file: 'nul.tf', line: 2, column: 35, message: /NUL/ }],
  },
  {
    name: 'invalid-utf8',
    make: (dir) => {
      writeFileSync(
        path.join(dir, 'latin1.tf'),
        Buffer.from(
          'resource "aws_ecr_repository" "cafe" {\n  name                 = "caf\xe9"\n  image_tag_mutability = "IMMUTABLE"\n}\n',
          'latin1',
        ),
      );
    },
    errors: [{ file: 'latin1.tf', line: 2, column: 30, message: /UTF-8/ }],
  },
  {
    name: 'binary',
    make: (dir) => {
      writeFileSync(
        path.join(dir, 'x.tf'),
        Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(64, 0xff)]),
      );
    },
    errors: [{ file: 'x.tf', line: 1, column: 1, message: /UTF-8|binary/ }],
  },

  // The file system.
  {
    name: 'symlink-file-loop',
    make: (dir) => {
      symlinkSync('b.tf', path.join(dir, 'a.tf'));
      symlinkSync('a.tf', path.join(dir, 'b.tf'));
    },
    errors: [
      { file: 'a.tf', line: 0, column: 0, message: /^cannot read the file: ELOOP$/ },
      { file: 'b.tf', line: 0, column: 0, message: /^cannot read the file: ELOOP$/ },
    ],
  },
  {
    // Directory symlinks are not followed when walking, so a loop cannot make the walk endless or report a file twice.
    name: 'symlink-dir-loop',
    make: (dir) => {
      symlinkSync('..', path.join(dir, 'up'));
      symlinkSync('.', path.join(dir, 'self'));
    },
    errors: [],
    code: 1,
  },
  {
    name: 'symlink-module-loop',
    make: (dir) => {
      symlinkSync('.', path.join(dir, 'again'));
      writeFileSync(path.join(dir, 'main.tf'), 'module "again" {\n  source = "./again"\n}\n');
    },
    errors: [{ file: 'main.tf', line: 1, column: 1, message: /^module cycle: symlink-module-loop → symlink-module-loop\/again$/ }],
  },
  {
    // Outside the repository but on disk: followed, as Terraform follows it.
    name: 'module-outside-repository',
    make: (dir) => {
      mkdirSync(path.join(dir, '.git'));
      mkdirSync(path.join(dir, '..', 'shared-ecr'));
      writeFileSync(path.join(dir, '..', 'shared-ecr', 'main.tf'), 'resource "aws_ecr_repository" "shared" {\n  name = "shared"\n}\n');
      writeFileSync(path.join(dir, 'main.tf'), 'module "shared" {\n  source = "../shared-ecr"\n}\n');
    },
    errors: [],
    findings: [GOOD_FINDING, ['../shared-ecr/main.tf', 1, 1, 'module.shared.aws_ecr_repository.shared']],
    code: 1,
  },
  {
    name: 'directory-named-tf',
    make: (dir) => {
      mkdirSync(path.join(dir, 'x.tf'));
    },
    errors: [],
    code: 1,
  },
  {
    name: 'directory-named-tf-in-module',
    make: (dir) => {
      mkdirSync(path.join(dir, '..', 'mod', 'x.tf'), { recursive: true });
      writeFileSync(path.join(dir, '..', 'mod', 'main.tf'), GOOD);
      writeFileSync(path.join(dir, 'main.tf'), 'module "m" {\n  source = "../mod"\n}\n');
    },
    errors: [],
    findings: [GOOD_FINDING, ['../mod/main.tf', 3, 26, 'module.m.aws_ecr_repository.frontend']],
    code: 1,
  },
  // A FIFO is not a file to read, as a directory is not: skipped, never waited on.
  {
    name: 'fifo',
    make: (dir) => {
      mkfifo(path.join(dir, 'x.tf'));
    },
    errors: [],
    code: 1,
    process: 'own',
  },
  {
    name: 'fifo-in-module',
    make: (dir) => {
      mkdirSync(path.join(dir, '..', 'mod'));
      mkfifo(path.join(dir, '..', 'mod', 'x.tf'));
      writeFileSync(path.join(dir, 'main.tf'), 'module "m" {\n  source = "../mod"\n}\n');
    },
    errors: [],
    code: 1,
    process: 'own',
  },
  {
    name: 'unreadable-file',
    make: (dir) => {
      writeFileSync(path.join(dir, 'secret.tf'), GOOD.replace('frontend', 'secret'));
      lock(path.join(dir, 'secret.tf'));
    },
    errors: [{ file: 'secret.tf', line: 0, column: 0, message: /^cannot read the file: EACCES$/ }],
    process: 'nobody',
  },
  {
    name: 'unreadable-directory',
    make: (dir) => {
      mkdirSync(path.join(dir, 'locked'));
      writeFileSync(path.join(dir, 'locked', 'main.tf'), GOOD);
      lock(path.join(dir, 'locked'));
    },
    errors: [{ file: 'locked', line: 0, column: 0, message: /cannot read the directory: EACCES/ }],
    process: 'nobody',
  },
  {
    name: 'unreadable-module-directory',
    make: (dir) => {
      mkdirSync(path.join(dir, '..', 'locked'));
      writeFileSync(path.join(dir, '..', 'locked', 'main.tf'), GOOD);
      lock(path.join(dir, '..', 'locked'));
      writeFileSync(path.join(dir, 'main.tf'), 'module "locked" {\n  source = "../locked"\n}\n');
    },
    errors: [{ file: '../locked', line: 0, column: 0, message: /cannot read the directory: EACCES/ }],
    process: 'nobody',
  },
];

const work = tempDir('malformed');
// Everyone may enter: the 'nobody' cases run without root.
chmodSync(work, 0o755);
mkdirSync(path.join(work, '.git'));

/** No permissions at all: unreadable to anyone but root (tempDir's removal opens it again). */
function lock(p: string): void {
  chmodSync(p, 0o000);
}

describe('malformed input: a clear error where it is, exit code 2, and the other files still scanned', () => {
  for (const c of cases) {
    test([c.name, ...(c.args ?? [])].join(' '), async () => {
      const { cwd, dir } = prepare(c);
      const { code, report } = await run(['scan', dir, '--format', 'json', ...(c.args ?? [])], cwd, c.process);
      const at = (file: string) => path.posix.normalize(`${dir}/${file}`);
      const errors = [...report.errors].sort(byPlace);
      const expected = c.errors.map((e) => ({ file: at(e.file), line: e.line, column: e.column, message: matching(e.message) }));
      expect(errors.slice(0, expected.length)).toEqual(expected);
      const files = new Set(expected.map((e) => e.file));
      expect(errors.filter((e) => !files.has(e.file))).toEqual([]);
      expect(report.findings.map((f) => [f.file, f.line, f.column, f.resource])).toEqual(
        (c.findings ?? [GOOD_FINDING]).map(([file, ...rest]) => [at(file), ...rest]),
      );
      expect(code).toBe(c.code ?? 2);
    });
  }

  test('a very long line is clipped in the text report', async () => {
    const { cwd, dir } = prepare(
      defined(
        cases.find((c) => c.name === 'long-line-error'),
        'the long-line-error case',
      ),
    );
    const { code, out } = await runCli(['scan', dir], cwd);
    expect(code).toBe(2);
    expect(out).toMatch(/long\.tf:2:1048589 +error +unexpected "\+"/);
    expect(out.length).toBeLessThan(10_000);
  });
});

describe('evaluation depth is bounded: deep input is an error, never a stack overflow', () => {
  const range = { file: 'deep.tf', line: 1, column: 1, endLine: 1, endColumn: 2 };
  const evaluator = (onTooDeep?: (r: typeof range, m: string) => void) =>
    new Evaluator({ variable: (n) => failure(n), local: (n) => failure(n), path: (n) => failure(n) }, onTooDeep);

  test.each([
    ['nested tuples', (inner: Expr): Expr => ({ kind: 'tuple', items: [inner], range })],
    // The costliest frames per level: a call of a for expression over a tuple.
    [
      'calls of for expressions',
      (inner: Expr): Expr => ({
        kind: 'call',
        name: 'tolist',
        args: [
          {
            kind: 'for',
            valueVar: 'v',
            collection: { kind: 'tuple', items: [inner], range },
            value: { kind: 'traversal', root: 'v', steps: [], range },
            grouping: false,
            range,
          },
        ],
        expandFinal: false,
        range,
      }),
    ],
  ])('%s, 100,000 levels deep', (_, wrap) => {
    let expr: Expr = { kind: 'literal', value: 'MUTABLE', range };
    for (let i = 0; i < 100_000; i++) expr = wrap(expr);
    const reported: string[] = [];
    const value = evaluator((_r, m) => reported.push(m)).evaluate(expr);
    // Unknown spreads only to what depends on it: the innermost element is the error.
    expect(firstUnknown(value)).toMatchObject({ error: true, reason: matching(/^evaluation nested more than 1000 levels deep/) });
    expect(reported.length).toBeGreaterThan(0);
  });

  test('at the limit, evaluation still succeeds', () => {
    let expr: Expr = { kind: 'literal', value: 'MUTABLE', range };
    for (let i = 0; i < MAX_EVALUATION_DEPTH - 1; i++) expr = { kind: 'tuple', items: [expr], range };
    expect(evaluator().evaluate(expr).kind).toBe('list');
  });
});

/** The case's folder, relative to the working directory the scan runs in. */
function prepare(c: Case): { cwd: string; dir: string } {
  if (!c.make) return { cwd: ROOT, dir: `fixtures/malformed/${c.name}` };
  // Each generated case gets a parent of its own, for what it puts beside itself.
  const parent = path.join(work, c.name);
  const dir = path.join(parent, c.name);
  rmSync(parent, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'good.tf'), GOOD);
  c.make(dir);
  return { cwd: parent, dir: c.name };
}

interface Report {
  errors: { file: string; line: number; column: number; message: string }[];
  findings: { file: string; line: number; column: number; resource: string }[];
}

/** In-process, or the built CLI in a process of its own (as nobody, when root, so that file modes apply), stopped if it hangs. */
async function run(argv: string[], cwd: string, mode?: 'own' | 'nobody'): Promise<{ code: number | null; report: Report }> {
  if (!mode) {
    const { code, json } = await runCli(argv, cwd);
    return { code, report: json() };
  }
  const node = [process.execPath, CLI, ...argv];
  const asNobody = mode === 'nobody' && process.getuid?.() === 0;
  const [command, ...args] = asNobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...node] : node;
  // As in-process, the scan sees no variables of the environment (TF_VAR_*, NO_COLOR). The limit only
  // turns a hang into a failure: spawnSync holds the event loop, so jest's own timeout cannot fire.
  const result = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
    timeout: 60_000,
    maxBuffer: 64 * MiB,
  });
  if (result.error || result.signal)
    throw new Error(`the scan did not finish: ${result.error?.message ?? result.signal}\n${result.stderr}`);
  let report: Report;
  try {
    report = JSON.parse(result.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${result.status}): ${result.stderr.slice(0, 2000)}`);
  }
  return { code: result.status, report };
}

function byPlace(a: Report['errors'][number], b: Report['errors'][number]): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column;
}

/** Text of exactly `size` bytes (ASCII), from repeated pieces. */
function fill(size: number, piece: (i: number) => string): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < size; i++) {
    parts.push(piece(i));
    length += parts[parts.length - 1].length;
  }
  return parts.join('').slice(0, size);
}

function mkfifo(file: string): void {
  const result = spawnSync('mkfifo', [file]);
  if (result.status !== 0) throw new Error(`mkfifo failed: ${result.stderr.toString()}`);
}

describe('limits are options', () => {
  const dir = () => {
    const d = tempDir('limits');
    writeFileSync(path.join(d, 'good.tf'), GOOD);
    writeFileSync(path.join(d, 'nested.tf'), 'locals {\n  x = [[["a"]]]\n}\n');
    return d;
  };

  test('--max-file-size and --max-depth lower the bounds; other files are still judged', async () => {
    const d = dir();
    const small = await runCli(['scan', '.', '--format', 'json', '--max-file-size', '100'], d);
    expect(small.code).toBe(2);
    expect(small.json().errors).toEqual([
      { file: 'good.tf', line: 0, column: 0, message: 'file is 152 bytes, over the 100 bytes limit (--max-file-size)' },
    ]);
    const shallow = await runCli(['scan', '.', '--format', 'json', '--max-depth', '3'], d);
    expect(shallow.code).toBe(2);
    expect(shallow.json().errors).toEqual([{ file: 'nested.tf', line: 2, column: 9, message: 'more than 3 levels deep (--max-depth)' }]);
    expect(shallow.json().findings.map((f: { file: string }) => f.file)).toEqual(['good.tf']);
    expect((await runCli(['scan', '.', '--format', 'json', '--max-depth', '5', '--max-file-size', '1M'], d)).code).toBe(1);
  });

  test('.tagguard.yml sets them too; a bad size is a usage error', async () => {
    const d = dir();
    writeFileSync(path.join(d, '.tagguard.yml'), 'max_depth: 3\nmax_file_size: 10k\n');
    const { code, json } = await runCli(['scan', '.', '--format', 'json'], d);
    expect(code).toBe(2);
    expect(json().errors.map((e: { file: string; message: string }) => [e.file, e.message])).toEqual([
      ['nested.tf', 'more than 3 levels deep (--max-depth)'],
    ]);
    const bad = await runCli(['scan', '.', '--max-file-size', 'lots'], d);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--max-file-size: "lots" is not a size/);
  });
});
