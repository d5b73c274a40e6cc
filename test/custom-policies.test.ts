import { PassThrough } from 'node:stream';
import { main } from '../src/cli/main';
import { formatJson } from '../src/report/json';
import { DEFAULT_POLICY, needing, ROOT, runCli, testNeeding, testPolicy } from './helpers';
import { scan, type ScanOptions } from '../src/cli/scan';
import { CustomPolicy, DEFAULT_POLICY_TIMEOUT_MS } from '../src/policy/custom';
import { PolicyError } from '../src/policy/errors';

/** fixtures/policies/scan-on-push, built with the pinned opa by the global setup, as a user would build it. */
const built = testPolicy('scan-on-push');
const withOpa = testNeeding('opa');

const scanOptions = (fixture: string): ScanOptions => ({ paths: [`fixtures/${fixture}`], cwd: ROOT, policy: DEFAULT_POLICY, variables: { varFiles: [], vars: [], env: {} } });
const scanWith = (fixture: string, policies: string[]) => scan({ ...scanOptions(fixture), policies });

describe(needing('opa', 'custom policies'), () => {
  withOpa.each([['bundle.tar.gz', built.bundle], ['policy.wasm', built.wasm]])('a %s runs beside the built-in rule', async (_kind, file) => {
    const result = await scanWith('mutable', [file]);
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.resource, f.line, f.column])).toEqual([
      ['ecr-scan-on-push', 'warning', 'aws_ecr_repository.frontend', 1, 1],
      ['ecr-tag-immutability', 'error', 'aws_ecr_repository.frontend', 3, 26],
    ]);
    const clean = await scanWith('immutable', [file]);
    expect(clean.findings).toEqual([]);
  });

  withOpa('its findings flow through the report formats', async () => {
    const json = JSON.parse(formatJson(await scanWith('mutable', [built.bundle])));
    expect(json.findings[0]).toMatchObject({ ruleId: 'ecr-scan-on-push', file: 'fixtures/mutable/main.tf', message: expect.stringMatching(/scan_on_push/) });
    expect(json.summary).toMatchObject({ errors: 1, warnings: 1 });
  });

  test('a file that is not a policy is an input error; the scan still reports', async () => {
    const result = await scanWith('mutable', ['fixtures/mutable/main.tf']);
    expect(result.errors).toEqual([{ file: 'fixtures/mutable/main.tf', line: 0, column: 0, message: expect.stringMatching(/cannot load policy/) }]);
    expect(result.findings).toHaveLength(1);
  });

  withOpa('tagguard policies lists id, severity and source', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d) => (out += d));
    const code = await main(['policies', '--policy', built.bundle], { stdout, stderr: new PassThrough(), cwd: ROOT, env: {} });
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^ecr-tag-immutability +error +built-in +ECR image tags must be immutable$/);
    expect(lines[1]).toMatch(/^ecr-scan-on-push +warning +.*bundle\.tar\.gz +ECR repositories scan images on push$/);
  });
});

/** fixtures/policies/loops: a committed bundle whose deny rule iterates 10^15 times in constant memory. */
const LOOPS = 'fixtures/policies/loops/loops.tar.gz';
const stopped = (name: string, seconds: number) =>
  `policy ${name} did not finish within ${seconds} s (--policy-timeout) and was stopped at custom/loops/deny; its findings are not reported`;

describe('a custom policy that never ends', () => {
  test('is stopped after --policy-timeout: an input error naming it (exit 2), with the built-in findings still reported', async () => {
    const started = Date.now();
    const { code, out, err } = await runCli(['scan', 'fixtures/mutable', '--policy', LOOPS, '--policy-timeout', '1', '--format', 'json'], ROOT);
    expect(Date.now() - started).toBeLessThan(15_000);
    const report = JSON.parse(out);
    expect(report.findings.map((f: { ruleId: string; resource: string; line: number }) => [f.ruleId, f.resource, f.line])).toEqual([['ecr-tag-immutability', 'aws_ecr_repository.frontend', 3]]);
    expect(report.errors).toEqual([{ file: LOOPS, line: 0, column: 0, message: stopped(LOOPS, 1) }]);
    expect([code, err]).toEqual([2, '']);
  });

  withOpa(needing('opa', 'the other custom policies still report'), async () => {
    const result = await scan({ ...scanOptions('mutable'), policies: [LOOPS, built.bundle], policyTimeoutMs: 500 });
    expect(result.findings.map((f) => [f.ruleId, f.resource])).toEqual([
      ['ecr-scan-on-push', 'aws_ecr_repository.frontend'],
      ['ecr-tag-immutability', 'aws_ecr_repository.frontend'],
    ]);
    expect(result.errors).toEqual([{ file: LOOPS, line: 0, column: 0, message: stopped(LOOPS, 0.5) }]);
  });

  test('the time limit is 30 s unless given', () => {
    expect(DEFAULT_POLICY_TIMEOUT_MS).toBe(30_000);
  });

  test.each(['0', '-1', 'soon', '1e9'])('--policy-timeout %s is a usage error', async (value) => {
    const { code, out, err } = await runCli(['scan', 'fixtures/mutable', '--policy', LOOPS, '--policy-timeout', value], ROOT);
    expect({ code, out, err }).toEqual({ code: 2, out: '', err: 'tagguard: --policy-timeout must be a number of seconds above 0 (at most 86400)\n' });
  });
});

describe('a custom policy runs in a worker', () => {
  withOpa(needing('opa', 'Rego print output is captured there, never written to stdout'), async () => {
    const policy = await CustomPolicy.load(testPolicy('prints').bundle);
    const write = jest.spyOn(process.stdout, 'write');
    try {
      expect(await policy.findings({})).toEqual([expect.objectContaining({ message: 'printed' })]);
      expect(write).not.toHaveBeenCalled();
      expect(policy.printed).toEqual(['debug output from rego']);
    } finally {
      write.mockRestore();
      policy.close();
    }
  });

  withOpa(needing('opa', 'its errors name the policy and the entry point'), async () => {
    const policy = await CustomPolicy.load(built.wasm);
    try {
      await expect(policy.evaluate({}, 'no/such/entrypoint')).rejects.toThrow(new PolicyError('policy policy.wasm failed at no/such/entrypoint: entrypoint no/such/entrypoint is not valid in this instance'));
    } finally {
      policy.close();
    }
  });
});
