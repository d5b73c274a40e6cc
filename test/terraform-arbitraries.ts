/**
 * fast-check arbitraries that write realistic Terraform: module directories with
 * ECR repositories and other resources, variables with defaults, locals, calls to a
 * local child module, tfvars, templates, conditionals and for expressions, in HCL or
 * Terraform JSON; and damage to apply to one file of such a tree.
 *
 * Every generated file is a sequence of blocks (or tfvars assignments) whose strings
 * never span lines and never hold an unbalanced brace, so that a line start is always
 * outside any string and a brace count tells whether an offset is inside a block.
 */
import fc from 'fast-check';

export const MUTABILITY = ['MUTABLE', 'IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE_WITH_EXCLUSION', 'immutable', 'Immutable'];
const VARS = ['mutability', 'enabled', 'names', 'settings', 'suffix'];
const LOCALS = ['mode', 'repos', 'cfg'];

const quoted = (s: string) => JSON.stringify(s);

/** Text for string literals: never a quote, backslash, `$`, `%` or brace. */
const word = fc.oneof(
  fc.constantFrom(...MUTABILITY),
  fc.stringMatching(/^[a-z0-9][a-z0-9_.:/-]{0,8}$/),
  fc.constantFrom('', 'latest', 'dev-*', 'v1.*', 'émoji ✓', 'ⅷ-日本'),
);

/** HCL expression text, at most a few levels deep. */
export const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => {
  const sub = tie('e');
  const leaf = fc.oneof(
    word.map(quoted),
    fc.integer({ min: -1, max: 3 }).map(String),
    fc.constantFrom('true', 'false', 'null'),
    fc.constantFrom(...VARS).map((v) => `var.${v}`),
    fc.constantFrom(...LOCALS).map((l) => `local.${l}`),
    fc.constantFrom(
      'each.key',
      'each.value',
      'count.index',
      'path.module',
      'terraform.workspace',
      'var.undeclared',
      'data.aws_region.current.name',
      'module.child',
    ),
  );
  const condition = fc.oneof(
    fc.constantFrom('var.enabled', '!var.enabled', 'terraform.workspace == "prod"'),
    fc.tuple(sub, sub).map(([a, b]) => `(${a} == ${b})`),
    sub.map((a) => `length(${a}) > 0`),
  );
  const call = fc.oneof(
    sub.map((a) => `upper(${a})`),
    sub.map((a) => `lower(${a})`),
    sub.map((a) => `tostring(${a})`),
    fc.tuple(sub, sub).map(([a, b]) => `coalesce(${a}, ${b})`),
    fc.tuple(sub, sub).map(([a, b]) => `try(${a}, ${b})`),
    fc.tuple(sub, sub).map(([a, b]) => `lookup({ a = ${a} }, "a", ${b})`),
    sub.map((a) => `format("%s", ${a})`),
    fc.tuple(sub, sub).map(([a, b]) => `join("-", [${a}, ${b}])`),
    sub.map((a) => `replace(${a}, "IM", "")`),
    sub.map((a) => `jsonencode(${a})`),
    sub.map((a) => `toset(${a})`),
    sub.map((a) => `element(${a}, 0)`),
    sub.map((a) => `merge(${a}, { x = 1 })`),
    sub.map((a) => `can(${a})`),
    fc.constantFrom(
      'timestamp()',
      'file("${path.module}/x.txt")',
      'provider::aws::arn_parse("arn:aws:ecr:eu-west-1:1:repository/x")',
      'uuid()',
      'nosuchfunction(1)',
    ),
  );
  const template = fc.oneof(
    fc.tuple(word, sub).map(([w, a]) => `"${w}\${${a}}"`),
    condition.map((c) => `"%{ if ${c} }MUTABLE%{ else }IMMUTABLE%{ endif }"`),
  );
  const forExpr = fc.oneof(
    sub.map((l) => `[for s in ${l} : upper(s)]`),
    sub.map((m) => `{ for k, v in ${m} : k => v }`),
    sub.map((l) => `[for s in ${l} : s if s != ""]`),
    sub.map((l) => `[for i, s in ${l} : s][0]`),
    sub.map((m) => `values({ for k, v in ${m} : k => upper(v) })`),
  );
  const collection = fc.oneof(
    fc.tuple(sub, sub).map(([a, b]) => `[${a}, ${b}]`),
    fc.tuple(sub, sub).map(([a, b]) => `{ a = ${a}, b = ${b} }`),
  );
  const index = fc.oneof(
    sub.map((a) => `(${a})[0]`),
    sub.map((a) => `(${a})["a"]`),
    sub.map((a) => `(${a}).a`),
    sub.map((a) => `(${a})[*].id`),
  );
  const conditional = fc.tuple(condition, sub, sub).map(([c, a, b]) => `(${c} ? ${a} : ${b})`);
  return { e: fc.oneof({ maxDepth: 3, depthIdentifier: 'hcl-expr' }, leaf, leaf, conditional, call, template, forExpr, collection, index) };
}).e;

/** A JSON value for defaults and tfvars. */
export const literal: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { maxDepth: 2, depthIdentifier: 'literal' },
    word,
    word,
    fc.integer({ min: 0, max: 5 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('a', 'b', 'mutability', 'name'), tie('v'), { maxKeys: 3 }),
  ),
})).v;

export function hclLiteral(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(hclLiteral).join(', ')}]`;
  if (v !== null && typeof v === 'object')
    return `{ ${Object.entries(v)
      .map(([k, x]) => `${k} = ${hclLiteral(x)}`)
      .join(', ')} }`;
  return v === null ? 'null' : typeof v === 'string' ? quoted(v) : String(v as number | boolean);
}

/** An attribute value: the HCL text and the Terraform JSON form of the same thing. */
interface Value {
  hcl: string;
  json: unknown;
}
const ofExpr = (e: string): Value => ({ hcl: e, json: '${' + e + '}' });
const ofLiteral = (v: unknown): Value => ({ hcl: hclLiteral(v), json: v });

interface Block {
  type: string;
  labels: string[];
  attrs: [string, Value][];
  blocks: Block[];
  comment?: string;
}

const value = fc.oneof(expr.map(ofExpr), literal.map(ofLiteral));
const mutabilityValue = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...MUTABILITY).map(ofLiteral) },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom('var.mutability', 'local.mode', 'each.value', 'local.cfg.mutability', 'lookup(var.settings, "api", "MUTABLE")')
      .map(ofExpr),
  },
  { weight: 1, arbitrary: expr.map(ofExpr) },
);

const ecrRepository = fc
  .record({
    meta: fc.option(
      fc.oneof(
        fc.constantFrom('1', '0', 'var.enabled ? 1 : 0', 'length(var.names)').map((e) => ['count', ofExpr(e)] as [string, Value]),
        fc
          .constantFrom('toset(["a", "b"])', '{ a = "MUTABLE", b = "IMMUTABLE" }', 'var.settings', 'toset(var.names)', 'local.repos')
          .map((e) => ['for_each', ofExpr(e)] as [string, Value]),
        expr.map((e) => ['count', ofExpr(e)] as [string, Value]),
      ),
      { nil: undefined },
    ),
    name: fc.oneof({ weight: 3, arbitrary: word.map(ofLiteral) }, { weight: 1, arbitrary: value }),
    mutability: fc.option(mutabilityValue, { nil: undefined }),
    filters: fc.array(word, { maxLength: 2 }),
    dynamicFilter: fc.option(expr, { nil: undefined }),
    scanning: fc.boolean(),
    comment: fc.option(
      fc.constantFrom(
        '# tagguard:ignore ecr-tag-immutability reason="generated"',
        '#trivy:ignore:AVD-AWS-0031',
        '# kics-scan ignore-block',
        '# a comment',
      ),
      { nil: undefined },
    ),
  })
  .map(
    ({ meta, name, mutability, filters, dynamicFilter, scanning, comment }): Block => ({
      type: 'resource',
      labels: ['aws_ecr_repository'],
      attrs: [
        ...(meta ? [meta] : []),
        ['name', name] as [string, Value],
        ...(mutability ? [['image_tag_mutability', mutability] as [string, Value]] : []),
      ],
      blocks: [
        ...filters.map((f) => ({
          type: 'image_tag_mutability_exclusion_filter',
          labels: [],
          attrs: [
            ['filter', ofLiteral(f)],
            ['filter_type', ofLiteral('WILDCARD')],
          ] as [string, Value][],
          blocks: [],
        })),
        ...(dynamicFilter
          ? [
              {
                type: 'dynamic',
                labels: ['image_tag_mutability_exclusion_filter'],
                attrs: [['for_each', ofExpr(dynamicFilter)]] as [string, Value][],
                blocks: [
                  {
                    type: 'content',
                    labels: [],
                    attrs: [
                      ['filter', ofExpr('image_tag_mutability_exclusion_filter.value')],
                      ['filter_type', ofLiteral('WILDCARD')],
                    ] as [string, Value][],
                    blocks: [],
                  },
                ],
              },
            ]
          : []),
        ...(scanning
          ? [
              {
                type: 'image_scanning_configuration',
                labels: [],
                attrs: [['scan_on_push', ofLiteral(true)]] as [string, Value][],
                blocks: [],
              },
            ]
          : []),
      ],
      comment,
    }),
  );

/** Blocks other than ECR repositories; resources get their name label when placed. */
const otherBlock: fc.Arbitrary<Block> = fc.oneof<fc.Arbitrary<Block>[]>(
  value.map((v) => ({ type: 'resource', labels: ['aws_s3_bucket'], attrs: [['bucket', v]] as [string, Value][], blocks: [] })),
  value.map((v) => ({
    type: 'resource',
    labels: ['aws_iam_role'],
    attrs: [
      ['name', v],
      ['assume_role_policy', ofExpr('jsonencode({ Version = "2012-10-17" })')],
    ] as [string, Value][],
    blocks: [],
  })),
  fc.constant({
    type: 'resource',
    labels: ['aws_ecr_lifecycle_policy'],
    attrs: [
      ['repository', ofExpr('aws_ecr_repository.r0.name')],
      ['policy', ofExpr('jsonencode({ rules = [] })')],
    ] as [string, Value][],
    blocks: [],
  }),
  fc.option(mutabilityValue, { nil: undefined }).map((m) => ({
    type: 'resource',
    labels: ['aws_ecr_repository_creation_template'],
    attrs: [
      ['prefix', ofLiteral('cache')],
      ['applied_for', ofLiteral(['PULL_THROUGH_CACHE'])],
      ...(m ? [['image_tag_mutability', m] as [string, Value]] : []),
    ] as [string, Value][],
    blocks: [],
  })),
  fc.constant({ type: 'data', labels: ['aws_region', 'current'], attrs: [], blocks: [] }),
  value.map((v) => ({ type: 'output', labels: ['out'], attrs: [['value', v]] as [string, Value][], blocks: [] })),
  fc.constant({ type: 'provider', labels: ['aws'], attrs: [['region', ofLiteral('eu-west-1')]] as [string, Value][], blocks: [] }),
  fc.constant({ type: 'terraform', labels: [], attrs: [['required_version', ofLiteral('>= 1.5')]] as [string, Value][], blocks: [] }),
);

function renderHcl(blocks: Block[], indent = ''): string {
  return blocks
    .map((b) => {
      const header = [b.type, ...b.labels.map(quoted)].join(' ');
      const inner = indent + '  ';
      const attrs = b.attrs.map(([k, v]) => `${inner}${k} = ${v.hcl}\n`).join('');
      const nested = b.blocks.length ? renderHcl(b.blocks, inner) : '';
      return `${b.comment ? `${indent}${b.comment}\n` : ''}${indent}${header} {\n${attrs}${nested}${indent}}\n`;
    })
    .join(indent ? '' : '\n');
}

function jsonBody(b: Block): Record<string, unknown> {
  const body: Record<string, unknown> = Object.fromEntries(b.attrs.map(([k, v]) => [k, v.json]));
  for (const nested of b.blocks) {
    if (nested.type === 'dynamic') {
      const dyn = (body.dynamic ??= {}) as Record<string, unknown>;
      dyn[nested.labels[0]] = jsonBody(nested);
    } else if (nested.type === 'content') body.content = jsonBody(nested);
    else body[nested.type] = [...((body[nested.type] as unknown[] | undefined) ?? []), jsonBody(nested)];
  }
  return body;
}

function renderJson(blocks: Block[]): string {
  const doc: Record<string, Record<string, unknown>> = {};
  for (const b of blocks) {
    const group = (doc[b.type] ??= {});
    if (b.type === 'locals' || b.type === 'terraform') Object.assign(group, jsonBody(b));
    else if (b.labels.length === 2) ((group[b.labels[0]] ??= {}) as Record<string, unknown>)[b.labels[1]] = jsonBody(b);
    else group[b.labels[0]] = jsonBody(b);
  }
  return JSON.stringify(doc, null, 2) + '\n';
}

const TYPES = ['string', 'any', 'bool', 'list(string)', 'map(string)'];

/** Variables as people write them: a type and a default that fit the name… */
const mutabilityWord = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...MUTABILITY) }, { weight: 1, arbitrary: word });
const typedVariable = fc.oneof(
  fc.record({
    name: fc.constant('mutability'),
    type: fc.constantFrom('string', undefined),
    default: fc.option(mutabilityWord, { nil: undefined }),
  }),
  fc.record({
    name: fc.constant('enabled'),
    type: fc.constantFrom('bool', undefined),
    default: fc.option(fc.boolean(), { nil: undefined }),
  }),
  fc.record({
    name: fc.constant('names'),
    type: fc.constantFrom('list(string)', 'set(string)', undefined),
    default: fc.option(fc.uniqueArray(word, { maxLength: 3 }), { nil: undefined }),
  }),
  fc.record({
    name: fc.constant('settings'),
    type: fc.constantFrom('map(string)', undefined),
    default: fc.option(fc.dictionary(fc.constantFrom('api', 'web', 'jobs'), mutabilityWord, { maxKeys: 3 }), { nil: undefined }),
  }),
  fc.record({ name: fc.constant('suffix'), type: fc.constantFrom('string', undefined), default: fc.option(word, { nil: undefined }) }),
);
/** …and sometimes anything at all. */
const anyVariable = fc.record({
  name: fc.constantFrom(...VARS),
  default: fc.option(literal, { nil: undefined }),
  type: fc.option(fc.constantFrom(...TYPES), { nil: undefined }),
});
const typedLocal = fc.oneof(
  fc.tuple(
    fc.constant('mode'),
    fc.oneof(
      fc.constantFrom(...MUTABILITY).map(quoted),
      fc.constantFrom(
        'var.mutability',
        'coalesce(var.mutability, "IMMUTABLE")',
        'var.enabled ? "IMMUTABLE" : "MUTABLE"',
        'upper(var.mutability)',
        'lookup(var.settings, "api", "MUTABLE")',
      ),
    ),
  ),
  fc.tuple(
    fc.constant('repos'),
    fc.constantFrom(
      'toset(var.names)',
      '{ for n in var.names : n => var.mutability }',
      'var.settings',
      '{ api = "MUTABLE", web = "IMMUTABLE" }',
      '{ for k, v in var.settings : k => v if v != "" }',
    ),
  ),
  fc.tuple(
    fc.constant('cfg'),
    fc.constantFrom('{ mutability = var.mutability, scan = true }', 'merge({ mutability = "IMMUTABLE" }, { mutability = local.mode })'),
  ),
);

/** One module directory: relative path → text. */
export const moduleDir: fc.Arbitrary<Record<string, string>> = fc
  .record({
    json: fc.boolean(),
    repos: fc.array(ecrRepository, { minLength: 1, maxLength: 3 }),
    others: fc.array(otherBlock, { maxLength: 3 }),
    variables: fc.uniqueArray(fc.oneof({ weight: 4, arbitrary: typedVariable }, { weight: 1, arbitrary: anyVariable }), {
      selector: (v) => v.name,
      maxLength: VARS.length,
    }),
    locals: fc.uniqueArray(
      fc.oneof({ weight: 3, arbitrary: typedLocal }, { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...LOCALS), expr) }),
      { selector: ([n]) => n, maxLength: LOCALS.length },
    ),
    child: fc.option(
      fc.record({
        mutability: mutabilityValue,
        meta: fc.option(
          fc.constantFrom<[string, string]>(['count', '2'], ['for_each', 'toset(["x", "y"])'], ['count', 'var.enabled ? 1 : 0']),
          { nil: undefined },
        ),
        childDefault: fc.constantFrom(...MUTABILITY),
      }),
      { nil: undefined },
    ),
    tfvars: fc.option(fc.dictionary(fc.constantFrom(...VARS), literal, { maxKeys: 3 }), { nil: undefined }),
    mixedOrder: fc.boolean(),
  })
  .map(({ json, repos, others, variables, locals, child, tfvars, mixedOrder }) => {
    const files: Record<string, string> = {};
    const render = (blocks: Block[]) => (json ? renderJson(blocks.map((b) => ({ ...b, comment: undefined }))) : renderHcl(blocks));
    const ext = json ? '.tf.json' : '.tf';
    const repoBlocks: Block[] = repos.map((r, i) => ({ ...r, labels: [...r.labels, `r${i}`] }));
    const named = others.map((o, i): Block => {
      if (o.type === 'resource') return { ...o, labels: [o.labels[0], `o${i}`] };
      if (o.type === 'data') return { ...o, labels: [o.labels[0], `current${i}`] };
      if (o.type === 'output') return { ...o, labels: [`out${i}`] };
      if (o.type === 'provider') return { ...o, attrs: [...o.attrs, ['alias', ofLiteral(`p${i}`)]] };
      return o;
    });
    const main: Block[] = mixedOrder ? [...named, ...repoBlocks] : [...repoBlocks, ...named];
    if (child) {
      main.push({
        type: 'module',
        labels: ['child'],
        attrs: [
          ['source', ofLiteral('./child')],
          ...(child.meta ? [[child.meta[0], ofExpr(child.meta[1])] as [string, Value]] : []),
          ['mutability', child.mutability],
          ['name', ofLiteral('from-parent')],
        ],
        blocks: [],
      });
      files['child/main.tf'] = renderHcl([
        { type: 'variable', labels: ['mutability'], attrs: [['default', ofLiteral(child.childDefault)]], blocks: [] },
        { type: 'variable', labels: ['name'], attrs: [['type', ofExpr('string')]], blocks: [] },
        {
          type: 'resource',
          labels: ['aws_ecr_repository', 'this'],
          attrs: [
            ['name', ofExpr('var.name')],
            ['image_tag_mutability', ofExpr('var.mutability')],
          ],
          blocks: [],
        },
        { type: 'output', labels: ['name'], attrs: [['value', ofExpr('aws_ecr_repository.this.name')]], blocks: [] },
      ]);
    }
    files[`main${ext}`] = render(main);
    if (variables.length) {
      files[`variables${ext}`] = render(
        variables.map((v) => ({
          type: 'variable',
          labels: [v.name],
          attrs: [
            ...(v.type ? [['type', { hcl: v.type, json: v.type }] as [string, Value]] : []),
            ...(v.default !== undefined ? [['default', ofLiteral(v.default)] as [string, Value]] : []),
          ],
          blocks: [],
        })),
      );
    }
    if (locals.length)
      files[`locals${ext}`] = render([
        { type: 'locals', labels: [], attrs: locals.map(([n, e]) => [n, ofExpr(e)] as [string, Value]), blocks: [] },
      ]);
    if (tfvars)
      files['terraform.tfvars'] = Object.entries(tfvars)
        .map(([k, v]) => `${k} = ${hclLiteral(v)}\n`)
        .join('');
    return files;
  });

/** Several top-level module directories d0, d1, …, each its own root. */
export const moduleTree: fc.Arbitrary<Record<string, Record<string, string>>> = fc
  .array(moduleDir, { minLength: 2, maxLength: 4 })
  .map((dirs) => Object.fromEntries(dirs.map((files, i) => [`d${i}`, files])));

/**
 * Damage to one file. `breaking` damage makes the file certainly invalid: a stray
 * brace, quote or NUL at the start of a line (never inside a string in these files),
 * or a cut inside a block. Other damage may or may not leave it valid.
 */
export type Damage =
  | { kind: 'cut-inside'; at: number; breaking: true }
  | { kind: 'line-insert'; at: number; text: string; breaking: true }
  | { kind: 'cut'; at: number; breaking: false }
  | { kind: 'insert'; at: number; bytes: readonly number[]; breaking: false }
  | { kind: 'delete'; at: number; length: number; breaking: false };

const at = fc.nat({ max: 1_000_000 });
export const breakingDamage: fc.Arbitrary<Damage> = fc.oneof(
  at.map((a) => ({ kind: 'cut-inside' as const, at: a, breaking: true as const })),
  fc
    .tuple(at, fc.constantFrom('{', '}', '"', '\0', '{\n', '}\n', '"\n', '\0\n'))
    .map(([a, text]) => ({ kind: 'line-insert' as const, at: a, text, breaking: true as const })),
);
export const anyDamage: fc.Arbitrary<Damage> = fc.oneof(
  breakingDamage,
  at.map((a) => ({ kind: 'cut' as const, at: a, breaking: false as const })),
  fc
    .tuple(
      at,
      fc.oneof(
        fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }),
        fc.constantFrom([0], [0x7b], [0x7d], [0x22], [0x24, 0x7b], [0x25, 0x7b], [0x3c, 0x3c], [0xff, 0xfe], [0xef, 0xbb, 0xbf]),
      ),
    )
    .map(([a, bytes]) => ({
      kind: 'insert' as const,
      at: a,
      bytes,
      breaking: false as const,
    })),
  fc
    .tuple(at, fc.integer({ min: 1, max: 40 }))
    .map(([a, length]) => ({ kind: 'delete' as const, at: a, length, breaking: false as const })),
);

/** The damaged bytes of a file. */
export function applyDamage(text: string, d: Damage): Buffer {
  const buf = Buffer.from(text, 'utf8');
  switch (d.kind) {
    case 'cut':
      return buf.subarray(0, d.at % (buf.length + 1));
    case 'insert': {
      const i = d.at % (buf.length + 1);
      return Buffer.concat([buf.subarray(0, i), Buffer.from(d.bytes), buf.subarray(i)]);
    }
    case 'delete': {
      const i = d.at % (buf.length + 1);
      return Buffer.concat([buf.subarray(0, i), buf.subarray(i + d.length)]);
    }
    case 'line-insert': {
      const starts = [0, ...[...buf.entries()].filter(([, b]) => b === 0x0a).map(([i]) => i + 1)];
      const i = starts[d.at % starts.length];
      return Buffer.concat([buf.subarray(0, i), Buffer.from(d.text), buf.subarray(i)]);
    }
    case 'cut-inside': {
      // Offsets where more braces have been opened than closed before them.
      const inside: number[] = [];
      let depth = 0;
      for (let i = 0; i < buf.length; i++) {
        if (depth > 0) inside.push(i);
        if (buf[i] === 0x7b) depth++;
        else if (buf[i] === 0x7d) depth--;
      }
      // A file without blocks (tfvars of plain values): a stray brace on the first line instead.
      if (inside.length === 0) return Buffer.concat([Buffer.from('{'), buf]);
      return buf.subarray(0, inside[d.at % inside.length]);
    }
  }
}
