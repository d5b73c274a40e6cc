import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { consumerProject } from './consumer';
import { defined, ROOT, tempDir, tree } from './helpers';

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string>;
}

const action = () =>
  parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default: string }>;
    runs: { steps: Step[] };
  };

const step = (id: string): Step =>
  defined(
    action().runs.steps.find((s) => s.id === id),
    `the ${id} step`,
  );

/**
 * Runs a step of the composite action (action.yml) with bash as the runner runs it, in a fake GitHub
 * environment: GITHUB_OUTPUT and GITHUB_STEP_SUMMARY are files (the summary with another step's text in
 * it already). The scan runs the built CLI (npm run build).
 */
function runStep(id: string, cwd: string, env: Record<string, string>) {
  const script = defined(step(id).run, `the ${id} step's run`);
  const github = tempDir('action');
  const output = path.join(github, 'output');
  const summary = path.join(github, 'summary.md');
  const githubPath = path.join(github, 'path');
  writeFileSync(output, '');
  writeFileSync(githubPath, '');
  writeFileSync(summary, '# Earlier step\n');
  // bash by its path: a test may give the step a PATH without it.
  const r = spawnSync('/bin/bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_WORKSPACE: cwd,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_PATH: githubPath,
      ...env,
    },
  });
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    output: readFileSync(output, 'utf8'),
    summary: readFileSync(summary, 'utf8'),
    path: readFileSync(githubPath, 'utf8'),
  };
}

/** The Scan step with the inputs' defaults; `env` overrides them. */
function runScanStep(cwd: string, env: Record<string, string>) {
  const r = runStep('scan', cwd, {
    TAGGUARD_PATHS: '.',
    TAGGUARD_ARGS: '',
    TAGGUARD_SARIF: 'tagguard.sarif',
    TAGGUARD_SUMMARY: 'true',
    TAGGUARD_CONFIG_FROM: '',
    TAGGUARD_BASE_REF: '',
    ...env,
  });
  const sarifFile = path.join(cwd, (env as Partial<Record<string, string>>).TAGGUARD_SARIF ?? 'tagguard.sarif');
  const sarif = existsSync(sarifFile)
    ? (JSON.parse(readFileSync(sarifFile, 'utf8')) as { runs: { results: { ruleId: string; level: string }[] }[] })
    : undefined;
  return { ...r, results: sarif?.runs[0].results.map((x) => `${x.ruleId} ${x.level}`) };
}

/** An upstream repository whose main branch sets the rule to warning, and a pull request branch that switches it off; a shallow clone of the branch, as actions/checkout makes. */
function pullRequestCheckout(): string {
  const dir = tempDir('action-repo');
  const upstream = path.join(dir, 'upstream');
  mkdirSync(path.join(upstream, 'infra'), { recursive: true });
  const git = (cwd: string, ...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@e', '-c', 'commit.gpgsign=false', ...args], { cwd, stdio: 'ignore' });
  git(upstream, 'init', '-q', '-b', 'main');
  writeFileSync(path.join(upstream, 'infra', 'main.tf'), readFileSync(path.join(ROOT, 'fixtures/mutable/main.tf')));
  writeFileSync(path.join(upstream, '.tagguard.yml'), 'severity:\n  ecr-tag-immutability: warning\n');
  git(upstream, 'add', '-A');
  git(upstream, 'commit', '-qm', 'base');
  git(upstream, 'checkout', '-qb', 'pr');
  writeFileSync(path.join(upstream, '.tagguard.yml'), 'severity:\n  ecr-tag-immutability: "off"\n');
  git(upstream, 'commit', '-qam', 'switch the check off');
  git(dir, 'clone', '-q', '--depth', '1', '--branch', 'pr', `file://${upstream}`, 'checkout');
  return path.join(dir, 'checkout');
}

describe('action.yml', () => {
  test('on a pull request, reads .tagguard.yml from the base branch (fetched into a shallow checkout)', () => {
    const checkout = pullRequestCheckout();
    const r = runScanStep(checkout, { TAGGUARD_BASE_REF: 'main' });
    expect([r.status, r.output, r.results]).toEqual([0, 'exit-code=0\nsarif=true\n', ['ecr-tag-immutability warning']]);
    expect(r.stdout).toMatch(/^::warning file=infra\/main\.tf,line=3,/m);
  });

  test('config-from: none reads the working tree, as outside pull requests', () => {
    const checkout = pullRequestCheckout();
    expect(runScanStep(checkout, { TAGGUARD_BASE_REF: 'main', TAGGUARD_CONFIG_FROM: 'none' }).results).toEqual([]);
    expect(runScanStep(checkout, {}).results).toEqual([]);
  });

  test('one scan: annotations on stdout, the SARIF report and the job summary appended; the step passes, the last step fails after the upload', () => {
    const cwd = tree({ 'infra/main.tf': readFileSync(path.join(ROOT, 'fixtures/mutable/main.tf'), 'utf8') }, { prefix: 'action-findings' });
    const r = runScanStep(cwd, { TAGGUARD_SARIF: 'out.sarif' });
    expect([r.status, r.output, r.results, r.stderr]).toEqual([0, 'exit-code=1\nsarif=true\n', ['ecr-tag-immutability error'], '']);
    expect(r.stdout).toMatch(
      /^::error file=infra\/main\.tf,line=3,col=\d+,endLine=3,endColumn=\d+,title=ecr-tag-immutability%3A aws_ecr_repository\.frontend::/,
    );
    expect(r.summary).toMatch(
      /^# Earlier step\n## tagguard\n\n❌ 1 error, 0 warnings in 1 file read \(1 resource checked\)\n\n\| Severity \|/,
    );
    expect(r.summary).toContain('| error | ecr\\-tag\\-immutability | aws\\_ecr\\_repository\\.frontend | infra\\/main\\.tf\\:3 |');
    // The summary's temporary file is gone; the checkout holds only what it held and the SARIF.
    expect(readdirSync(cwd).sort()).toEqual(['infra', 'out.sarif']);
    const fail = runStep('result', cwd, { TAGGUARD_EXIT_CODE: '1' });
    expect([fail.status, fail.stderr]).toEqual([1, 'tagguard exited with 1\n']);
    expect(runStep('result', cwd, { TAGGUARD_EXIT_CODE: '0' }).status).toBe(0);
  });

  test('input errors: the SARIF still written (exit 2), the summary lists them; a usage error writes no SARIF, so nothing is uploaded', () => {
    const cwd = tree({ 'main.tf': 'resource "aws_ecr_repository" "x" {\n' }, { prefix: 'action-errors' });
    writeFileSync(path.join(cwd, 'tagguard.sarif'), 'stale');
    const r = runScanStep(cwd, {});
    expect([r.status, r.output, r.results]).toEqual([0, 'exit-code=2\nsarif=true\n', []]);
    expect(r.summary).toContain('**Input errors** (the scan is incomplete):');
    const usage = runScanStep(cwd, { TAGGUARD_ARGS: '--var-file missing.tfvars' });
    expect([usage.status, usage.output, usage.results, usage.summary, usage.stderr]).toEqual([
      0,
      'exit-code=2\nsarif=false\n',
      undefined,
      '# Earlier step\n',
      'tagguard: --var-file missing.tfvars: no such file\n',
    ]);
    expect(runStep('result', cwd, { TAGGUARD_EXIT_CODE: '' }).stderr).toBe('tagguard exited with no code (the scan did not run)\n');
  });

  test('inputs with spaces, quotes and $(…) reach tagguard as words, never as shell code; summary: false writes none', () => {
    const cwd = tree(
      { 'a dir/main.tf': 'resource "aws_ecr_repository" "x" {\n  name = "x"\n  image_tag_mutability = "IMMUTABLE"\n}\n' },
      { prefix: 'action-quoting' },
    );
    const r = runScanStep(cwd, { TAGGUARD_SARIF: 'report $(touch pwned).sarif', TAGGUARD_SUMMARY: 'false' });
    expect([r.status, r.output, r.summary]).toEqual([0, 'exit-code=0\nsarif=true\n', '# Earlier step\n']);
    expect(readdirSync(cwd).sort()).toEqual(['a dir', 'report $(touch pwned).sarif']);
  });

  test('every input reaches a script through env, never by ${{ }} in run:; the upload uses the category input and runs only when there is a SARIF', () => {
    const { inputs, runs } = action();
    for (const s of runs.steps) expect([s.id, s.run?.includes('${{')]).toEqual([s.id, s.run === undefined ? undefined : false]);
    expect(inputs.category.default).toBe('tagguard');
    const upload = defined(
      runs.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif')),
      'the upload step',
    );
    expect([upload.with?.category, upload.if]).toEqual([
      '${{ inputs.category }}',
      "${{ !cancelled() && inputs.upload-sarif == 'true' && steps.scan.outputs.sarif == 'true' }}",
    ]);
    // The last step fails the job, after the upload.
    expect(runs.steps.at(-1)?.id).toBe('result');
    expect(runs.steps.indexOf(upload)).toBe(runs.steps.length - 2);
  });

  test("the runner's Node.js is used when it is 20.19 or later: setup-node only runs otherwise", () => {
    const r = runStep('node', tempDir('action-node'), {});
    expect([r.status, r.output]).toEqual([0, 'usable=true\n']);
    const old = tempDir('action-old-node');
    writeFileSync(path.join(old, 'node'), '#!/bin/sh\nexec "' + process.execPath + '" -e "process.exit(1)"\n', { mode: 0o755 });
    expect(runStep('node', old, { PATH: `${old}:/usr/bin:/bin` }).output).toBe(`usable=false\ncaller-dir=${old}\n`);
    // No node at all: nothing to put back.
    expect(runStep('node', old, { PATH: tempDir('action-empty-path') }).output).toBe('usable=false\n');
    const setup = defined(
      action().runs.steps.find((s) => s.uses?.startsWith('actions/setup-node')),
      'the setup-node step',
    );
    expect(setup.if).toBe("steps.node.outputs.usable != 'true'");
    // The caller's node comes first on PATH again for the job's later steps.
    const restore = step('restore-node');
    expect(restore.if).toContain("steps.node.outputs.usable != 'true' && steps.node.outputs.caller-dir != ''");
    expect(runStep('restore-node', tempDir('action-restore'), { TAGGUARD_CALLER_NODE: old }).path).toBe(`${old}\n`);
  });

  test('uses: ./node_modules/tagguard in a project that depends on it: installs nothing, scans with the installed package', () => {
    const project = consumerProject('action-consumer');
    const actionPath = path.join(project, 'node_modules', 'tagguard');
    const before = readdirSync(path.join(project, 'node_modules')).sort();
    // npm must not run: it would rewrite the caller's node_modules.
    const stubs = tempDir('action-no-npm');
    writeFileSync(path.join(stubs, 'npm'), '#!/bin/sh\necho "npm $*" >&2\nexit 97\n', { mode: 0o755 });
    const install = runStep('install', actionPath, {
      PATH: `${stubs}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      GITHUB_ACTION_PATH: actionPath,
    });
    expect([install.status, install.stdout, install.stderr]).toEqual([0, "tagguard's dependencies are installed\n", '']);
    expect(readdirSync(path.join(project, 'node_modules')).sort()).toEqual(before);
    // The same package outside a node_modules folder (a checkout of the action) is installed with npm.
    const checkout = tempDir('action-checkout');
    mkdirSync(path.join(checkout, 'dist/src/cli'), { recursive: true });
    writeFileSync(path.join(checkout, 'dist/src/cli/main.js'), '');
    writeFileSync(path.join(checkout, 'package.json'), readFileSync(path.join(actionPath, 'package.json')));
    const fresh = runStep('install', checkout, {
      PATH: `${stubs}:${path.dirname(process.execPath)}:/usr/bin:/bin`,
      GITHUB_ACTION_PATH: checkout,
    });
    expect([fresh.status, fresh.stderr]).toEqual([97, 'npm ci --omit=dev --ignore-scripts --no-audit --no-fund\n']);

    writeFileSync(path.join(project, 'main.tf'), readFileSync(path.join(ROOT, 'fixtures/mutable/main.tf')));
    const scan = runStep('scan', project, {
      GITHUB_ACTION_PATH: actionPath,
      TAGGUARD_PATHS: 'main.tf',
      TAGGUARD_ARGS: '',
      TAGGUARD_SARIF: 'tagguard.sarif',
      TAGGUARD_SUMMARY: 'false',
      TAGGUARD_CONFIG_FROM: '',
      TAGGUARD_BASE_REF: '',
    });
    expect([scan.status, scan.output]).toEqual([0, 'exit-code=1\nsarif=true\n']);
    expect(scan.stdout).toMatch(/^::error file=main\.tf,line=3,/m);
  });
});
