import { parseTerraformJson } from '../src/parse/json';
import { parserFor, shape, span } from './parse-helpers';
import type { Block, Expr } from '../src/parse/syntax';
import { defined } from './helpers';

const { parse, problems } = parserFor(parseTerraformJson, 'main.tf.json', 'bad.tf.json');

/** A number keeps its JSON text too: evaluation reads it exactly. */
const lit = (value: string | number | boolean | null) =>
  typeof value === 'number' ? { kind: 'literal', value, text: String(value) } : { kind: 'literal', value };
const varM = { kind: 'traversal', root: 'var', steps: [{ kind: 'attr', name: 'm' }] };

function expr(block: Block | undefined, name: string): Expr {
  const attr = block?.body.attributes.get(name);
  if (!attr) throw new Error(`attribute ${name} not found`);
  return attr.expr;
}

// Line numbers below are referred to by the range assertions.
const DOC = [
  '{', // 1
  '  "//": "generated",', // 2
  '  "resource": {', // 3
  '    "aws_ecr_repository": {', // 4
  '      "app": {', // 5
  '        "//": "a comment",', // 6
  '        "name": "app",', // 7
  '        "image_tag_mutability": "${var.m}",', // 8
  '        "count": 2,', // 9
  '        "force_delete": true,', // 10
  '        "kms": null,', // 11
  '        "rules": [{ "filter": [{ "tag": "dev-*" }, { "tag": "x" }], "//": "c" }]', // 12
  '      }', // 13
  '    }', // 14
  '  },', // 15
  '  "variable": { "m": { "default": "IMMUTABLE" } },', // 16
  '  "locals": { "prefix": "p-${var.m}", "escaped": "$${lit}", "quoted": "say \\"${var.m}" }', // 17
  '}', // 18
  '',
].join('\n');

describe('parseTerraformJson: blocks', () => {
  test.each([
    ['resource', '{"resource": {"aws_ecr_repository": {"main": {"name": "n"}}}}', ['aws_ecr_repository', 'main']],
    ['data', '{"data": {"aws_caller_identity": {"me": {}}}}', ['aws_caller_identity', 'me']],
    ['variable', '{"variable": {"region": {"default": "n"}}}', ['region']],
    ['module', '{"module": {"net": {"source": "./net"}}}', ['net']],
    ['output', '{"output": {"id": {"value": "n"}}}', ['id']],
    ['provider', '{"provider": {"aws": {"region": "n"}}}', ['aws']],
    ['locals', '{"locals": {"a": "n"}}', []],
    ['terraform', '{"terraform": {"required_version": "n"}}', []],
  ])('%s', async (type, text, labels) => {
    const { body } = await parse(text);
    expect(body.blocks.map((b) => ({ type: b.type, labels: b.labels }))).toEqual([{ type, labels }]);
    expect(body.attributes.size).toBe(0);
  });

  test('several names, and a list of bodies, give one block each', async () => {
    const { body } = await parse('{"resource": {"aws_x": {"a": {"n": 1}, "b": [{"n": 2}, {"n": 3}]}, "aws_y": {"c": {}}}}');
    expect(body.blocks.map((b) => [b.type, ...b.labels, shape(b.body.attributes.get('n')?.expr)])).toEqual([
      ['resource', 'aws_x', 'a', lit(1)],
      ['resource', 'aws_x', 'b', lit(2)],
      ['resource', 'aws_x', 'b', lit(3)],
      ['resource', 'aws_y', 'c', undefined],
    ]);
  });

  test('"//" comment keys are skipped at every level', async () => {
    const file = await parse(DOC);
    expect(file.syntax).toBe('json');
    expect(file.path).toBe('main.tf.json');
    expect(file.body.blocks.map((b) => b.type)).toEqual(['resource', 'variable', 'locals']);
    const [resource] = file.body.blocks;
    expect([...resource.body.attributes.keys()]).toEqual(['name', 'image_tag_mutability', 'count', 'force_delete', 'kms', 'rules']);
    const rules = shape(expr(resource, 'rules')) as { items: { items: { key: unknown }[] }[] };
    expect(rules.items[0].items.map((i) => i.key)).toEqual([lit('filter')]);
  });

  test('a block spans its body object; an attribute spans key to value', async () => {
    const [resource, variable] = (await parse(DOC)).body.blocks;
    expect(span(resource.range)).toEqual([5, 14, 13, 8]);
    expect(span(variable.range)).toEqual([16, 22, 16, 48]);
    expect(span(defined(resource.body.attributes.get('name')).range)).toEqual([7, 9, 7, 22]);
  });
});

describe('parseTerraformJson: expressions', () => {
  test('JSON scalars are literals with the JSON value ranges', async () => {
    const [resource] = (await parse(DOC)).body.blocks;
    expect(['name', 'count', 'force_delete', 'kms'].map((n) => shape(expr(resource, n)))).toEqual([
      lit('app'),
      lit(2),
      lit(true),
      lit(null),
    ]);
    expect(span(expr(resource, 'name').range)).toEqual([7, 17, 7, 22]);
    expect(span(expr(resource, 'count').range)).toEqual([9, 18, 9, 19]);
  });

  test('"${var.m}" is a template whose single part is a traversal, placed at the JSON string', async () => {
    const [resource] = (await parse(DOC)).body.blocks;
    const e = expr(resource, 'image_tag_mutability');
    expect(shape(e)).toEqual({ kind: 'template', parts: [varM] });
    if (e.kind !== 'template') throw new Error('not a template');
    expect(span(e.range)).toEqual([8, 33, 8, 43]);
    expect(span((e.parts[0] as Expr).range)).toEqual([8, 33, 8, 43]);
  });

  test.each([
    ['prefix', { kind: 'template', parts: ['p-', varM] }],
    ['escaped', lit('${lit}')],
    ['quoted', { kind: 'template', parts: ['say "', varM] }],
  ])('locals.%s', async (name, expected) => {
    const locals = (await parse(DOC)).body.blocks[2];
    expect(shape(expr(locals, name))).toEqual(expected);
  });

  test('the text between two interpolations is kept', async () => {
    const [locals] = (await parse('{"locals": {"a": "${var.m} ${var.m}"}}')).body.blocks;
    expect(shape(expr(locals, 'a'))).toEqual({ kind: 'template', parts: [varM, ' ', varM] });
  });

  test('nested arrays of objects are tuples of objects', async () => {
    const [resource] = (await parse(DOC)).body.blocks;
    const tag = (t: string) => ({ kind: 'object', items: [{ key: lit('tag'), value: lit(t) }] });
    expect(shape(expr(resource, 'rules'))).toEqual({
      kind: 'tuple',
      items: [{ kind: 'object', items: [{ key: lit('filter'), value: { kind: 'tuple', items: [tag('dev-*'), tag('x')] } }] }],
    });
    expect(span(expr(resource, 'rules').range)).toEqual([12, 18, 12, 81]);
  });

  test('a BOM and CRLF line endings do not move ranges', async () => {
    const lf = '{\n  "locals": {\n    "a": "${var.m}"\n  }\n}\n';
    const crlf = await parse('\ufeff' + lf.replace(/\n/g, '\r\n'));
    const [block] = crlf.body.blocks;
    expect(span(expr(block, 'a').range)).toEqual([3, 10, 3, 20]);
    expect(span(block.range)).toEqual(span((await parse(lf)).body.blocks[0].range));
  });
});

describe('parseTerraformJson: problems', () => {
  test('invalid JSON is reported where it breaks', async () => {
    expect(await problems('{\n  "a": 1,\n  "b" 2\n}\n')).toEqual([
      { file: 'bad.tf.json', line: 3, column: 7, message: 'invalid JSON: colon expected' },
    ]);
  });

  test.each(['{"a": 1,}', '{"a": 1 // no comments\n}', '', '{"a": "x"'])('%p is invalid JSON', async (text) => {
    const found = await problems(text);
    expect(found.length).toBeGreaterThan(0);
    for (const p of found) expect(p.message).toMatch(/^invalid JSON: /);
  });

  test.each([
    ['[{"resource": {}}]', 1, 1],
    ['\n  "text"', 2, 3],
  ])('%p is not one object at the top level', async (text, line, column) => {
    expect(await problems(text)).toEqual([
      { file: 'bad.tf.json', line, column, message: 'a Terraform JSON file must hold one object at the top level' },
    ]);
  });
});

// issue 12 item 7: a JSON string is a bare template (no quotes, no escapes), directives included.
describe('parseTerraformJson: template directives', () => {
  const local = async (value: string) => {
    const [locals] = (await parse(JSON.stringify({ locals: { a: value } }))).body.blocks;
    return expr(locals, 'a');
  };

  test("quotes inside a directive are the expression's own, not escapes; every range is the JSON string", async () => {
    const e = await local('%{if var.m == "prod"}IMMUTABLE%{else}MUTABLE%{endif}');
    expect(shape(e)).toEqual({
      kind: 'template',
      parts: [
        {
          kind: 'template-if',
          condition: { kind: 'binary', op: '==', left: varM, right: lit('prod') },
          then: lit('IMMUTABLE'),
          otherwise: lit('MUTABLE'),
        },
      ],
    });
    if (e.kind !== 'template' || typeof e.parts[0] === 'string' || e.parts[0].kind !== 'template-if')
      throw new Error('not an if directive');
    expect([span(e.range), span(e.parts[0].otherwise.range)]).toEqual([
      [1, 16, 1, 72],
      [1, 16, 1, 72],
    ]);
  });

  test('an interpolation with a quoted argument, and a backslash kept as written', async () => {
    expect(shape(await local('${lookup(var.m, "k")}\\d'))).toEqual({
      kind: 'template',
      parts: [{ kind: 'call', name: 'lookup', args: [varM, lit('k')], expandFinal: false }, '\\d'],
    });
  });

  test('each line of a bare template is one token: "~}" trims the rest of its line only (HCL\'s scanner)', async () => {
    expect(shape(await local('%{ if var.m ~}\n  IMMUTABLE\n%{~ endif }'))).toEqual({
      kind: 'template',
      parts: [{ kind: 'template-if', condition: varM, then: lit('  IMMUTABLE'), otherwise: lit('') }],
    });
  });

  test('a template that ends in a directive or an interpolation has no text after it', async () => {
    expect(shape(await local('${var.m}'))).toEqual({ kind: 'template', parts: [varM] });
    expect(shape(await local('a\n${var.m}\n'))).toEqual({ kind: 'template', parts: ['a\n', varM, '\n'] });
    expect(shape(await local('%{for v in var.m}${v}%{endfor}'))).toEqual({
      kind: 'template',
      parts: [
        {
          kind: 'template-for',
          valueVar: 'v',
          collection: varM,
          body: { kind: 'template', parts: [{ kind: 'traversal', root: 'v', steps: [] }] },
        },
      ],
    });
  });

  test('an unbalanced directive is not evaluated', async () => {
    expect(shape(await local('%{if var.m}x'))).toEqual({ kind: 'unsupported', syntax: 'template' });
  });
});
