import { SCAN_INSTANCE_LIMIT, WORK_LIMITS, WorkBudget } from '../src/terraform/eval/budget';
import { callFunction } from '../src/terraform/eval/functions';
import { str } from '../src/terraform/eval/value';
import { anyNumber, matching, runCli, tree } from './helpers';

// Issue 13, item 2: the total work of one root is bounded; past it, that root is an input error and the others are judged.
const GOOD = {
  'good/main.tf': 'resource "aws_ecr_repository" "good" {\n  name                 = "good"\n  image_tag_mutability = "MUTABLE"\n}\n',
};
const repo = (value: string) =>
  `\nresource "aws_ecr_repository" "bad" {\n  name                 = "bad"\n  image_tag_mutability = ${value}\n}\n`;
const counted = (inner: string) => `variable "n" {\n  default = 0\n}\n\nmodule "m" {\n  source = "${inner}"\n  count  = 100\n}\n`;

describe('a root past its work budget', () => {
  test.each([
    [
      'for expressions over range(1000), three deep',
      'locals {\n  cube = [for a in range(1000) : [for b in range(1000) : [for c in range(1000) : c]]]\n}\n' +
        repo('length(local.cube) > 0 ? "MUTABLE" : "IMMUTABLE"'),
      /collection elements built|resource and module instances|expressions evaluated/,
    ],
    [
      'a list doubled 60 times',
      'locals {\n  l0 = ["x"]\n' +
        Array.from({ length: 60 }, (_, i) => `  l${i + 1} = concat(local.l${i}, local.l${i})\n`).join('') +
        '}\n' +
        repo('length(local.l60) > 0 ? "MUTABLE" : "IMMUTABLE"'),
      /collection elements built/,
    ],
    [
      'a string doubled 40 times',
      'locals {\n  s0 = "xxxxxxxxxxxxxxxx"\n' +
        Array.from({ length: 40 }, (_, i) => `  s${i + 1} = "\${local.s${i}}\${local.s${i}}"\n`).join('') +
        '}\n' +
        repo('length(local.s40) > 0 ? "MUTABLE" : "IMMUTABLE"'),
      /characters of strings built/,
    ],
    [
      'a map holding the last one twice, 60 levels (small to build, 2^60 to walk)',
      'locals {\n  l0 = "x"\n' +
        Array.from({ length: 59 }, (_, i) => `  l${i + 1} = { a = local.l${i}, b = local.l${i} }\n`).join('') +
        '}\n' +
        repo('"MUTABLE"').replace('name                 = "bad"', 'name                 = "bad"\n  tags                 = local.l59'),
      /collection elements built/,
    ],
    ['a string of 900,000 characters counted', repo('length(format("%0900000d", 1)) > 0 ? "MUTABLE" : "IMMUTABLE"'), null],
    ['format with a width of a billion', repo('format("%999999999d", 1)'), /characters of strings built/],
    [
      'for_each over a million keys',
      'locals {\n  keys = merge([for a in range(1000) : { for b in range(1000) : "${a}-${b}" => b }]...)\n}\n\nresource "aws_ecr_repository" "bad" {\n  for_each             = local.keys\n  name                 = each.key\n  image_tag_mutability = "MUTABLE"\n}\n',
      /collection elements built|resource and module instances|expressions evaluated/,
    ],
  ])('%s: an input error naming the budget where it runs out; the other root is still judged', async (_name, text, budget) => {
    const dir = tree({ ...GOOD, 'bad/main.tf': text });
    const { code, json } = await runCli(['scan', '--format', 'json', '.'], dir);
    if (budget === null) {
      // Within the budget: judged, and quickly (a cost quadratic in the length took minutes here).
      expect([code, json().errors]).toEqual([1, []]);
      return;
    }
    expect(code).toBe(2);
    const errors = json().errors as { file: string; message: string }[];
    expect(errors).toHaveLength(1);
    expect(errors[0].file).toBe('bad/main.tf');
    expect(errors[0].message).toMatch(budget);
    expect(errors[0].message).toMatch(/the most tagguard spends on one root; it is not judged$/);
    expect(json().findings.map((f: { resource: string }) => f.resource)).toEqual(['aws_ecr_repository.good']);
  });

  test('module count = 100, four levels deep (10^8 instances)', async () => {
    const dir = tree({
      ...GOOD,
      'bad/main.tf': counted('./l1'),
      'bad/l1/main.tf': counted('./l2'),
      'bad/l1/l2/main.tf': counted('./l3'),
      'bad/l1/l2/l3/main.tf': counted('./l4'),
      'bad/l1/l2/l3/l4/main.tf': 'resource "aws_ecr_repository" "leaf" {\n  name = "leaf"\n}\n',
    });
    const { code, json } = await runCli(['scan', '--format', 'json', '.'], dir);
    expect(code).toBe(2);
    expect(json().errors).toEqual([
      { file: matching(/^bad\//), line: anyNumber(), column: anyNumber(), message: matching(/resource and module instances/) },
    ]);
    expect(json().findings.map((f: { resource: string }) => f.resource)).toEqual(['aws_ecr_repository.good']);
  });
});

describe('the budget itself', () => {
  const at = { file: 'main.tf', line: 1, column: 1, endLine: 1, endColumn: 2 };

  test('each kind of work runs out on its own, and instances also count against the whole scan', () => {
    const root = new WorkBudget();
    root.spend('steps', WORK_LIMITS.steps, at);
    expect(() => {
      root.spend('steps', 1, at);
    }).toThrow(/more than 5,000,000 expressions evaluated/);
    root.spend('characters', WORK_LIMITS.characters, at);
    const scan = { instances: 0 };
    for (let i = 0; i < SCAN_INSTANCE_LIMIT / WORK_LIMITS.instances; i++)
      new WorkBudget(scan).spend('instances', WORK_LIMITS.instances, at);
    expect(() => {
      new WorkBudget(scan).spend('instances', 1, at);
    }).toThrow(/with this root the scan needs more than 100,000 resource and module instances/);
  });
});

describe('strings far inside the budget cost time in proportion to their length', () => {
  test('length and strrev of long strings, whose pieces cut through a flag and combining accents', () => {
    const at = { range: { file: 'main.tf', line: 1, column: 1, endLine: 1, endColumn: 2 } };
    const flag = '\u{1F1E9}\u{1F1EA}';
    // 511 letters, then a flag whose two halves and a combining accent fall across the 512-character pieces.
    const text = 'a'.repeat(511) + flag + 'e\u0301'.repeat(300) + '\r\n' + 'x'.repeat(900_000);
    const length = callFunction('length', [str(text)], at);
    expect(length).toMatchObject({ kind: 'number' });
    expect(String((length as { value: unknown }).value)).toBe(String(511 + 1 + 300 + 1 + 900_000));
    const reversed = callFunction('strrev', [str('a'.repeat(600) + flag)], at) as { value: string };
    expect(reversed.value.startsWith(flag)).toBe(true);
  });
});
