import { parseHcl } from '../src/parse/hcl';
import { SourceFile } from '../src/parse/source';
import { Evaluator } from '../src/terraform/eval/evaluate';
import { nil, type Plain, str, toPlain, type Value } from '../src/terraform/eval/value';
import { defined, matching, places, scanDir, tree } from './helpers';

// Issue 13 item 1: numbers are Terraform's (Go big.Float, 512-bit mantissas) and regular
// expressions are RE2. Every expected value below is what `terraform console` (Terraform
// 1.11.4, cty 1.16.0) prints for the expression, written into the test.

async function evaluate(text: string): Promise<Value> {
  const result = await parseHcl(new SourceFile('main.tf', `x = ${text}\n`));
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
  const evaluator = new Evaluator({ variable: () => nil(), local: () => nil(), path: () => str('.') });
  return evaluator.evaluate(defined(result.file.body.attributes.get('x'), 'attribute x').expr);
}

/** What jsonencode writes for the expression's value: Terraform's own text for numbers, exactly. */
async function json(text: string): Promise<string> {
  const v = await evaluate(`jsonencode(${text})`);
  if (v.kind !== 'string') throw new Error(`${text} is ${JSON.stringify(v)}`);
  return v.value;
}

/** The reason of a failure Terraform reports (try() catches it); throws for any other value. */
async function failureOf(text: string): Promise<string> {
  const v = await evaluate(text);
  if (v.kind !== 'unknown' || !v.error) throw new Error(`${text} is ${JSON.stringify(v)}`);
  return v.reason;
}

describe('numbers as terraform console computes them', () => {
  test.each<[string, string]>([
    [String.raw`9007199254740993 - 9007199254740992`, '1'],
    [String.raw`9007199254740993`, '9007199254740993'],
    [String.raw`9007199254740993 + 0`, '9007199254740993'],
    [String.raw`123456789012345678901234567890 * 10`, '1234567890123456789012345678900'],
    [String.raw`0.1 + 0.2`, '0.3'],
    [String.raw`0.1 + 0.2 == 0.3`, 'true'],
    [String.raw`0.1 * 3 == 0.3`, 'true'],
    [
      String.raw`1/3`,
      '0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335',
    ],
    [
      String.raw`2/3`,
      '0.6666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666666667',
    ],
    [String.raw`1/3 * 3 == 1`, 'true'],
    [String.raw`1/3 + 1/3 + 1/3 == 1`, 'true'],
    [String.raw`10/4`, '2.5'],
    [String.raw`-7 % 3`, '-1'],
    [String.raw`7 % -3`, '1'],
    [String.raw`5.5 % 2`, '1.5'],
    [String.raw`5 % 0`, '5'],
    [String.raw`length([1]) / length([1, 2, 3])`, '0.33333333333333333334'],
    [String.raw`length([1]) / length([1, 2, 3]) == 1/3`, 'false'],
    [String.raw`1.5e3`, '1500'],
    [String.raw`1.0e-2`, '0.01'],
    [String.raw`0.0000001`, '0.0000001'],
    [String.raw`1.5e-7`, '0.00000015'],
    [String.raw`1.0e30`, '1000000000000000000000000000000'],
    [String.raw`-0`, '-0'],
    [String.raw`[for i in range(3) : i * 0.1]`, '[0,0.1,0.2]'],
    [
      String.raw`range(1, 2, 0.3)`,
      '[1,1.3,1.5999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999,1.8999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999998]',
    ],
    [String.raw`range(0, 1, 0.25)`, '[0,0.25,0.5,0.75]'],
    [String.raw`range(2.5)`, '[0,1,2]'],
    [String.raw`range(1.0e600, 1.0e600 + 3)`, '[]'],
    [String.raw`tonumber("1e3")`, '1000'],
    [String.raw`tonumber("1E5")`, '100000'],
    [String.raw`tonumber(".5")`, '0.5'],
    [String.raw`tonumber("5.")`, '5'],
    [String.raw`tonumber("+5")`, '5'],
    [String.raw`tonumber("00012")`, '12'],
    [String.raw`tonumber("1p4")`, '16'],
    [String.raw`tonumber("-0")`, '-0'],
    [String.raw`tonumber("9007199254740993")`, '9007199254740993'],
    [String.raw`tostring(1.0e3)`, '"1000"'],
    [String.raw`tostring(0.1 + 0.2)`, '"0.3"'],
    [String.raw`tostring(9007199254740993)`, '"9007199254740993"'],
    [
      String.raw`tostring(1/3)`,
      '"0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335"',
    ],
    [String.raw`tostring(1.0e-30)`, '"0.000000000000000000000000000001"'],
    ['"${0.1 + 0.2}"', '0.3'],
    ['"${9007199254740993 - 1}"', '9007199254740992'],
    [String.raw`floor(-1.5)`, '-2'],
    [String.raw`ceil(-0.5)`, '0'],
    [String.raw`floor(2.5)`, '2'],
    [String.raw`ceil(1.2)`, '2'],
    [String.raw`abs(-2.5)`, '2.5'],
    [String.raw`abs(-9007199254740993)`, '9007199254740993'],
    [String.raw`min(9007199254740993, 9007199254740992)`, '9007199254740992'],
    [String.raw`max(0.1 + 0.2, 0.3)`, '0.3'],
    [String.raw`sum([0.1, 0.2])`, '0.3'],
    [String.raw`sum([9007199254740993, -9007199254740992])`, '1'],
    [String.raw`signum(-3)`, '-1'],
    [String.raw`pow(2, 10)`, '1024'],
    [String.raw`pow(3, 40)`, '12157665459056929000'],
    [String.raw`pow(1.1, 10)`, '2.593742460100002'],
    [String.raw`pow(2, 0.5)`, '1.4142135623730951'],
    [String.raw`pow(2, 0.5) == 1.4142135623730951`, 'true'],
    [String.raw`pow(10, -2)`, '0.01'],
    [String.raw`parseint("ff", 16)`, '255'],
    [String.raw`parseint("-101", 2)`, '-5'],
    [String.raw`parseint("zZ", 62)`, '2231'],
    [String.raw`parseint("+7", 10)`, '7'],
    [String.raw`parseint("123456789012345678901234567890", 10) / 7`, '17636684144620811271604938270'],
    [String.raw`[9007199254740993, 9007199254740992][1]`, '9007199254740992'],
    [String.raw`element(["a", "b", "c"], 9007199254740993)`, '"a"'],
    [String.raw`format("%d", 9007199254740993)`, '"9007199254740993"'],
    [String.raw`format("%v", 9007199254740993)`, '"9.007199254740993e+15"'],
    [String.raw`format("%v", 1.0e30)`, '"1e+30"'],
    [
      String.raw`format("%v", 1/3)`,
      '"0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335"',
    ],
    [String.raw`format("%v", 0.1)`, '"0.1"'],
    [String.raw`format("%f", 1.0e30)`, '"1000000000000000000000000000000.000000"'],
    [String.raw`format("%.2f", 1.005)`, '"1.00"'],
    [String.raw`format("%.2f", 2.675)`, '"2.67"'],
    [String.raw`format("%.0f %.0f %.0f %.1f", 0.5, 1.5, 2.5, 0.25)`, '"0 2 2 0.2"'],
    [String.raw`format("%e", 1/3)`, '"3.333333e-01"'],
    [String.raw`format("%e", 0)`, '"0.000000e+00"'],
    [String.raw`format("%g %g %g", 100000, 1000000, 1.0e-5)`, '"100000 1e+06 1e-05"'],
    [String.raw`format("%.3g|%.10g|%g", 1234.5678, 1/3, 123456789)`, '"1.23e+03|0.3333333333|1.23456789e+08"'],
    [String.raw`format("%5.1f|%-6.2e|%+g|%08.3f|%G", 3.14159, 1234.5, 0.5, -3.14159, 1.0e-7)`, '"  3.1|1.23e+03|+0.5|-003.142|1E-07"'],
    [String.raw`format("%x %X %o %b", 255, -255, 8, 5)`, '"ff -FF 10 101"'],
    [String.raw`format("%5d|%-5d|%05d|%+d|% d", 42, 42, -42, 42, 42)`, '"   42|42   |-0042|+42| 42"'],
    [String.raw`format("%#x %#o %.3d", 255, 8, 7)`, '"0xff 010 007"'],
    [
      String.raw`jsonencode([0.1, 1.0e21, -1/3, 9007199254740993])`,
      '"[0.1,1000000000000000000000,-0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335,9007199254740993]"',
    ],
    [String.raw`jsondecode("9007199254740993")`, '9007199254740993'],
    [String.raw`jsondecode("[0.1, 1e3, -0]")`, '[0.1,1000,-0]'],
    [String.raw`jsondecode("0.1") == 0.1`, 'true'],
    [String.raw`toset([3, 1, 2, 1, 0.5])`, '[0.5,1,2,3]'],
    [String.raw`distinct([1, 1.0, 0.1 + 0.2, 0.3])`, '[1,0.3]'],
    [String.raw`contains([0.3], 0.1 + 0.2)`, 'true'],
    [String.raw`9007199254740993 > 9007199254740992`, 'true'],
    [String.raw`0.1 + 0.2 > 0.3`, 'false'],
    [String.raw`tonumber("inf") > 1.0e300`, 'true'],
    // Infinities: 1/0 is +Inf, as is "inf" read as a number.
    [String.raw`tostring(tonumber("inf"))`, '"+Inf"'],
    [String.raw`1/0 == tonumber("inf")`, 'true'],
    [String.raw`tostring(-1/0)`, '"-Inf"'],
    [String.raw`floor(1/0) == 1/0`, 'true'],
    [String.raw`min(1/0, 3)`, '3'],
    [String.raw`format("%f|%v|%E", 1/0, -1/0, 1/0)`, '"+Inf|-Inf|+Inf"'],
  ])('jsonencode(%s) is %s', async (text, expected) => {
    expect(await json(text)).toBe(expected);
  });

  test.each<[string, string]>([
    // cty.ParseNumberVal reads Go's float syntax: no hex, no spaces, no underscores, no "Infinity".
    [String.raw`tonumber("0x10")`, 'call to function "tonumber" failed: "0x10" is not a number'],
    [String.raw`tonumber("Infinity")`, 'call to function "tonumber" failed: "Infinity" is not a number'],
    [String.raw`tonumber(" 1")`, 'call to function "tonumber" failed: " 1" is not a number'],
    [String.raw`tonumber("1 ")`, 'call to function "tonumber" failed: "1 " is not a number'],
    [String.raw`tonumber("1_000")`, 'call to function "tonumber" failed: "1_000" is not a number'],
    [String.raw`tonumber("1e")`, 'call to function "tonumber" failed: "1e" is not a number'],
    [String.raw`tonumber("NaN")`, 'call to function "tonumber" failed: "NaN" is not a number'],
    [String.raw`tonumber("")`, 'call to function "tonumber" failed: "" is not a number'],
    [String.raw`tonumber("0b101")`, 'call to function "tonumber" failed: "0b101" is not a number'],
    [String.raw`0/0`, "Error during operation: can't divide zero by zero or infinity by infinity"],
    [String.raw`tonumber("inf") - tonumber("inf")`, "Error during operation: can't subtract infinity from itself"],
    [String.raw`tonumber("inf") * 0`, "Error during operation: can't multiply zero by infinity"],
    [String.raw`5 % tonumber("inf")`, "Error during operation: can't use modulo with zero and infinity"],
    [String.raw`[1, 2][0.5]`, 'indexing a sequence requires a whole number, but the given index has a fractional part'],
    [String.raw`[1, 2][1/0]`, 'indexing a sequence requires a whole number, but the given index has a fractional part'],
    [
      String.raw`signum(0.5)`,
      'call to function "signum" failed: value must be a whole number, between -9223372036854775808 and 9223372036854775807',
    ],
    [String.raw`parseint("0x10", 16)`, 'call to function "parseint" failed: cannot parse "0x10" as a base 16 integer'],
    [String.raw`parseint("1_0", 10)`, 'call to function "parseint" failed: cannot parse "1_0" as a base 10 integer'],
    [String.raw`parseint("", 10)`, 'call to function "parseint" failed: cannot parse "" as a base 10 integer'],
    [String.raw`parseint("12", 1)`, 'call to function "parseint" failed: base must be a whole number between 2 and 62 inclusive'],
    [
      String.raw`parseint("12", 10.5)`,
      'call to function "parseint" failed: value must be a whole number, between -9223372036854775808 and 9223372036854775807',
    ],
    [String.raw`format("%d", 1.5)`, 'call to function "format" failed: unsupported value for "%d" at 0: an integer is required'],
    [String.raw`format("%d", 1/0)`, 'call to function "format" failed: unsupported value for "%d" at 0: an integer is required'],
    [String.raw`jsonencode(1/0)`, 'call to function "jsonencode" failed: cannot serialize infinity as JSON'],
  ])('%s fails: %s', async (text, reason) => {
    expect(await failureOf(text)).toBe(reason);
  });

  test('a number beyond 1e±1000 is unknown to the scan, not a failure try() would catch', async () => {
    for (const text of ['tonumber("1e5000")', '1.0e999 * 10', 'tonumber("1e-1001")']) {
      const v = await evaluate(text);
      expect(v).toMatchObject({ kind: 'unknown', reason: matching(/a number beyond 1e±1000 is not evaluated/) });
      expect(v).not.toHaveProperty('error', true);
    }
  });
});

describe('numbers in the policy input', () => {
  // A JavaScript number where it denotes exactly Terraform's decimal; otherwise Terraform's text.
  test.each<[string, Plain]>([
    ['30', 30],
    ['0.1 + 0.2', 0.3],
    ['tonumber("1e30")', 1e30],
    ['-0', -0],
    ['9007199254740993', '9007199254740993'],
    [
      '1/3',
      '0.33333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333333335',
    ],
    ['tonumber("inf")', '+Inf'],
    ['[1.5, 9007199254740993]', [1.5, '9007199254740993']],
  ])('%s is %p', async (text, expected) => {
    expect(toPlain(await evaluate(text))).toEqual(expected);
  });
});

describe('regular expressions as RE2 has them', () => {
  test.each<[string, string]>([
    [String.raw`regex("[[:lower:]]+", "ABcdE")`, '"cd"'],
    [String.raw`regex("[[:^alpha:]]+", "ab12c")`, '"12"'],
    [String.raw`regex("\\pL+", "12héllo")`, '"héllo"'],
    [String.raw`regex("\\p{Greek}+", "abc αβγ")`, '"αβγ"'],
    [String.raw`regex("a(?i)b", "xAB aB")`, '"aB"'],
    [String.raw`regex("(?i)ǅ", "ǆ")`, '"ǆ"'],
    [String.raw`regex("(?P<x>a)(?P<y>b)?", "ac")`, '{"x":"a","y":null}'],
    [String.raw`regex("(?<x>a)", "a")`, '{"x":"a"}'],
    [String.raw`regex("(?P<mode>[[:upper:]]+)", "tags are MUTABLE")`, '{"mode":"MUTABLE"}'],
    [String.raw`regex("(\\d+)-(\\d+)", "x 10-20")`, '["10","20"]'],
    [String.raw`regex("\\d+", "١٢3")`, '"3"'],
    [String.raw`regex("\\w+", "héllo")`, '"h"'],
    [String.raw`regex("(?U)a+", "aaa")`, '"a"'],
    [String.raw`regex("\\Qa.b\\E", "xa.b")`, '"a.b"'],
    [String.raw`regex("\\bx", "ax x")`, '"x"'],
    [String.raw`regex("(?m)^b", "ab\nb")`, '"b"'],
    [String.raw`regex("(?s)a.b", "a\nb")`, '"a\\nb"'],
    [String.raw`regex("\\x{1F600}", "😀")`, '"😀"'],
    [String.raw`regex("\\A\\d", "1a")`, '"1"'],
    [String.raw`regex("a\\z", "ba")`, '"a"'],
    [String.raw`regexall("a*", "baaac")`, '["","aaa",""]'],
    [String.raw`regexall("", "ab")`, '["","",""]'],
    [String.raw`regexall("(a)|b", "ab")`, '[["a"],[null]]'],
    [String.raw`regexall(".", "😀a")`, '["😀","a"]'],
    [String.raw`regexall("\\b", "ab cd")`, '["","","",""]'],
    [String.raw`regexall("[[:upper:]]", "MUTABLE")`, '["M","U","T","A","B","L","E"]'],
    [String.raw`replace("baaac", "/a*/", "-")`, '"-b-c-"'],
    [String.raw`replace("abc", "/x*/", "-")`, '"-a-b-c-"'],
    [String.raw`replace("😀a", "/x*/", "-")`, '"-😀-a-"'],
    [String.raw`replace("ab", "/(a)/", "$1x")`, '"b"'],
    ['replace("ab", "/(?P<n>a)/", "[$n][$${n}x][$nx][$$][$!][$${n]")', '"[a][ax][][$][$!][${n]b"'],
    [String.raw`replace("aaa", "/a/", "$0")`, '"aaa"'],
    [String.raw`replace("aXbX", "/(?i)x/", "_")`, '"a_b_"'],
    [String.raw`replace("a.b", "/\\Q.\\E/", "!")`, '"a!b"'],
    [String.raw`replace("Hello World", "/[[:upper:]]/", "_")`, '"_ello _orld"'],
    ['replace("v1.2.3", "/v(?P<major>\\\\d+)\\\\..*/", "major=$${major}, $$")', '"major=1, $"'],
  ])('jsonencode(%s) is %s', async (text, expected) => {
    expect(await json(text)).toBe(expected);
  });

  test.each<[string, string]>([
    [String.raw`regex("(", "x")`, 'call to function "regex" failed: invalid regexp pattern: missing closing ) in ('],
    [String.raw`regex("a++", "a")`, 'call to function "regex" failed: invalid regexp pattern: invalid nested repetition operator in ++'],
    [String.raw`regex("x{1001}", "x")`, 'call to function "regex" failed: invalid regexp pattern: invalid repeat count in {1001}'],
    [
      String.raw`regex("(a)(?P<n>b)", "ab")`,
      'call to function "regex" failed: invalid regexp pattern: cannot mix both named and unnamed capture groups',
    ],
    [String.raw`regex("\\Z", "x")`, 'call to function "regex" failed: invalid regexp pattern: invalid escape sequence in \\Z'],
    [String.raw`regex("(?=a)", "a")`, 'call to function "regex" failed: invalid regexp pattern: invalid or unsupported Perl syntax in (?='],
    [String.raw`regex("\\1", "x")`, 'call to function "regex" failed: invalid regexp pattern: invalid escape sequence in \\1'],
    [String.raw`regex("^b", "ab\nb")`, 'call to function "regex" failed: pattern did not match any part of the given string'],
    [String.raw`replace("x", "/(/", "y")`, 'call to function "replace" failed: error parsing regexp: missing closing ): `(`'],
    [
      String.raw`replace("héllo", "/(?P<é>l+)/", "x")`,
      'call to function "replace" failed: error parsing regexp: invalid named capture: `(?P<é>`',
    ],
  ])('%s fails: %s', async (text, reason) => {
    expect(await failureOf(text)).toBe(reason);
  });

  test('a pattern that backtracks exponentially elsewhere runs in linear time', async () => {
    // No timing assertion: a backtracking engine does not return from this within jest's timeout.
    const v = await evaluate(`can(regex("(a+)+$", "${'a'.repeat(30)}!"))`);
    expect(toPlain(v)).toBe(false);
    const long = await evaluate(`length(regexall("(a|aa)+$", "${'a'.repeat(5000)}!"))`);
    expect(toPlain(long)).toBe(0);
  });
});

const MUTABLE = { severity: 'error' } as const;

describe('a scan decided by Terraform numbers', () => {
  test('9007199254740993 - 9007199254740992, 0.1 + 0.2 == 0.3 and Go number syntax each decide a repository', async () => {
    const dir = tree({
      'main.tf': [
        'resource "aws_ecr_repository" "counted" {',
        '  name                 = "counted"',
        '  count                = 9007199254740993 - 9007199254740992',
        '  image_tag_mutability = "MUTABLE"',
        '}',
        '',
        'resource "aws_ecr_repository" "sum" {',
        '  name                 = "sum"',
        '  image_tag_mutability = 0.1 + 0.2 == 0.3 ? "MUTABLE" : "IMMUTABLE"',
        '}',
        '',
        'resource "aws_ecr_repository" "parsed" {',
        '  name                 = "parsed"',
        '  image_tag_mutability = try(tonumber("0x10"), tonumber("1p4"), 0) == 16 ? "MUTABLE" : "IMMUTABLE"',
        '}',
        '',
        'resource "aws_ecr_repository" "third" {',
        '  name                 = "third"',
        '  image_tag_mutability = 1/3 * 3 == 1 ? "MUTABLE" : "IMMUTABLE"',
        '}',
        '',
      ].join('\n'),
    });
    const result = await scanDir(dir);
    expect(result.errors).toEqual([]);
    expect(places(result)).toEqual([
      { file: 'main.tf', line: 4, column: 26, ...MUTABLE, resource: 'aws_ecr_repository.counted[0]' },
      { file: 'main.tf', line: 9, column: 45, ...MUTABLE, resource: 'aws_ecr_repository.sum' },
      { file: 'main.tf', line: 14, column: 76, ...MUTABLE, resource: 'aws_ecr_repository.parsed' },
      { file: 'main.tf', line: 19, column: 41, ...MUTABLE, resource: 'aws_ecr_repository.third' },
    ]);
  });
});

describe('a scan decided by RE2', () => {
  test('POSIX classes, named groups and flags in mid-pattern each decide a repository', async () => {
    const dir = tree({
      'main.tf': [
        'resource "aws_ecr_repository" "posix" {',
        '  name                 = "posix"',
        '  image_tag_mutability = length(regexall("[[:upper:]]", "MUTABLE")) == 7 ? "MUTABLE" : "IMMUTABLE"',
        '}',
        '',
        'resource "aws_ecr_repository" "named" {',
        '  name                 = "named"',
        '  image_tag_mutability = regex("(?P<mode>[[:upper:]]+)$", "tags: MUTABLE").mode',
        '}',
        '',
        'resource "aws_ecr_repository" "flags" {',
        '  name                 = "flags"',
        '  image_tag_mutability = can(regex("^im(?i)mutable$", "imMUTABLE")) ? "MUTABLE" : "IMMUTABLE"',
        '}',
        '',
        'resource "aws_ecr_repository" "letters" {',
        '  name                 = "letters"',
        '  image_tag_mutability = replace("MUTABLE_é1", "/[^\\\\p{Lu}]+/", "")',
        '}',
        '',
      ].join('\n'),
    });
    const result = await scanDir(dir);
    expect(result.errors).toEqual([]);
    expect(places(result)).toEqual([
      { file: 'main.tf', line: 3, column: 76, ...MUTABLE, resource: 'aws_ecr_repository.posix' },
      { file: 'main.tf', line: 8, column: 26, ...MUTABLE, resource: 'aws_ecr_repository.named' },
      { file: 'main.tf', line: 13, column: 71, ...MUTABLE, resource: 'aws_ecr_repository.flags' },
      { file: 'main.tf', line: 18, column: 26, ...MUTABLE, resource: 'aws_ecr_repository.letters' },
    ]);
    expect(result.findings.map((f) => f.message)).toEqual(expect.arrayContaining([expect.stringMatching(/MUTABLE/)]));
  });

  test('regex("(a+)+$", …) on 30 a\'s and a "!" ends, and decides the repository', async () => {
    const dir = tree({
      'main.tf': [
        'resource "aws_ecr_repository" "redos" {',
        '  name                 = "redos"',
        `  image_tag_mutability = can(regex("(a+)+$", "${'a'.repeat(30)}!")) ? "IMMUTABLE" : "MUTABLE"`,
        '}',
        '',
      ].join('\n'),
    });
    const result = await scanDir(dir);
    expect(places(result)).toEqual([{ file: 'main.tf', line: 3, column: 98, ...MUTABLE, resource: 'aws_ecr_repository.redos' }]);
  });
});
