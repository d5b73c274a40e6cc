import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../src/cli/main';
import { formatJson } from '../src/report/json';
import { DEFAULT_POLICY, ROOT } from './helpers';
import { scan } from '../src/cli/scan';

/** Builds fixtures/policies/scan-on-push with the pinned opa, as a user would. */
function buildExample(): { bundle: string; wasm: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'tagguard-custom-'));
  const bundle = path.join(dir, 'bundle.tar.gz');
  const opa = path.join(ROOT, '.tools/bin/opa');
  const source = path.join(ROOT, 'fixtures/policies/scan-on-push');
  execFileSync(opa, ['build', '-t', 'wasm', '-e', 'custom/ecr_scan_on_push/deny', '-e', 'custom/ecr_scan_on_push/rule', source, '-o', bundle]);
  execFileSync('tar', ['-xzf', bundle, '-C', dir, '/policy.wasm'], { stdio: 'ignore' });
  return { bundle, wasm: path.join(dir, 'policy.wasm') };
}

const built = buildExample();
const scanWith = (fixture: string, policies: string[]) =>
  scan({ paths: [`fixtures/${fixture}`], cwd: ROOT, policy: DEFAULT_POLICY, variables: { varFiles: [], vars: [], env: {} }, policies });

describe('custom policies', () => {
  test.each([['bundle.tar.gz', built.bundle], ['policy.wasm', built.wasm]])('a %s runs beside the built-in rule', async (_kind, file) => {
    const result = await scanWith('mutable', [file]);
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.resource, f.line, f.column])).toEqual([
      ['ecr-scan-on-push', 'warning', 'aws_ecr_repository.frontend', 1, 1],
      ['ecr-tag-immutability', 'error', 'aws_ecr_repository.frontend', 3, 26],
    ]);
    const clean = await scanWith('immutable', [file]);
    expect(clean.findings).toEqual([]);
  });

  test('its findings flow through the report formats', async () => {
    const json = JSON.parse(formatJson(await scanWith('mutable', [built.bundle])));
    expect(json.findings[0]).toMatchObject({ ruleId: 'ecr-scan-on-push', file: 'fixtures/mutable/main.tf', message: expect.stringMatching(/scan_on_push/) });
    expect(json.summary).toMatchObject({ errors: 1, warnings: 1 });
  });

  test('a file that is not a policy is an input error; the scan still reports', async () => {
    const result = await scanWith('mutable', ['fixtures/mutable/main.tf']);
    expect(result.errors).toEqual([{ file: 'fixtures/mutable/main.tf', line: 0, column: 0, message: expect.stringMatching(/cannot load policy/) }]);
    expect(result.findings).toHaveLength(1);
  });

  test('tagguard policies lists id, severity and source', async () => {
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
