import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { scan } from '../src/scan/run';
import { DEFAULT_POLICY, ROOT, tempDir } from './helpers';

/** PATH without any directory holding a terraform binary: the synth must not need one. */
function pathWithoutTerraform(): string {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter((dir) => dir && !existsSync(path.join(dir, 'terraform')))
    .join(path.delimiter);
}

test('the example app in cdktf.json synthesizes with `cdktf synth` and scans clean', async () => {
  const out = tempDir('example');
  const cdktf = path.join(ROOT, 'node_modules', '.bin', 'cdktf');
  execFileSync(cdktf, ['synth', '--output', out], {
    cwd: ROOT,
    // TMPDIR: what cdktf writes there (its compile cache, its own output directories) is removed with the test's.
    env: {
      ...process.env,
      PATH: `${path.dirname(process.execPath)}${path.delimiter}${pathWithoutTerraform()}`,
      CI: 'true',
      CHECKPOINT_DISABLE: '1',
      TMPDIR: tempDir('cdktf-tmp'),
    },
    stdio: 'pipe',
  });
  const stack = JSON.parse(readFileSync(path.join(out, 'stacks', 'registry', 'cdk.tf.json'), 'utf8')) as {
    resource: { aws_ecr_repository: Record<string, Record<string, unknown>> };
  };
  expect(Object.keys(stack.resource.aws_ecr_repository).sort()).toEqual(['shop_api', 'shop_web']);
  const result = await scan({ paths: [out], cwd: ROOT, policy: DEFAULT_POLICY, variables: { varFiles: [], vars: [], env: {} } });
  expect(result.errors).toEqual([]);
  expect(result.summary.resources).toBe(3);
  expect(result.findings).toEqual([]);
}, 120_000);
