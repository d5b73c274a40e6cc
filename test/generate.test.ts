import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateStack } from '../src/cdktf/synth';
import { scan } from '../src/scan/run';
import { DEFAULT_POLICY, defined, runCli, tempDir } from './helpers';

const run = (argv: string[], cwd: string) => runCli(argv, cwd);

async function scanDir(cwd: string) {
  return scan({
    paths: ['.'],
    cwd,
    policy: { ...DEFAULT_POLICY, allowedMutableTags: ['latest'] },
    variables: { varFiles: [], vars: [], env: {} },
  });
}

const ARGS = [
  '--repo',
  'shop/api',
  '--repo',
  'shop/web',
  '--allow-mutable-tag',
  'latest',
  '--kms-key',
  'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c',
];

describe('tagguard generate', () => {
  test.each(['hcl', 'json'])('--format %s writes a stack that scans clean', async (format) => {
    const dir = tempDir('gen');
    expect((await run(['generate', ...ARGS, '--format', format, '--out', 'stack'], dir)).code).toBe(0);
    const result = await scanDir(path.join(dir, 'stack'));
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(result.summary.resources).toBe(2);
  });

  test('HCL and JSON describe the same repositories', async () => {
    const dirs = await Promise.all(
      ['hcl', 'json'].map(async (format) => {
        const dir = tempDir('gen');
        await run(['generate', ...ARGS, '--format', format, '--out', '.'], dir);
        return dir;
      }),
    );
    const [hcl, json] = await Promise.all(dirs.map(scanDir));
    expect(hcl.summary.resources).toBe(json.summary.resources);
    const tf = readFileSync(path.join(dirs[0], 'main.tf'), 'utf8');
    const doc = JSON.parse(readFileSync(path.join(dirs[1], 'main.tf.json'), 'utf8')) as {
      resource: { aws_ecr_repository: Record<string, { name: string; image_tag_mutability: string }> };
    };
    for (const [name, repo] of Object.entries(doc.resource.aws_ecr_repository)) {
      expect(tf).toContain(`resource "aws_ecr_repository" "${name}" {`);
      expect(tf).toContain(`name                 = "${repo.name}"`);
      expect(repo.image_tag_mutability).toBe('IMMUTABLE_WITH_EXCLUSION');
    }
  });

  test('--format cdktf writes an app that builds the same stack', async () => {
    const dir = tempDir('gen');
    await run(['generate', ...ARGS, '--format', 'cdktf', '--out', '.'], dir);
    const app = readFileSync(path.join(dir, 'main.ts'), 'utf8');
    expect(app).toContain("import { CompliantEcrStack } from 'tagguard/cdktf';");
    const config = JSON.parse(
      defined(/new CompliantEcrStack\(app, 'ecr', ([\s\S]*)\);\napp\.synth/.exec(app), 'the stack in main.ts')[1],
    ) as Parameters<typeof generateStack>[0];
    await run(['generate', ...ARGS, '--format', 'json', '--out', 'json'], dir);
    expect(generateStack(config, 'json')[0].text).toBe(readFileSync(path.join(dir, 'json', 'main.tf.json'), 'utf8'));
    expect((JSON.parse(readFileSync(path.join(dir, 'cdktf.json'), 'utf8')) as { language: string }).language).toBe('typescript');
  });

  test('never overwrites a file without --force', async () => {
    const dir = tempDir('gen');
    writeFileSync(path.join(dir, 'main.tf'), '# mine\n');
    const { code, err } = await run(['generate', '--repo', 'x', '--out', '.'], dir);
    expect(code).toBe(2);
    expect(err).toMatch(/not overwriting main.tf/);
    expect(readFileSync(path.join(dir, 'main.tf'), 'utf8')).toBe('# mine\n');
    expect((await run(['generate', '--repo', 'x', '--out', '.', '--force'], dir)).code).toBe(0);
    expect(readFileSync(path.join(dir, 'main.tf'), 'utf8')).toContain('resource "aws_ecr_repository" "x"');
  });

  test('a mutable tag is refused by the constructs, not written', async () => {
    const dir = tempDir('gen');
    expect(() => generateStack({ repositories: [{ name: 'x', mutableTags: ['dev-*'] }] }, 'hcl')).toThrow(/not allowed/);
    expect((await run(['generate', '--repo', 'x', '--out', '.'], dir)).code).toBe(0);
  });
});
