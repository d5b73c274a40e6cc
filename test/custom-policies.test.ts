import { PassThrough } from 'node:stream';
import { main } from '../src/cli/main';
import { formatJson } from '../src/report/json';
import { DEFAULT_POLICY, defined, matching, needing, readReport, ROOT, runCli, testNeeding, testPolicy } from './helpers';
import { scan } from '../src/scan/run';
import type { ScanOptions } from '../src/scan/types';
import { CustomPolicy, DEFAULT_POLICY_TIMEOUT_MS } from '../src/policy/custom';
import { PolicyError } from '../src/policy/errors';
import type { RuleDescriptor } from '../src/policy/engine';
import { declaredNestedBlocks } from '../src/policy/nested-blocks';
import { nestedBlocksOf } from '../src/terraform/config/nested-blocks';

/** fixtures/policies/scan-on-push, built with the pinned opa by the global setup, as a user would build it. */
const built = testPolicy('scan-on-push');
const withOpa = testNeeding('opa');

const scanOptions = (fixture: string): ScanOptions => ({
  paths: [`fixtures/${fixture}`],
  cwd: ROOT,
  policy: DEFAULT_POLICY,
  variables: { varFiles: [], vars: [], env: {} },
});
const scanWith = (fixture: string, policies: string[]) => scan({ ...scanOptions(fixture), policies });

describe(needing('opa', 'custom policies'), () => {
  withOpa.each([
    ['bundle.tar.gz', built.bundle],
    ['policy.wasm', built.wasm],
  ])('a %s runs beside the built-in rule', async (_kind, file) => {
    const result = await scanWith('mutable', [file]);
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.resource, f.line, f.column])).toEqual([
      ['ecr-scan-on-push', 'warning', 'aws_ecr_repository.frontend', 1, 1],
      ['ecr-tag-immutability', 'error', 'aws_ecr_repository.frontend', 3, 26],
    ]);
    const clean = await scanWith('immutable', [file]);
    expect(clean.findings).toEqual([]);
  });

  withOpa('its findings flow through the report formats', async () => {
    const json = readReport(formatJson(await scanWith('mutable', [built.bundle])));
    expect(json.findings[0]).toMatchObject({
      ruleId: 'ecr-scan-on-push',
      file: 'fixtures/mutable/main.tf',
      message: matching(/scan_on_push/),
    });
    expect(json.summary).toMatchObject({ errors: 1, warnings: 1 });
  });

  test('a file that is not a policy is an input error; the scan still reports', async () => {
    const result = await scanWith('mutable', ['fixtures/mutable/main.tf']);
    expect(result.errors).toEqual([{ file: 'fixtures/mutable/main.tf', line: 0, column: 0, message: matching(/cannot load policy/) }]);
    expect(result.findings).toHaveLength(1);
  });

  withOpa('tagguard policies lists id, severity and source', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (d: Buffer | string) => (out += d.toString()));
    const code = await main(['policies', '--policy', built.bundle], { stdout, stderr: new PassThrough(), cwd: ROOT, env: {} });
    expect(code).toBe(0);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^acr-tag-immutability +error +built-in +Alibaba Cloud Container Registry tags must be immutable$/);
    expect(lines[1]).toMatch(/^ecr-tag-immutability +error +built-in +ECR image tags must be immutable$/);
    expect(lines[2]).toMatch(/^gar-tag-immutability +error +built-in +Artifact Registry Docker tags must be immutable$/);
    expect(lines[3]).toMatch(/^harbor-tag-immutability +error +built-in +Harbor projects must make their tags immutable$/);
    expect(lines[4]).toMatch(/^image-reference-immutable +error +built-in +Deployed images must be pinned to something that cannot move$/);
    expect(lines[5]).toMatch(/^msr-tag-immutability +note +built-in +Mirantis Secure Registry tags must be made immutable in MSR itself$/);
    expect(lines[6]).toMatch(/^ecr-scan-on-push +warning +.*bundle\.tar\.gz +ECR repositories scan images on push$/);
  });
});

describe('a custom policy whose results are not findings', () => {
  withOpa('is a policy error naming it, the entry point and what is wrong; the built-in rule still reports', async () => {
    const { wasm } = testPolicy('malformed-result');
    const result = await scanWith('mutable', [wasm]);
    expect(result.errors).toEqual([
      {
        file: wasm,
        line: 0,
        column: 0,
        message: `policy ${wasm}: custom/malformed_result/deny returned a result that is not findings ({"message", "resource", "root", "location", …}): 0.resource must be string`,
      },
    ]);
    expect(result.findings.map((f) => f.ruleId)).toEqual(['ecr-tag-immutability']);
  });
});

/** fixtures/policies/loops: a committed bundle whose deny rule iterates 10^15 times in constant memory. */
const LOOPS = 'fixtures/policies/loops/loops.tar.gz';
const stopped = (name: string, seconds: number) =>
  `policy ${name} did not finish within ${seconds} s (--policy-timeout) and was stopped at custom/loops/deny; its findings are not reported`;

describe('a custom policy that never ends', () => {
  test('is stopped after --policy-timeout: an input error naming it (exit 2), with the built-in findings still reported', async () => {
    const started = Date.now();
    const { code, out, err } = await runCli(
      ['scan', 'fixtures/mutable', '--policy', LOOPS, '--policy-timeout', '1', '--format', 'json'],
      ROOT,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    const report = readReport(out);
    expect(report.findings.map((f) => [f.ruleId, f.resource, f.line])).toEqual([
      ['ecr-tag-immutability', 'aws_ecr_repository.frontend', 3],
    ]);
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
    expect({ code, out, err }).toEqual({
      code: 2,
      out: '',
      err: 'tagguard: --policy-timeout must be a number of seconds above 0 (at most 86400)\n',
    });
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
      await expect(policy.evaluate({}, 'no/such/entrypoint')).rejects.toThrow(
        new PolicyError('policy policy.wasm failed at no/such/entrypoint: entrypoint no/such/entrypoint is not valid in this instance'),
      );
    } finally {
      policy.close();
    }
  });
});

describe(needing('opa', 'nested blocks a custom policy declares'), () => {
  /** fixtures/policies/nested-blocks: a rule on aws_instance whose descriptor declares root_block_device a nested block. */
  const { bundle } = testPolicy('nested-blocks');

  withOpa('are read as blocks: a Terraform JSON object or list, and an HCL block, each reported where it is written', async () => {
    const result = await scanWith('nested-blocks', [bundle]);
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.ruleId, f.resource, `${f.file}:${f.line}:${f.column}`])).toEqual([
      ['root-volume-encrypted', 'aws_instance.api', 'fixtures/nested-blocks/main.tf:5:3'],
      ['root-volume-encrypted', 'aws_instance.web', 'fixtures/nested-blocks/main.tf.json:7:30'],
    ]);
    const web = defined(
      result.resources.find((r) => r.address === 'aws_instance.web'),
      'aws_instance.web',
    );
    expect([Object.keys(web.blocks), Object.keys(web.attributes).sort()]).toEqual([['root_block_device'], ['ami', 'instance_type']]);
  });

  test('never change how a type a built-in rule declares is read; malformed declarations are ignored', () => {
    const custom = (nested: unknown): RuleDescriptor => ({
      id: 'x',
      title: '',
      description: '',
      severity: 'warning',
      links: [],
      source: 'x.wasm',
      nested_blocks: nested as RuleDescriptor['nested_blocks'],
    });
    const table = declaredNestedBlocks([
      custom({ aws_ecr_repository: ['image_tag_mutability'], aws_instance: ['root_block_device', 7, ''] }),
      custom({ aws_instance: 'ebs_block_device', aws_lambda_function: ['vpc_config'] }),
      custom(['aws_instance']),
    ]);
    expect([...nestedBlocksOf(table, 'aws_ecr_repository')]).toEqual([
      'encryption_configuration',
      'image_scanning_configuration',
      'image_tag_mutability_exclusion_filter',
      'timeouts',
    ]);
    expect([...nestedBlocksOf(table, 'aws_instance')]).toEqual(['root_block_device']);
    expect([...nestedBlocksOf(table, 'aws_lambda_function')]).toEqual(['vpc_config']);
    expect([...nestedBlocksOf(declaredNestedBlocks([]), 'aws_instance')]).toEqual([]);
  });
});
