import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { matching, runCli, tree } from './helpers';

// Files in /proc report size 0 and can be read without end: every input is read up to its bound.
describe('inputs whose size the system gets wrong are read only up to their bound', () => {
  const main =
    'variable "m" {\n  default = "IMMUTABLE"\n}\n\nresource "aws_ecr_repository" "a" {\n  name                 = "a"\n  image_tag_mutability = var.m\n}\n';

  test('a workspace file linked to /proc is an input error, and the scan goes on', async () => {
    const dir = tree({ 'main.tf': main });
    mkdirSync(path.join(dir, '.terraform'));
    symlinkSync('/proc/self/status', path.join(dir, '.terraform/environment'));
    const run = await runCli(['scan', '--format', 'json', '.'], dir);
    expect(run.code).toBe(2);
    expect(run.json().errors).toEqual([
      { file: '.terraform/environment', line: 1, column: 1, message: 'file is larger than the 1 KiB limit (a workspace name)' },
    ]);
    expect(run.json().summary.resources).toBe(1);
  });

  test.each([
    ['--var-file', () => ['--var-file', 'vars.tfvars'], 'vars.tfvars'],
    ['terraform.tfvars', () => [], 'terraform.tfvars'],
    ['a .tf file', () => [], 'extra.tf'],
    ['a .tf file linked to pagemap, which grep would read without end', () => [], 'extra.tf', '/proc/self/pagemap'],
  ])('%s linked to /proc', async (_name, options, file, target = '/proc/self/status') => {
    const dir = tree({ 'main.tf': main });
    symlinkSync(target, path.join(dir, file));
    const run = await runCli(['scan', '--format', 'json', '--max-file-size', '1k', ...options(), '.'], dir);
    expect(run.code).toBe(2);
    expect(run.json().errors).toEqual([
      {
        file,
        line: 0,
        column: 0,
        message: matching(/^(file is larger than the 1 KiB limit \(--max-file-size\)|cannot read the file: EINVAL)$/),
      },
    ]);
    expect(run.json().summary.resources).toBe(1);
  });

  test('a baseline and a configuration file linked to /proc are usage errors', async () => {
    const dir = tree({ 'main.tf': main });
    symlinkSync('/proc/self/pagemap', path.join(dir, 'baseline.json'));
    const baseline = await runCli(['scan', '--baseline', 'baseline.json', '.'], dir);
    // pagemap refuses reads that are not whole entries, and is endless otherwise: either way an error, and no wait.
    expect(baseline.code).toBe(2);
    expect(baseline.err).toMatch(
      /^tagguard: --baseline \S*baseline\.json: (cannot read the file: EINVAL|file is larger than the 64 MiB limit)/,
    );
    symlinkSync('/proc/self/status', path.join(dir, '.tagguard.yml'));
    const config = await runCli(['scan', '.'], dir);
    expect(config.code).toBe(2);
    expect(config.err).toMatch(/\.tagguard\.yml: file is larger than the 1 MiB limit|invalid config/);
  });
});

test('grep does not follow symlinks, and a linked .tf file is still read and judged', async () => {
  const dir = tree({
    'shared/repo.txt':
      'resource "aws_ecr_repository" "linked" {\n  name                 = "linked"\n  image_tag_mutability = "MUTABLE"\n}\n',
    'root/main.tf': 'locals {\n  a = 1\n}\n',
  });
  symlinkSync('../shared/repo.txt', path.join(dir, 'root/linked.tf'));
  const run = await runCli(['scan', '--format', 'json', 'root'], dir);
  expect(run.json().findings.map((f: { resource: string; file: string; line: number }) => [f.resource, f.file, f.line])).toEqual([
    ['aws_ecr_repository.linked', 'root/linked.tf', 3],
  ]);
});

test('a .gitignore or a CDKTF manifest that is not a regular file is an input error with its path; the scan goes on', async () => {
  const dir = tree({
    'app/main.tf': 'resource "aws_ecr_repository" "a" {\n  name = "a"\n}\n',
    'cdk/cdktf.json': '{}',
    'cdk/cdktf.out/stacks/x/cdk.tf.json': '{}',
  });
  symlinkSync('/dev/zero', path.join(dir, '.gitignore'));
  symlinkSync('/dev/zero', path.join(dir, 'cdk/cdktf.out/manifest.json'));
  const run = await runCli(['scan', '--format', 'json', '.', 'cdk'], dir);
  expect(run.code).toBe(2);
  expect(run.json().errors).toEqual([
    { file: '.gitignore', line: 0, column: 0, message: 'not a regular file' },
    { file: 'cdk/cdktf.out/manifest.json', line: 0, column: 0, message: 'not a regular file' },
  ]);
  expect(run.json().findings.map((f: { resource: string }) => f.resource)).toEqual(['aws_ecr_repository.a']);
});

describe('custom policy files are read within bounds', () => {
  test('a policy linked to /dev/zero is a usage error; a gzip that unpacks past 64 MiB is an input error naming it, and the scan goes on', async () => {
    const dir = tree({ 'main.tf': 'resource "aws_ecr_repository" "a" {\n  name = "a"\n}\n' });
    symlinkSync('/dev/zero', path.join(dir, 'zero.wasm'));
    writeFileSync(path.join(dir, 'bomb.tar.gz'), gzipSync(Buffer.alloc(80 * 1024 * 1024)));
    const zero = await runCli(['scan', '--policy', 'zero.wasm', '.'], dir);
    expect([zero.code, zero.err]).toEqual([2, 'tagguard: --policy zero.wasm: is not a regular file\n']);
    const run = await runCli(['scan', '--format', 'json', '--policy', 'bomb.tar.gz', '.'], dir);
    expect(run.code).toBe(2);
    const errors = run.json().errors as { file: string; message: string }[];
    expect(errors).toEqual([
      { file: 'bomb.tar.gz', line: 0, column: 0, message: matching(/cannot read policy .*bomb\.tar\.gz: .*(larger|too large|exceed)/i) },
    ]);
    expect(run.json().findings.map((f: { resource: string }) => f.resource)).toEqual(['aws_ecr_repository.a']);
  });
});

test('a plan nested deeper than Terraform writes is an input error at the place, not a stack overflow', async () => {
  const dir = tree({ 'plan.json': `{"format_version":"1.2","resource_changes":${'['.repeat(50_000)}${']'.repeat(50_000)}}` });
  const run = await runCli(['scan', '--format', 'json', '--plan', 'plan.json'], dir);
  expect(run.code).toBe(2);
  expect(run.json().errors).toEqual([
    { file: 'plan.json', line: 1, column: 555, message: 'more than 512 levels deep; not a plan Terraform writes' },
  ]);
});
