import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { scan } from '../src/scan/run';
import { DEFAULT_POLICY, places, scanFixtures, tempDir } from './helpers';

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
