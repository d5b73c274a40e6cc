import { parseHcl } from '../src/parse/hcl';
import { SourceFile } from '../src/parse/source';
import { Evaluator } from '../src/terraform/eval/evaluate';
import { list, map, nil, num, str, toPlain, unknown, type Value } from '../src/terraform/eval/value';
import { defined, places, ROOT, runCli, scanFixtures } from './helpers';

// issue 12 item 7: %{if}, %{for} and strip markers evaluated as HCL evaluates them.
const VARS: Record<string, Value> = {
  env: str('prod'),
  names: list([str('api'), str('web')]),
  tags: map([
    ['b', str('2')],
    ['a', str('1')],
  ]),
  ids: list([str('x'), str('y')], undefined, [], true),
  pending: unknown('known after apply'),
  nothing: nil(),
  three: num(3),
};

async function evaluate(text: string): Promise<Value> {
  const result = await parseHcl(new SourceFile('main.tf', `x = ${text}\n`));
  if (!result.ok) throw new Error(result.problems.map((p) => p.message).join('; '));
  const evaluator = new Evaluator({ variable: (name) => VARS[name], local: () => nil(), path: () => str('.') });
  return evaluator.evaluate(defined(result.file.body.attributes.get('x'), 'attribute x').expr);
}

const text = async (t: string) => {
  const v = await evaluate(t);
  if (v.kind !== 'string') throw new Error(`not a string: ${JSON.stringify(v)}`);
  return v.value;
};

describe('evaluating %{if}', () => {
  test.each([
    ['"%{if var.env == "prod"}IMMUTABLE%{else}MUTABLE%{endif}"', 'IMMUTABLE'],
    ['"%{if var.env != "prod"}IMMUTABLE%{else}MUTABLE%{endif}"', 'MUTABLE'],
    ['"a-%{if false}b%{endif}-c"', 'a--c'],
    // A string "true" or "false" converts to a bool, as for any condition.
    ['"%{if "true"}yes%{endif}"', 'yes'],
    ['"%{for n in var.names}%{if n == "api"}[${n}]%{endif}%{endfor}"', '[api]'],
  ])('%s is %p', async (t, expected) => {
    expect(await text(t)).toBe(expected);
  });

  test.each([
    ['"%{if var.three}a%{endif}"', 'the condition of %{if} must be a bool: a number cannot be used as a bool'],
    ['"%{if var.nothing}a%{endif}"', 'the condition of %{if} must be a bool: a null cannot be used as a bool'],
    ['"%{if "yes"}a%{endif}"', 'the condition of %{if} must be a bool: "yes" is not a bool'],
  ])('a condition that is not a bool is an error: %s', async (t, reason) => {
    expect(await evaluate(t)).toMatchObject({ kind: 'unknown', error: true, reason });
  });

  test('an unknown condition makes the result unknown, unless both branches give the same text', async () => {
    expect(await evaluate('"%{if var.pending == "x"}A%{else}B%{endif}"')).toMatchObject({
      kind: 'unknown',
      reason: 'the condition of %{if} is unknown: known after apply',
    });
    expect(await evaluate('"%{if var.pending == "x"}A%{else}B%{endif}"')).not.toHaveProperty('error');
    expect(await text('"%{if var.pending == "x"}A%{else}A%{endif}"')).toBe('A');
  });

  test('the result is placed on the branch that gave it, when that branch is one piece of text', async () => {
    const v = await evaluate('"%{if var.env == "dev"}IMMUTABLE%{else}MUTABLE%{endif}"');
    expect(v).toMatchObject({
      kind: 'string',
      value: 'MUTABLE',
      origin: { file: 'main.tf', line: 1, column: 44, endLine: 1, endColumn: 51 },
    });
  });

  test('a branch that is one interpolation is converted to a string, never passed through', async () => {
    expect(await evaluate('"%{if true}${var.three}%{endif}"')).toMatchObject({ kind: 'string', value: '3' });
    expect(await evaluate('"  ${~ var.three}"')).toMatchObject({ kind: 'string', value: '3' });
    const three = await evaluate('"${~ var.three ~}"');
    expect(three.kind).toBe('number');
    expect(toPlain(three)).toBe(3);
  });
});

describe('evaluating %{for}', () => {
  test.each([
    ['"%{for i, n in var.names}${i}:${n} %{endfor}"', '0:api 1:web '],
    // Maps by key in lexical order, sets by value.
    ['"%{for k, v in var.tags}${k}=${v};%{endfor}"', 'a=1;b=2;'],
    ['"%{for k, v in var.ids}${k}/${v} %{endfor}"', 'x/x y/y '],
    ['"%{for n in []}${n}%{endfor}empty"', 'empty'],
    ['"%{ for n in var.names ~} ${n} %{~ endfor }"', 'apiweb'],
  ])('%p is %p', async (t, expected) => {
    expect(await text(t)).toBe(expected);
  });

  // Outputs of `terraform console` (Terraform 1.11.4): strip markers act before <<- dedents, and a
  // line whose indentation a marker trimmed away has none, so nothing is dedented.
  test.each([
    [
      '<<-EOT\n  #!/bin/sh\n  %{~ for n in var.names }\n  start ${n}\n  %{~ endfor }\n  EOT\n',
      '  #!/bin/sh\n\n  start api\n\n  start web\n\n',
    ],
    ['<<-EOT\n    %{ for v in var.names }\n    - ${v}\n    %{ endfor }\n    EOT\n', '\n- api\n\n- web\n\n'],
    ['<<EOT\nx   %{~ for v in var.names ~}   \n  ${v}  \n%{~ endfor ~}\n y\nEOT\n', 'x  api  web y\n'],
  ])('heredoc %p is %p, as Terraform makes it', async (t, expected) => {
    expect(await text(t)).toBe(expected);
  });

  test('a for over an unknown collection is unknown, with its reason', async () => {
    expect(await evaluate('"%{for n in var.pending}${n}%{endfor}"')).toMatchObject({ kind: 'unknown', reason: 'known after apply' });
  });

  test('a for over something that is not a collection, and a null in the body, are errors', async () => {
    expect(await evaluate('"%{for c in var.env}${c}%{endfor}"')).toMatchObject({
      kind: 'unknown',
      error: true,
      reason: 'a %{for} directive needs a list, set, map or object, not string',
    });
    expect(await evaluate('"%{for n in var.names}${var.nothing}%{endfor}"')).toMatchObject({
      kind: 'unknown',
      error: true,
      reason: 'a null value cannot be used in a string template',
    });
  });
});

describe('scans with template directives', () => {
  test('a directive decides image_tag_mutability: the finding points at the branch that gave MUTABLE (HCL) or at the JSON string', async () => {
    const result = await scanFixtures(['template-directive', 'template-directive-json']);
    expect(result.errors).toEqual([]);
    expect(places(result)).toEqual([
      {
        file: 'fixtures/template-directive-json/main.tf.json',
        line: 12,
        column: 33,
        severity: 'error',
        resource: 'aws_ecr_repository.app',
      },
      { file: 'fixtures/template-directive/main.tf', line: 9, column: 66, severity: 'error', resource: 'aws_ecr_repository.app' },
      { file: 'fixtures/template-directive/main.tf', line: 25, column: 49, severity: 'warning', resource: 'aws_ecr_repository.cache' },
    ]);
    const hcl = defined(
      result.findings.find((f) => f.file === 'fixtures/template-directive/main.tf' && f.severity === 'error'),
      'the error in main.tf',
    );
    expect([hcl.endLine, hcl.endColumn]).toEqual([9, 73]);
    expect(
      defined(
        result.findings.find((f) => f.severity === 'warning'),
        'the warning',
      ).message,
    ).toMatch(/data sources are read during plan \(data\.aws_ssm_parameter\.modes\.value\)/);
    expect(result.summary.resources).toBe(5);
  });

  test('the other branch with --var: the stripped text is the place, in HCL; the whole string in JSON', async () => {
    const prod = await scanFixtures(['template-directive', 'template-directive-json'], {}, { vars: ['env=prod'] });
    expect(places(prod).map((p) => p.resource)).toEqual(['aws_ecr_repository.cache']);
    const dev = await scanFixtures(['template-directive', 'template-directive-json'], {}, { vars: ['env=dev'] });
    expect(places(dev).filter((p) => p.resource === 'aws_ecr_repository.web')).toEqual([
      {
        file: 'fixtures/template-directive-json/main.tf.json',
        line: 16,
        column: 33,
        severity: 'error',
        resource: 'aws_ecr_repository.web',
      },
      { file: 'fixtures/template-directive/main.tf', line: 15, column: 75, severity: 'error', resource: 'aws_ecr_repository.web' },
    ]);
  });

  test('exit code 1 from the command line, and --fix leaves a directive to a person', async () => {
    const run = await runCli(['scan', '--format', 'json', 'fixtures/template-directive'], ROOT);
    expect(run.code).toBe(1);
    const dry = await runCli(['scan', '--fix-dry-run', 'fixtures/template-directive'], ROOT);
    expect(dry.out).toBe('');
    expect(dry.err).toMatch(
      /needs a person: fixtures\/template-directive\/main.tf:9:66 aws_ecr_repository.app: the value is computed by an expression/,
    );
  });
});

describe('bounded work', () => {
  test('nested %{for} directives that would repeat millions of times are not evaluated', async () => {
    const started = Date.now();
    const v = await evaluate('"%{for a in range(1000)}%{for b in range(1000)}%{for c in range(1000)}x%{endfor}%{endfor}%{endfor}"');
    expect(v).toMatchObject({
      kind: 'unknown',
      reason: '%{for} directives repeat more than 100000 times in one expression; not evaluated',
    });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
