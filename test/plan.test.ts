import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { scan } from '../src/scan/run';
import type { ScanResult } from '../src/scan/types';
import { SourceFile } from '../src/parse/source';
import { callNames, isPlan, type PlanResource, readPlan } from '../src/terraform/plan/plan-json';
import { toPlain, type Value } from '../src/terraform/eval/value';
import { DEFAULT_POLICY, defined, matching, ROOT, tree } from './helpers';

const FILE = 'fixtures/plan/plan.json';
const TEXT = readFileSync(path.join(ROOT, FILE), 'utf8');

function read(text: string, file = FILE): PlanResource[] {
  const result = readPlan(new SourceFile(file, text));
  if (!result.ok) throw new Error(`expected a plan, got problems: ${JSON.stringify(result.problems)}`);
  return result.resources;
}

function problems(text: string, file = 'bad.json') {
  const result = readPlan(new SourceFile(file, text));
  if (result.ok) throw new Error('expected problems, got a plan');
  return result.problems;
}

function resource(resources: PlanResource[], address: string): PlanResource {
  const found = resources.find((r) => r.address === address);
  if (!found) throw new Error(`${address} not returned; got ${resources.map((r) => r.address).join(', ')}`);
  return found;
}

function attr(r: PlanResource, name: string): Value {
  const v = r.attributes.get(name);
  if (!v) throw new Error(`${r.address} has no attribute ${name}`);
  return v;
}

function range(line: number, column: number, endLine: number, endColumn: number, file = FILE) {
  return { file, line, column, endLine, endColumn };
}

/** A minimal plan around some resource_changes, on one line as Terraform writes it. */
function plan(changes: unknown[]): string {
  return JSON.stringify({
    format_version: '1.2',
    terraform_version: '1.9.8',
    resource_changes: changes,
    applyable: true,
    complete: true,
    errored: false,
  });
}

function ecr(name: string, actions: string[], after: unknown, afterUnknown: unknown = {}, extra: Record<string, unknown> = {}) {
  return {
    address: `aws_ecr_repository.${name}`,
    mode: 'managed',
    type: 'aws_ecr_repository',
    name,
    provider_name: 'registry.terraform.io/hashicorp/aws',
    change: { actions, before: null, after, after_unknown: afterUnknown, before_sensitive: false, after_sensitive: {} },
    ...extra,
  };
}

/** 1-based line and column of the n-th occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string, nth = 1): { line: number; column: number } {
  let offset = -1;
  for (let i = 0; i < nth; i++) {
    offset = text.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`"${needle}" occurs fewer than ${nth} times`);
  }
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before[before.length - 1].length + 1 };
}

describe('readPlan on fixtures/plan/plan.json', () => {
  const resources = read(TEXT);

  test('returns the creates and updates of managed resources, in plan order, with their actions', () => {
    expect(resources.map((r) => [r.address, r.actions])).toEqual([
      ['aws_ecr_repository.api', ['create']],
      ['aws_ecr_repository.cache', ['create']],
      ['aws_ecr_repository.web', ['update']],
      ['aws_s3_bucket.artifacts', ['create']],
      ['module.registry.aws_ecr_repository.this[0]', ['create']],
    ]);
  });

  test('skips the delete, the no-op and the data source read', () => {
    const addresses = resources.map((r) => r.address);
    expect(addresses).not.toContain('aws_ecr_repository.old');
    expect(addresses).not.toContain('aws_ecr_repository.base');
    expect(addresses).not.toContain('data.aws_ssm_parameter.mutability');
  });

  test('a root-module resource: type, name, mode, no module address and no index', () => {
    const api = resource(resources, 'aws_ecr_repository.api');
    expect(api).toMatchObject({ moduleAddress: '', type: 'aws_ecr_repository', name: 'api', mode: 'managed' });
    expect('index' in api).toBe(false);
  });

  test('a module resource with count: module address and numeric index', () => {
    const r = resource(resources, 'module.registry.aws_ecr_repository.this[0]');
    expect(r).toMatchObject({ moduleAddress: 'module.registry', type: 'aws_ecr_repository', name: 'this', mode: 'managed', index: 0 });
  });

  test('location is the resource_change object in plan.json', () => {
    expect(resource(resources, 'aws_ecr_repository.api').location).toEqual(range(238, 5, 286, 6));
    expect(resource(resources, 'aws_ecr_repository.web').location).toEqual(range(477, 5, 559, 6));
    expect(resource(resources, 'module.registry.aws_ecr_repository.this[0]').location).toEqual(range(649, 5, 691, 6));
  });

  test('image_tag_mutability of a create, from change.after, placed at its literal', () => {
    const v = attr(resource(resources, 'aws_ecr_repository.api'), 'image_tag_mutability');
    expect(v).toEqual({ kind: 'string', value: 'MUTABLE', origin: range(257, 35, 257, 44), trace: [] });
  });

  test('an update gives the value after the change, not before', () => {
    const v = attr(resource(resources, 'aws_ecr_repository.web'), 'image_tag_mutability');
    expect(v).toEqual({ kind: 'string', value: 'IMMUTABLE', origin: range(527, 35, 527, 46), trace: [] });
  });

  test('the exclusion filter list: each element and field keeps its own place', () => {
    const cache = resource(resources, 'aws_ecr_repository.cache');
    expect(attr(cache, 'image_tag_mutability')).toMatchObject({
      kind: 'string',
      value: 'IMMUTABLE_WITH_EXCLUSION',
      origin: range(385, 35, 385, 61),
    });
    const filters = attr(cache, 'image_tag_mutability_exclusion_filter');
    if (filters.kind !== 'list') throw new Error(`expected a list, got ${filters.kind}`);
    expect(filters.origin).toEqual(range(386, 52, 395, 12));
    expect(filters.items).toHaveLength(2);
    const [first, second] = filters.items;
    if (first.kind !== 'map' || second.kind !== 'map') throw new Error('expected objects in the list');
    expect(first.origin).toEqual(range(387, 13, 390, 14));
    expect(first.entries.get('filter')).toEqual({ kind: 'string', value: 'latest', origin: range(388, 25, 388, 33), trace: [] });
    expect(first.entries.get('filter_type')).toEqual({ kind: 'string', value: 'WILDCARD', origin: range(389, 30, 389, 40), trace: [] });
    expect(second.entries.get('filter')).toEqual({ kind: 'string', value: 'dev-*', origin: range(392, 25, 392, 32), trace: [] });
    expect([...second.entries.keys()]).toEqual(['filter', 'filter_type']);
  });

  test('an attribute that after_unknown marks true is unknown, reported at that mark', () => {
    const r = resource(resources, 'module.registry.aws_ecr_repository.this[0]');
    expect(attr(r, 'image_tag_mutability')).toEqual({
      kind: 'unknown',
      reason: 'known only after apply',
      origin: range(677, 35, 677, 39),
      trace: [],
    });
    expect(attr(r, 'name')).toMatchObject({ kind: 'string', value: 'platform/base-images' });
  });

  test('computed attributes absent from after come from after_unknown; known ones do not become unknown', () => {
    const api = resource(resources, 'aws_ecr_repository.api');
    expect(attr(api, 'arn')).toMatchObject({ kind: 'unknown', origin: range(265, 18, 265, 22) });
    expect(attr(api, 'repository_url').kind).toBe('unknown');
    expect([...api.attributes.keys()].sort()).toEqual(
      [
        'arn',
        'encryption_configuration',
        'force_delete',
        'id',
        'image_scanning_configuration',
        'image_tag_mutability',
        'image_tag_mutability_exclusion_filter',
        'name',
        'region',
        'registry_id',
        'repository_url',
        'tags',
        'tags_all',
        'timeouts',
      ].sort(),
    );
    const scanning = attr(api, 'image_scanning_configuration');
    expect(scanning).toMatchObject({ kind: 'list', items: [{ kind: 'map' }] });
    if (scanning.kind !== 'list' || scanning.items[0].kind !== 'map') throw new Error('expected a list of objects');
    expect(scanning.items[0].entries.get('scan_on_push')).toEqual({
      kind: 'bool',
      value: true,
      origin: range(254, 31, 254, 35),
      trace: [],
    });
  });

  test('nulls in after stay null values with their place', () => {
    const api = resource(resources, 'aws_ecr_repository.api');
    expect(attr(api, 'force_delete')).toEqual({ kind: 'null', origin: range(251, 27, 251, 31), trace: [] });
    expect(attr(api, 'tags')).toEqual({ kind: 'null', origin: range(261, 19, 261, 23), trace: [] });
  });

  test('the non-ECR resource is returned with its own type for the caller to filter', () => {
    const bucket = resource(resources, 'aws_s3_bucket.artifacts');
    expect(bucket.type).toBe('aws_s3_bucket');
    expect(attr(bucket, 'bucket')).toMatchObject({ kind: 'string', value: 'shop-build-artifacts' });
    expect(attr(bucket, 'force_destroy')).toMatchObject({ kind: 'bool', value: false });
  });
});

describe('readPlan: layouts of the same plan', () => {
  test('one line, as terraform show -json writes it: columns count along the line', () => {
    const compact = JSON.stringify(JSON.parse(TEXT));
    const resources = read(compact);
    const v = attr(resource(resources, 'aws_ecr_repository.web'), 'image_tag_mutability');
    // The first "IMMUTABLE" is in planned_values; the second is change.after of aws_ecr_repository.web.
    const at = positionOf(compact, '"IMMUTABLE"', 2);
    expect(at.line).toBe(1);
    expect(v.origin).toEqual(range(1, at.column, 1, at.column + '"IMMUTABLE"'.length));
  });

  test('CRLF line breaks and a byte order mark do not shift lines or columns', () => {
    const windows = '\ufeff' + TEXT.replace(/\n/g, '\r\n');
    const v = attr(resource(read(windows), 'aws_ecr_repository.api'), 'image_tag_mutability');
    expect(v.origin).toEqual(range(257, 35, 257, 44));
  });
});

describe('readPlan: actions and modes', () => {
  const after = { name: 'x', image_tag_mutability: 'MUTABLE' };

  test.each([
    [['create'], true],
    [['update'], true],
    [['delete', 'create'], true],
    [['create', 'delete'], true],
    [['create', 'forget'], true],
    [['delete'], false],
    [['no-op'], false],
    [['read'], false],
    [['forget'], false],
  ])('actions %j returned: %s', (actions, returned) => {
    const resources = read(plan([ecr('r', actions, after)]));
    expect(resources.map((r) => r.address)).toEqual(returned ? ['aws_ecr_repository.r'] : []);
    if (returned) expect(resources[0].actions).toEqual(actions);
  });

  test('a data resource is never returned, even with a create action', () => {
    const data = { ...ecr('r', ['create'], after), address: 'data.aws_ecr_repository.r', mode: 'data' };
    expect(read(plan([data, ecr('s', ['create'], after)])).map((r) => r.address)).toEqual(['aws_ecr_repository.s']);
  });

  test("a for_each key is a string index; Terraform's address is kept as written", () => {
    const change = ecr(
      'this',
      ['create'],
      after,
      {},
      { address: 'module.ecr["a"].aws_ecr_repository.this["x"]', module_address: 'module.ecr["a"]', index: 'x' },
    );
    const [r] = read(plan([change]));
    expect(r).toMatchObject({ address: 'module.ecr["a"].aws_ecr_repository.this["x"]', moduleAddress: 'module.ecr["a"]', index: 'x' });
  });

  test('a plan with nothing to change (no resource_changes) is a plan with no resources', () => {
    const result = readPlan(
      new SourceFile(
        'empty.json',
        JSON.stringify({ format_version: '1.2', planned_values: { root_module: {} }, applyable: false, complete: true, errored: false }),
      ),
    );
    expect(result).toEqual({ ok: true, resources: [] });
  });
});

describe('readPlan: unknown and null values', () => {
  function only(after: unknown, afterUnknown: unknown): PlanResource {
    const [r] = read(plan([ecr('r', ['create'], after, afterUnknown)]), 'p.json');
    return r;
  }

  test('an element of a list that after_unknown marks true is unknown; its neighbours stay known', () => {
    // Terraform writes null in `after` for an unknown list element and true at the same index of after_unknown.
    const text = plan([
      ecr(
        'r',
        ['create'],
        {
          image_tag_mutability: 'IMMUTABLE_WITH_EXCLUSION',
          image_tag_mutability_exclusion_filter: [{ filter: 'latest', filter_type: 'WILDCARD' }, null],
        },
        { image_tag_mutability_exclusion_filter: [{}, true] },
      ),
    ]);
    const [r] = read(text, 'p.json');
    const filters = attr(r, 'image_tag_mutability_exclusion_filter');
    if (filters.kind !== 'list') throw new Error(`expected a list, got ${filters.kind}`);
    expect(filters.items.map((i) => i.kind)).toEqual(['map', 'unknown']);
    const mark = positionOf(text, 'true]');
    expect(filters.items[1]).toEqual({
      kind: 'unknown',
      reason: 'known only after apply',
      origin: range(1, mark.column, 1, mark.column + 4, 'p.json'),
      trace: [],
    });
    expect(attr(r, 'image_tag_mutability')).toMatchObject({ kind: 'string', value: 'IMMUTABLE_WITH_EXCLUSION' });
  });

  test('a field of an object inside a list, marked true, is unknown and absent from after', () => {
    const r = only(
      { image_tag_mutability_exclusion_filter: [{ filter_type: 'WILDCARD' }] },
      { image_tag_mutability_exclusion_filter: [{ filter: true }] },
    );
    const filters = attr(r, 'image_tag_mutability_exclusion_filter');
    if (filters.kind !== 'list' || filters.items[0].kind !== 'map') throw new Error('expected a list of objects');
    const entries = filters.items[0].entries;
    expect(entries.get('filter')).toMatchObject({ kind: 'unknown', reason: 'known only after apply' });
    expect(entries.get('filter_type')).toMatchObject({ kind: 'string', value: 'WILDCARD' });
  });

  test('a whole list marked true is unknown', () => {
    const r = only({ name: 'x' }, { image_tag_mutability_exclusion_filter: true });
    expect(attr(r, 'image_tag_mutability_exclusion_filter').kind).toBe('unknown');
  });

  test('a null image_tag_mutability stays null (not set), not unknown, when after_unknown does not mark it', () => {
    const r = only({ name: 'x', image_tag_mutability: null }, { arn: true });
    expect(attr(r, 'image_tag_mutability').kind).toBe('null');
    expect(attr(r, 'arn').kind).toBe('unknown');
  });

  test('after_unknown false marks nothing', () => {
    const r = only({ image_tag_mutability: 'MUTABLE', tags: { team: 'shop' } }, { image_tag_mutability: false, tags: {} });
    expect(attr(r, 'image_tag_mutability')).toMatchObject({ kind: 'string', value: 'MUTABLE' });
    const tags = attr(r, 'tags');
    if (tags.kind !== 'map') throw new Error(`expected a map, got ${tags.kind}`);
    expect(tags.entries.get('team')).toMatchObject({ kind: 'string', value: 'shop' });
  });

  test('numbers are number values', () => {
    const r = only({ max_image_count: 30 }, {});
    const n = attr(r, 'max_image_count');
    expect(n).toMatchObject({ kind: 'number' });
    expect(toPlain(n)).toBe(30);
  });
});

describe('readPlan: problems', () => {
  test('invalid JSON: the place and a clear message', () => {
    const p = problems('{\n  "format_version": "1.2",\n  "resource_changes": [\n    {"address": }\n  ]\n}\n');
    expect(p[0]).toEqual({ file: 'bad.json', line: 4, column: 17, message: 'invalid JSON in plan file: value expected' });
  });

  test('a truncated file', () => {
    const text = TEXT.slice(0, 5000);
    const p = problems(text);
    expect(p.length).toBeGreaterThan(0);
    expect(p[0].message).toMatch(/^invalid JSON in plan file: /);
    expect(p[0].line).toBeGreaterThan(100);
  });

  test('an empty file', () => {
    expect(problems('')[0]).toMatchObject({ line: 1, column: 1, message: matching(/^invalid JSON in plan file: /) });
  });

  test('JSON that is not an object', () => {
    expect(problems('\n  [1, 2]')).toEqual([
      {
        file: 'bad.json',
        line: 2,
        column: 3,
        message: 'not a Terraform plan: expected a JSON object (the output of `terraform show -json <plan file>`), found an array',
      },
    ]);
  });

  test('an object that is not a plan (a .tf.json file)', () => {
    const [p] = problems('{\n  "resource": {"aws_ecr_repository": {"a": {"name": "a"}}}\n}\n');
    expect(p).toMatchObject({ line: 1, column: 1 });
    expect(p.message).toMatch(/^not a Terraform plan: expected the output of `terraform show -json <plan file>`/);
  });

  test('terraform show -json of a state, not a plan', () => {
    const [p] = problems(JSON.stringify({ format_version: '1.0', terraform_version: '1.9.8', values: { root_module: {} } }));
    expect(p.message).toContain('this is Terraform state');
  });

  test('format_version of another major version', () => {
    expect(problems('{"format_version": "2.0", "resource_changes": []}')).toEqual([
      { file: 'bad.json', line: 1, column: 20, message: 'unsupported plan format_version "2.0": tagguard reads format 1.x' },
    ]);
    expect(problems('{"format_version": 1, "resource_changes": []}')[0].message).toBe(
      'unsupported plan format_version a number (1): tagguard reads format 1.x',
    );
  });

  test('resource_changes that is not an array', () => {
    expect(problems('{"format_version": "1.2", "resource_changes": {}}')).toEqual([
      { file: 'bad.json', line: 1, column: 47, message: '"resource_changes" must be an array, found an object' },
    ]);
  });

  test('a resource change without address, or without actions, is reported at its place', () => {
    const text =
      '{"format_version": "1.2", "resource_changes": [\n  {"mode": "managed", "type": "aws_ecr_repository", "name": "a", "change": {"actions": ["create"]}},\n  {"address": "aws_ecr_repository.b", "mode": "managed", "type": "aws_ecr_repository", "name": "b", "change": {"after": {}}}\n]}';
    expect(problems(text)).toEqual([
      { file: 'bad.json', line: 2, column: 3, message: 'resource_changes[0] has no "address"' },
      {
        file: 'bad.json',
        line: 3,
        column: 111,
        message: 'resource_changes[1] (aws_ecr_repository.b): "change.actions" must be an array of strings',
      },
    ]);
  });

  test('a binary plan file given instead of its JSON', () => {
    const [p] = problems('PK\u0003\u0004\u0014\u0000\u0000\u0000\u0008\u0000tfplan');
    expect(p).toMatchObject({ line: 1, column: 1 });
    expect(p.message).toContain('binary plan file');
    expect(p.message).toContain('terraform show -json');
  });
});

describe('isPlan', () => {
  test.each([
    ['the fixture', TEXT, true],
    ['a plan with a byte order mark', '\ufeff' + TEXT, true],
    ['a plan with only planned_values', '{"format_version": "1.2", "planned_values": {}}', true],
    ['a state', '{"format_version": "1.0", "values": {}}', false],
    ['a plan without format_version', '{"resource_changes": []}', false],
    ['format_version nested, not at the top', '{"a": {"format_version": "1.2", "resource_changes": []}}', false],
    ['a .tf.json file', '{"resource": {"aws_ecr_repository": {"a": {}}}}', false],
    ['an array', '[{"format_version": "1.2", "resource_changes": []}]', false],
    ['invalid JSON', '{"format_version": "1.2", "resource_changes": [', false],
    ['HCL', 'resource "aws_ecr_repository" "a" {}\n', false],
  ])('%s: %s', (_name, text, expected) => {
    expect(isPlan(text)).toBe(expected);
  });
});

// What the configuration wrote, from the plan's configuration section: where it left
// image_tag_mutability unset, the plan carries the provider default MUTABLE in
// change.after, and the finding must say "not set", as a scan of the configuration does.
describe('readPlan: the arguments the configuration writes', () => {
  const UNSET = 'fixtures/plan-unset/plan.json';
  const resources = read(readFileSync(path.join(ROOT, UNSET), 'utf8'), UNSET);
  const configured = (address: string) => {
    const r = resource(resources, address);
    return r.configured && [...r.configured].sort();
  };

  test.each([
    ['not written: absent from expressions', 'aws_ecr_repository.api', ['name']],
    ['a literal', 'aws_ecr_repository.web', ['image_tag_mutability', 'name']],
    ['from a variable: an expression with references', 'aws_ecr_repository.worker', ['image_tag_mutability', 'name']],
    ['written as null ({"constant_value": null}): left out, Terraform treats it as unset', 'aws_ecr_repository.legacy', ['name']],
    [
      'in a module called with for_each: found under module_calls, the key dropped',
      'module.mirror["docker.io"].aws_ecr_repository.this',
      ['force_delete', 'name'],
    ],
  ])('%s: %s writes %j', (_name, address, names) => {
    expect(configured(address)).toEqual(names);
  });

  test('the planned value is still the one the plan shows', () => {
    expect(attr(resource(resources, 'aws_ecr_repository.api'), 'image_tag_mutability')).toMatchObject({ kind: 'string', value: 'MUTABLE' });
  });

  test('a plan without a configuration section says nothing about what was written', () => {
    expect(read(TEXT).map((r) => r.configured)).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  function withConfiguration(
    configuration: unknown,
    change = ecr('r', ['create'], { name: 'x', image_tag_mutability: 'MUTABLE' }),
  ): PlanResource {
    const text = JSON.stringify({ format_version: '1.2', terraform_version: '1.11.4', resource_changes: [change], configuration });
    const [r] = read(text, 'p.json');
    return r;
  }
  const block = (name: string, expressions?: unknown) => ({
    address: `aws_ecr_repository.${name}`,
    mode: 'managed',
    type: 'aws_ecr_repository',
    name,
    provider_config_key: 'aws',
    ...(expressions === undefined ? {} : { expressions }),
    schema_version: 0,
  });

  test('a resource block that writes nothing has no expressions at all (Terraform leaves the key out)', () => {
    expect(withConfiguration({ root_module: { resources: [block('r')] } }).configured).toEqual(new Set());
  });

  test('nested module calls, with count and a for_each key that holds quotes, dots and brackets', () => {
    const address = 'module.a["x\\".]y"].module.b[0].aws_ecr_repository.r';
    const change = ecr('r', ['create'], { name: 'x' }, {}, { address, module_address: 'module.a["x\\".]y"].module.b[0]' });
    const configuration = {
      root_module: {
        resources: [block('r')],
        module_calls: {
          a: {
            source: './a',
            module: { module_calls: { b: { source: './b', module: { resources: [block('r', { name: { constant_value: 'x' } })] } } } },
          },
        },
      },
    };
    expect(withConfiguration(configuration, change).configured).toEqual(new Set(['name']));
  });

  test('a nested block is listed when written as a block; expressions that are neither constant nor references still count', () => {
    const expressions = { image_tag_mutability: {}, image_tag_mutability_exclusion_filter: [{ filter: { constant_value: 'latest' } }] };
    expect(withConfiguration({ root_module: { resources: [block('r', expressions)] } }).configured).toEqual(
      new Set(['image_tag_mutability', 'image_tag_mutability_exclusion_filter']),
    );
  });

  test.each([
    ['no configuration section', undefined],
    ['a configuration that is not an object', []],
    ['no root_module', { provider_config: {} }],
    ['the resource is not in it', { root_module: { resources: [block('other')] } }],
    ['the same name in another module only', { root_module: { module_calls: { m: { module: { resources: [block('r')] } } } } }],
    ['expressions that is not an object', { root_module: { resources: [block('r', [])] } }],
  ])('%s: nothing is known about what was written, and the plan is still read', (_name, configuration) => {
    expect(withConfiguration(configuration).configured).toBeUndefined();
  });
});

describe('callNames', () => {
  test.each<[string, string[] | undefined]>([
    ['', []],
    ['module.a', ['a']],
    ['module.a[0].module.b["k"]', ['a', 'b']],
    ['module.my-mod["x.y"].module.c', ['my-mod', 'c']],
    ['module.a["q\\"].module.z"]', ['a']],
    ['module.a[0]x', undefined],
    ['aws_ecr_repository.r', undefined],
  ])('%s is %j', (address, names) => {
    expect(callNames(address)).toEqual(names);
  });
});

describe('tagguard scan --plan: arguments the configuration leaves unset', () => {
  const UNSET = 'fixtures/plan-unset/plan.json';
  const planScan = (plan: string, cwd = ROOT): Promise<ScanResult> =>
    scan({ paths: ['.'], cwd, policy: DEFAULT_POLICY, variables: { varFiles: [], vars: [], env: {} }, plan });
  const NOT_SET = 'image_tag_mutability is not set; the provider default is MUTABLE';
  const MUTABLE = 'image_tag_mutability is MUTABLE';
  const summary = (result: ScanResult) =>
    result.findings.map((f) => ({
      resource: f.resource,
      severity: f.severity,
      file: f.file,
      line: f.line,
      column: f.column,
      message: f.message.startsWith(NOT_SET) ? NOT_SET : f.message.startsWith(MUTABLE) ? MUTABLE : f.message,
    }));

  test('with the .tf source: "not set" at the resource block; a written MUTABLE at its value', async () => {
    const result = await planScan(UNSET);
    expect(result.errors).toEqual([]);
    expect(summary(result)).toEqual([
      // var.worker_mutability's default: the trace leads there from the resource.
      {
        resource: 'aws_ecr_repository.worker',
        severity: 'error',
        file: 'fixtures/plan-unset/main.tf',
        line: 21,
        column: 13,
        message: MUTABLE,
      },
      { resource: 'aws_ecr_repository.api', severity: 'error', file: 'fixtures/plan-unset/main.tf', line: 25, column: 1, message: NOT_SET },
      {
        resource: 'aws_ecr_repository.web',
        severity: 'error',
        file: 'fixtures/plan-unset/main.tf',
        line: 31,
        column: 26,
        message: MUTABLE,
      },
      {
        resource: 'aws_ecr_repository.legacy',
        severity: 'error',
        file: 'fixtures/plan-unset/main.tf',
        line: 41,
        column: 1,
        message: NOT_SET,
      },
      {
        resource: 'module.mirror["docker.io"].aws_ecr_repository.this',
        severity: 'error',
        file: 'fixtures/plan-unset/modules/mirror/main.tf',
        line: 6,
        column: 1,
        message: NOT_SET,
      },
    ]);
    const api = defined(
      result.findings.find((f) => f.resource === 'aws_ecr_repository.api'),
      'the finding on api',
    );
    expect(api).toMatchObject({ endLine: 27, endColumn: 2, trace: [] });
    expect(api.message).toBe(
      'image_tag_mutability is not set; the provider default is MUTABLE, so any tag can be overwritten: set it to IMMUTABLE',
    );
    expect(
      defined(
        result.findings.find((f) => f.resource === 'aws_ecr_repository.worker'),
        'the finding on worker',
      ).trace,
    ).toEqual([{ file: 'fixtures/plan-unset/main.tf', line: 37, column: 26, note: 'var.worker_mutability' }]);
    // base writes IMMUTABLE and passes.
    expect(result.summary).toMatchObject({ resources: 6, errors: 5, warnings: 0 });
  });

  test('without the .tf source: "not set" at the resource_change in plan.json; a written MUTABLE at its value there', async () => {
    const dir = tree({});
    copyFileSync(path.join(ROOT, UNSET), path.join(dir, 'plan.json'));
    const result = await planScan('plan.json', dir);
    expect(result.errors).toEqual([]);
    expect(summary(result)).toEqual([
      { resource: 'aws_ecr_repository.api', severity: 'error', file: 'plan.json', line: 173, column: 5, message: NOT_SET },
      { resource: 'aws_ecr_repository.legacy', severity: 'error', file: 'plan.json', line: 255, column: 5, message: NOT_SET },
      { resource: 'aws_ecr_repository.web', severity: 'error', file: 'plan.json', line: 311, column: 35, message: MUTABLE },
      { resource: 'aws_ecr_repository.worker', severity: 'error', file: 'plan.json', line: 352, column: 35, message: MUTABLE },
      {
        resource: 'module.mirror["docker.io"].aws_ecr_repository.this',
        severity: 'error',
        file: 'plan.json',
        line: 378,
        column: 5,
        message: NOT_SET,
      },
    ]);
    const text = readFileSync(path.join(dir, 'plan.json'), 'utf8').split('\n');
    expect(text[172].slice(4)).toBe('{');
    expect(text[173]).toBe('      "address": "aws_ecr_repository.api",');
    expect(text[310].slice(34)).toBe('"MUTABLE",');
  });

  test('blocks from dynamic are missing from expressions, and still count: their filters are judged from the plan', async () => {
    const change = ecr('r', ['create'], {
      name: 'x',
      image_tag_mutability: 'IMMUTABLE_WITH_EXCLUSION',
      image_tag_mutability_exclusion_filter: [{ filter: 'latest', filter_type: 'WILDCARD' }],
    });
    const configuration = {
      root_module: {
        resources: [
          {
            address: 'aws_ecr_repository.r',
            mode: 'managed',
            type: 'aws_ecr_repository',
            name: 'r',
            provider_config_key: 'aws',
            expressions: { image_tag_mutability: { constant_value: 'IMMUTABLE_WITH_EXCLUSION' }, name: { constant_value: 'x' } },
            schema_version: 0,
          },
        ],
      },
    };
    const dir = tree({
      'plan.json': JSON.stringify({ format_version: '1.2', terraform_version: '1.11.4', resource_changes: [change], configuration }),
    });
    const result = await planScan('plan.json', dir);
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([]);
  });
});

describe('tagguard scan --plan: findings in module instances the configuration could not expand', () => {
  test('module.ecr["api"] of a for_each only the plan knows points at the .tf source, so --changed-since on that file reports it', async () => {
    const dir = tree(
      {
        'main.tf':
          'data "aws_ssm_parameter" "repos" {\n  name = "/repos"\n}\n\nmodule "ecr" {\n  source   = "./m"\n  for_each = toset(split(",", data.aws_ssm_parameter.repos.value))\n  name     = each.key\n}\n',
        'm/main.tf': 'variable "name" {\n  type = string\n}\n\nresource "aws_ecr_repository" "r" {\n  name = var.name\n}\n',
        'plan.json': JSON.stringify({
          format_version: '1.2',
          resource_changes: [
            ecr(
              'r',
              ['create'],
              { name: 'api', image_tag_mutability: 'MUTABLE', image_tag_mutability_exclusion_filter: [] },
              {},
              { address: 'module.ecr["api"].aws_ecr_repository.r', module_address: 'module.ecr["api"]' },
            ),
          ],
          configuration: {
            root_module: {
              module_calls: {
                ecr: {
                  source: './m',
                  for_each_expression: { references: ['data.aws_ssm_parameter.repos.value'] },
                  module: {
                    resources: [
                      {
                        address: 'aws_ecr_repository.r',
                        mode: 'managed',
                        type: 'aws_ecr_repository',
                        name: 'r',
                        expressions: { name: { references: ['var.name'] } },
                      },
                    ],
                  },
                },
              },
            },
          },
        }),
      },
      { repository: true },
    );
    const result = await scan({
      paths: ['.'],
      cwd: dir,
      policy: DEFAULT_POLICY,
      variables: { varFiles: [], vars: [], env: {} },
      plan: 'plan.json',
      onlyFiles: new Set(['m/main.tf']),
    });
    expect(result.errors).toEqual([]);
    expect(result.findings.map((f) => [f.resource, f.file, f.line, f.column, f.message.slice(0, 33)])).toEqual([
      ['module.ecr["api"].aws_ecr_repository.r', 'm/main.tf', 5, 1, 'image_tag_mutability is not set; '],
    ]);
  });
});
