import type { Range } from '../src/parse/source';
import { callFunction, FUNCTIONS } from '../src/terraform/eval/functions';
import { parseNumber } from '../src/terraform/eval/number';
import {
  failure,
  firstUnknown,
  list,
  map,
  nil,
  num,
  type Plain,
  str,
  toPlain,
  type TraceStep,
  unknown,
  type Value,
} from '../src/terraform/eval/value';
import { defined } from './helpers';

// Every input is written at its own fake line, so a result's origin says which input it came from.
const at = (line: number): Range => ({ file: 'main.tf', line, column: 3, endLine: line, endColumn: 30 });
const CALL = at(99);
const LATER = unknown('aws_ecr_repository.x.arn is known only after apply', at(90));
const BROKEN = failure('no element "nope"', at(91));

/** Arguments written as plain data; Value instances inside are kept as they are. */
type In = Value | string | number | boolean | null | In[] | { [key: string]: In };

function isValue(x: unknown): x is Value {
  return (
    typeof x === 'object' && x !== null && !Array.isArray(x) && typeof (x as Value).kind === 'string' && Array.isArray((x as Value).trace)
  );
}

function v(x: In): Value {
  if (isValue(x)) return x;
  if (x === null) return nil(at(1));
  if (typeof x === 'string') return str(x, at(1));
  // A number is read as Terraform reads the literal written the same way (512 bits).
  if (typeof x === 'number') return num(defined(parseNumber(String(x)), `the number ${x}`), at(1));
  if (typeof x === 'boolean') return { kind: 'bool', value: x, origin: at(1), trace: [] };
  if (Array.isArray(x)) return list(x.map(v), at(1));
  return map(
    Object.entries(x).map(([k, e]) => [k, v(e)]),
    at(1),
  );
}

const call = (name: string, ...args: In[]) => callFunction(name, args.map(v), { range: CALL });
const set = (...items: In[]) => list(items.map(v), at(1), [], true);
const known = (r: Value) => {
  expect(firstUnknown(r)).toBeUndefined();
  return toPlain(r);
};

describe('results', () => {
  test.each<[string, In[], Plain]>([
    // selection
    ['coalesce', [null, '', 'a', 'b'], 'a'],
    ['coalesce', [null, 1, 'b'], '1'],
    ['coalesce', [null, 2, 3], 2],
    ['coalescelist', [[], null, ['a'], ['b']], ['a']],
    ['lookup', [{ a: 'x' }, 'a'], 'x'],
    ['lookup', [{ a: 'x' }, 'b', 'd'], 'd'],
    ['lookup', [{ a: 'x' }, 'b', null], null],
    ['try', [BROKEN, 'fallback'], 'fallback'],
    ['try', [[BROKEN], { a: BROKEN }, 'fallback'], 'fallback'],
    ['try', [null, 'x'], null],
    ['can', ['x'], true],
    ['can', [BROKEN], false],
    ['can', [{ a: [BROKEN] }], false],
    ['element', [['a', 'b', 'c'], 4], 'b'],
    ['element', [['a', 'b', 'c'], '0'], 'a'],
    ['one', [[]], null],
    ['one', [['x']], 'x'],
    ['one', [set('x')], 'x'],
    ['sensitive', ['s'], 's'],
    ['nonsensitive', [null], null],
    // collections
    ['merge', [{ a: 1, b: 1 }, null, { b: 2, c: [3] }], { a: 1, b: 2, c: [3] }],
    ['merge', [], {}],
    ['concat', [['a'], [], ['b', 'c']], ['a', 'b', 'c']],
    ['flatten', [[['a', ['b', []]], [], 'c']], ['a', 'b', 'c']],
    ['flatten', [set('a', 'b')], ['a', 'b']],
    ['values', [{ b: 1, a: 2 }], [2, 1]],
    ['keys', [{ b: 1, a: 2, B: 3 }], ['B', 'a', 'b']],
    ['keys', [{ '\u{1F600}': 1, '\uFF01': 2 }], ['\uFF01', '\u{1F600}']],
    [
      'zipmap',
      [
        ['a', 'b'],
        [1, [2]],
      ],
      { a: 1, b: [2] },
    ],
    ['distinct', [['a', 'b', 'a', 'c', 'b']], ['a', 'b', 'c']],
    ['distinct', [[{ x: 1 }, { x: 1 }, { x: 2 }]], [{ x: 1 }, { x: 2 }]],
    ['compact', [['a', '', null, 'b', 1]], ['a', 'b', '1']],
    ['slice', [['a', 'b', 'c', 'd'], 1, 3], ['b', 'c']],
    ['slice', [['a'], 1, 1], []],
    ['reverse', [[1, 2, 3]], [3, 2, 1]],
    ['sort', [['b', 'a', 'C', 10, 9]], ['10', '9', 'C', 'a', 'b']],
    ['range', [3], [0, 1, 2]],
    ['range', [1, 4], [1, 2, 3]],
    ['range', [3, 0], [3, 2, 1]],
    ['range', [5, 0, -2], [5, 3, 1]],
    ['range', [0, 1, 0.25], [0, 0.25, 0.5, 0.75]],
    ['range', [0], []],
    ['tolist', [set('b', 'a')], ['b', 'a']],
    ['tolist', [['a', 1, true]], ['a', '1', 'true']],
    ['tolist', [null], null],
    ['toset', [['b', 'a', 'b']], ['a', 'b']],
    ['toset', [['b', 1, 'a', '1']], ['1', 'a', 'b']],
    ['toset', [[10, 9, 10]], [9, 10]],
    ['toset', [['\u{1F600}', '\uFF01', 'z']], ['z', '\uFF01', '\u{1F600}']],
    ['tomap', [{ a: 1, b: 'x' }], { a: '1', b: 'x' }],
    ['setunion', [['b'], ['a', 'b'], set('c')], ['a', 'b', 'c']],
    [
      'setintersection',
      [
        ['a', 'b', 'c'],
        ['b', 'c', 'd'],
        ['c', 'b'],
      ],
      ['b', 'c'],
    ],
    ['setsubtract', [['a', 'b', 'c'], ['b']], ['a', 'c']],
    // questions
    ['length', ['héllo💃🏿'], 6],
    ['length', [[1, 2, 3]], 3],
    ['length', [{ a: 1 }], 1],
    ['length', [set('a', 'b')], 2],
    ['contains', [['a', 'b'], 'b'], true],
    ['contains', [['a'], 'c'], false],
    ['contains', [['1'], 1], false],
    ['contains', [[{ a: 1 }], { a: 1 }], true],
    ['index', [['a', 'b'], 'b'], 1],
    ['alltrue', [[true, 'true']], true],
    ['alltrue', [[]], true],
    ['alltrue', [[true, false]], false],
    ['alltrue', [[true, null]], false],
    ['anytrue', [[false, true]], true],
    ['anytrue', [[null, false]], false],
    ['anytrue', [[]], false],
    // strings
    ['upper', ['abc-é'], 'ABC-É'],
    ['upper', [12], '12'],
    ['lower', ['ÀBC'], 'àbc'],
    ['title', ['hello wORLD-foo_bar'], 'Hello WORLD-Foo_bar'],
    ['trimspace', ['  a b \n'], 'a b'],
    ['trim', ['?!hello?!', '!?'], 'hello'],
    ['trimprefix', ['helloworld', 'hello'], 'world'],
    ['trimprefix', ['hello', 'x'], 'hello'],
    ['trimsuffix', ['helloworld', 'world'], 'hello'],
    ['chomp', ['a\r\n\n'], 'a'],
    ['strrev', ['abc'], 'cba'],
    ['indent', [2, 'a\nb'], 'a\n  b'],
    ['startswith', ['hello', 'he'], true],
    ['startswith', ['hello', 'lo'], false],
    ['endswith', ['hello', 'lo'], true],
    ['strcontains', ['hello', 'ell'], true],
    ['strcontains', ['hello', 'x'], false],
    ['substr', ['hello world', 1, 4], 'ello'],
    ['substr', ['hello', -3, -1], 'llo'],
    ['substr', ['hello', 10, 2], ''],
    ['format', ['Hello, %s!', 'Ander'], 'Hello, Ander!'],
    ['format', ['There are %d lights', 4], 'There are 4 lights'],
    ['format', ['%d', '4'], '4'],
    ['format', ['%s', 1.5], '1.5'],
    ['format', ['%q', 'a"b'], '"a\\"b"'],
    ['format', ['100%%'], '100%'],
    ['format', ['%v %v %v %v', 'a', 2, true, null], 'a 2 true null'],
    ['format', ['%v', 1234567], '1.234567e+06'],
    ['format', ['%v|%#v', ['a', { b: 1 }], 'x'], '["a",{"b":1}]|"x"'],
    ['format', ['%[2]s-%[1]s', 'a', 'b'], 'b-a'],
    [
      'format',
      ['%5s|%-5s|%05d|%+d|%.2f|%x|%X|%o|%b', 'ab', 'cd', -42, 3, 3.14159, 255, 255, 8, 5],
      '   ab|cd   |-0042|+3|3.14|ff|FF|10|101',
    ],
    [
      'format',
      ['%f %e %E %g %g %.3g', 10, 1000, 1000, 1000, 0.00001, 1234.5678],
      '10.000000 1.000000e+03 1.000000E+03 1000 1e-05 1.23e+03',
    ],
    ['format', ['%.2s %t %4.2q', 'hello', 'false', 'hello'], 'he false "he"'],
    ['format', ['%4s|', '💃🏿'], '   💃🏿|'],
    ['formatlist', ['%s-%s', ['a', 'b'], 'x'], ['a-x', 'b-x']],
    ['formatlist', ['%s=%s', ['a', 'b'], [1, 2]], ['a=1', 'b=2']],
    ['formatlist', ['%s', []], []],
    ['formatlist', ['%s', 'x'], ['x']],
    ['join', [',', [1, 2], ['a', true]], '1,2,a,true'],
    ['join', ['-', []], ''],
    ['join', ['-', set('b', 'a')], 'b-a'],
    ['split', [',', 'a,b,,c'], ['a', 'b', '', 'c']],
    ['split', [',', ''], ['']],
    ['split', ['', 'ab'], ['a', 'b']],
    ['replace', ['a-b-c', '-', '_'], 'a_b_c'],
    ['replace', ['abc', '', '-'], '-a-b-c-'],
    ['replace', ['a/b', '/', '|'], 'a|b'],
    ['replace', ['hello two', '/o(\\s|$)/', '0$1'], 'hell0 tw0'],
    ['replace', ['v1.2.3', '/v(?P<major>\\d+)\\..*/', 'major=${major}, $$'], 'major=1, $'],
    ['replace', ['ab', '/(a)/', '${1}x$1x'], 'axb'],
    ['regex', ['[a-z]+', '12abc34'], 'abc'],
    ['regex', ['(\\d+)-(\\d+)', 'x 10-20'], ['10', '20']],
    ['regex', ['(?P<a>\\d+)-(?P<b>x)?', '12-'], { a: '12', b: null }],
    ['regex', ['(?i)^ABC', 'abcd'], 'abc'],
    ['regexall', ['[a-z]+', 'ab 12 cd'], ['ab', 'cd']],
    [
      'regexall',
      ['(\\w)=(\\d)', 'a=1 b=2'],
      [
        ['a', '1'],
        ['b', '2'],
      ],
    ],
    ['regexall', ['z', 'abc'], []],
    // encoding
    ['jsonencode', [{ b: [1, 1.5, '<&>'], a: null, c: true }], '{"a":null,"b":[1,1.5,"\\u003c\\u0026\\u003e"],"c":true}'],
    ['jsonencode', [0.0000001], '0.0000001'],
    ['jsonencode', [null], 'null'],
    ['jsondecode', ['{"a":[1,"x",null,true]}'], { a: [1, 'x', null, true] }],
    ['base64encode', ['hi'], 'aGk='],
    ['base64decode', ['aGk='], 'hi'],
    ['md5', [''], 'd41d8cd98f00b204e9800998ecf8427e'],
    ['sha1', [''], 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['sha256', [''], 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
    // conversions
    ['tostring', [1.5], '1.5'],
    ['tostring', [true], 'true'],
    ['tostring', ['x'], 'x'],
    ['tostring', [null], null],
    ['tonumber', ['42'], 42],
    ['tonumber', [null], null],
    ['tobool', ['true'], true],
    // numbers
    ['min', [3, 1, '2'], 1],
    ['max', [3, 1, 2], 3],
    ['abs', [-2.5], 2.5],
    ['ceil', [1.2], 2],
    ['floor', [-1.2], -2],
    ['signum', [-3], -1],
    ['pow', [2, 10], 1024],
    ['sum', [[1, 2, '3.5']], 6.5],
    // Terraform's numbers (what `terraform console` prints): exact decimals of 512 bits, never doubles.
    ['sum', [['9007199254740993', -9007199254740992]], 1],
    ['sum', [[0.1, 0.2]], 0.3],
    ['max', ['9007199254740993', '9007199254740992'], '9007199254740993'],
    ['abs', ['-9007199254740993'], '9007199254740993'],
    ['ceil', [-0.5], 0],
    ['floor', [2.5], 2],
    ['pow', [1.1, 10], 2.593742460100002],
    ['pow', [10, 400], '+Inf'],
    ['tonumber', ['1p4'], 16],
    ['tonumber', ['inf'], '+Inf'],
    ['tostring', ['9007199254740993'], '9007199254740993'],
    ['format', ['%d|%v', '9007199254740993', '9007199254740993'], '9007199254740993|9007199254740993'],
    ['jsonencode', [['9007199254740993']], '["9007199254740993"]'],
    ['parseint', ['ff', 16], 255],
    ['parseint', ['-101', 2], -5],
    ['parseint', ['zZ', 62], 2231],
    ['range', [1, 2, 0.5], [1, 1.5]],
    // RE2: POSIX classes, \pL, flags in mid-pattern, named groups.
    ['regex', ['[[:alpha:]]+', '12ab3'], 'ab'],
    ['regexall', ['\\pL', 'a1é'], ['a', 'é']],
    ['regex', ['a(?i)b', 'xAB aB'], 'aB'],
    ['regex', ['(?P<mode>[[:upper:]]+)', 'x MUTABLE y'], { mode: 'MUTABLE' }],
    ['replace', ['abcB', '/(?i)b/', 'x'], 'axcx'],
    // names
    ['core::upper', ['a'], 'A'],
  ])('%s (row %#)', (name, args, expected) => {
    expect(known(call(name, ...args))).toStrictEqual(expected);
  });

  test('toset makes a set, tolist a list', () => {
    expect(call('toset', ['a'])).toMatchObject({ kind: 'list', set: true });
    expect(call('tolist', set('a'))).not.toHaveProperty('set');
    expect(call('setunion', ['a'], ['b'])).toMatchObject({ kind: 'list', set: true });
  });
});

// The functions cloudposse/label/null 0.25.0 builds module.this.id with, on the inputs it
// sees; each expected value is what `terraform console` (Terraform 1.11) prints.
describe('results as the null-label module uses them', () => {
  test.each<[string, In[], Plain]>([
    // label_value_case = "title": title(lower(label)); the hash suffix is title(md5(id) + "qrstuvwxyz").
    ['title', ['my app'], 'My App'],
    ['title', ['eg-prod'], 'Eg-Prod'],
    ['title', ['f007e5a1b2qrstuvwxyz'], 'F007e5a1b2qrstuvwxyz'],
    ['title', ['3abc def'], '3abc Def'],
    ['title', ['ab1cd-x_y.z'], 'Ab1cd-X_y.Z'],
    ['title', ['élan vital'], 'Élan Vital'],
    ['title', ['hello\u00a0world'], 'Hello\u00a0World'],
    ['title', [''], ''],
    // Go maps to title case, which is not upper case for digraphs and Georgian.
    ['title', ['ǉa ǌ'], 'ǈa ǋ'],
    ['title', ['Ǆ'], 'ǅ'],
    ['title', ['ა'], 'ა'],
    ['title', ['ᾳ x'], 'ᾼ X'],
    ['title', ['ß'], 'ß'],
    // Go's simple case mappings, one character to one.
    ['upper', ['ᾳ'], 'ᾼ'],
    ['upper', ['ᾀ'], 'ᾈ'],
    ['upper', ['ᾈ'], 'ᾈ'],
    ['upper', ['ა'], 'Ა'],
    ['upper', ['ß'], 'ß'],
    ['upper', ['ŉ'], 'ŉ'],
    ['upper', ['ﬀ'], 'ﬀ'],
    ['upper', ['ǅ'], 'Ǆ'],
    ['lower', ['İ'], 'i'],
    ['lower', ['ǅ'], 'ǆ'],
    ['lower', ['ẞ'], 'ß'],
    // id_length_limit: md5 of the full id, substr and trimsuffix to cut it.
    ['md5', ['example-useast1-production-checkout-service'], 'f007e0911aaed84d4fad92914bc74907'],
    ['md5', ['é'], '66ddcd97cfdeabb2f6fb8a999b4bc76f'],
    ['substr', ['abc', 0, 10], 'abc'],
    ['substr', ['', 0, 5], ''],
    ['substr', ['abc', 0, 0], ''],
    ['substr', ['ab', 0, -1], 'ab'],
    ['substr', ['e\u0301xyz', 0, 2], 'e\u0301x'],
    ['trimsuffix', ['eg-', '-'], 'eg'],
    ['trimsuffix', ['eg--', '--'], 'eg'],
    ['trimsuffix', ['eg-', ''], 'eg-'],
    // regex_replace_chars: replace with a /regex/ removes what it matches, one character at a time.
    ['replace', ['shop/api.v2', '/[^-a-zA-Z0-9]/', ''], 'shopapiv2'],
    ['replace', ['ÉG', '/[^-a-zA-Z0-9]/', ''], 'G'],
    ['replace', ['a\u{1F600}b c', '/[^-a-zA-Z0-9]/', ''], 'abc'],
    ['replace', ['Shop API', '/[^a-z0-9/-]/', ''], 'hop'],
    // Merging the context: label_order, attributes, labels_as_tags.
    ['coalescelist', [[], ['namespace', 'stage']], ['namespace', 'stage']],
    ['coalesce', [null, '/[^-a-zA-Z0-9]/'], '/[^-a-zA-Z0-9]/'],
    ['lookup', [{ namespace: 'eg' }, 'tenant', null], null],
    ['compact', [['a', '', 'b']], ['a', 'b']],
    ['distinct', [['a', '', 'a', 'b']], ['a', '', 'b']],
    ['setintersection', [['namespace', 'name', 'stage'], set('name', 'x')], ['name']],
  ])('%s(%j) is %j', (name, args, expected) => {
    expect(known(call(name, ...args))).toEqual(expected);
  });
});

describe('failures', () => {
  test.each<[string, In[], RegExp]>([
    ['lookup', [{ a: 1 }, 'b'], /no element "b"/],
    ['lookup', [['a'], 'b'], /map or object is required, not list/],
    ['coalesce', [null, ''], /no non-null, non-empty-string/],
    ['coalesce', [['a'], 'b'], /same type/],
    ['coalescelist', [[], null], /no non-null, non-empty list/],
    ['coalescelist', ['a'], /list is required, not string/],
    ['upper', [], /expects 1 argument\(s\), not 0/],
    ['upper', ['a', 'b'], /expects 1 argument\(s\), not 2/],
    ['lookup', [{}], /expects 2 to 3 argument/],
    ['min', [], /expects at least 1 argument/],
    ['upper', [null], /argument 1 must not be null/],
    ['upper', [['a']], /string/],
    ['format', ['%d', 'x'], /"x" is not a number/],
    ['format', ['%d', 1.5], /an integer is required/],
    ['format', ['%d', true], /number/],
    ['format', ['%s'], /not enough arguments for "%s" at 0/],
    ['format', ['%[3]s', 'a'], /need index 3 but have 1/],
    ['format', ['%s', 'a', 'b'], /too many arguments; only 1 used/],
    ['format', ['x', 'a'], /no verbs in format string/],
    ['format', ['%z', 1], /unsupported format verb 'z'/],
    ['format', ['%s', null], /null value cannot be formatted/],
    ['format', ['%s', ['a']], /string/],
    ['formatlist', ['%s%s', ['a'], ['b', 'c']], /inconsistent/],
    ['element', [[], 0], /empty list/],
    ['element', [['a'], -1], /negative index/],
    ['element', [set('a'), 0], /list is required, not set/],
    ['element', [['a'], 0.5], /invalid index: value must be a whole number, between -9223372036854775808 and 9223372036854775807/],
    ['index', [['a'], 'b'], /item not found/],
    ['one', [['a', 'b']], /zero or one elements/],
    ['merge', [{ a: 1 }, ['x']], /map or object is required, not list/],
    ['concat', [['a'], 'b'], /list is required, not string/],
    ['keys', [['a']], /map or object is required/],
    ['length', [5], /string, list, set or map is required/],
    ['tonumber', ['abc'], /"abc" is not a number/],
    ['tonumber', ['0x10'], /"0x10" is not a number/],
    ['tonumber', ['Infinity'], /"Infinity" is not a number/],
    ['tonumber', [' 1'], /" 1" is not a number/],
    ['parseint', ['0x10', 16], /cannot parse "0x10" as a base 16 integer/],
    ['parseint', ['12', 63], /base must be a whole number between 2 and 62 inclusive/],
    ['signum', [0.5], /value must be a whole number/],
    ['tobool', ['yes'], /"yes" is not a bool/],
    ['tostring', [['a']], /cannot be used as a string/],
    ['tolist', [['a', ['b']]], /same type/],
    ['tolist', [[1, true]], /same type/],
    ['tomap', [['a']], /map or object is required/],
    ['zipmap', [['a'], [1, 2]], /number of keys \(1\) does not match number of values \(2\)/],
    ['slice', [['a'], 0, 2], /end index/],
    ['slice', [['a', 'b'], 2, 1], /start index must not be greater/],
    ['slice', [set('a'), 0, 1], /not set/],
    ['range', [0, 2000], /more than 1024 values/],
    ['range', [0, 5, -1], /end must be less than start when step is negative/],
    ['range', [5, 0, 1], /end must be greater than start when step is positive/],
    // cty never sees a step of zero as zero (it compares the value's pointer): 1 + 0 + 0 … runs into the limit.
    ['range', [1, 5, 0], /more than 1024 values/],
    ['regex', ['\\d+', 'abc'], /did not match/],
    ['regex', ['(a)(?P<n>b)', 'ab'], /invalid regexp pattern: cannot mix both named and unnamed capture groups/],
    ['regex', ['(', 'x'], /invalid regexp pattern: missing closing \) in \(/],
    ['replace', ['x', '/(/', 'y'], /error parsing regexp: missing closing \): `\(`/],
    ['jsondecode', ['{nope'], /invalid JSON/],
    ['base64decode', ['%%%'], /not valid base64/],
    ['sum', [[]], /cannot sum an empty list/],
    ['join', [',', ['a', null]], /null element cannot be joined/],
    ['join', [','], /expects at least 2 argument/],
    ['sort', [['a', null]], /null/],
    ['try', [BROKEN, [BROKEN]], /no argument succeeded; the first failed with: no element "nope"/],
  ])('%s fails (row %#)', (name, args, message) => {
    const r = call(name, ...args);
    expect(r).toMatchObject({ kind: 'unknown', error: true, origin: CALL });
    const reason = r.kind === 'unknown' ? r.reason : '';
    expect(reason).toMatch(message);
    expect(reason).toContain(`function "${name}"`);
    // As an argument, the failure is caught by try() and reported by can().
    expect(known(callFunction('try', [r, str('caught')], { range: CALL }))).toBe('caught');
    expect(known(callFunction('can', [r], { range: CALL }))).toBe(false);
  });

  test.each<[string, In[]]>([
    ['upper', [BROKEN]],
    ['coalesce', ['a', BROKEN]],
    ['lookup', [{ k: 'v' }, 'k', BROKEN]],
    ['length', [[BROKEN]]],
    ['merge', [{ a: 1 }, { b: BROKEN }]],
    ['sensitive', [BROKEN]],
    ['no_such_function', [BROKEN]],
    ['provider::aws::arn_parse', [[BROKEN]]],
  ])('a failure inside an argument of %s is the result, unchanged (row %#)', (name, args) => {
    expect(call(name, ...args)).toBe(BROKEN);
  });
});

describe('unknown', () => {
  test.each<[string, In[]]>([
    ['upper', [LATER]],
    ['format', ['%d-%s', 1, LATER]],
    ['format', [LATER, 'a']],
    ['format', ['%v', ['a', { b: LATER }]]],
    ['formatlist', ['%s', LATER]],
    ['join', [',', LATER]],
    ['lookup', [LATER, 'k', 'd']],
    ['lookup', [{ k: 'v' }, LATER, 'd']],
    ['lookup', [{ a: 'v' }, 'k', LATER]],
    ['coalesce', [null, '', LATER, 'b']],
    ['coalescelist', [[], LATER, ['b']]],
    ['merge', [{ a: 1 }, LATER]],
    ['concat', [['a'], LATER]],
    ['flatten', [[['a'], LATER]]],
    ['flatten', [[['a', [LATER]]]]],
    ['contains', [['a', LATER], 'b']],
    ['contains', [['a'], LATER]],
    ['index', [[LATER, 'b'], 'b']],
    ['sort', [['b', LATER]]],
    ['distinct', [['a', LATER]]],
    ['compact', [['a', LATER]]],
    ['setunion', [['a'], [LATER]]],
    ['setsubtract', [['a'], [LATER]]],
    ['length', [set('a', LATER)]],
    ['one', [set('a', LATER)]],
    ['alltrue', [[true, LATER]]],
    ['anytrue', [[false, LATER]]],
    ['try', [LATER, 'x']],
    ['can', [LATER]],
    ['can', [{ a: LATER }]],
    ['element', [['a'], LATER]],
    ['element', [LATER, 0]],
    ['keys', [LATER]],
    ['tostring', [LATER]],
    ['tolist', [LATER]],
    ['replace', ['abc', LATER, 'x']],
    ['regex', [LATER, 'x']],
    [
      'zipmap',
      [
        ['a', LATER],
        [1, 2],
      ],
    ],
    ['sum', [[1, LATER]]],
    ['max', [1, LATER]],
    ['nonsensitive', [LATER]],
  ])('%s is the unknown argument it depends on (row %#)', (name, args) => {
    expect(call(name, ...args)).toBe(LATER);
  });

  test.each<[string, In[], string[]]>([
    ['format', ['%s:%v-%%', 'a', LATER], ['a', ':', '?', '-', '%']],
    ['format', ['%s', LATER], ['?']],
    ['join', [',', ['a', LATER], [1]], ['a', ',', '?', ',', '1']],
  ])('%s with an unknown argument: unknown, with the parts of the text it makes (row %#)', (name, args, parts) => {
    const result = call(name, ...args);
    expect(result).toMatchObject({ kind: 'unknown', reason: LATER.kind === 'unknown' ? LATER.reason : '' });
    const template = result.kind === 'unknown' ? (result.template ?? []) : [];
    expect(template.map((p) => (p.kind === 'string' ? p.value : '?'))).toEqual(parts);
  });

  test('jsonencode of a value with an unknown part is unknown for its reason, and keeps what it encoded', () => {
    const encoded = v({ a: [LATER], b: 'x' });
    const result = callFunction('jsonencode', [encoded], { range: CALL });
    expect(result).toMatchObject({ kind: 'unknown', reason: LATER.kind === 'unknown' ? LATER.reason : '', origin: CALL });
    expect(result.kind === 'unknown' && result.encoded).toBe(encoded);
  });

  test.each<[string, In[], Plain]>([
    ['lookup', [{ k: 'v' }, 'k', LATER], 'v'],
    ['coalesce', ['a', LATER], 'a'],
    ['coalescelist', [['a'], LATER], ['a']],
    ['length', [['a', LATER]], 2],
    ['length', [{ a: LATER }], 1],
    ['contains', [['a', LATER], 'a'], true],
    ['contains', [[LATER, 'a'], 'a'], true],
    ['contains', [[], LATER], false],
    ['index', [['a', LATER], 'a'], 0],
    ['keys', [{ b: LATER, a: 1 }], ['a', 'b']],
    ['alltrue', [[LATER, false]], false],
    ['anytrue', [[LATER, true]], true],
    ['try', ['a', LATER], 'a'],
    ['try', [BROKEN, 'a', LATER], 'a'],
    ['can', [BROKEN], false],
    ['element', [[LATER, 'b'], 1], 'b'],
    ['slice', [[LATER, 'b', 'c'], 1, 3], ['b', 'c']],
    ['one', [[]], null],
  ])('%s is known when what it needs is known (row %#)', (name, args, expected) => {
    expect(known(call(name, ...args))).toStrictEqual(expected);
  });

  test('merge keeps known entries known and the unknown one inside', () => {
    const r = call('merge', { a: 1 }, { b: LATER, c: 'x' });
    expect(r.kind).toBe('map');
    if (r.kind !== 'map') return;
    expect([...r.entries.keys()]).toEqual(['a', 'b', 'c']);
    expect(toPlain(defined(r.entries.get('a'), 'key a'))).toBe(1);
    expect(r.entries.get('b')).toBe(LATER);
    expect(toPlain(defined(r.entries.get('c'), 'key c'))).toBe('x');
  });

  test.each<[string, In[], (Plain | Value)[]]>([
    ['concat', [['a'], [LATER]], ['a', LATER]],
    ['values', [{ b: LATER, a: 'x' }], ['x', LATER]],
    ['reverse', [[LATER, 'b']], ['b', LATER]],
    ['tolist', [['a', LATER]], ['a', LATER]],
    ['formatlist', ['%s!', ['a', LATER, 'c']], ['a!', LATER, 'c!']],
    ['formatlist', ['%s=%v', ['a', 'b'], [1, [LATER]]], ['a=1', LATER]],
    ['toset', [['b', LATER, 'a', 'b']], ['a', 'b', LATER]],
  ])('%s keeps the known elements known (row %#)', (name, args, expected) => {
    const r = call(name, ...args);
    expect(r.kind).toBe('list');
    if (r.kind !== 'list') return;
    expect(r.items.map((item) => (item.kind === 'unknown' ? item : toPlain(item)))).toEqual(expected);
    for (const [i, e] of expected.entries()) if (isValue(e)) expect(r.items[i]).toBe(e);
  });

  test('a name that is not modelled, or a provider function, is unknown with its name', () => {
    for (const name of ['templatefile', 'provider::aws::arn_parse', 'provider::ns::upper', 'core::nope']) {
      const r = call(name, 'x');
      expect(r).toMatchObject({ kind: 'unknown', reason: `function "${name}" is not modelled`, origin: CALL });
      expect(r).not.toHaveProperty('error', true);
    }
  });
});

describe('origins', () => {
  test.each<[string, Value[]]>([
    ['coalesce', [nil(at(2)), str('', at(3)), str('x', at(4)), str('y', at(5))]],
    ['coalesce', [num(7, at(4)), str('x', at(5))]],
    ['coalescelist', [list([], at(2)), list([str('a', at(3))], at(4))]],
    ['lookup', [map([['k', str('v', at(4))]], at(2)), str('k', at(3))]],
    ['lookup', [map([], at(2)), str('k', at(3)), str('d', at(4))]],
    ['try', [BROKEN, str('x', at(4)), str('y', at(5))]],
    ['element', [list([str('a', at(3)), str('b', at(4))], at(2)), num(3, at(5))]],
    ['one', [list([str('a', at(4))], at(2))]],
    ['tostring', [num(1, at(4))]],
    ['tonumber', [str('1', at(4))]],
    ['tobool', [str('true', at(4))]],
    ['nonsensitive', [str('x', at(4))]],
  ])('%s returns the selected argument with its origin (row %#)', (name, args) => {
    const r = callFunction(name, args, { range: CALL });
    expect(firstUnknown(r)).toBeUndefined();
    expect(r.origin).toEqual(at(4));
  });

  test('an unconverted selection is the argument itself', () => {
    const chosen = str('x', at(4), [{ file: 'main.tf', line: 8, column: 1, note: 'var.x' }]);
    expect(callFunction('coalesce', [nil(at(2)), chosen], { range: CALL })).toBe(chosen);
    expect(callFunction('lookup', [map([['k', chosen]], at(2)), str('k', at(3))], { range: CALL })).toBe(chosen);
    expect(callFunction('try', [BROKEN, chosen], { range: CALL })).toBe(chosen);
  });

  /** The origin lines of a result's elements: list items in order, map entries by key. */
  function elementLines(r: Value): number[] {
    const parts =
      r.kind === 'list'
        ? r.items
        : r.kind === 'map'
          ? [...r.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)
          : [];
    return parts.map((p) => p.origin?.line ?? -1);
  }

  const s = (value: string, line: number) => str(value, at(line));
  test.each<[string, Value[], number[]]>([
    [
      'merge',
      [
        map([
          ['a', s('1', 2)],
          ['b', s('x', 3)],
        ]),
        map([['b', s('2', 4)]]),
      ],
      [2, 4],
    ],
    ['concat', [list([s('a', 2)]), list([s('b', 3), s('c', 4)])], [2, 3, 4]],
    ['flatten', [list([list([s('a', 2), list([s('b', 3)])]), s('c', 4)])], [2, 3, 4]],
    [
      'values',
      [
        map([
          ['b', s('x', 2)],
          ['a', s('y', 3)],
        ]),
      ],
      [3, 2],
    ],
    ['tolist', [list([s('b', 2), num(1, at(3))], at(1), [], true)], [2, 3]],
    ['toset', [list([s('b', 3), s('a', 2), s('b', 4)])], [2, 3]],
    [
      'tomap',
      [
        map([
          ['a', num(1, at(2))],
          ['b', s('x', 3)],
        ]),
      ],
      [2, 3],
    ],
    ['distinct', [list([s('a', 2), s('a', 3), s('b', 4)])], [2, 4]],
    ['reverse', [list([s('a', 2), s('b', 3)])], [3, 2]],
    ['slice', [list([s('a', 2), s('b', 3), s('c', 4)]), num(1), num(2)], [3]],
    ['sort', [list([s('b', 2), s('a', 3)])], [3, 2]],
    ['compact', [list([s('a', 2), s('', 3), s('b', 4)])], [2, 4]],
    ['zipmap', [list([s('a', 5), s('b', 6)]), list([s('x', 2), s('y', 3)])], [2, 3]],
    ['setunion', [list([s('b', 2)]), list([s('a', 3)])], [3, 2]],
    [
      'keys',
      [
        map([
          ['a', s('x', 2)],
          ['b', s('y', 3)],
        ]),
      ],
      [99, 99],
    ],
    ['split', [s(',', 2), s('a,b', 3)], [99, 99]],
    ['range', [num(2, at(2))], [99, 99]],
    ['regexall', [s('[a-z]', 2), s('ab', 3)], [99, 99]],
    ['jsondecode', [s('{"a":1}', 2)], [99]],
  ])('%s: each element keeps the origin it comes from (row %#)', (name, args, lines) => {
    const r = callFunction(name, args, { range: CALL });
    expect(firstUnknown(r)).toBeUndefined();
    expect(elementLines(r)).toEqual(lines);
  });

  const step = (line: number, note: string): TraceStep => ({ file: 'main.tf', line, column: 1, note });
  const A = str('a', at(2), [step(10, 'var.a')]);
  const B = str('b', at(3), [step(11, 'var.b')]);
  const PLAIN = str('c', at(4));

  test.each<[string, Value[], TraceStep[]]>([
    ['upper', [A], A.trace],
    ['lower', [B], B.trace],
    ['format', [str('%s%s'), A, PLAIN], A.trace],
    ['format', [str('%s%s'), A, B], []],
    ['join', [str(','), list([A, B], at(5), [step(12, 'local.l')])], [step(12, 'local.l')]],
    ['replace', [A, PLAIN, str('x')], A.trace],
    ['length', [B], B.trace],
    ['startswith', [PLAIN, B], B.trace],
    ['jsonencode', [PLAIN], []],
    ['title', [PLAIN], []],
  ])('%s computes a new value at the call, traced through its only traced argument (row %#)', (name, args, trace) => {
    const r = callFunction(name, args, { range: CALL });
    expect(firstUnknown(r)).toBeUndefined();
    expect(r.origin).toEqual(CALL);
    expect(r.trace).toEqual(trace);
  });
});

describe('the table', () => {
  test('holds every function the evaluator relies on', () => {
    const required =
      `coalesce coalescelist lookup try can merge concat flatten toset tolist tomap tostring tonumber tobool length contains keys values
      element index one distinct compact zipmap setunion setintersection setsubtract slice reverse sort range upper lower title trimspace trim
      trimprefix trimsuffix format formatlist join split replace regex regexall substr startswith endswith strcontains jsonencode jsondecode
      min max abs ceil floor sum pow signum parseint alltrue anytrue nonsensitive sensitive`.split(/\s+/);
    expect(required.filter((name) => !FUNCTIONS.has(name))).toEqual([]);
  });
});
