import { scan } from '../src/scan/run';
import type { ScanResult } from '../src/scan/types';
import { newFindings } from '../src/policy/baseline';
import { DEFAULT_POLICY, tree } from './helpers';

// cloudposse/ecr/aws names its repository module.this.id, built by cloudposse/label/null
// 0.25.0. Every expected name and tag map below is what Terraform 1.11 gives for the same
// inputs to the real label module (`terraform console`, module.this.id / module.this.tags),
// so that addresses, and the baselines keyed by them, match `terraform plan`.

/** A context object as module.label.context would give it: every key, these ones changed. */
function context(fields: Record<string, string>): string {
  const defaults: Record<string, string> = {
    enabled: 'true',
    namespace: 'null',
    tenant: 'null',
    environment: 'null',
    stage: 'null',
    name: 'null',
    delimiter: 'null',
    attributes: '[]',
    tags: '{}',
    additional_tag_map: '{}',
    regex_replace_chars: 'null',
    label_order: '[]',
    id_length_limit: 'null',
    label_key_case: 'null',
    label_value_case: 'null',
    descriptor_formats: '{}',
    labels_as_tags: '["unset"]',
  };
  const lines = Object.entries({ ...defaults, ...fields }).map(([k, v]) => `  ${k.padEnd(19)} = ${v}`);
  return `context = {\n${lines.join('\n')}\n}`;
}

function call(args: string): string {
  return `module "ecr" {\n  source  = "cloudposse/ecr/aws"\n  version = "1.0.0"\n\n  ${args.trim().split('\n').join('\n  ')}\n}\n`;
}

async function scanCall(args: string): Promise<{ dir: string; result: ScanResult }> {
  const dir = tree({ 'main.tf': call(args) }, { prefix: 'label' });
  const result = await scan({ paths: ['.'], cwd: dir, policy: DEFAULT_POLICY, variables: { varFiles: [], vars: [], env: {} } });
  expect(result.errors).toEqual([]);
  return { dir, result };
}

async function repositories(args: string): Promise<string[]> {
  const { result } = await scanCall(args);
  return result.resources.map((r) => r.address);
}

const address = (name: string) => `module.ecr.aws_ecr_repository.name[${JSON.stringify(name)}]`;

describe('cloudposse/ecr/aws: the repository is named module.this.id', () => {
  test.each<[string, string, string]>([
    [
      'the default label order namespace-environment-stage-name-attributes, lower case',
      'namespace = "eg"\nstage = "prod"\nname = "app"',
      'eg-prod-app',
    ],
    [
      'every label; tenant is not in the default order; attributes joined and lower-cased',
      'namespace = "eg"\ntenant = "acme"\nenvironment = "ue1"\nstage = "prod"\nname = "app"\nattributes = ["blue", "Worker"]',
      'eg-ue1-prod-app-blue-worker',
    ],
    ['a custom delimiter', 'namespace = "eg"\nstage = "prod"\nname = "app"\ndelimiter = "_"', 'eg_prod_app'],
    [
      'label_order reorders and leaves out labels',
      'namespace = "eg"\nstage = "prod"\nname = "app"\nlabel_order = ["name", "stage", "namespace"]',
      'app-prod-eg',
    ],
    [
      'label_order can bring in tenant',
      'namespace = "eg"\ntenant = "acme"\nstage = "prod"\nname = "app"\nlabel_order = ["tenant", "name", "attributes"]\nattributes = ["x"]',
      'acme-app-x',
    ],
    ['an empty label_order means the default order', 'namespace = "eg"\nstage = "prod"\nname = "app"\nlabel_order = []', 'eg-prod-app'],
    [
      'id_length_limit truncates and appends 5 characters of md5(id_full), after one delimiter',
      'namespace = "example"\nenvironment = "useast1"\nstage = "production"\nname = "checkout-service"\nid_length_limit = 20',
      'example-useast-f007e',
    ],
    [
      'id_length_limit 6 leaves only the hash',
      'namespace = "example"\nstage = "production"\nname = "checkout"\nid_length_limit = 6',
      '177565',
    ],
    ['id_length_limit 0 means unlimited', 'stage = "prod"\nid_length_limit = 0\nname = "x"', 'prod-x'],
    [
      'truncation with title case: the hash is title-cased too',
      'namespace = "a-very-long-namespace"\nstage = "staging"\nname = "service"\nid_length_limit = 25\nlabel_value_case = "title"',
      'A-Very-Long-Namespa-B7dce',
    ],
    [
      'truncation with a two-character delimiter, upper case',
      'namespace = "a-very-long-namespace"\nstage = "staging"\nname = "service"\nid_length_limit = 12\nlabel_value_case = "upper"\ndelimiter = "--"',
      'A-VER--B5665',
    ],
    ['label_value_case upper', 'namespace = "eg"\nstage = "Prod"\nname = "App"\nlabel_value_case = "upper"', 'EG-PROD-APP'],
    [
      'label_value_case title with no delimiter gives Pascal case; the space is removed first',
      'namespace = "eg"\nstage = "prod"\nname = "my app"\nlabel_value_case = "title"\ndelimiter = ""',
      'EgProdMyapp',
    ],
    ['label_value_case none keeps the case', 'namespace = "Eg"\nstage = "Prod"\nname = "App"\nlabel_value_case = "none"', 'Eg-Prod-App'],
    [
      'regex_replace_chars removes everything but - a-z A-Z 0-9 by default',
      'namespace = "eg"\nname = "App.Name_1"\nattributes = ["a", "", "a", "B!"]',
      'eg-appname1-a-b',
    ],
    ['non-ASCII letters are removed too', 'namespace = "ÉG"\nname = "app"', 'g-app'],
    [
      'a custom regex_replace_chars can keep the slash of an ECR namespace',
      'namespace = "eg"\nname = "shop/api.v2"\nregex_replace_chars = "/[^-a-z0-9/]/"',
      'eg-shop/apiv2',
    ],
    [
      'use_fullname = false takes module.this.name, normalized',
      'namespace = "eg"\nstage = "prod"\nname = "App"\nuse_fullname = false',
      'app',
    ],
    [
      'context: inputs that are set win over its labels; its attributes come first, then the new ones, without repeats',
      `name = "api"\nattributes = ["two", "one"]\n${context({ namespace: '"ctx"', environment: '"uw2"', stage: '"dev"', name: '"base"', attributes: '["one"]' })}`,
      'ctx-uw2-dev-api-one-two',
    ],
    [
      'context: its delimiter, label_order and case apply; enabled = true overrides its enabled = false',
      `enabled = true\n${context({ enabled: 'false', namespace: '"ctx"', stage: '"dev"', name: '"base"', delimiter: '"+"', label_order: '["stage", "name"]', label_value_case: '"upper"' })}`,
      'DEV+BASE',
    ],
  ])('%s', async (_name, args, repository) => {
    expect(await repositories(args)).toEqual([address(repository)]);
  });

  test.each<[string, string]>([
    ['enabled = false', 'namespace = "eg"\nname = "app"\nenabled = false'],
    ['enabled = false in the context, with enabled left null', `name = "app"\n${context({ enabled: 'false', namespace: '"eg"' })}`],
  ])('%s: no repository, so no finding', async (_name, args) => {
    const { result } = await scanCall(`${args}\nimage_tag_mutability = "MUTABLE"`);
    expect(result.resources).toEqual([]);
    expect(result.findings).toEqual([]);
  });

  test('image_names wins over the label; the label still decides enabled', async () => {
    expect(await repositories('namespace = "eg"\nname = "app"\nimage_names = ["shop/api", "shop/web"]')).toEqual([
      address('shop/api'),
      address('shop/web'),
    ]);
    expect(await repositories('namespace = "eg"\nname = "app"\nimage_names = ["shop/api"]\nenabled = false')).toEqual([]);
  });

  test('the finding names the address terraform plan shows and points at the argument in the call', async () => {
    const { result } = await scanCall(
      'namespace = "eg"\nenvironment = "ue1"\nstage = "prod"\nname = "checkout"\nimage_tag_mutability = "MUTABLE"',
    );
    expect(
      result.findings.map((f) => ({ resource: f.resource, file: f.file, line: f.line, column: f.column, severity: f.severity })),
    ).toEqual([{ resource: address('eg-ue1-prod-checkout'), file: 'main.tf', line: 9, column: 26, severity: 'error' }]);
    expect(result.findings[0].message).toContain('image_tag_mutability is MUTABLE');
    // A baseline written from terraform plan's address accepts the finding.
    const baseline = {
      version: 1 as const,
      findings: [{ ruleId: 'ecr-tag-immutability', root: '.', resource: address('eg-ue1-prod-checkout') }],
    };
    expect(newFindings(result.findings, baseline)).toEqual([]);
  });

  test('the module default IMMUTABLE passes', async () => {
    const { result } = await scanCall('namespace = "eg"\nstage = "prod"\nname = "app"');
    expect(result.resources.map((r) => [r.address, r.attributes.image_tag_mutability.value])).toEqual([
      [address('eg-prod-app'), 'IMMUTABLE'],
    ]);
    expect(result.findings).toEqual([]);
  });

  test.each<[string, string, Record<string, string>]>([
    [
      'every label that is set becomes a tag, Name being the id',
      'namespace = "eg"\nstage = "prod"\nname = "app"',
      { Name: 'eg-prod-app', Namespace: 'eg', Stage: 'prod' },
    ],
    [
      'labels_as_tags picks the labels and label_key_case their keys; var.tags are kept as given',
      'namespace = "eg"\nstage = "prod"\nname = "app"\nlabels_as_tags = ["name", "stage"]\nlabel_key_case = "lower"\ntags = { Team = "shop", Stage = "override" }',
      { Stage: 'override', Team: 'shop', name: 'eg-prod-app', stage: 'prod' },
    ],
    ['labels_as_tags = [] generates none', 'name = "app"\nlabels_as_tags = []', {}],
    [
      'context tags are merged; attributes become one tag',
      `name = "api"\nattributes = ["two", "one"]\n${context({ namespace: '"ctx"', environment: '"uw2"', stage: '"dev"', name: '"base"', attributes: '["one"]', tags: '{ Team = "shop" }' })}`,
      { Attributes: 'one-two', Environment: 'uw2', Name: 'ctx-uw2-dev-api-one-two', Namespace: 'ctx', Stage: 'dev', Team: 'shop' },
    ],
  ])('tags: %s', async (_name, args, tags) => {
    const { result } = await scanCall(args);
    expect(result.resources.map((r) => r.attributes.tags.value)).toEqual([tags]);
  });
});
