import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, tempDir } from './helpers';

const run = (argv: string[], cwd: string) => runCli(argv, cwd);

/** A throwaway git repository holding copies of fixtures. */
function repo(fixtures: string[]): string {
  const dir = tempDir('repo');
  for (const f of fixtures) cpSync(path.join(ROOT, 'fixtures', f), path.join(dir, f), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'base');
  return dir;
}

describe('baseline', () => {
  test('--create-baseline records findings; --baseline then reports only new ones, even after lines move', async () => {
    const dir = repo(['mutable', 'modules-twice']);
    expect((await run(['scan', '--create-baseline', 'baseline.json', '--format', 'json'], dir)).code).toBe(0);
    const baseline = JSON.parse(readFileSync(path.join(dir, 'baseline.json'), 'utf8')) as unknown;
    expect(baseline).toEqual({
      version: 1,
      findings: [
        { ruleId: 'ecr-tag-immutability', root: 'modules-twice/app', resource: 'module.web.aws_ecr_repository.this' },
        { ruleId: 'ecr-tag-immutability', root: 'mutable', resource: 'aws_ecr_repository.frontend' },
      ],
    });
    // Move the resource down and add a new mutable one.
    const file = path.join(dir, 'mutable', 'main.tf');
    writeFileSync(file, '\n\n\n' + readFileSync(file, 'utf8') + '\nresource "aws_ecr_repository" "added" {\n  name = "shop/added"\n}\n');
    const { code, json } = await run(['scan', '--baseline', 'baseline.json', '--format', 'json'], dir);
    expect(code).toBe(1);
    expect(json().findings.map((f: { resource: string }) => f.resource)).toEqual(['aws_ecr_repository.added']);
  });

  test('a broken baseline file is a usage error', async () => {
    const dir = repo(['mutable']);
    writeFileSync(path.join(dir, 'baseline.json'), '{"findings": 3}');
    const { code, err } = await run(['scan', '--baseline', 'baseline.json'], dir);
    expect(code).toBe(2);
    expect(err).toMatch(/not a tagguard baseline/);
  });
});

describe('limiting the report to some files', () => {
  test('named files limit the report but values still resolve from the rest of the tree', async () => {
    const dir = repo(['modules-twice', 'mutable']);
    // The finding is on an argument in app/main.tf; the module's own file is in its trace.
    const viaModule = await run(['scan', 'modules-twice/modules/ecr/main.tf', '--format', 'json'], dir);
    expect(viaModule.json().findings.map((f: { resource: string }) => f.resource)).toEqual(['module.web.aws_ecr_repository.this']);
    const other = await run(['scan', 'mutable/main.tf', '--format', 'json'], dir);
    expect(other.json().findings.map((f: { resource: string }) => f.resource)).toEqual(['aws_ecr_repository.frontend']);
  });

  test('--changed-since reports only findings that touch changed files', async () => {
    const dir = repo(['mutable', 'not-set']);
    expect((await run(['scan', '--changed-since', 'HEAD', '--format', 'json'], dir)).json().findings).toEqual([]);
    writeFileSync(path.join(dir, 'not-set', 'main.tf'), readFileSync(path.join(dir, 'not-set', 'main.tf'), 'utf8') + '\n# touched\n');
    const { code, json } = await run(['scan', '--changed-since', 'HEAD', '--format', 'json'], dir);
    expect(code).toBe(1);
    expect(json().findings.map((f: { file: string }) => f.file)).toEqual(['not-set/main.tf']);
  });

  test('--changed-since reports files whose names git would quote (é.tf, a tab), committed or untracked', async () => {
    const dir = repo(['not-set']);
    const text = readFileSync(path.join(dir, 'not-set', 'main.tf'), 'utf8');
    writeFileSync(path.join(dir, 'not-set', 'é.tf'), text.replace(/"aws_ecr_repository" "(\w+)"/, '"aws_ecr_repository" "accented"'));
    writeFileSync(path.join(dir, 'not-set', 'tab\there.tf'), text.replace(/"aws_ecr_repository" "(\w+)"/, '"aws_ecr_repository" "tabbed"'));
    const { code, json } = await run(['scan', '--changed-since', 'HEAD', '--format', 'json'], dir);
    expect(code).toBe(1);
    expect(
      json()
        .findings.map((f: { file: string }) => f.file)
        .sort(),
    ).toEqual(['not-set/tab\there.tf', 'not-set/é.tf']);
  });

  test('--changed-since with a ref git does not know is a usage error', async () => {
    const dir = repo(['mutable']);
    const { code, err } = await run(['scan', '--changed-since', 'no-such-ref'], dir);
    expect(code).toBe(2);
    expect(err).toMatch(/--changed-since no-such-ref/);
  });
});
