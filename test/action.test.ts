import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { defined, ROOT, tempDir } from './helpers';

/** The Scan step of the composite action (action.yml), run with bash as the runner runs it; it runs the built CLI (npm run build). */
function runScanStep(cwd: string, env: Record<string, string>) {
  const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { runs: { steps: { id?: string; run?: string }[] } };
  const script = defined(
    defined(
      action.runs.steps.find((s) => s.id === 'scan'),
      'the scan step',
    ).run,
    "the scan step's run",
  );
  const output = path.join(tempDir('action'), 'output');
  writeFileSync(output, '');
  const r = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_OUTPUT: output,
      TAGGUARD_PATHS: '.',
      TAGGUARD_ARGS: '',
      TAGGUARD_SARIF: 'tagguard.sarif',
      TAGGUARD_CONFIG_FROM: '',
      TAGGUARD_BASE_REF: '',
      ...env,
    },
  });
  const sarif = JSON.parse(readFileSync(path.join(cwd, 'tagguard.sarif'), 'utf8')) as {
    runs: { results: { ruleId: string; level: string }[] }[];
  };
  return {
    status: r.status,
    output: readFileSync(output, 'utf8'),
    results: sarif.runs[0].results.map((x) => `${x.ruleId} ${x.level}`),
    stdout: r.stdout,
  };
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
    expect([r.status, r.output, r.results]).toEqual([0, 'exit-code=0\n', ['ecr-tag-immutability warning']]);
    expect(r.stdout).toMatch(/^::warning file=infra\/main\.tf,line=3,/m);
  });

  test('config-from: none reads the working tree, as outside pull requests', () => {
    const checkout = pullRequestCheckout();
    expect(runScanStep(checkout, { TAGGUARD_BASE_REF: 'main', TAGGUARD_CONFIG_FROM: 'none' }).results).toEqual([]);
    expect(runScanStep(checkout, {}).results).toEqual([]);
  });
});
