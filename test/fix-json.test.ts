/**
 * `tagguard fix` on Terraform JSON: edits made on the syntax tree whatever the layout
 * (compact, single-line, tab-indented, CRLF, `"//"` comments, list-wrapped resources,
 * a single filter object), and one file's or one resource's failure reported for it
 * while the others are still fixed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { fixAndScanAgain } from '../src/cli/commands/fix';
import { applyEdits } from '../src/fix/apply';
import { planFixes } from '../src/fix/plan-fixes';
import { SourceFile } from '../src/parse/source';
import { DEFAULT_POLICY, defined, readReport, runCli, scanDir, tree as makeTree } from './helpers';

const tree = (files: Record<string, string>) => makeTree(files, { prefix: 'fix-json', repository: true });
const read = (dir: string, rel: string) => readFileSync(path.join(dir, rel), 'utf8');

const FILTERS_3 =
  '[{"filter":"dev-*","filter_type":"WILDCARD"},{"filter":"pr-*","filter_type":"WILDCARD"}, {"filter":"latest","filter_type":"WILDCARD"}]';

// Each case: the files before, the file that changes, and its text after one fix.
const CASES: [string, Record<string, string>, string, string][] = [
  [
    'compact JSON, attribute not set: inserted in the compact style',
    { 'main.tf.json': '{"resource":{"aws_ecr_repository":{"a":{"name":"a"}}}}' },
    'main.tf.json',
    '{"resource":{"aws_ecr_repository":{"a":{"name":"a","image_tag_mutability":"IMMUTABLE"}}}}',
  ],
  [
    'two disallowed filters next to each other in a list: one edit, the allowed one stays',
    {
      'main.tf.json': `{\n  "resource": {\n    "aws_ecr_repository": {\n      "a": {\n        "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",\n        "image_tag_mutability_exclusion_filter": ${FILTERS_3}\n      }\n    }\n  }\n}\n`,
    },
    'main.tf.json',
    '{\n  "resource": {\n    "aws_ecr_repository": {\n      "a": {\n        "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",\n        "image_tag_mutability_exclusion_filter": [{"filter":"latest","filter_type":"WILDCARD"}]\n      }\n    }\n  }\n}\n',
  ],
  [
    'every filter disallowed: IMMUTABLE, and the whole property goes',
    {
      'main.tf.json':
        '{"resource":{"aws_ecr_repository":{"a":{"image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION", "image_tag_mutability_exclusion_filter": [{"filter":"dev-*","filter_type":"WILDCARD"},{"filter":"pr-*","filter_type":"WILDCARD"}]}}}}',
    },
    'main.tf.json',
    '{"resource":{"aws_ecr_repository":{"a":{"image_tag_mutability": "IMMUTABLE"}}}}',
  ],
  [
    'a single filter object, not in a list, disallowed: the property goes',
    {
      'main.tf.json':
        '{"resource":{"aws_ecr_repository":{"a":{"image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION", "image_tag_mutability_exclusion_filter": {"filter":"dev-*","filter_type":"WILDCARD"}, "name": "a"}}}}',
    },
    'main.tf.json',
    '{"resource":{"aws_ecr_repository":{"a":{"image_tag_mutability": "IMMUTABLE", "name": "a"}}}}',
  ],
  [
    'a single filter object without filter_type, allowed: WILDCARD added in its style',
    {
      'main.tf.json':
        '{"resource":{"aws_ecr_repository":{"a":{"image_tag_mutability":"IMMUTABLE_WITH_EXCLUSION","image_tag_mutability_exclusion_filter":{"filter":"latest"}}}}}',
    },
    'main.tf.json',
    '{"resource":{"aws_ecr_repository":{"a":{"image_tag_mutability":"IMMUTABLE_WITH_EXCLUSION","image_tag_mutability_exclusion_filter":{"filter":"latest","filter_type":"WILDCARD"}}}}}',
  ],
  [
    'not set, with filters: the filter property becomes the attribute',
    {
      'main.tf.json':
        '{"resource":{"aws_ecr_repository":{"a":{"name":"a","image_tag_mutability_exclusion_filter":[{"filter":"latest","filter_type":"WILDCARD"}]}}}}',
    },
    'main.tf.json',
    '{"resource":{"aws_ecr_repository":{"a":{"name":"a","image_tag_mutability":"IMMUTABLE"}}}}',
  ],
  [
    'a resource given as a list of objects',
    { 'main.tf.json': '{"resource":{"aws_ecr_repository":{"a":[{"name":"a"}]}}}' },
    'main.tf.json',
    '{"resource":{"aws_ecr_repository":{"a":[{"name":"a","image_tag_mutability":"IMMUTABLE"}]}}}',
  ],
  [
    'single line with spaces',
    { 'main.tf.json': '{ "resource": { "aws_ecr_repository": { "a": { "name": "a" } } } }\n' },
    'main.tf.json',
    '{ "resource": { "aws_ecr_repository": { "a": { "name": "a", "image_tag_mutability": "IMMUTABLE" } } } }\n',
  ],
  [
    'an empty resource object',
    { 'main.tf.json': '{"resource":{"aws_ecr_repository":{"a":{}}}}' },
    'main.tf.json',
    '{"resource":{"aws_ecr_repository":{"a":{"image_tag_mutability":"IMMUTABLE"}}}}',
  ],
  [
    'tab indentation and "//" comments, which stay',
    {
      'main.tf.json':
        '{\n\t"//": "top",\n\t"resource": {\n\t\t"aws_ecr_repository": {\n\t\t\t"a": {\n\t\t\t\t"//": "keep me",\n\t\t\t\t"name": "a"\n\t\t\t}\n\t\t}\n\t}\n}\n',
    },
    'main.tf.json',
    '{\n\t"//": "top",\n\t"resource": {\n\t\t"aws_ecr_repository": {\n\t\t\t"a": {\n\t\t\t\t"//": "keep me",\n\t\t\t\t"name": "a",\n\t\t\t\t"image_tag_mutability": "IMMUTABLE"\n\t\t\t}\n\t\t}\n\t}\n}\n',
  ],
  [
    'CRLF, pretty-printed list: the first two filters go, comments stay',
    {
      'main.tf.json':
        '{\r\n  "resource": {\r\n    "aws_ecr_repository": {\r\n      "a": {\r\n        "//": "filters reviewed",\r\n        "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",\r\n        "image_tag_mutability_exclusion_filter": [\r\n          {\r\n            "filter": "dev-*",\r\n            "filter_type": "WILDCARD"\r\n          },\r\n          {\r\n            "filter": "pr-*",\r\n            "filter_type": "WILDCARD"\r\n          },\r\n          {\r\n            "//": "the one we keep",\r\n            "filter": "latest"\r\n          }\r\n        ]\r\n      }\r\n    }\r\n  }\r\n}\r\n',
    },
    'main.tf.json',
    '{\r\n  "resource": {\r\n    "aws_ecr_repository": {\r\n      "a": {\r\n        "//": "filters reviewed",\r\n        "image_tag_mutability": "IMMUTABLE_WITH_EXCLUSION",\r\n        "image_tag_mutability_exclusion_filter": [\r\n          {\r\n            "//": "the one we keep",\r\n            "filter": "latest",\r\n            "filter_type": "WILDCARD"\r\n          }\r\n        ]\r\n      }\r\n    }\r\n  }\r\n}\r\n',
  ],
  [
    'a tfvars.json value',
    {
      'main.tf.json': '{"variable":{"m":{"type":"string"}},"resource":{"aws_ecr_repository":{"a":{"image_tag_mutability":"${var.m}"}}}}',
      'terraform.tfvars.json': '{"m":"MUTABLE"}',
    },
    'terraform.tfvars.json',
    '{"m":"IMMUTABLE"}',
  ],
];

describe('tagguard fix on Terraform JSON, whatever the layout', () => {
  test.each(CASES)('%s', async (_name, files, changed, expected) => {
    const dir = tree(files);
    const first = await runCli(['fix', '.'], dir);
    expect(first.err).toBe(`tagguard: fixed ${changed}\n`);
    expect(first.code).toBe(0);
    expect(read(dir, changed)).toBe(expected);
    for (const [rel, text] of Object.entries(files)) if (rel !== changed) expect(read(dir, rel)).toBe(text);
    // A second fix changes nothing, and a scan is clean.
    const second = await runCli(['fix', '.'], dir);
    expect({ code: second.code, err: second.err }).toEqual({ code: 0, err: '' });
    expect(read(dir, changed)).toBe(expected);
    expect(readReport((await runCli(['scan', '--format', 'json', '.'], dir)).out).findings).toEqual([]);
  });
});

describe("one file's or one resource's failure is a message for it", () => {
  const FILES = {
    'a/main.tf.json': '{"resource":{"aws_ecr_repository":{"a":{"image_tag_mutability":"MUTABLE"}}}}',
    'b/main.tf': 'resource "aws_ecr_repository" "b" {\n  image_tag_mutability = "MUTABLE"\n}\n',
  };

  test('a fixer that throws leaves its resource to a person; the other files are fixed', async () => {
    const dir = tree(FILES);
    const result = await scanDir(dir);
    // A hostile resource: reading its blocks throws, as an unforeseen layout could.
    const hostile = defined(result.resources.find((r) => r.address === 'aws_ecr_repository.a'));
    Object.defineProperty(hostile, 'blocks', {
      get: () => {
        throw new Error('hostile layout');
      },
    });
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    const io = { stdout: new PassThrough(), stderr, cwd: dir, env: {} };
    const options = { paths: ['.'], cwd: dir, policy: DEFAULT_POLICY, variables: { varFiles: [], vars: [], env: {} } };
    const after = await fixAndScanAgain(result, options, false, io);
    expect(err).toBe(
      'tagguard: needs a person: a/main.tf.json:1:64 aws_ecr_repository.a: could not plan the fix (hostile layout)\ntagguard: fixed b/main.tf\n',
    );
    expect(read(dir, 'a/main.tf.json')).toBe(FILES['a/main.tf.json']);
    expect(read(dir, 'b/main.tf')).toContain('"IMMUTABLE"');
    // What is left is a finding as any other: exit code 1.
    expect(after.findings.map((f) => [f.file, f.severity])).toEqual([['a/main.tf.json', 'error']]);
  });

  test('planFixes turns an exception of a rule fixer into a reason for a person', async () => {
    const dir = tree(FILES);
    const result = await scanDir(dir);
    const rules = [
      {
        id: 'ecr-tag-immutability',
        fixer: () => {
          throw new Error('boom');
        },
      },
    ];
    const plan = planFixes(result.findings, result.resources, result.sources, DEFAULT_POLICY, { rules });
    expect(plan.edits).toEqual([]);
    expect(plan.manual.map((m) => [m.finding.resource, m.reason])).toEqual([
      ['aws_ecr_repository.a', 'could not plan the fix (boom)'],
      ['aws_ecr_repository.b', 'could not plan the fix (boom)'],
    ]);
  });

  test('applyEdits refuses one file that fails and still changes the others', async () => {
    const sources = new Map([['ok.tf', new SourceFile('ok.tf', 'x = "MUTABLE"\n')]]);
    const result = await applyEdits(
      [
        { file: 'ok.tf', start: 4, end: 13, text: '"IMMUTABLE"' },
        { file: 'unread.tf', start: 0, end: 0, text: 'x' },
      ],
      sources,
    );
    expect(result.changed).toEqual([{ file: 'ok.tf', before: 'x = "MUTABLE"\n', after: 'x = "IMMUTABLE"\n' }]);
    expect(result.refused).toEqual([{ file: 'unread.tf', reason: 'could not apply the fix (an edit of unread.tf, which was not read)' }]);
  });
});

describe('--fix properties: Terraform JSON layouts', () => {
  type Json = null | string | number | Json[] | JsonObject;
  interface JsonObject {
    [key: string]: Json;
  }

  const filter = fc.record(
    {
      filter: fc.constantFrom('latest', 'dev-*', 'pr-*', 'release-*'),
      filter_type: fc.constantFrom('WILDCARD', 'wildcard', 'REGEX'),
      '//': fc.constant('a note'),
    },
    { requiredKeys: ['filter'] },
  );
  const repo = fc.record({
    name: fc.constantFrom('a', 'b', 'c'),
    value: fc.constantFrom<Json | undefined>(
      undefined,
      null,
      'MUTABLE',
      'IMMUTABLE',
      'IMMUTABLE_WITH_EXCLUSION',
      'MUTABLE_WITH_EXCLUSION',
      'immutable',
    ),
    filters: fc.option(fc.uniqueArray(filter, { maxLength: 3, selector: (f) => f.filter }), { nil: undefined }),
    // A single filter written as an object, not in a list.
    single: fc.boolean(),
    // The resource written as a list of one object.
    wrapped: fc.boolean(),
    comment: fc.boolean(),
  });
  const fromVariable = fc.constantFrom<Json | undefined>(undefined, 'MUTABLE', 'IMMUTABLE');

  type Repo = typeof repo extends fc.Arbitrary<infer T> ? T : never;

  function configuration(repos: Repo[], variable: Json | undefined): JsonObject {
    const resources: JsonObject = {};
    for (const r of repos) {
      const body: JsonObject = {};
      if (r.comment) body['//'] = `repository ${r.name}`;
      body.name = r.name;
      if (r.value !== undefined) body.image_tag_mutability = r.value;
      if (r.filters) body.image_tag_mutability_exclusion_filter = r.single && r.filters.length === 1 ? r.filters[0] : r.filters;
      resources[r.name] = r.wrapped ? [body] : body;
    }
    if (variable !== undefined) resources.v = { image_tag_mutability: '${var.m}' };
    return {
      '//': 'generated',
      ...(variable !== undefined ? { variable: { m: { type: 'string' } } } : {}),
      resource: { aws_ecr_repository: resources },
    };
  }

  const LAYOUTS: Record<string, (v: Json) => string> = {
    pretty: (v) => `${JSON.stringify(v, null, 2)}\n`,
    compact: (v) => JSON.stringify(v),
    'single-line': (v) => JSON.stringify(v, null, 1).replace(/\n */g, ' '),
    tabs: (v) => `${JSON.stringify(v, null, '\t')}\n`,
    crlf: (v) => `${JSON.stringify(v, null, 2).replace(/\n/g, '\r\n')}\r\n`,
  };

  test('every layout is fixed to the same JSON, scans clean, and never throws', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(repo, { minLength: 1, maxLength: 3, selector: (r) => r.name }),
        fromVariable,
        async (repos, variable) => {
          const files: Record<string, string> = {};
          for (const [layout, render] of Object.entries(LAYOUTS)) {
            files[`${layout}/main.tf.json`] = render(configuration(repos, variable));
            if (variable !== undefined) files[`${layout}/terraform.tfvars.json`] = render({ m: variable });
          }
          const dir = tree(files);
          const first = await runCli(['fix', '.'], dir);
          expect(first.err).not.toMatch(/internal error|needs a person|not fixed/);
          expect(first.code).toBe(0);
          const scanned = await runCli(['scan', '--format', 'json', '.'], dir);
          expect(readReport(scanned.out).findings).toEqual([]);
          for (const name of ['main.tf.json', 'terraform.tfvars.json']) {
            const parsed = Object.keys(LAYOUTS)
              .filter((layout) => readdirSync(path.join(dir, layout)).includes(name))
              .map((layout) => JSON.parse(read(dir, `${layout}/${name}`)) as Json);
            for (const p of parsed) expect(p).toEqual(parsed[0]);
          }
          // The layout of what was not edited is kept: CRLF stays CRLF, compact stays on one line.
          expect(read(dir, 'crlf/main.tf.json').replace(/\r\n/g, '')).not.toContain('\n');
          expect(read(dir, 'compact/main.tf.json')).not.toContain('\n');
          expect(read(dir, 'single-line/main.tf.json')).not.toContain('\n');
          const second = await runCli(['fix', '.'], dir);
          expect({ code: second.code, err: second.err }).toEqual({ code: 0, err: '' });
        },
      ),
      { numRuns: 40 },
    );
  });
});
