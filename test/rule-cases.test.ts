import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import { Aspects, TerraformResource, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { parse } from 'yaml';
import { TagguardAspect } from '../src/cdktf';
import { applyEdits, writeChanges } from '../src/fix/apply';
import { planFixes } from '../src/fix/plan-fixes';
import { DEFAULT_MOVING_TAGS, DEFAULT_UNSEEN_REGISTRY, type PolicyConfig, type UnseenRegistrySeverity } from '../src/policy/input';
import { builtinPolicySync } from '../src/policy/sync';
import { matching, ROOT, scanDir, tempDir, tree } from './helpers';

// Each rule folder's cases.yaml, run against the compiled policy (a scan of generated
// .tf and .tf.json files), the CDKTF aspect (error and enforce modes) and the fixer
// (--fix, then a scan): all three must agree with the table, so none can drift.

/**
 * { ref: attr }: a reference to that attribute of the case's own resource (harbor_project.case.id).
 * { template: text }: a string template whose `${with_0.repository_url}` reads an attribute of the
 * case's first extra resource, `${case.id}` of its own, and `${unknown}` a value unknown before apply.
 */
type Value = string | number | boolean | null | { unknown: true } | { ref: string } | { template: string };
/** An attribute may also be a list of objects (awscc's nested attributes), written as such, never as blocks. */
type AttributeValue = Value | Record<string, Value>[];
type Blocks = Record<string, Record<string, Value>[]>;
interface Values {
  attributes?: Record<string, AttributeValue>;
  blocks?: Blocks;
}
/** Another resource of the case, judged with it (a rule that joins resources). */
interface Extra extends Values {
  type: string;
}
interface Case extends Values {
  name: string;
  type?: string;
  with?: Extra[];
  /** The policy config of the row; unknown values are always warnings (--unknown warn, as the aspect reports them). */
  config?: { allowed_mutable_tags?: string[]; moving_tags?: string[]; unseen_registry?: UnseenRegistrySeverity };
  verdict: 'pass' | 'error' | 'warning' | 'note';
  messages: string[];
  fix?: Values | 'manual';
}
interface CaseTable {
  /** The rule's id (METADATA custom.id): a row judges this rule's findings only. */
  rule: string;
  type: string;
  cases: Case[];
}

const value = {
  anyOf: [
    { type: 'string' },
    { type: 'number' },
    { type: 'boolean' },
    { type: 'null' },
    { type: 'object', properties: { unknown: { const: true } }, required: ['unknown'], additionalProperties: false },
    { type: 'object', properties: { ref: { type: 'string' } }, required: ['ref'], additionalProperties: false },
    { type: 'object', properties: { template: { type: 'string' } }, required: ['template'], additionalProperties: false },
  ],
};
const values = {
  attributes: {
    type: 'object',
    additionalProperties: { anyOf: [value, { type: 'array', items: { type: 'object', additionalProperties: value } }] },
  },
  blocks: { type: 'object', additionalProperties: { type: 'array', items: { type: 'object', additionalProperties: value } } },
};
const SCHEMA = {
  type: 'object',
  required: ['rule', 'type', 'cases'],
  additionalProperties: false,
  properties: {
    rule: { type: 'string' },
    type: { type: 'string' },
    cases: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'verdict', 'messages'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          type: { type: 'string' },
          ...values,
          with: {
            type: 'array',
            items: { type: 'object', required: ['type'], additionalProperties: false, properties: { type: { type: 'string' }, ...values } },
          },
          config: {
            type: 'object',
            additionalProperties: false,
            properties: {
              allowed_mutable_tags: { type: 'array', items: { type: 'string' } },
              moving_tags: { type: 'array', items: { type: 'string' } },
              unseen_registry: { enum: ['error', 'warning', 'note', 'ignore'] },
            },
          },
          verdict: { enum: ['pass', 'error', 'warning', 'note'] },
          messages: { type: 'array', items: { type: 'string' } },
          fix: { anyOf: [{ const: 'manual' }, { type: 'object', additionalProperties: false, properties: values }] },
        },
      },
    },
  },
};

const RULES_DIR = path.join(ROOT, 'policies', 'tagguard', 'rules');
const validate = new Ajv({ allErrors: true }).compile<CaseTable>(SCHEMA);

/** Every rule folder and its table, each validated. */
const TABLES = readdirSync(RULES_DIR, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => {
    const file = path.join(RULES_DIR, e.name, 'cases.yaml');
    const table: unknown = parse(readFileSync(file, 'utf8'));
    if (!validate(table)) throw new Error(`${path.relative(ROOT, file)}: ${JSON.stringify(validate.errors)}`);
    return [e.name, table] as const;
  });

const isUnknown = (v: AttributeValue): v is { unknown: true } => typeof v === 'object' && v !== null && !Array.isArray(v) && 'unknown' in v;
const isRef = (v: AttributeValue): v is { ref: string } => typeof v === 'object' && v !== null && !Array.isArray(v) && 'ref' in v;
const isTemplate = (v: AttributeValue): v is { template: string } =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && 'template' in v;
/** A template's interpolations: `case`, `with_<n>` or `unknown`, and the attribute read. */
const INTERPOLATION = /\$\{(case|with_(\d+)|unknown)(?:\.(\w+))?\}/g;
/** The extra resources of a case are named after their position. */
const extraName = (i: number) => `with_${i}`;
const UNKNOWN_REF = 'data.aws_ssm_parameter.unknown.value';
const UNKNOWN_DATA = 'data "aws_ssm_parameter" "unknown" {\n  name = "unknown"\n}\n\n';

const hasUnknown = (c: Case) => /"unknown":true|\$\{unknown\}/.test(JSON.stringify([c.attributes, c.blocks, c.with]));
/** The case's own resource, whose attributes { ref } reads, and the types of its extra resources. */
let caseType = '';
let extraTypes: string[] = [];
/** A template as Terraform writes it: each interpolation a reference. */
const expand = (template: string) =>
  template.replace(INTERPOLATION, (_, root: string, n: string | undefined, attr: string | undefined) =>
    root === 'unknown' ? `\${${UNKNOWN_REF}}` : `\${${n === undefined ? caseType : extraTypes[Number(n)]}.${root}.${attr}}`,
  );
const hclScalar = (v: Value) =>
  isUnknown(v)
    ? UNKNOWN_REF
    : isRef(v)
      ? `${caseType}.case.${v.ref}`
      : isTemplate(v)
        ? JSON.stringify(expand(v.template))
        : JSON.stringify(v);
const hclValue = (v: AttributeValue) =>
  Array.isArray(v)
    ? `[${v
        .map(
          (o) =>
            `{ ${Object.entries(o)
              .map(([f, x]) => `${f} = ${hclScalar(x)}`)
              .join(', ')} }`,
        )
        .join(', ')}]`
    : hclScalar(v);
const jsonScalar = (v: Value) =>
  isUnknown(v) ? `\${${UNKNOWN_REF}}` : isRef(v) ? `\${${caseType}.case.${v.ref}}` : isTemplate(v) ? expand(v.template) : v;
const jsonValue = (v: AttributeValue) =>
  Array.isArray(v) ? v.map((o) => Object.fromEntries(Object.entries(o).map(([f, x]) => [f, jsonScalar(x)]))) : jsonScalar(v);

function hclResource(type: string, name: string, v: Values): string[] {
  const lines = [`resource "${type}" "${name}" {`, ...Object.entries(v.attributes ?? {}).map(([k, x]) => `  ${k} = ${hclValue(x)}`)];
  for (const [k, list] of Object.entries(v.blocks ?? {})) {
    for (const b of list) lines.push('', `  ${k} {`, ...Object.entries(b).map(([f, x]) => `    ${f} = ${hclScalar(x)}`), '  }');
  }
  return [...lines, '}', ''];
}

function hcl(type: string, c: Case): string {
  caseType = type;
  extraTypes = (c.with ?? []).map((e) => e.type);
  const lines = [...hclResource(type, 'case', c), ...(c.with ?? []).flatMap((e, i) => ['', ...hclResource(e.type, extraName(i), e)])];
  return (hasUnknown(c) ? UNKNOWN_DATA : '') + lines.join('\n');
}

function jsonBody(v: Values) {
  return {
    ...Object.fromEntries(Object.entries(v.attributes ?? {}).map(([k, x]) => [k, jsonValue(x)])),
    ...Object.fromEntries(
      Object.entries(v.blocks ?? {}).map(([k, list]) => [
        k,
        list.map((b) => Object.fromEntries(Object.entries(b).map(([f, x]) => [f, jsonScalar(x)]))),
      ]),
    ),
  };
}

function terraformJson(type: string, c: Case): string {
  caseType = type;
  extraTypes = (c.with ?? []).map((e) => e.type);
  const resource: Record<string, Record<string, unknown>> = { [type]: { case: jsonBody(c) } };
  (c.with ?? []).forEach((e, i) => {
    resource[e.type] = { ...resource[e.type], [extraName(i)]: jsonBody(e) };
  });
  const data = hasUnknown(c) ? { data: { aws_ssm_parameter: { unknown: { name: 'unknown' } } } } : {};
  return JSON.stringify({ ...data, resource }, null, 2) + '\n';
}

function policyConfig(c: Case): PolicyConfig {
  return {
    allowedMutableTags: c.config?.allowed_mutable_tags ?? ['latest'],
    unknown: 'warn',
    movingTags: c.config?.moving_tags ?? [...DEFAULT_MOVING_TAGS],
    unseenRegistry: c.config?.unseen_registry ?? DEFAULT_UNSEEN_REGISTRY,
  };
}

function verdictOf(severities: string[]): Case['verdict'] {
  if (severities.length === 0) return 'pass';
  return severities.includes('error') ? 'error' : severities.includes('warning') ? 'warning' : 'note';
}

/** The values a case expects after its fix, over every key the case or its fix names. */
function expectedAfterFix(c: Case, fix: Values) {
  const attributes = new Set([...Object.keys(c.attributes ?? {}), ...Object.keys(fix.attributes ?? {})]);
  const blocks = new Set([...Object.keys(c.blocks ?? {}), ...Object.keys(fix.blocks ?? {})]);
  return {
    attributes: Object.fromEntries([...attributes].map((k) => [k, fix.attributes?.[k]])),
    blocks: Object.fromEntries([...blocks].map((k) => [k, fix.blocks?.[k] ?? []])),
  };
}

/** The aspect's annotations by metadata type: an error, a warning, or a note as information. */
const LEVELS: Record<string, string> = { '@cdktf/error': 'error', '@cdktf/warn': 'warning', '@cdktf/info': 'note' };

const made: string[] = [];
afterAll(() => {
  made.forEach((dir) => {
    rmSync(dir, { recursive: true, force: true });
  });
});

describe.each(TABLES)('rule %s: cases.yaml', (_folder, table) => {
  // The compiled policy holds every rule: a row judges the findings of its own rule only.
  const own = <T extends { ruleId: string }>(findings: T[]) => findings.filter((f) => f.ruleId === table.rule);

  test('names a compiled rule that judges its resource types', () => {
    const rule = builtinPolicySync()
      .rules()
      .find((r) => r.id === table.rule);
    expect(rule?.resource_types).toEqual(
      expect.arrayContaining([...new Set([table.type, ...table.cases.map((c) => c.type ?? table.type)])]),
    );
  });

  describe.each(table.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const type = c.type ?? table.type;
    const files = [
      ['main.tf', hcl(type, c)],
      ['main.tf.json', terraformJson(type, c)],
    ] as const;

    test.each(files)('the compiled policy, scanning %s', async (file, text) => {
      const dir = tree({ [file]: text }, { prefix: 'cases' });
      made.push(dir);
      const result = await scanDir(dir, { policy: policyConfig(c) });
      expect(result.errors).toEqual([]);
      expect(result.summary.resources).toBe(1 + (c.with?.length ?? 0));
      expect(verdictOf(own(result.findings).map((f) => f.severity))).toBe(c.verdict);
      expect(
        own(result.findings)
          .map((f) => f.messageId)
          .sort(),
      ).toEqual([...c.messages].sort());
    });

    test.each(files)('the fixer, on %s', async (file, text) => {
      const dir = tree({ [file]: text }, { prefix: 'cases-fix', repository: true });
      made.push(dir);
      const policy = policyConfig(c);
      const before = await scanDir(dir, { policy });
      const plan = planFixes(own(before.findings), before.resources, before.sources, policy);
      if (c.fix === undefined || c.fix === 'manual') {
        expect(plan.edits).toEqual([]);
        expect(plan.manual.length > 0).toBe(c.fix === 'manual');
        return;
      }
      expect(plan.manual).toEqual([]);
      const applied = await applyEdits(plan.edits, before.sources);
      expect(applied.refused).toEqual([]);
      await writeChanges(applied.changed, dir);
      expect(readFileSync(path.join(dir, file), 'utf8')).not.toBe(text);
      const after = await scanDir(dir, { policy });
      expect(own(after.findings)).toEqual([]);
      const [r] = after.resources;
      const expected = expectedAfterFix(c, c.fix);
      expect({
        // A resource has entries only for what it sets.
        attributes: Object.fromEntries(
          Object.keys(expected.attributes).map((k) => {
            const a = Object.hasOwn(r.attributes, k) ? r.attributes[k] : undefined;
            return [k, a?.set ? a.value : undefined];
          }),
        ),
        blocks: Object.fromEntries(
          Object.keys(expected.blocks).map((k) => [k, Object.hasOwn(r.blocks, k) ? r.blocks[k].instances.map((b) => b.fields) : []]),
        ),
      }).toEqual(expected);
    });

    /** A raw TerraformResource configured by addOverride: the aspect reads what is synthesized. */
    function synthesize(mode: 'error' | 'enforce') {
      const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'cases');
      const resource = new TerraformResource(stack, 'case', { terraformResourceType: type });
      let unknown: string | undefined;
      const unknownValue = () => (unknown ??= new TerraformVariable(stack, 'unknown', { type: 'string' }).stringValue);
      const extras: TerraformResource[] = [];
      // A template is text and tokens, concatenated as a construct's code would.
      const cdktfTemplate = (template: string) =>
        template.replace(INTERPOLATION, (_, root: string, n: string | undefined, attr: string) =>
          root === 'unknown' ? unknownValue() : (n === undefined ? resource : extras[Number(n)]).getStringAttribute(attr),
        );
      const cdktfValue = (v: Value) =>
        isUnknown(v) ? unknownValue() : isRef(v) ? resource.getStringAttribute(v.ref) : isTemplate(v) ? cdktfTemplate(v.template) : v;
      const configure = (r: TerraformResource, values: Values) => {
        for (const [k, v] of Object.entries(values.attributes ?? {}))
          r.addOverride(
            k,
            Array.isArray(v) ? v.map((o) => Object.fromEntries(Object.entries(o).map(([f, x]) => [f, cdktfValue(x)]))) : cdktfValue(v),
          );
        for (const [k, list] of Object.entries(values.blocks ?? {}))
          r.addOverride(
            k,
            list.map((b) => Object.fromEntries(Object.entries(b).map(([f, v]) => [f, cdktfValue(v)]))),
          );
      };
      (c.with ?? []).forEach((e, i) => extras.push(new TerraformResource(stack, extraName(i), { terraformResourceType: e.type })));
      configure(resource, c);
      (c.with ?? []).forEach((e, i) => {
        configure(extras[i], e);
      });
      Aspects.of(stack).add(
        new TagguardAspect({
          mode,
          allowedMutableTags: c.config?.allowed_mutable_tags,
          movingTags: c.config?.moving_tags,
          unseenRegistry: c.config?.unseen_registry,
          rules: [table.rule],
        }),
      );
      const json = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, Record<string, unknown>>> };
      const annotations = [resource, ...extras]
        .flatMap((r) => r.node.metadata)
        .filter((m) => m.type.startsWith('@cdktf/'))
        .map((m) => ({ level: LEVELS[m.type] ?? m.type, text: String(m.data) }));
      return { annotations, synthesized: Object.values(json.resource[type])[0] };
    }

    test('the CDKTF aspect, error mode', () => {
      const { annotations } = synthesize('error');
      expect(verdictOf(annotations.map((a) => a.level))).toBe(c.verdict);
      expect(annotations.map((a) => /\[[\w-]+\/(\w+)\]$/.exec(a.text)?.[1]).sort()).toEqual([...c.messages].sort());
    });

    test('the CDKTF aspect, enforce mode', () => {
      const { annotations, synthesized } = synthesize('enforce');
      if (c.fix === undefined) {
        expect(annotations).toEqual(synthesize('error').annotations);
        return;
      }
      if (c.fix === 'manual') {
        expect(annotations.filter((a) => a.level === 'error').map((a) => a.text)).toEqual(
          c.messages.map(() => matching(/\(not enforced: .+\)$/)),
        );
        // What a person must change stays as written (a template is checked by the scans above).
        const written = Object.fromEntries(Object.entries(c.attributes ?? {}).filter(([, v]) => !isTemplate(v)));
        expect(synthesized).toMatchObject({ ...written, ...c.blocks });
        return;
      }
      expect(annotations).toEqual([{ level: 'warning', text: matching(/by TagguardAspect \(was: /) }]);
      const expected = expectedAfterFix(c, c.fix);
      expect({
        attributes: Object.fromEntries(Object.keys(expected.attributes).map((k) => [k, synthesized[k]])),
        blocks: Object.fromEntries(Object.keys(expected.blocks).map((k) => [k, synthesized[k] ?? []])),
      }).toEqual(expected);
    });
  });
});

test('every rule folder has a case table (a folder without one fails to load above)', () => {
  expect(TABLES.length).toBeGreaterThan(0);
});
