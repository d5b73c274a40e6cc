import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { needing, ROOT, tempDir, testNeeding } from './helpers';

// Drives the real pre-commit (installed by scripts/install-tools.sh) with this checkout as
// the hook repository, at its current commit. Skipped (outside CI) when pre-commit cannot be installed.
const preCommit = path.join(ROOT, '.tools/bin/pre-commit');

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

testNeeding('pre-commit')(
  needing('pre-commit', 'the tagguard hook fails a commit of a mutable repository and passes a compliant one'),
  () => {
    const rev = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const work = tempDir('precommit');
    const env = {
      PRE_COMMIT_HOME: path.join(ROOT, '.tools', 'pre-commit-cache'),
      GIT_AUTHOR_NAME: 'dev',
      GIT_AUTHOR_EMAIL: 'dev@example.com',
      GIT_COMMITTER_NAME: 'dev',
      GIT_COMMITTER_EMAIL: 'dev@example.com',
    };
    sh('git', ['init', '-q'], work);
    writeFileSync(
      path.join(work, '.pre-commit-config.yaml'),
      `repos:\n  - repo: ${ROOT}\n    rev: ${rev}\n    hooks:\n      - id: tagguard\n`,
    );
    expect(sh(preCommit, ['install'], work, env).code).toBe(0);

    copyFileSync(path.join(ROOT, 'fixtures/mutable/main.tf'), path.join(work, 'main.tf'));
    sh('git', ['add', '.'], work);
    const refused = sh('git', ['commit', '-m', 'add a mutable repository'], work, env);
    expect(refused.output).toContain('main.tf:3:26  error  aws_ecr_repository.frontend');
    expect(refused.code).not.toBe(0);

    copyFileSync(path.join(ROOT, 'fixtures/immutable/main.tf'), path.join(work, 'main.tf'));
    sh('git', ['add', '.'], work);
    const accepted = sh('git', ['commit', '-m', 'add an immutable repository'], work, env);
    expect(accepted.output).toMatch(/tagguard \(ECR tag immutability\)\.+Passed/);
    expect(accepted.code).toBe(0);
  },
  600_000,
);
