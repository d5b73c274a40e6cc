import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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
    expect(refused.output).toContain(
      'tagguard: to fix: run tagguard fix main.tf and stage the changes, or use the tagguard-fix hook (or args: [--fix] on this hook) in .pre-commit-config.yaml',
    );
    expect(refused.code).not.toBe(0);

    copyFileSync(path.join(ROOT, 'fixtures/immutable/main.tf'), path.join(work, 'main.tf'));
    sh('git', ['add', '.'], work);
    const accepted = sh('git', ['commit', '-m', 'add an immutable repository'], work, env);
    expect(accepted.output).toMatch(/tagguard \(ECR tag immutability\)\.+Passed/);
    expect(accepted.code).toBe(0);

    // Issue 15: a staged dev.tfvars is judged with its root (envs/dev), and blocks the commit.
    mkdirSync(path.join(work, 'envs/dev'), { recursive: true });
    writeFileSync(
      path.join(work, 'envs/dev/main.tf'),
      'variable "mutability" {\n  default = "IMMUTABLE"\n}\n\nresource "aws_ecr_repository" "app" {\n  name                 = "app"\n  image_tag_mutability = var.mutability\n}\n',
    );
    sh('git', ['add', '.'], work);
    expect(sh('git', ['commit', '-m', 'an environment'], work, env).code).toBe(0);
    writeFileSync(path.join(work, 'envs/dev/dev.tfvars'), 'mutability = "MUTABLE"\n');
    sh('git', ['add', '.'], work);
    const tfvars = sh('git', ['commit', '-m', 'dev values'], work, env);
    expect(tfvars.output).toContain('envs/dev/dev.tfvars:1:14  error  aws_ecr_repository.app');
    expect(tfvars.code).not.toBe(0);

    // The tagguard-fix hook rewrites the value; pre-commit stops the commit so that the change is staged.
    writeFileSync(
      path.join(work, '.pre-commit-config.yaml'),
      `repos:\n  - repo: ${ROOT}\n    rev: ${rev}\n    hooks:\n      - id: tagguard-fix\n`,
    );
    sh('git', ['add', '.pre-commit-config.yaml'], work);
    const fixing = sh('git', ['commit', '-m', 'dev values'], work, env);
    expect(fixing.output).toContain('tagguard: fixed envs/dev/dev.tfvars');
    expect(fixing.code).not.toBe(0);
    expect(readFileSync(path.join(work, 'envs/dev/dev.tfvars'), 'utf8')).toBe('mutability = "IMMUTABLE"\n');
    sh('git', ['add', '.'], work);
    expect(sh('git', ['commit', '-m', 'dev values'], work, env).code).toBe(0);
  },
  600_000,
);
