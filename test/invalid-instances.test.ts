import { places, runCli, scanFixtures, tree } from './helpers';

// issue 12 item 8: count and for_each that Terraform rejects are input errors at the expression,
// in Terraform's words (internal/terraform/eval_count.go, eval_for_each.go), and make no instance.
const COUNT = 'Invalid count argument: The given "count" argument value';
const NEGATIVE = `${COUNT} is unsuitable: must be greater than or equal to zero.`;
const FRACTION = `${COUNT} is unsuitable: value must be a whole number, between -9223372036854775808 and 9223372036854775807.`;
const NULL_COUNT = `${COUNT} is null. An integer is required.`;
const NOT_A_NUMBER = 'Incorrect value type: Invalid expression value: a number is required.';
const UNSUITABLE = 'The given "for_each" argument value is unsuitable';
const notMapOrSet = (type: string) =>
  `Invalid for_each argument: ${UNSUITABLE}: the "for_each" argument must be a map, or set of strings, and you have provided a value of type ${type}.`;
const SET_OF_NUMBERS = `Invalid for_each set argument: ${UNSUITABLE}: "for_each" supports maps and sets of strings, but you have provided a set containing type number.`;
const SET_WITH_NULL = `Invalid for_each set argument: ${UNSUITABLE}: "for_each" sets must not contain null values.`;

describe('count that Terraform rejects', () => {
  test('negative, fractional, null and non-numeric counts are errors at the count; the numeric string "2" makes two instances', async () => {
    const result = await scanFixtures(['invalid-count']);
    const file = 'fixtures/invalid-count/main.tf';
    expect(result.errors).toEqual([
      { file, line: 8, column: 11, message: NEGATIVE },
      { file, line: 15, column: 11, message: FRACTION },
      { file, line: 22, column: 11, message: NULL_COUNT },
      { file, line: 29, column: 11, message: NOT_A_NUMBER },
    ]);
    expect(places(result)).toEqual([
      { file, line: 40, column: 26, severity: 'error', resource: 'aws_ecr_repository.pair[0]' },
      { file, line: 40, column: 26, severity: 'error', resource: 'aws_ecr_repository.pair[1]' },
    ]);
    expect(result.summary.resources).toBe(2);
  });

  test('the same in Terraform JSON, where a bool count is the wrong type', async () => {
    const result = await scanFixtures(['invalid-count-json']);
    const file = 'fixtures/invalid-count-json/main.tf.json';
    expect(result.errors).toEqual([
      { file, line: 5, column: 18, message: NEGATIVE },
      { file, line: 10, column: 18, message: FRACTION },
      { file, line: 15, column: 18, message: NULL_COUNT },
      { file, line: 20, column: 18, message: 'Incorrect value type: Invalid expression value: number required, but have bool.' },
    ]);
    expect(places(result)).toEqual([
      { file, line: 27, column: 33, severity: 'error', resource: 'aws_ecr_repository.pair[0]' },
      { file, line: 27, column: 33, severity: 'error', resource: 'aws_ecr_repository.pair[1]' },
    ]);
  });
});

describe('for_each that Terraform rejects', () => {
  test('a list literal, a list(string) variable, a set of numbers and a set with null; toset() of the list and {} are fine', async () => {
    const result = await scanFixtures(['invalid-for-each']);
    const file = 'fixtures/invalid-for-each/main.tf';
    expect(result.errors).toEqual([
      { file, line: 8, column: 14, message: notMapOrSet('tuple') },
      { file, line: 15, column: 14, message: notMapOrSet('list of string') },
      { file, line: 22, column: 14, message: SET_OF_NUMBERS },
      { file, line: 29, column: 14, message: SET_WITH_NULL },
    ]);
    // service["api"] is IMMUTABLE; none has no instance.
    expect(places(result)).toEqual([{ file, line: 40, column: 60, severity: 'error', resource: 'aws_ecr_repository.service["web"]' }]);
    expect(result.summary.resources).toBe(2);
  });

  test('the same in Terraform JSON: a JSON array is a tuple, a string is a string', async () => {
    const result = await scanFixtures(['invalid-for-each-json']);
    const file = 'fixtures/invalid-for-each-json/main.tf.json';
    expect(result.errors).toEqual([
      { file, line: 10, column: 21, message: notMapOrSet('tuple') },
      { file, line: 15, column: 21, message: SET_OF_NUMBERS },
      { file, line: 20, column: 21, message: notMapOrSet('string') },
    ]);
    expect(places(result)).toEqual([{ file, line: 27, column: 33, severity: 'error', resource: 'aws_ecr_repository.service["web"]' }]);
  });

  test('exit code 2, with the findings of the valid resources still reported', async () => {
    const { code, json } = await runCli(['scan', '--format', 'json', 'fixtures/invalid-for-each'], process.cwd());
    expect(code).toBe(2);
    expect(json().errors).toHaveLength(4);
    expect(json().findings.map((f: { resource: string }) => f.resource)).toEqual(['aws_ecr_repository.service["web"]']);
  });
});

describe('module calls', () => {
  test('a module for_each over a list and a negative module count make no module instance', async () => {
    const result = await scanFixtures(['invalid-module-instances']);
    const file = 'fixtures/invalid-module-instances/main.tf';
    expect(result.errors).toEqual([
      { file, line: 9, column: 14, message: notMapOrSet('list of string') },
      { file, line: 17, column: 12, message: NEGATIVE },
    ]);
    expect(places(result)).toEqual([
      { file, line: 29, column: 39, severity: 'error', resource: 'module.team_set["search"].aws_ecr_repository.this' },
    ]);
    expect(result.summary.resources).toBe(2);
  });
});

describe('one meta-argument at a time', () => {
  // Each case: the meta-argument line, the error (null: valid), and the addresses judged.
  const CASES: [string, string | null, string[]][] = [
    ['count = "0x2"', NOT_A_NUMBER, []],
    ['count = " 2"', NOT_A_NUMBER, []],
    ['count = [1]', 'Incorrect value type: Invalid expression value: number required, but have tuple.', []],
    ['count = 1.0e20', FRACTION, []],
    ['count = "1"', null, ['r[0]']],
    ['count = 0', null, []],
    ['for_each = []', notMapOrSet('tuple'), []],
    ['for_each = tolist(["a"])', notMapOrSet('list of string'), []],
    ['for_each = "a"', notMapOrSet('string'), []],
    [
      'for_each = null',
      `Invalid for_each argument: ${UNSUITABLE}: the given "for_each" argument value is null. A map, or set of strings is allowed.`,
      [],
    ],
    [
      'for_each = toset([true])',
      `Invalid for_each set argument: ${UNSUITABLE}: "for_each" supports maps and sets of strings, but you have provided a set containing type bool.`,
      [],
    ],
    [
      'for_each = toset([["a"]])',
      `Invalid for_each set argument: ${UNSUITABLE}: "for_each" supports maps and sets of strings, but you have provided a set containing type tuple.`,
      [],
    ],
    ['for_each = toset([])', null, []],
    ['for_each = { b = 1, a = null }', null, ['r["a"]', 'r["b"]']],
    ['for_each = toset(["b", "a", "b"])', null, ['r["a"]', 'r["b"]']],
    // A set with an element known only after apply: its keys cannot be told, so one instance that may exist.
    ['for_each = toset(["a", data.aws_caller_identity.me.account_id])', null, ['r']],
  ];

  test.each(CASES)('%s', async (meta, error, addresses) => {
    const dir = tree({ 'main.tf': `resource "aws_ecr_repository" "r" {\n  ${meta}\n  image_tag_mutability = "MUTABLE"\n}\n` });
    const { code, json } = await runCli(['scan', '--format', 'json'], dir);
    expect(json().errors).toEqual(error ? [{ file: 'main.tf', line: 2, column: meta.indexOf('=') + 5, message: error }] : []);
    expect(json().findings.map((f: { resource: string }) => f.resource.replace('aws_ecr_repository.', ''))).toEqual(addresses);
    expect(code).toBe(error ? 2 : addresses.length ? 1 : 0);
  });
});

describe('count and for_each together', () => {
  test('an error at for_each, whatever the values, and no instance; the next resource is judged', async () => {
    const dir = tree({
      'main.tf':
        'resource "aws_ecr_repository" "both" {\n  count    = 1\n  for_each = toset(["a"])\n  name     = "both"\n}\n\nresource "aws_ecr_repository" "next" {\n  name = "next"\n}\n',
    });
    const { code, json } = await runCli(['scan', '--format', 'json', '.'], dir);
    expect(code).toBe(2);
    expect(json().errors).toEqual([
      {
        file: 'main.tf',
        line: 3,
        column: 3,
        message:
          'Invalid combination of "count" and "for_each": The "count" and "for_each" meta-arguments are mutually-exclusive, only one should be used to be explicit about the number of resources to be created.',
      },
    ]);
    expect(json().findings.map((f: { resource: string }) => f.resource)).toEqual(['aws_ecr_repository.next']);
  });
});

describe('counts too large to expand', () => {
  test("a count past the root's work budget is an input error at the count, naming the budget; the other root is still judged", async () => {
    const dir = tree({
      'huge/main.tf':
        'resource "aws_ecr_repository" "many" {\n  count                = 1000000000\n  name                 = "many-${count.index}"\n  image_tag_mutability = "MUTABLE"\n}\n',
      'next/main.tf': 'resource "aws_ecr_repository" "next" {\n  name = "next"\n}\n',
    });
    const { code, json } = await runCli(['scan', '--format', 'json', '.'], dir);
    expect(code).toBe(2);
    expect(json().errors).toEqual([
      {
        file: 'huge/main.tf',
        line: 2,
        column: 26,
        message: 'this root needs more than 10,000 resource and module instances, the most tagguard spends on one root; it is not judged',
      },
    ]);
    expect(json().findings.map((f: { resource: string; severity: string }) => [f.resource, f.severity])).toEqual([
      ['aws_ecr_repository.next', 'error'],
    ]);
  });
});
