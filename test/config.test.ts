import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repositoryRoot } from '../src/discover/repository';
import { readReport, ROOT, runCli, tempDir, withInputConfigs } from './helpers';

const LOOPS = 'fixtures/policies/loops/loops.tar.gz';

const run = async (argv: string[], cwd: string) => {
  const r = await runCli(argv, cwd);
  return { ...r, json: () => r.json() as { findings: { resource: string; severity: string; messageId?: string }[] } };
};

/** A project with fixtures and a .tagguard.yml at its top; commands run in `infra/`. */
function project(config: string): string {
  const dir = tempDir('config');
  mkdirSync(path.join(dir, '.git'));
  for (const f of ['immutable-with-exclusion', 'mutable', 'unknown'])
    cpSync(path.join(ROOT, 'fixtures', f), path.join(dir, 'infra', f), { recursive: true });
  writeFileSync(path.join(dir, '.tagguard.yml'), config);
  return path.join(dir, 'infra');
}

describe('.tagguard.yml', () => {
  test('is found upward and applies allowed tags, unknown handling, severity and exclusions', async () => {
    const cwd = project('allowed_mutable_tags: [latest, "dev-*"]\nunknown: error\nexclude:\n  - infra/mutable/\n');
    const { code, json } = await run(['scan', '--format', 'json'], cwd);
    expect(json().findings.map((f) => [f.resource, f.severity])).toEqual([['aws_ecr_repository.ingest', 'error']]);
    expect(code).toBe(1);
  });

  test('severity overrides per rule, and off drops a rule', async () => {
    const cwd = project('severity:\n  ecr-tag-immutability: warning\n');
    const { code, json } = await run(['scan', 'mutable', '--format', 'json'], cwd);
    expect(json().findings.map((f) => f.severity)).toEqual(['warning']);
    expect(code).toBe(0);
    const off = project('severity:\n  ecr-tag-immutability: "off"\n');
    expect((await run(['scan', 'mutable', '--format', 'json'], off)).json().findings).toEqual([]);
  });

  test('allowed_mutable_tags: a pattern with ? is literal (dev-? allows no dev-* filter), named on stderr', async () => {
    const cwd = project('allowed_mutable_tags: ["dev-?", "latest"]\n');
    const { code, err, json } = await run(['scan', 'immutable-with-exclusion', '--format', 'json'], cwd);
    expect(code).toBe(1);
    expect(json().findings.map((f) => f.messageId)).toContain('filter_not_allowed');
    expect(err).toBe(
      'tagguard: ../.tagguard.yml: allowed_mutable_tags: "dev-?": only * is a wildcard; every other character matches only itself, and ECR filters hold only letters, digits and . _ - *, so this pattern allows no filter\n',
    );
  });

  test('command-line options win over the file', async () => {
    const cwd = project('allowed_mutable_tags: ["dev-*"]\n');
    const { json } = await run(['scan', 'immutable-with-exclusion', '--allow-mutable-tag', 'latest', '--format', 'json'], cwd);
    expect(json().findings.map((f) => f.resource)).toEqual(['aws_ecr_repository.preview']);
  });

  /** The image settings of every policy input of a scan of mutable/ (input.config), distinct; the scan must have judged something. */
  const imageConfig = async (argv: string[], cwd: string) => {
    const r = await withInputConfigs(() => run(['scan', 'mutable', '--format', 'json', ...argv], cwd));
    expect([r.code, r.err, r.json().findings.map((f) => f.resource)]).toEqual([1, '', ['aws_ecr_repository.frontend']]);
    expect(r.configs).not.toHaveLength(0);
    return [...new Set(r.configs.map((c) => JSON.stringify([c.moving_tags, c.unseen_registry])))].map((c) => JSON.parse(c) as unknown);
  };
  const MOVING = ['latest', 'stable', 'main', 'master', 'dev', 'edge', 'nightly'];

  test('moving_tags and unseen_registry reach the policy input; without them, the defaults', async () => {
    expect(await imageConfig([], project('unknown: warn\n'))).toEqual([[MOVING, 'warning']]);
    expect(await imageConfig([], project('moving_tags: [prod, "v1.0"]\nunseen_registry: error\n'))).toEqual([[['prod', 'v1.0'], 'error']]);
    expect(await imageConfig([], project('moving_tags: []\nunseen_registry: ignore\n'))).toEqual([[[], 'ignore']]);
    expect(await imageConfig([], project('unseen_registry: note\n'))).toEqual([[MOVING, 'note']]);
  });

  test('--moving-tag and --unseen-registry win over moving_tags and unseen_registry', async () => {
    const cwd = project('moving_tags: [prod, stable]\nunseen_registry: error\n');
    expect(await imageConfig(['--moving-tag', 'edge'], cwd)).toEqual([[['edge'], 'error']]);
    expect(await imageConfig(['--unseen-registry', 'note'], cwd)).toEqual([[['prod', 'stable'], 'note']]);
    expect(await imageConfig(['--unseen-registry', 'ignore', '--moving-tag', 'a', '--moving-tag', 'b'], cwd)).toEqual([
      [['a', 'b'], 'ignore'],
    ]);
  });

  test.each([
    ['unseen_registry: fatal\n', /\.tagguard\.yml:1:18: unseen_registry: must be one of "error", "warning", "note", "ignore"/],
    ['unseen_registry: warn\n', /\.tagguard\.yml:1:18: unseen_registry: must be one of "error", "warning", "note", "ignore"/],
    ['moving_tags: [prod, ""]\n', /\.tagguard\.yml:1:21: moving_tags\.1: must NOT have fewer than 1 characters/],
    ['moving_tags: [prod, "dev-*"]\n', /\.tagguard\.yml:1:21: moving_tags\.1: must match pattern/],
    ['moving_tags: latest\n', /\.tagguard\.yml:1:14: moving_tags: must be array/],
    ['moving_tag: [latest]\n', /\.tagguard\.yml:1:1: the file: unknown key "moving_tag"/],
    ['unknown: sometimes\n', /\.tagguard\.yml:1:10: unknown: must be one of "warn", "error", "ignore"/],
    ['allowed_mutable_tags: latest\n', /\.tagguard\.yml:1:23: allowed_mutable_tags: must be array/],
    ['allowed_mutable_tags: [""]\n', /\.tagguard\.yml:1:24: allowed_mutable_tags\.0: must NOT have fewer than 1 characters/],
    ['exclud: [x]\n', /\.tagguard\.yml:1:1: the file: unknown key "exclud"/],
    ['severity:\n  ecr-tag-immutability: fatal\n', /\.tagguard\.yml:2:25: severity\.ecr-tag-immutability: must be one of/],
    ['unknown: [\n', /\.tagguard\.yml:2:1: /],
  ])('invalid config %j is a usage error naming file:line:column', async (text, message) => {
    const cwd = project(text);
    const { code, err } = await run(['scan'], cwd);
    expect(code).toBe(2);
    expect(err).toMatch(message);
  });
});

describe('where .tagguard.yml is looked for', () => {
  /** A file that switches the rule off, which must not apply where it is placed. */
  const OFF = 'severity:\n  ecr-tag-immutability: "off"\n';

  test('from the working directory up to the repository root, never above it', async () => {
    const outside = tempDir('above');
    writeFileSync(path.join(outside, '.tagguard.yml'), OFF);
    mkdirSync(path.join(outside, 'repo', '.git'), { recursive: true });
    cpSync(path.join(ROOT, 'fixtures', 'mutable'), path.join(outside, 'repo', 'infra', 'mutable'), { recursive: true });
    const { code, json } = await run(['scan', 'mutable', '--format', 'json'], path.join(outside, 'repo', 'infra'));
    expect(json().findings.map((f) => [f.resource, f.severity])).toEqual([['aws_ecr_repository.frontend', 'error']]);
    expect(code).toBe(1);
    // A worktree's or submodule's .git is a file: the root all the same.
    rmSync(path.join(outside, 'repo', '.git'), { recursive: true });
    writeFileSync(path.join(outside, 'repo', '.git'), 'gitdir: /elsewhere\n');
    expect((await run(['scan', 'mutable', '--format', 'json'], path.join(outside, 'repo', 'infra'))).code).toBe(1);
  });

  test('outside a repository, only in the working directory', async () => {
    const outside = tempDir('norepo');
    // The premise: nothing above the temporary directory is a repository.
    expect(repositoryRoot(outside)).toBeUndefined();
    writeFileSync(path.join(outside, '.tagguard.yml'), OFF);
    cpSync(path.join(ROOT, 'fixtures', 'mutable'), path.join(outside, 'infra', 'mutable'), { recursive: true });
    const below = await run(['scan', 'mutable', '--format', 'json'], path.join(outside, 'infra'));
    expect([below.code, below.json().findings.length]).toEqual([1, 1]);
    const here = await run(['scan', 'infra/mutable', '--format', 'json'], outside);
    expect([here.code, here.json().findings]).toEqual([0, []]);
  });
});

/** A throwaway git repository; `commit` records the tree as it is. */
function gitRepo(files: Record<string, string>): {
  dir: string;
  commit: (message: string) => void;
  write: (files: Record<string, string>) => void;
} {
  const dir = tempDir('config-from');
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'commit.gpgsign=false', ...args], {
      cwd: dir,
      stdio: 'ignore',
    });
  const write = (more: Record<string, string>) => {
    for (const [rel, text] of Object.entries(more)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), text);
    }
  };
  git('init', '-q', '-b', 'main');
  write(files);
  const commit = (message: string) => {
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', message);
  };
  return { dir, commit, write };
}

const MUTABLE = readFileSync(path.join(ROOT, 'fixtures/mutable/main.tf'), 'utf8');
const baselineOf = (...resources: string[]) =>
  JSON.stringify({ version: 1, findings: resources.map((resource) => ({ ruleId: 'ecr-tag-immutability', root: '.', resource })) });
const resources = (out: string) =>
  (JSON.parse(out) as { findings: { ruleId: string; resource: string }[] }).findings.map((f) => `${f.ruleId} ${f.resource}`);

describe('--config-from <git-ref>', () => {
  test("moving_tags and unseen_registry are the commit's, not the working tree's; the command line still wins", async () => {
    const repo = gitRepo({ 'infra/main.tf': MUTABLE, '.tagguard.yml': 'moving_tags: [prod]\nunseen_registry: error\n' });
    repo.commit('base');
    // The pull request makes moving tags harmless.
    repo.write({ '.tagguard.yml': 'moving_tags: []\nunseen_registry: ignore\n' });
    repo.commit('let them move');
    const cwd = path.join(repo.dir, 'infra');
    const imageConfig = async (argv: string[]) => {
      const r = await withInputConfigs(() => runCli(['scan', '--format', 'json', ...argv], cwd));
      expect([r.code, r.err]).toEqual([1, '']);
      expect(r.configs).not.toHaveLength(0);
      return [...new Set(r.configs.map((c) => JSON.stringify([c.moving_tags, c.unseen_registry])))].map((c) => JSON.parse(c) as unknown);
    };
    expect(await imageConfig([])).toEqual([[[], 'ignore']]);
    expect(await imageConfig(['--config-from', 'main~1'])).toEqual([[['prod'], 'error']]);
    expect(await imageConfig(['--config-from', 'main~1', '--moving-tag', 'edge', '--unseen-registry', 'note'])).toEqual([
      [['edge'], 'note'],
    ]);
  });

  test('reads .tagguard.yml from the commit, found from the working directory up to the root, not the working tree’s', async () => {
    const repo = gitRepo({ 'infra/main.tf': MUTABLE, '.tagguard.yml': 'severity:\n  ecr-tag-immutability: warning\n' });
    repo.commit('base');
    // The pull request switches the rule off.
    repo.write({ '.tagguard.yml': 'severity:\n  ecr-tag-immutability: "off"\n' });
    repo.commit('switch it off');
    const cwd = path.join(repo.dir, 'infra');
    const severities = (out: string) =>
      (JSON.parse(out) as { findings: { resource: string; severity: string }[] }).findings.map((f) => `${f.resource} ${f.severity}`);
    const fromTree = await runCli(['scan', '--format', 'json'], cwd);
    expect([fromTree.code, fromTree.err, severities(fromTree.out)]).toEqual([0, '', []]);
    const fromBase = await runCli(['scan', '--config-from', 'main~1', '--format', 'json'], cwd);
    expect([fromBase.code, fromBase.err, severities(fromBase.out)]).toEqual([0, '', ['aws_ecr_repository.frontend warning']]);
    // Deleted in the working tree: still read from the commit.
    rmSync(path.join(repo.dir, '.tagguard.yml'));
    const deleted = await runCli(['scan', '--config-from', 'main~1', '--format', 'json'], cwd);
    expect([deleted.code, deleted.err, severities(deleted.out)]).toEqual([0, '', ['aws_ecr_repository.frontend warning']]);
  });

  test('the nearest file at the commit wins, at the same path as in the working tree; --config names one', async () => {
    const repo = gitRepo({
      'infra/main.tf': MUTABLE,
      '.tagguard.yml': 'unknown: error\n',
      'infra/.tagguard.yml': 'severity:\n  ecr-tag-immutability: warning\n',
      'ci/notes.yml': 'severity:\n  ecr-tag-immutability: note\n',
    });
    repo.commit('base');
    const cwd = path.join(repo.dir, 'infra');
    const nearest = await runCli(['scan', '--config-from', 'main', '--format', 'json'], cwd);
    expect([nearest.code, readReport(nearest.out).findings.map((f) => f.severity)]).toEqual([0, ['warning']]);
    const named = await runCli(['scan', '--config-from', 'main', '--config', '../ci/notes.yml', '--format', 'json'], cwd);
    expect([named.code, readReport(named.out).findings.map((f) => f.severity)]).toEqual([0, ['note']]);
    // Named but missing at the commit (the pull request added it): no configuration.
    repo.write({ 'ci/new.yml': 'severity:\n  ecr-tag-immutability: "off"\n' });
    const added = await runCli(['scan', '--config-from', 'main', '--config', '../ci/new.yml', '--format', 'json'], cwd);
    expect([added.code, readReport(added.out).findings.map((f) => f.severity)]).toEqual([1, ['error']]);
  });

  test('takes the baseline the commit’s config names (relative to it) from the commit, and --baseline too', async () => {
    const repo = gitRepo({
      'infra/main.tf': MUTABLE,
      'infra/.tagguard.yml': 'baseline: ../baselines/infra.json\n',
      'baselines/infra.json': baselineOf('aws_ecr_repository.frontend'),
    });
    repo.commit('base');
    // The pull request adds a mutable repository and lists it in the baseline.
    repo.write({
      'infra/added.tf': 'resource "aws_ecr_repository" "added" {\n  name = "added"\n}\n',
      'baselines/infra.json': baselineOf('aws_ecr_repository.frontend', 'aws_ecr_repository.added'),
    });
    const cwd = path.join(repo.dir, 'infra');
    const fromTree = await runCli(['scan', '--format', 'json'], cwd);
    expect([fromTree.code, fromTree.err, resources(fromTree.out)]).toEqual([0, '', []]);
    const fromBase = await runCli(['scan', '--config-from', 'main', '--format', 'json'], cwd);
    expect([fromBase.code, fromBase.err, resources(fromBase.out)]).toEqual([1, '', ['ecr-tag-immutability aws_ecr_repository.added']]);
    const named = await runCli(['scan', '--config-from', 'main', '--baseline', '../baselines/infra.json', '--format', 'json'], cwd);
    expect([named.code, resources(named.out)]).toEqual([1, ['ecr-tag-immutability aws_ecr_repository.added']]);
    // A baseline the commit's config names but the commit lacks is a usage error, not an empty baseline.
    repo.write({ 'infra/.tagguard.yml': 'baseline: missing.json\n' });
    repo.commit('names a missing baseline');
    const missing = await runCli(['scan', '--config-from', 'main'], cwd);
    expect([missing.code, missing.err]).toEqual([
      2,
      'tagguard: main:infra/.tagguard.yml: baseline: missing.json: no such file at main (--config-from)\n',
    ]);
    repo.write({ 'infra/.tagguard.yml': 'baseline: ../../outside.json\n' });
    repo.commit('names a baseline outside');
    const outside = await runCli(['scan', '--config-from', 'main'], cwd);
    expect([outside.code, outside.err]).toEqual([
      2,
      'tagguard: main:infra/.tagguard.yml: baseline: ../../outside.json is outside the repository (--config-from reads files from main)\n',
    ]);
    const option = await runCli(['scan', '--config-from', 'main', '--baseline', '../../outside.json'], cwd);
    expect([option.code, option.err]).toEqual([
      2,
      'tagguard: --baseline ../../outside.json: outside the repository, so it cannot be read from main (--config-from)\n',
    ]);
  });

  test('no .tagguard.yml at the commit means no configuration, whatever the working tree holds', async () => {
    const repo = gitRepo({ 'infra/main.tf': MUTABLE });
    repo.commit('base');
    repo.write({
      '.tagguard.yml': 'severity:\n  ecr-tag-immutability: "off"\n',
      'infra/.tagguard.yaml': 'severity:\n  ecr-tag-immutability: "off"\n',
    });
    const { code, out } = await runCli(['scan', 'infra', '--config-from', 'main', '--format', 'json'], repo.dir);
    expect([code, resources(out)]).toEqual([1, ['ecr-tag-immutability aws_ecr_repository.frontend']]);
  });

  test('reads the custom policies the commit’s config names from the commit', async () => {
    const bundle = readFileSync(path.join(ROOT, LOOPS));
    const repo = gitRepo({ 'infra/main.tf': MUTABLE, '.tagguard.yml': 'policies: [policies/loops.tar.gz]\n' });
    writeFileSync(path.join(repo.dir, 'loops.tar.gz'), bundle);
    mkdirSync(path.join(repo.dir, 'policies'));
    renameSync(path.join(repo.dir, 'loops.tar.gz'), path.join(repo.dir, 'policies', 'loops.tar.gz'));
    repo.commit('base');
    // The pull request removes the policy from its tree: the commit's still runs (and here, runs out of time).
    rmSync(path.join(repo.dir, 'policies'), { recursive: true });
    const { code, out, err } = await runCli(
      ['scan', 'infra', '--config-from', 'main', '--policy-timeout', '0.5', '--format', 'json'],
      repo.dir,
    );
    expect(err).toBe('');
    const report = readReport(out);
    expect(resources(out)).toEqual(['ecr-tag-immutability aws_ecr_repository.frontend']);
    expect(report.errors).toEqual([
      {
        file: 'main:policies/loops.tar.gz',
        line: 0,
        column: 0,
        message:
          'policy main:policies/loops.tar.gz did not finish within 0.5 s (--policy-timeout) and was stopped at custom/loops/deny; its findings are not reported',
      },
    ]);
    expect(code).toBe(2);
  });

  test.each([
    ['no-such-branch', 'tagguard: --config-from no-such-branch: not a commit in this repository\n'],
    ['--output=/tmp/x', 'tagguard: --config-from --output=/tmp/x: not a commit in this repository\n'],
    ['main^{tree}', 'tagguard: --config-from main^{tree}: not a commit in this repository\n'],
    ['main:infra/main.tf', 'tagguard: --config-from main:infra/main.tf: not a commit in this repository\n'],
    ['', 'tagguard: --config-from needs a git ref\n'],
  ])('a ref that is not a commit (%j) is a usage error', async (ref, message) => {
    const repo = gitRepo({ 'infra/main.tf': MUTABLE });
    repo.commit('base');
    const { code, out, err } = await runCli(['scan', 'infra', `--config-from=${ref}`], repo.dir);
    expect({ code, out, err }).toEqual({ code: 2, out: '', err: message });
  });

  test('outside a git repository it is a usage error', async () => {
    const dir = tempDir('no-git');
    const { code, err } = await runCli(['scan', '--config-from', 'main'], dir);
    expect({ code, err }).toEqual({
      code: 2,
      err: 'tagguard: --config-from main: not inside a git repository (fatal: not a git repository (or any of the parent directories): .git)\n',
    });
  });

  test('a .tagguard.yml that is a symlink at the commit is not followed', async () => {
    const repo = gitRepo({ 'infra/main.tf': MUTABLE, 'elsewhere.yml': 'unknown: error\n' });
    symlinkSync('elsewhere.yml', path.join(repo.dir, '.tagguard.yml'));
    repo.commit('base');
    const { code, err } = await runCli(['scan', 'infra', '--config-from', 'main'], repo.dir);
    expect({ code, err }).toEqual({
      code: 2,
      err: 'tagguard: invalid config:\nmain:.tagguard.yml: is a symbolic link at that commit; not followed\n',
    });
  });

  test('an invalid config at the commit names <ref>:<path>:line:column', async () => {
    const repo = gitRepo({ 'infra/main.tf': MUTABLE, '.tagguard.yml': 'unknown: sometimes\n' });
    repo.commit('base');
    repo.write({ '.tagguard.yml': 'unknown: warn\n' });
    const { code, err } = await runCli(['scan', 'infra', '--config-from', 'main'], repo.dir);
    expect({ code, err }).toEqual({
      code: 2,
      err: 'tagguard: invalid config:\nmain:.tagguard.yml:1:10: unknown: must be one of "warn", "error", "ignore"\n',
    });
  });

  test('a .gitignore rule the pull request adds cannot hide its own .tf file; the trusted exclude still applies', async () => {
    const repo = gitRepo({
      'infra/main.tf': 'resource "aws_ecr_repository" "ok" {\n  name                 = "ok"\n  image_tag_mutability = "IMMUTABLE"\n}\n',
      '.tagguard.yml': 'exclude: [scratch/]\n',
    });
    repo.commit('base');
    repo.write({ '.gitignore': 'hidden.tf\n', 'infra/hidden.tf': MUTABLE.replace('"app"', '"hidden"'), 'scratch/main.tf': MUTABLE });
    const plain = await runCli(['scan', '--format', 'json', '.'], repo.dir);
    expect(plain.json().findings).toEqual([]);
    const guarded = await runCli(['scan', '--format', 'json', '--config-from', 'main', '.'], repo.dir);
    expect(guarded.json().findings.map((f: { file: string }) => f.file)).toEqual(['infra/hidden.tf']);
  });
});
