import { copyFileSync, cpSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { planFixes } from '../src/fix/plan-fixes';
import { formatSarif } from '../src/report/sarif';
import { garTagImmutability } from '../policies/tagguard/rules/gar_tag_immutability';
import { DEFAULT_POLICY, defined, ROOT, runCli, type SarifLog, scanDir, scanFixtures, tempDir, tree, scanPlan } from './helpers';

// gar-tag-immutability on a directory scan: every finding, exactly.
const RULE = 'gar-tag-immutability';

const found = (result: Awaited<ReturnType<typeof scanFixtures>>) =>
  result.findings
    .filter((f) => f.ruleId === RULE)
    .map((f) => ({ file: f.file, line: f.line, column: f.column, severity: f.severity, messageId: f.messageId, resource: f.resource }));

describe('gar-tag-immutability', () => {
  test('a directory of HCL', async () => {
    const result = await scanFixtures(['gar']);
    expect(result.errors).toEqual([]);
    expect(result.summary.resources).toBe(5);
    expect(found(result)).toEqual([
      {
        file: 'fixtures/gar/main.tf',
        line: 18,
        column: 1,
        severity: 'error',
        messageId: 'no_docker_config',
        resource: 'google_artifact_registry_repository.web',
      },
      {
        file: 'fixtures/gar/main.tf',
        line: 31,
        column: 22,
        severity: 'error',
        messageId: 'immutable_tags_disabled',
        resource: 'google_artifact_registry_repository.jobs',
      },
    ]);
    expect(result.findings.filter((f) => f.ruleId === RULE).every((f) => f.message.includes('latest'))).toBe(true);
  });

  test('a directory of Terraform JSON: a variable default, a list block, an empty block', async () => {
    const result = await scanFixtures(['gar-json']);
    expect(result.errors).toEqual([]);
    expect(result.summary.resources).toBe(6);
    expect(found(result)).toEqual([
      {
        file: 'fixtures/gar-json/main.tf.json',
        line: 3,
        column: 55,
        severity: 'error',
        messageId: 'immutable_tags_disabled',
        resource: 'google_artifact_registry_repository.ci',
      },
      {
        file: 'fixtures/gar-json/main.tf.json',
        line: 13,
        column: 14,
        severity: 'error',
        messageId: 'no_docker_config',
        resource: 'google_artifact_registry_repository.web',
      },
      {
        file: 'fixtures/gar-json/main.tf.json',
        line: 22,
        column: 47,
        severity: 'error',
        messageId: 'immutable_tags_disabled',
        resource: 'google_artifact_registry_repository.jobs',
      },
      {
        file: 'fixtures/gar-json/main.tf.json',
        line: 29,
        column: 26,
        severity: 'error',
        messageId: 'immutable_tags_not_set',
        resource: 'google_artifact_registry_repository.builds',
      },
    ]);
    expect(result.findings[0].trace).toEqual([
      { file: 'fixtures/gar-json/main.tf.json', line: 35, column: 46, note: 'var.ci_immutable_tags' },
    ]);
  });

  test('tagguard policies lists the rule', async () => {
    const r = await runCli(['policies'], ROOT);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^gar-tag-immutability\s+error\s+built-in\s+Artifact Registry Docker tags must be immutable$/m);
  });

  test('tagguard explain says latest is covered', async () => {
    const r = await runCli(['explain', RULE], ROOT);
    expect(r.code).toBe(0);
    expect(r.out).toContain('latest included');
  });
});

describe('gar-tag-immutability: where a false comes from', () => {
  test('a local module called twice, for_each over a map, a variable default and tfvars: each at the value it reads', async () => {
    const result = await scanFixtures(['gar-inputs']);
    expect(result.errors).toEqual([]);
    // images (the module's default true), team["payments"] and the four findings' resources.
    expect(result.summary.resources).toBe(6);
    expect(found(result)).toEqual([
      {
        file: 'fixtures/gar-inputs/main.tf',
        line: 10,
        column: 20,
        severity: 'error',
        messageId: 'immutable_tags_disabled',
        resource: 'module.scratch.google_artifact_registry_repository.this',
      },
      {
        file: 'fixtures/gar-inputs/main.tf',
        line: 17,
        column: 35,
        severity: 'error',
        messageId: 'immutable_tags_disabled',
        resource: 'google_artifact_registry_repository.team["search"]',
      },
      {
        file: 'fixtures/gar-inputs/terraform.tfvars',
        line: 1,
        column: 21,
        severity: 'error',
        messageId: 'immutable_tags_disabled',
        resource: 'google_artifact_registry_repository.ci',
      },
      {
        file: 'fixtures/gar-inputs/variables.tf',
        line: 8,
        column: 13,
        severity: 'error',
        messageId: 'immutable_tags_disabled',
        resource: 'google_artifact_registry_repository.cache',
      },
    ]);
    expect(result.findings.map((f) => f.trace)).toEqual([
      [
        { file: 'fixtures/gar-inputs/modules/docker-repository/main.tf', line: 16, column: 22, note: 'var.immutable_tags' },
        { file: 'fixtures/gar-inputs/main.tf', line: 10, column: 3, note: 'module.scratch argument immutable_tags' },
      ],
      [
        { file: 'fixtures/gar-inputs/main.tf', line: 29, column: 22, note: 'each.value' },
        { file: 'fixtures/gar-inputs/main.tf', line: 22, column: 14, note: 'local.teams' },
      ],
      [{ file: 'fixtures/gar-inputs/main.tf', line: 40, column: 22, note: 'var.ci_immutable_tags' }],
      [{ file: 'fixtures/gar-inputs/main.tf', line: 50, column: 22, note: 'var.cache_immutable_tags' }],
    ]);
  });

  test('a plan: the google-beta repository with immutable_tags = false, at the value in plan.json; the google one passes', async () => {
    const dir = tempDir('gar-plan');
    copyFileSync(path.join(ROOT, 'fixtures/gar-plan/plan.json'), path.join(dir, 'plan.json'));
    const result = await scanDir(dir, { plan: 'plan.json' });
    expect(result.errors).toEqual([]);
    expect(result.summary.resources).toBe(2);
    expect(found(result)).toEqual([
      {
        file: 'plan.json',
        line: 172,
        column: 33,
        severity: 'error',
        messageId: 'immutable_tags_disabled',
        resource: 'google_artifact_registry_repository.jobs',
      },
    ]);
    const text = readFileSync(path.join(dir, 'plan.json'), 'utf8').split('\n');
    expect(text[171]).toBe('              "immutable_tags": false');
    expect(
      text
        .slice(0, 171)
        .filter((l) => l.includes('"provider_name"'))
        .at(-1),
    ).toBe('      "provider_name": "registry.terraform.io/hashicorp/google-beta",');
  });
});

test('a plan with the configuration it was made from: the finding points at the false in main.tf', async () => {
  const result = await scanPlan('fixtures/gar-plan/plan.json', { paths: ['.'] });
  expect(result.errors).toEqual([]);
  expect(result.summary.resources).toBe(2);
  expect(found(result)).toEqual([
    {
      file: 'fixtures/gar-plan/main.tf',
      line: 42,
      column: 22,
      severity: 'error',
      messageId: 'immutable_tags_disabled',
      resource: 'google_artifact_registry_repository.jobs',
    },
  ]);
});

describe('GoogleCloudPlatform/artifact-registry/google, modelled when not on disk', () => {
  const FILE = 'fixtures/registry-modules-gar/main.tf';

  test('docker_config decides: true passes, false at the argument, no docker_config at the call, {} at the argument', async () => {
    const result = await scanFixtures(['registry-modules-gar']);
    expect(result.errors).toEqual([]);
    expect(result.notes).toEqual([]);
    // images, scratch, web, jobs, and the MAVEN and REMOTE_REPOSITORY ones, which are not judged.
    expect(result.resources.map((r) => r.address)).toEqual([
      'module.images.google_artifact_registry_repository.repo',
      'module.scratch.google_artifact_registry_repository.repo',
      'module.web.google_artifact_registry_repository.repo',
      'module.jobs.google_artifact_registry_repository.repo',
      'module.jars.google_artifact_registry_repository.repo',
      'module.hub.google_artifact_registry_repository.repo',
    ]);
    expect(found(result)).toEqual([
      {
        file: FILE,
        line: 27,
        column: 22,
        severity: 'error',
        messageId: 'immutable_tags_disabled',
        resource: 'module.scratch.google_artifact_registry_repository.repo',
      },
      {
        file: FILE,
        line: 32,
        column: 1,
        severity: 'error',
        messageId: 'no_docker_config',
        resource: 'module.web.google_artifact_registry_repository.repo',
      },
      {
        file: FILE,
        line: 51,
        column: 19,
        severity: 'error',
        messageId: 'immutable_tags_not_set',
        resource: 'module.jobs.google_artifact_registry_repository.repo',
      },
    ]);
    // Each step once: the splat of an object (var.docker_config[*]) passes its trace on once.
    expect(result.findings[0].trace).toEqual([
      { file: '(model) googlecloudplatform-artifact-registry/main.hcl', line: 110, column: 24, note: 'docker_config' },
      { file: '(model) googlecloudplatform-artifact-registry/main.hcl', line: 108, column: 16, note: 'var.docker_config' },
      { file: FILE, line: 26, column: 3, note: 'module.scratch argument docker_config' },
    ]);
  });

  test('the model: mode defaults to STANDARD_REPOSITORY, format and docker_config are passed through', async () => {
    const result = await scanFixtures(['registry-modules-gar']);
    const images = defined(result.resources.find((r) => r.address === 'module.images.google_artifact_registry_repository.repo'));
    expect(images.attributes.mode.value).toBe('STANDARD_REPOSITORY');
    expect(images.attributes.format.value).toBe('DOCKER');
    expect(images.blocks.docker_config.instances.map((i) => i.fields)).toEqual([{ immutable_tags: true }]);
    const hub = defined(result.resources.find((r) => r.address === 'module.hub.google_artifact_registry_repository.repo'));
    expect(hub.attributes.mode.value).toBe('REMOTE_REPOSITORY');
  });
});

describe('gar-tag-immutability --fix', () => {
  function copy(fixture: string): string {
    const dir = tempDir(fixture);
    cpSync(path.join(ROOT, 'fixtures', fixture), dir, { recursive: true });
    return dir;
  }
  const read = (dir: string, file: string) => readFileSync(path.join(dir, file), 'utf8');
  const original = (fixture: string, file: string) => read(path.join(ROOT, 'fixtures', fixture), file);

  test('a false from a variable default, tfvars or a module argument becomes true there; a for_each map entry, which for_each reads, stays and the block gets its own true', async () => {
    const dir = copy('gar-inputs');
    const { code, err } = await runCli(['fix', '.'], dir);
    expect(code).toBe(0);
    expect(read(dir, 'terraform.tfvars')).toBe('ci_immutable_tags = true\n');
    expect(read(dir, 'variables.tf')).toBe(
      'variable "ci_immutable_tags" {\n  type    = bool\n  default = true\n}\n\nvariable "cache_immutable_tags" {\n  type    = bool\n  default = true\n}\n',
    );
    expect(read(dir, 'main.tf')).toBe(
      original('gar-inputs', 'main.tf')
        .replace('  immutable_tags = false\n}', '  immutable_tags = true\n}')
        .replace('immutable_tags = each.value.immutable_tags', 'immutable_tags = true'),
    );
    expect(read(dir, 'main.tf')).toContain('    search   = { immutable_tags = false }\n');
    expect(read(dir, 'modules/docker-repository/main.tf')).toBe(original('gar-inputs', 'modules/docker-repository/main.tf'));
    expect(err.split('\n').filter((l) => l.startsWith('tagguard: needs a person'))).toEqual([]);
    expect(found(await scanDir(dir))).toEqual([]);
  });

  test('a variable default also read by an output: the default stays, the flagged block gets true', async () => {
    const dir = tree({
      'main.tf':
        'variable "immutable" {\n  default = false\n}\n\nresource "google_artifact_registry_repository" "r" {\n  location      = "europe-west1"\n  repository_id = "r"\n  format        = "DOCKER"\n\n  docker_config {\n    immutable_tags = var.immutable\n  }\n}\n\noutput "immutable" {\n  value = var.immutable\n}\n',
    });
    const before = read(dir, 'main.tf');
    expect((await runCli(['fix', '.'], dir)).code).toBe(0);
    expect(read(dir, 'main.tf')).toBe(before.replace('immutable_tags = var.immutable', 'immutable_tags = true'));
  });

  test('Terraform JSON: the variable default, the block in a list, and immutable_tags added to an empty block', async () => {
    const dir = copy('gar-json');
    await runCli(['fix', '.'], dir);
    expect(read(dir, 'main.tf.json')).toBe(
      original('gar-json', 'main.tf.json')
        .replace('"default": false', '"default": true')
        .replace('[{ "immutable_tags": false }]', '[{ "immutable_tags": true }]')
        .replace('"docker_config": {}', '"docker_config": {"immutable_tags": true}'),
    );
    expect(found(await scanDir(dir)).map((f) => f.messageId)).toEqual(['no_docker_config']);
  });

  test('the modelled registry module: the argument in the call is fixed; what only the module writes is left to a person', async () => {
    const dir = copy('registry-modules-gar');
    const { err } = await runCli(['fix', '.'], dir);
    expect(read(dir, 'main.tf')).toBe(
      original('registry-modules-gar', 'main.tf').replace(
        '  repository_id = "scratch"\n  docker_config = {\n    immutable_tags = false\n',
        '  repository_id = "scratch"\n  docker_config = {\n    immutable_tags = true\n',
      ),
    );
    expect(err.split('\n').filter((l) => l.startsWith('tagguard: needs a person'))).toEqual([
      'tagguard: needs a person: main.tf:32:1 module.web.google_artifact_registry_repository.repo: the module call writes no docker_config block: pass the module the input that sets immutable_tags = true (docker_config = { immutable_tags = true } for GoogleCloudPlatform/artifact-registry/google)',
      'tagguard: needs a person: main.tf:51:19 module.jobs.google_artifact_registry_repository.repo: the module writes docker_config from the value at main.tf:51:19: set immutable_tags = true in it',
    ]);
  });
});

describe('gar-tag-immutability in CDKTF synth output', () => {
  test('--fix names the construct property to set: dockerConfig.immutableTags', async () => {
    const stack = {
      resource: {
        google_artifact_registry_repository: {
          images: {
            '//': { metadata: { path: 'registry/images', uniqueId: 'images' } },
            docker_config: { immutable_tags: false },
            format: 'DOCKER',
            location: 'europe-west1',
            repository_id: 'images',
          },
          web: {
            '//': { metadata: { path: 'registry/web', uniqueId: 'web' } },
            format: 'DOCKER',
            location: 'europe-west1',
            repository_id: 'web',
          },
        },
      },
    };
    const dir = tree({
      'cdktf.json': '{"language": "typescript", "app": "npx ts-node main.ts"}\n',
      'cdktf.out/manifest.json': JSON.stringify({
        version: '0.21.0',
        stacks: {
          registry: { name: 'registry', synthesizedStackPath: 'stacks/registry/cdk.tf.json', workingDirectory: 'stacks/registry' },
        },
      }),
      'cdktf.out/stacks/registry/cdk.tf.json': `${JSON.stringify(stack, null, 2)}\n`,
    });
    const result = await scanDir(dir);
    expect(found(result).map((f) => [f.resource, f.messageId])).toEqual([
      ['google_artifact_registry_repository.images', 'immutable_tags_disabled'],
      ['google_artifact_registry_repository.web', 'no_docker_config'],
    ]);
    const plan = planFixes(result.findings, result.resources, result.sources, DEFAULT_POLICY, { cdktfOutputs: result.cdktfOutputs });
    expect(plan.edits).toEqual([]);
    const change =
      "set dockerConfig: { immutableTags: true } on the ArtifactRegistryRepository, or remove its addOverride('docker_config', …)";
    expect(plan.manual.map((m) => m.reason)).toEqual([
      `synthesized by CDKTF: change the construct registry/images in stack registry (${change}), then run cdktf synth`,
      `synthesized by CDKTF: change the construct registry/web in stack registry (${change}), then run cdktf synth`,
    ]);
  });

  test('an unknown value names no property', () => {
    expect(garTagImmutability.cdktfChange?.({ type: 'google_artifact_registry_repository', messageIds: ['unknown'] })).toBeUndefined();
  });
});

describe('gar-tag-immutability in SARIF', () => {
  test('the rule descriptor comes from its METADATA: id, name, descriptions, help, tags', async () => {
    const result = await scanFixtures(['gar']);
    const sarif = JSON.parse(formatSarif(result, result.rules, '0.1.0')) as SarifLog;
    const run = sarif.runs[0];
    const index = run.tool.driver.rules.findIndex((r) => r.id === RULE);
    const rule = run.tool.driver.rules[index];
    expect(rule.name).toBe('GarTagImmutability');
    expect(rule.shortDescription).toEqual({ text: 'Artifact Registry Docker tags must be immutable' });
    expect(rule.fullDescription).toEqual({ text: expect.stringMatching(/^A mutable tag can be moved to a new image digest\./) as string });
    expect(rule.helpUri).toBe('https://cloud.google.com/artifact-registry/docs/docker/names#versions');
    expect(rule.defaultConfiguration).toEqual({ level: 'error' });
    expect(rule.properties?.tags).toEqual(['security', 'containers', 'terraform', 'iac']);
    expect(rule.properties?.aliases).toBeUndefined();
    expect((rule.help as { text: string }).text).toBe(
      [
        'Add docker_config { immutable_tags = true } to every standard DOCKER repository. It covers latest too: push a new tag per build instead of moving latest.',
        'Fix (HCL):\nresource "google_artifact_registry_repository" "images" {\n  location      = "europe-west1"\n  repository_id = "images"\n  format        = "DOCKER"\n\n  docker_config {\n    immutable_tags = true\n  }\n}',
        'Fix (CDKTF):\nimport { ArtifactRegistryRepository } from "@cdktf/provider-google/lib/artifact-registry-repository";\n\nnew ArtifactRegistryRepository(this, "images", {\n  location: "europe-west1",\n  repositoryId: "images",\n  format: "DOCKER",\n  dockerConfig: { immutableTags: true },\n});',
        'See:\nhttps://cloud.google.com/artifact-registry/docs/docker/names#versions\nhttps://registry.terraform.io/providers/hashicorp/google/latest/docs/resources/artifact_registry_repository',
      ].join('\n\n'),
    );
    const results = run.results.filter((r) => r.ruleId === RULE) as (SarifLog['runs'][number]['results'][number] & {
      ruleIndex: number;
      locations: { physicalLocation: { region: { startLine: number } } }[];
    })[];
    expect(results.map((r) => [r.ruleIndex, r.level, r.properties?.messageId, r.locations[0].physicalLocation.region.startLine])).toEqual([
      [index, 'error', 'no_docker_config', 18],
      [index, 'error', 'immutable_tags_disabled', 31],
    ]);
  });
});
