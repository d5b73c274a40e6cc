import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, runCli, tempDir } from './helpers';

const EXPECTED = 'expected {"version": 1, "findings": [{"ruleId": …, "root": …, "resource": …}, …]} as --create-baseline writes';

/** A baseline of the wrong shape is a usage error that says what is wrong and where (exit 2), never a crash. */
describe('a malformed baseline', () => {
  const dir = tempDir('baseline-shape');
  cpSync(path.join(ROOT, 'fixtures', 'mutable'), path.join(dir, 'mutable'), { recursive: true });

  test.each([
    ['{"version": 1, "findings": [null]}', 'findings[0] must be object, not null'],
    [
      '{"version": 1, "findings": [{"ruleId": "ecr-tag-immutability", "root": "mutable", "resource": "aws_ecr_repository.frontend"}, 7]}',
      'findings[1] must be object, not a number',
    ],
    ['{"version": 1, "findings": [{"ruleId": "ecr-tag-immutability", "root": "mutable"}]}', 'findings[0] has no "resource"'],
    [
      '{"version": 1, "findings": [{"ruleId": "ecr-tag-immutability", "root": null, "resource": "x"}]}',
      'findings[0].root must be string, not null',
    ],
    ['{"version": 1, "findings": [{"ruleId": "r", "root": "m", "resource": "x", "line": 3}]}', 'findings[0] has an unknown key "line"'],
    ['{"version": 1, "findings": {"0": {}}}', 'findings must be array, not an object'],
    ['{"version": 2, "findings": []}', 'version must be 1'],
    ['{"findings": 3}', 'the file has no "version"'],
    ['null', 'the file must be object, not null'],
    ['[]', 'the file must be object, not an array'],
    ['{"version": 1,', 'not JSON at line 1, column 15'],
    ['{"version": 1,\n  "findings": [nul]}', 'not JSON at line 2, column 16'],
    ['', 'not JSON (the file is empty)'],
  ])('%s', async (text, problem) => {
    writeFileSync(path.join(dir, 'baseline.json'), text);
    const { code, out, err } = await runCli(['scan', '--baseline', 'baseline.json', 'mutable'], dir);
    expect({ code, out, err }).toEqual({
      code: 2,
      out: '',
      err: `tagguard: --baseline baseline.json: not a tagguard baseline: ${problem}; ${EXPECTED}\n`,
    });
  });

  test('named by .tagguard.yml (baseline:, relative to the file), it is named by the file and key', async () => {
    writeFileSync(path.join(dir, 'baseline.json'), '{"version": 1, "findings": [null]}');
    writeFileSync(path.join(dir, '.tagguard.yml'), 'baseline: baseline.json\n');
    try {
      const { code, err } = await runCli(['scan', 'mutable'], path.join(dir));
      expect({ code, err }).toEqual({
        code: 2,
        err: `tagguard: .tagguard.yml: baseline: baseline.json: not a tagguard baseline: findings[0] must be object, not null; ${EXPECTED}\n`,
      });
    } finally {
      writeFileSync(path.join(dir, '.tagguard.yml'), '');
    }
  });
});
