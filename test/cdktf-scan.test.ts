import { places, scanFixtures } from './helpers';

// CDKTF synth output is Terraform JSON: scanned with the same evaluator, reported
// with the stack and the construct path from each resource's `//` metadata.
describe('scanning CDKTF synth output', () => {
  test.each([['cdktf-app'], ['cdktf-app/cdktf.out']])('%s (cdktf.out is ignored by .gitignore, and still scanned)', async (dir) => {
    const result = await scanFixtures([dir]);
    expect(places(result)).toEqual([
      { file: 'fixtures/cdktf-app/cdktf.out/stacks/registry/cdk.tf.json', line: 40, column: 33, severity: 'error', resource: 'aws_ecr_repository.legacy_worker' },
    ]);
    expect(result.findings[0]).toMatchObject({ stack: 'registry', constructPath: 'registry/legacy-worker' });
    expect(result.summary.resources).toBe(2);
  });

  test('a finding outside CDKTF output carries no construct path', async () => {
    const result = await scanFixtures(['json']);
    expect(result.findings.every((f) => f.constructPath === undefined && f.stack === undefined)).toBe(true);
  });
});
