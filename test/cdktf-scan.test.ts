import { cpSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { scan } from '../src/scan/run';
import { DEFAULT_POLICY, places, ROOT, runCli, scanFixtures, tempDir, tree } from './helpers';

// CDKTF synth output is Terraform JSON: scanned with the same evaluator, reported
// with the stack and the construct path from each resource's `//` metadata.
describe('scanning CDKTF synth output', () => {
  test.each([['cdktf-app'], ['cdktf-app/cdktf.out']])('%s (cdktf.out is ignored by .gitignore, and still scanned)', async (dir) => {
    const result = await scanFixtures([dir]);
    expect(places(result)).toEqual([
      {
        file: 'fixtures/cdktf-app/cdktf.out/stacks/registry/cdk.tf.json',
        line: 40,
        column: 33,
        severity: 'error',
        resource: 'aws_ecr_repository.legacy_worker',
      },
    ]);
    expect(result.findings[0]).toMatchObject({ stack: 'registry', constructPath: 'registry/legacy-worker' });
    expect(result.summary.resources).toBe(2);
  });

  test('a finding outside CDKTF output carries no construct path', async () => {
    const result = await scanFixtures(['json']);
    expect(result.findings.every((f) => f.constructPath === undefined && f.stack === undefined)).toBe(true);
  });
});

test('output of cdktf synth --hcl (stacks/<name>/cdk.tf) is scanned as HCL', async () => {
  const dir = tempDir('cdktf-hcl');
  mkdirSync(path.join(dir, 'cdktf.out', 'stacks', 'web'), { recursive: true });
  writeFileSync(path.join(dir, 'cdktf.json'), '{"language": "typescript", "app": "npx ts-node main.ts"}\n');
  writeFileSync(path.join(dir, '.gitignore'), 'cdktf.out/\n');
  writeFileSync(
    path.join(dir, 'cdktf.out', 'manifest.json'),
    JSON.stringify({
      version: '0.21.0',
      stacks: { web: { name: 'web', synthesizedStackPath: 'stacks/web/cdk.tf', workingDirectory: 'stacks/web' } },
    }),
  );
  writeFileSync(
    path.join(dir, 'cdktf.out', 'stacks', 'web', 'cdk.tf'),
    'resource "aws_ecr_repository" "site" {\nname = "web/site"\nimage_tag_mutability = "MUTABLE"\n}\n',
  );
  mkdirSync(path.join(dir, '.git'));
  const result = await scan({ paths: ['.'], cwd: dir, policy: DEFAULT_POLICY, variables: { varFiles: [], vars: [], env: {} } });
  expect(places(result)).toEqual([
    { file: 'cdktf.out/stacks/web/cdk.tf', line: 3, column: 24, severity: 'error', resource: 'aws_ecr_repository.site' },
  ]);
});

describe('cdktf.json "output": the folder cdktf synth writes to', () => {
  const STACK = 'build/synth/stacks/registry/cdk.tf.json';

  /** fixtures/cdktf-app as synthesized with `"output": "build/synth"`, in a repository whose .gitignore hides build/. */
  function customOutput(): string {
    const dir = tempDir('cdktf-output');
    cpSync(path.join(ROOT, 'fixtures', 'cdktf-app'), dir, { recursive: true });
    mkdirSync(path.join(dir, 'build'));
    renameSync(path.join(dir, 'cdktf.out'), path.join(dir, 'build', 'synth'));
    const config = JSON.parse(readFileSync(path.join(dir, 'cdktf.json'), 'utf8')) as object;
    writeFileSync(path.join(dir, 'cdktf.json'), JSON.stringify({ ...config, output: 'build/synth' }));
    writeFileSync(path.join(dir, '.gitignore'), 'node_modules/\nbuild/\n');
    mkdirSync(path.join(dir, '.git'));
    return dir;
  }

  test.each([['.'], ['build/synth']])('the stacks are read from it (scan %s)', async (target) => {
    const dir = customOutput();
    const result = await scan({ paths: [target], cwd: dir, policy: DEFAULT_POLICY, variables: { varFiles: [], vars: [], env: {} } });
    expect(result.errors).toEqual([]);
    expect(result.notices).toEqual([]);
    expect(places(result)).toEqual([
      { file: STACK, line: 40, column: 33, severity: 'error', resource: 'aws_ecr_repository.legacy_worker' },
    ]);
    expect(result.findings[0]).toMatchObject({ stack: 'registry', constructPath: 'registry/legacy-worker' });
    expect(result.summary.resources).toBe(2);
  });

  test('every stack in it is read, as in cdktf.out, also one that names nothing judged', async () => {
    const dir = customOutput();
    const manifest = path.join(dir, 'build/synth/manifest.json');
    const data = JSON.parse(readFileSync(manifest, 'utf8')) as { stacks: Record<string, unknown> };
    data.stacks.empty = { name: 'empty', synthesizedStackPath: 'stacks/empty/cdk.tf.json' };
    writeFileSync(manifest, JSON.stringify(data));
    mkdirSync(path.join(dir, 'build/synth/stacks/empty'));
    writeFileSync(path.join(dir, 'build/synth/stacks/empty/cdk.tf.json'), '{"terraform": {}}\n');
    const result = await scan({ paths: ['.'], cwd: dir, policy: DEFAULT_POLICY, variables: { varFiles: [], vars: [], env: {} } });
    expect(result.summary.files).toBe(2);
  });

  test('not synthesized: the hint names the configured folder, and a stale cdktf.out is not taken for it', async () => {
    const dir = customOutput();
    rmSync(path.join(dir, 'build'), { recursive: true });
    cpSync(path.join(ROOT, 'fixtures', 'cdktf-app', 'cdktf.out'), path.join(dir, 'cdktf.out'), { recursive: true });
    writeFileSync(path.join(dir, '.gitignore'), 'build/\ncdktf.out/\n');
    expect(await runCli(['scan'], dir)).toMatchObject({
      code: 0,
      out: '✔ 0 errors, 0 warnings in 0 files read (0 resources checked)\n',
      err: 'tagguard: note: cdktf.json: no build/synth here; run cdktf synth first, then scan again\n',
    });
  });

  // A synthesized project beside the app: whatever cdktf.json says, tagguard reads nothing of it.
  const finding = { resource: { aws_ecr_repository: { r: { name: 'r', image_tag_mutability: 'MUTABLE' } } } };
  function hostile(output: unknown, link = false): string {
    const parent = tree({
      'elsewhere/manifest.json': JSON.stringify({ stacks: { x: { synthesizedStackPath: 'stacks/x/cdk.tf.json' } } }),
      'elsewhere/stacks/x/cdk.tf.json': JSON.stringify(finding),
      'app/cdktf.json': JSON.stringify({ language: 'typescript', output: output === '<abs>' ? '' : output }),
    });
    if (output === '<abs>') writeFileSync(path.join(parent, 'app/cdktf.json'), JSON.stringify({ output: path.join(parent, 'elsewhere') }));
    if (link) symlinkSync('../elsewhere', path.join(parent, 'app/out'));
    return parent;
  }

  test.each([
    ['../elsewhere', '"output" "../elsewhere" leaves the project folder; it must be a folder inside it'],
    ['build/../../elsewhere', '"output" "build/../../elsewhere" leaves the project folder; it must be a folder inside it'],
    [5, '"output" must be a string naming a folder inside the project, not a number'],
    [null, '"output" must be a string naming a folder inside the project, not null'],
    [['cdktf.out'], '"output" must be a string naming a folder inside the project, not an array'],
    ['', '"output" "" is not a folder name'],
  ])('%j is an input error naming cdktf.json; nothing outside the project is read', async (output, why) => {
    const parent = hostile(output);
    const run = await runCli(['scan', '--format', 'json', 'app'], parent);
    expect(run.code).toBe(2);
    expect(run.json().errors).toEqual([
      { file: 'app/cdktf.json', line: 0, column: 0, message: `${why}; its synthesized stacks were not scanned` },
    ]);
    expect(run.json().findings).toEqual([]);
  });

  test('an absolute path, and a folder that a symlink leads out of the project, are refused too', async () => {
    const abs = hostile('<abs>');
    const run = await runCli(['scan', '--format', 'json', 'app'], abs);
    expect([run.code, run.json().findings, run.json().errors[0]?.message]).toEqual([
      2,
      [],
      `"output" ${JSON.stringify(path.join(abs, 'elsewhere'))} is an absolute path; it must be a folder inside the project; its synthesized stacks were not scanned`,
    ]);
    const linked = hostile('out', true);
    const viaLink = await runCli(['scan', '--format', 'json', 'app'], linked);
    expect([viaLink.code, viaLink.json().findings, viaLink.json().errors[0]?.message]).toEqual([
      2,
      [],
      `"output" "out" leads through a symlink to ${realpathSync(path.join(linked, 'elsewhere'))}, outside the project folder; its synthesized stacks were not scanned`,
    ]);
  });

  test('a cdktf.json that is not JSON is an input error; a manifest cannot lead out of the output folder', async () => {
    const broken = tree({ 'app/cdktf.json': '{"output": ' });
    const run = await runCli(['scan', '--format', 'json', 'app'], broken);
    expect(run.code).toBe(2);
    expect(run.json().errors).toMatchObject([{ file: 'app/cdktf.json', message: expect.stringMatching(/^not valid JSON \(/) as string }]);
    const escaping = tree({
      'elsewhere/stacks/x/cdk.tf.json': JSON.stringify(finding),
      'app/cdktf.json': '{}',
      'app/cdktf.out/manifest.json': JSON.stringify({ stacks: { x: { synthesizedStackPath: '../../elsewhere/stacks/x/cdk.tf.json' } } }),
    });
    const out = await runCli(['scan', '--format', 'json', 'app'], escaping);
    expect([out.code, out.json().findings, out.json().errors]).toEqual([
      2,
      [],
      [
        {
          file: 'app/cdktf.out/manifest.json',
          line: 0,
          column: 0,
          message: 'stack path "../../elsewhere/stacks/x/cdk.tf.json" leaves cdktf.out; not scanned',
        },
      ],
    ]);
  });
});
