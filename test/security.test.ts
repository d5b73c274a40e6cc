/**
 * What a user trusts a scanner with: it talks to no network, runs nothing of the code
 * it reads, `--fix` writes nowhere but the scanned files under the working directory,
 * and a walk does not leave the scanned roots through a symlink.
 */
import childProcess, { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import dns from 'node:dns';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import workerThreads from 'node:worker_threads';
import { defined, readReport, ROOT, runCli, tempDir } from './helpers';
import { FORMAT_NAMES } from '../src/report/formatters';

const FIXTURES = readdirSync(path.join(ROOT, 'fixtures'), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => `fixtures/${d.name}`);
const FORMATS = FORMAT_NAMES;

/** Writes files (relative path → text) under dir. */
function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
}

/** Every regular file under dir (symlinks not followed) with its bytes. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isSymbolicLink()) out[path.relative(dir, p)] = `-> ${readlinkSync(p)}`;
      else out[path.relative(dir, p)] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

/** The commands of a typical session over the fixtures; every one must finish normally. */
async function everyCommand(fixturesCopy: string): Promise<{ argv: string[]; code: number; out: string; err: string }[]> {
  const runs: { argv: string[]; code: number; out: string; err: string }[] = [];
  const run = async (argv: string[], cwd = ROOT) => {
    const r = await runCli(argv, cwd);
    runs.push({ argv, code: r.code, out: r.out, err: r.err });
    return r;
  };
  for (const fixture of FIXTURES) {
    await run(['scan', fixture, '--format', 'json']);
    await run(['scan', fixture, '--format', 'sarif']);
  }
  for (const format of FORMATS) await run(['scan', 'fixtures', '--format', format]);
  await run(['scan', '--plan', 'fixtures/plan/plan.json', '--format', 'json']);
  await run(['scan', '--fix-dry-run'], fixturesCopy);
  await run(['fix'], fixturesCopy);
  await run(['policies']);
  await run(['explain', 'ecr-tag-immutability']);
  return runs;
}

/** Checks that the runs did real work: a finding was reported, rules were listed, nothing crashed. */
function expectRealWork(runs: Awaited<ReturnType<typeof everyCommand>>): void {
  for (const r of runs) {
    expect({ argv: r.argv, internal: r.err.includes('internal error') }).toEqual({ argv: r.argv, internal: false });
    expect([0, 1, 2]).toContain(r.code);
  }
  const run = (command: string) =>
    defined(
      runs.find((r) => r.argv[0] === command),
      `the ${command} run`,
    );
  const mutable = defined(
    runs.find((r) => r.argv.join(' ') === 'scan fixtures/mutable --format json'),
    'the scan of fixtures/mutable',
  );
  expect(mutable.code).toBe(1);
  expect(readReport(mutable.out).findings.length).toBeGreaterThan(0);
  expect(run('policies').out).toContain('ecr-tag-immutability');
  expect(run('explain').out.length).toBeGreaterThan(100);
  expect(run('fix').err).toMatch(/fixed /);
}

function copyOfFixtures(): string {
  const dir = tempDir('fixtures');
  mkdirSync(path.join(dir, '.git'));
  cpSync(path.join(ROOT, 'fixtures'), dir, { recursive: true });
  return dir;
}

// ---------------------------------------------------------------------------------
// No network

/** Replaces every network primitive with one that records the call and throws. */
function trapNetwork(): { calls: string[]; restore: () => void } {
  const calls: string[] = [];
  const trap =
    (name: string) =>
    (...args: unknown[]): never => {
      calls.push(
        `${name}(${args.map((a) => (typeof a === 'function' ? 'fn' : ((JSON.stringify(a) as string | undefined) ?? String(a)))).join(', ')})`,
      );
      throw new Error(`network access: ${name}`);
    };
  const targets: [object, string, string][] = [
    [net.Socket.prototype, 'connect', 'net.Socket#connect'],
    [net, 'connect', 'net.connect'],
    [net, 'createConnection', 'net.createConnection'],
    [tls, 'connect', 'tls.connect'],
    [http, 'request', 'http.request'],
    [http, 'get', 'http.get'],
    [https, 'request', 'https.request'],
    [https, 'get', 'https.get'],
    [http2, 'connect', 'http2.connect'],
    [dgram, 'createSocket', 'dgram.createSocket'],
    ...[
      'lookup',
      'lookupService',
      'resolve',
      'resolve4',
      'resolve6',
      'resolveAny',
      'resolveCname',
      'resolveMx',
      'resolveNs',
      'resolveSrv',
      'resolveTxt',
      'reverse',
    ].flatMap((m): [object, string, string][] => [
      [dns, m, `dns.${m}`],
      [dns.promises, m, `dns.promises.${m}`],
    ]),
  ];
  const spies = targets.map(([object, method, name]) =>
    jest.spyOn(object as Record<string, (...a: unknown[]) => unknown>, method).mockImplementation(trap(name)),
  );
  const globals = globalThis as unknown as Record<string, unknown>;
  const saved = { fetch: globals.fetch, WebSocket: globals.WebSocket };
  globals.fetch = trap('fetch');
  if (saved.WebSocket) globals.WebSocket = trap('WebSocket');
  return {
    calls,
    restore: () => {
      for (const s of spies) s.mockRestore();
      globals.fetch = saved.fetch;
      if (saved.WebSocket) globals.WebSocket = saved.WebSocket;
    },
  };
}

const canUnshare = (() => {
  try {
    return spawnSync('unshare', ['-n', 'true'], { stdio: 'ignore' }).status === 0;
  } catch {
    return false;
  }
})();
const withUnshare = canUnshare ? test : test.skip;
const UNSHARE_TITLE = canUnshare
  ? 'the built CLI inside `unshare -n` (no network at all) gives the same report as outside it'
  : 'the built CLI inside `unshare -n` — SKIPPED: `unshare -n true` failed here (needs root or unprivileged user namespaces)';

describe('no network access', () => {
  test('the traps catch every primitive they replace (so that an empty record means something)', () => {
    const trapped = trapNetwork();
    try {
      expect(() => net.connect(443, '192.0.2.1')).toThrow(/network access/);
      expect(() => new net.Socket().connect(443, '192.0.2.1')).toThrow(/network access/);
      expect(() => tls.connect(443, '192.0.2.1')).toThrow(/network access/);
      expect(() => {
        dns.lookup('example.com', () => undefined);
      }).toThrow(/network access/);
      expect(() => dns.promises.resolve('example.com')).toThrow(/network access/);
      expect(() => https.get('https://example.com')).toThrow(/network access/);
      expect(() => http.request('http://example.com')).toThrow(/network access/);
      expect(() => fetch('https://example.com')).toThrow(/network access/);
      expect(trapped.calls).toHaveLength(8);
    } finally {
      trapped.restore();
    }
  });

  test('scan of every fixture (json, sarif, every format), --plan, --fix-dry-run, fix, policies and explain touch no network primitive', async () => {
    const trapped = trapNetwork();
    const runs = await everyCommandWhile(trapped);
    expect(trapped.calls).toEqual([]);
    expectRealWork(runs);
  });

  withUnshare(UNSHARE_TITLE, () => {
    const cli = path.join(ROOT, 'bin', 'tagguard.js');
    expect(existsSync(path.join(ROOT, 'dist', 'src', 'cli', 'main.js'))).toBe(true); // `npm run build` (npm ci runs it)
    const argv = [cli, 'scan', 'fixtures/mutable', '--format', 'json'];
    const outside = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    const inside = spawnSync('unshare', ['-n', process.execPath, ...argv], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    // The namespace really has no network: a connection fails at once.
    const probe = spawnSync(
      'unshare',
      [
        '-n',
        process.execPath,
        '-e',
        "require('net').connect(53, '192.0.2.1').on('error', (e) => { console.log(e.code); process.exit(0); }).on('connect', () => process.exit(3))",
      ],
      { encoding: 'utf8', timeout: 10_000 },
    );
    expect(probe.stdout.trim()).toMatch(/^E(NETUNREACH|CONNREFUSED|HOSTUNREACH)$/);
    expect(outside.status).toBe(1);
    expect(inside.stderr).toBe(outside.stderr);
    expect(inside.status).toBe(outside.status);
    expect(JSON.parse(inside.stdout)).toEqual(JSON.parse(outside.stdout));
    expect(readReport(outside.stdout).findings.length).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------
// No scanned code is executed

const CHILD_PROCESS = ['spawn', 'exec', 'execFile', 'fork', 'spawnSync', 'execSync', 'execFileSync'] as const;

/**
 * The one program tagguard may start is the system's grep, to search the tree for
 * text (src/discover/pre-search.ts): it is let through and listed apart; anything else
 * is refused and recorded.
 */
function trapProcesses(): { calls: string[]; searches: unknown[][]; restore: () => void } {
  const calls: string[] = [];
  const searches: unknown[][] = [];
  const cp = childProcess as unknown as Record<string, (...a: unknown[]) => unknown>;
  const spies = [
    ...CHILD_PROCESS.map((m) => {
      const original = cp[m];
      return jest.spyOn(cp, m).mockImplementation((...args: unknown[]) => {
        if (m === 'spawn' && args[0] === 'grep') {
          searches.push(args[1] as unknown[]);
          return original(...args);
        }
        calls.push(`child_process.${m}(${JSON.stringify(args[0])})`);
        throw new Error(`process started: ${m}`);
      });
    }),
    jest
      .spyOn(workerThreads as unknown as Record<string, (...a: unknown[]) => unknown>, 'Worker')
      .mockImplementation((...args: unknown[]) => {
        calls.push(`worker_threads.Worker(${JSON.stringify(args[0])})`);
        throw new Error('worker started');
      }),
  ];
  return {
    calls,
    searches,
    restore: () => {
      spies.forEach((s) => {
        s.mockRestore();
      });
    },
  };
}

const MARKER_SCRIPT = "require('node:fs').writeFileSync(require('node:path').join(__dirname, 'EXECUTED'), 'ran');\n";

/** A CDKTF project whose app would write a marker, beside Terraform that names the same script every way Terraform runs things. */
function executableProject(): string {
  const dir = tempDir('exec');
  mkdirSync(path.join(dir, '.git'));
  write(dir, {
    'make-marker.js': MARKER_SCRIPT,
    'cdktf.json': JSON.stringify(
      { language: 'typescript', app: 'node make-marker.js', terraformProviders: [], terraformModules: [] },
      null,
      2,
    ),
    'main.ts': "require('./make-marker.js');\n",
    'main.tf': [
      'data "external" "mutability" {',
      '  program = ["node", "${path.module}/make-marker.js"]',
      '}',
      '',
      'resource "aws_ecr_repository" "from_script" {',
      '  name                 = "from-script"',
      '  image_tag_mutability = data.external.mutability.result.value',
      '}',
      '',
      'resource "terraform_data" "hook" {',
      '  provisioner "local-exec" {',
      '    command = "node make-marker.js"',
      '  }',
      '}',
      '',
      'locals {',
      '  script = file("${path.module}/make-marker.js")',
      '  rendered = templatefile("${path.module}/make-marker.js", {})',
      '}',
      '',
      'resource "aws_ecr_repository" "plain" {',
      '  name                 = "plain"',
      '  image_tag_mutability = "MUTABLE"',
      '}',
      '',
    ].join('\n'),
  });
  return dir;
}

describe('no scanned code is executed', () => {
  test('the marker script does write its marker when something runs it (so its absence means something)', () => {
    const dir = executableProject();
    spawnSync(process.execPath, ['make-marker.js'], { cwd: dir });
    expect(existsSync(path.join(dir, 'EXECUTED'))).toBe(true);
  });

  test('the process traps catch every function they replace', () => {
    const trapped = trapProcesses();
    try {
      for (const m of CHILD_PROCESS) expect(() => (childProcess[m] as (...a: unknown[]) => unknown)('true')).toThrow(/process started/);
      expect(() => (childProcess.execFileSync as (...a: unknown[]) => unknown)('grep', ['-V'])).toThrow(/process started/);
      expect(() => new workerThreads.Worker('0', { eval: true })).toThrow(/worker started/);
      expect(trapped.calls).toHaveLength(CHILD_PROCESS.length + 2);
    } finally {
      trapped.restore();
    }
  });

  test('a CDKTF project (cdktf.json "app"), data "external", local-exec, file() and templatefile() run nothing; the external value is reported as unknown', async () => {
    const dir = executableProject();
    const trapped = trapProcesses();
    let json: { code: number; out: string; err: string };
    try {
      json = await runCli(['scan', '--format', 'json'], dir);
      await runCli(['scan', '--format', 'sarif'], dir);
      await runCli(['scan', '--fix-dry-run'], dir);
      await runCli(['fix'], dir);
    } finally {
      trapped.restore();
    }
    expect(trapped.calls).toEqual([]);
    expectOnlySearches(trapped.searches);
    expect(existsSync(path.join(dir, 'EXECUTED'))).toBe(false);
    const report = readReport(json.out);
    const byResource = Object.fromEntries(report.findings.map((f) => [f.resource, f.severity]));
    expect(byResource).toEqual({ 'aws_ecr_repository.from_script': 'warning', 'aws_ecr_repository.plain': 'error' });
  });

  test('the built CLI (a separate process) scanning that project leaves no marker either', () => {
    const dir = executableProject();
    const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tagguard.js'), 'scan', '.', '--format', 'json'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(readReport(r.stdout).findings.length).toBe(2);
    expect(existsSync(path.join(dir, 'EXECUTED'))).toBe(false);
  });

  test('scanning every fixture in every format, with --plan, --fix-dry-run and fix, starts no process but grep', async () => {
    const trapped = trapProcesses();
    const runs = await everyCommandWhile(trapped);
    expect(trapped.calls).toEqual([]);
    expectOnlySearches(trapped.searches);
    expect(trapped.searches.length).toBeGreaterThan(0);
    expectRealWork(runs);
  });
});

/** Every command over a copy of the fixtures, with the traps set; they are lifted afterwards whatever happens. */
async function everyCommandWhile(trapped: { restore: () => void }): Promise<Awaited<ReturnType<typeof everyCommand>>> {
  const copy = copyOfFixtures();
  try {
    return await everyCommand(copy);
  } finally {
    trapped.restore();
  }
}

/** grep, when it runs, only reads: a recursive listing of files that match tagguard's own pattern, from the scan root. */
function expectOnlySearches(searches: unknown[][]): void {
  for (const args of searches) {
    expect(args.slice(0, 4)).toEqual(['-rls', '--null', '--devices=skip', '-E']);
    expect(args.at(-1)).toBe('.');
    expect(args.filter((a) => typeof a !== 'string' || !/^--(include|exclude-dir)=/.test(a)).length).toBe(7);
  }
}

// ---------------------------------------------------------------------------------
// --fix writes only the scanned files under the working directory

/**
 * base/
 *   outside/          a module the root calls with source = "../outside": mutable default
 *   elsewhere/        linked.tf, the target of root/link.tf; module/, the target of root/linked-module
 *   root/             the working directory and the scanned root
 *     main.tf         a mutable repository of its own, and the two module calls
 *     link.tf      -> ../elsewhere/linked.tf (a mutable literal)
 *     linked-module -> ../elsewhere/module (a mutable literal, called as ./linked-module)
 */
function treeReachingOutside(): { base: string; root: string } {
  const base = tempDir('fix');
  const root = path.join(base, 'root');
  write(base, {
    'outside/variables.tf': 'variable "mutability" {\n  default = "MUTABLE"\n}\n',
    'outside/main.tf':
      'resource "aws_ecr_repository" "shared" {\n  name                 = "shared"\n  image_tag_mutability = var.mutability\n}\n',
    'elsewhere/linked.tf':
      'resource "aws_ecr_repository" "linked" {\n  name                 = "linked"\n  image_tag_mutability = "MUTABLE"\n}\n',
    'elsewhere/module/main.tf':
      'resource "aws_ecr_repository" "this" {\n  name                 = "via-link"\n  image_tag_mutability = "MUTABLE"\n}\n',
    'root/main.tf':
      'module "shared" {\n  source = "../outside"\n}\n\nmodule "via_link" {\n  source = "./linked-module"\n}\n\nresource "aws_ecr_repository" "own" {\n  name                 = "own"\n  image_tag_mutability = "MUTABLE"\n}\n',
  });
  mkdirSync(path.join(root, '.git'));
  symlinkSync('../elsewhere/linked.tf', path.join(root, 'link.tf'));
  symlinkSync('../elsewhere/module', path.join(root, 'linked-module'));
  return { base, root };
}

function outsideOf(base: string): Record<string, string> {
  return Object.fromEntries(Object.entries(snapshot(base)).filter(([rel]) => !rel.startsWith(`root${path.sep}`)));
}

describe('--fix never writes outside the scanned root', () => {
  test("files reached through ../ sources, a symlinked .tf file and a symlinked module directory stay byte-identical; the root's own file is fixed", async () => {
    const { base, root } = treeReachingOutside();
    const before = outsideOf(base);
    const links = { link: readlinkSync(path.join(root, 'link.tf')), module: readlinkSync(path.join(root, 'linked-module')) };
    const scanBefore = (await runCli(['scan', '--format', 'json'], root)).json();
    // Every mutable repository is found, so each one was a candidate for a fix.
    expect(scanBefore.findings.map((f: { file: string }) => f.file).sort()).toEqual([
      '../outside/variables.tf',
      'link.tf',
      'linked-module/main.tf',
      'main.tf',
    ]);

    const fix = await runCli(['fix'], root);
    expect(fix.err).not.toMatch(/internal error/);
    expect(outsideOf(base)).toEqual(before);
    expect(readFileSync(path.join(root, 'main.tf'), 'utf8')).toContain('image_tag_mutability = "IMMUTABLE"');
    expect(lstatSync(path.join(root, 'link.tf')).isSymbolicLink()).toBe(true);
    expect(lstatSync(path.join(root, 'linked-module')).isSymbolicLink()).toBe(true);
    expect({ link: readlinkSync(path.join(root, 'link.tf')), module: readlinkSync(path.join(root, 'linked-module')) }).toEqual(links);
    expect(fix.err).toContain('needs a person: ../outside/variables.tf');
    // What is left is what was not fixed, and the next fix changes nothing.
    const after = (await runCli(['scan', '--format', 'json'], root)).json();
    expect(after.findings.map((f: { file: string }) => f.file).sort()).toEqual([
      '../outside/variables.tf',
      'link.tf',
      'linked-module/main.tf',
    ]);
    await runCli(['fix'], root);
    expect(outsideOf(base)).toEqual(before);
  });

  test('a symlinked file or module directory that leads outside is listed as left to a person', async () => {
    const { root } = treeReachingOutside();
    const fix = await runCli(['fix'], root);
    expect(fix.err).toMatch(/needs a person: link\.tf/);
    expect(fix.err).toMatch(/needs a person: linked-module\/main\.tf/);
  });

  test('--fix-dry-run shows no diff for a file --fix would not write (a symlink leading outside)', async () => {
    const { root } = treeReachingOutside();
    const dry = await runCli(['scan', '--fix-dry-run'], root);
    expect(dry.out).toContain('+++ b/main.tf');
    expect(dry.out).not.toContain('link.tf');
    expect(dry.out).not.toContain('linked-module/main.tf');
  });

  test('--fix-dry-run writes nothing anywhere', async () => {
    const { base } = treeReachingOutside();
    const before = snapshot(base);
    await runCli(['scan', '--fix-dry-run'], path.join(base, 'root'));
    expect(snapshot(base)).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------
// Symlinks and the scanned roots

describe('symlinks', () => {
  function rootWithLinks(): { base: string; root: string } {
    const base = tempDir('links');
    const root = path.join(base, 'root');
    write(base, {
      'outside/main.tf': 'resource "aws_ecr_repository" "outside" {\n  name = "outside"\n}\n',
      'shared/variables.tf': 'variable "mutability" {\n  default = "MUTABLE"\n}\n',
      'root/main.tf':
        'resource "aws_ecr_repository" "inside" {\n  name                 = "inside"\n  image_tag_mutability = var.mutability\n}\n',
    });
    mkdirSync(path.join(root, '.git'));
    symlinkSync('../outside', path.join(root, 'vendor'));
    symlinkSync('../shared/variables.tf', path.join(root, 'variables.tf'));
    symlinkSync('.', path.join(root, 'loop'));
    symlinkSync('..', path.join(root, 'up'));
    return { base, root };
  }

  test('a symlinked directory is not walked, as trivy users expect (its walker, filepath.WalkDir, never follows directory links): no finding from the directory outside the root, and a link cycle ends', async () => {
    const { base, root } = rootWithLinks();
    for (const [cwd, target] of [
      [root, '.'],
      [base, 'root'],
    ] as const) {
      const r = await runCli(['scan', target, '--format', 'json'], cwd);
      const report = r.json();
      const files: string[] = report.findings.map((f: { file: string }) => f.file);
      expect(files.filter((f) => /(^|\/)(vendor|loop|up)\/|(^|\/)\.\.\/|^outside\//.test(f))).toEqual([]);
      expect(report.findings.map((f: { resource: string }) => f.resource)).toEqual(['aws_ecr_repository.inside']);
    }
  });

  test('a symlinked .tf file is read where it is linked, as Terraform reads it (shared variables.tf), and reported at the link', async () => {
    const { root } = rootWithLinks();
    const report = (await runCli(['scan', '--format', 'json'], root)).json();
    expect(report.findings.map((f: { file: string; resource: string }) => [f.resource, f.file])).toEqual([
      ['aws_ecr_repository.inside', 'variables.tf'],
    ]);
  });
});
