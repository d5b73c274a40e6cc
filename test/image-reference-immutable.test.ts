import { copyFileSync, cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Aspects, Fn, TerraformResource, TerraformStack, Testing } from 'cdktf';
import { TagguardAspect } from '../src/cdktf';
import { parseImageReference } from '../src/policy/image-reference';
import type { ScanResult } from '../src/scan/types';
import { filesOf, placeAt, placeOf, tempDir, type Place, tree, ROOT, runCli, scanDir, scanFixtures, scanPlan } from './helpers';

// image-reference-immutable over fixtures/images/*: every container image of every judged
// resource type, in HCL, Terraform JSON, CDKTF output, modules, jsonencode with merge and
// for, templatefile, data sources and plans. Every finding, exactly.
const RULE = 'image-reference-immutable';

interface Found extends Place {
  ruleId: string;
}

/** The rule's findings, where they point. */
const own = (findings: readonly Found[]) => findings.filter((f) => f.ruleId === RULE).map(placeOf);

const at = placeAt;

/** The images each judged resource holds, by their paths: the passing ones are seen too. */
const imagesOf = (result: ScanResult) =>
  Object.fromEntries(result.resources.filter((r) => r.images !== undefined).map((r) => [r.address, (r.images ?? []).map((i) => i.path)]));

/** An image's reference as the policy input carries it. */
const referenceOf = (result: ScanResult, address: string) =>
  (result.resources.find((r) => r.address === address)?.images ?? []).map((i) => parseImageReference(i.pieces));

const FIXES =
  'pin the digest the CI that built the image printed (name@sha256:…), or tag each build with its git SHA in an immutable repository and deploy that tag';

describe('every judged resource type, in HCL', () => {
  const AWS = 'fixtures/images/hcl/aws.tf';
  const K8S = 'fixtures/images/hcl/kubernetes.tf';
  const GCP = 'fixtures/images/hcl/google.tf';
  const REGISTRIES = 'fixtures/images/hcl/registries.tf';

  test('one failing image per resource, at the string that writes its tag; digests and tags of immutable repositories pass', async () => {
    const result = await scanFixtures(['images/hcl']);
    expect(result.errors).toEqual([]);
    // 23 workloads and 3 repositories; worker's own ECR finding is the 22nd error.
    expect(result.summary).toMatchObject({ resources: 26, errors: 22, warnings: 0 });
    expect(own(result.findings)).toEqual([
      at(AWS, 14, 63, 'error', 'mutable_repository', 'aws_ecs_task_definition.api'),
      at(AWS, 24, 60, 'error', 'latest', 'aws_lambda_function.thumbnails'),
      // A tag is placed at its text in the template; no tag (the implied latest) at the end of the name.
      at(AWS, 39, 34, 'error', 'no_tag', 'aws_apprunner_service.web'),
      at(AWS, 60, 56, 'error', 'moving_tag', 'aws_batch_job_definition.report'),
      at(AWS, 73, 78, 'error', 'mutable_repository', 'aws_batch_job_definition.etl'),
      at(GCP, 10, 76, 'error', 'no_tag', 'google_cloud_run_v2_service.shop'),
      at(GCP, 22, 78, 'error', 'latest', 'google_cloud_run_v2_job.invoices'),
      at(K8S, 17, 60, 'error', 'latest', 'kubernetes_deployment.api'),
      at(K8S, 36, 63, 'error', 'mutable_repository', 'kubernetes_deployment_v1.web'),
      at(K8S, 60, 19, 'error', 'no_tag', 'kubernetes_stateful_set.db'),
      at(K8S, 84, 60, 'error', 'moving_tag', 'kubernetes_stateful_set_v1.cache'),
      at(K8S, 107, 63, 'error', 'mutable_repository', 'kubernetes_daemonset.agent'),
      at(K8S, 130, 60, 'error', 'moving_tag', 'kubernetes_daemon_set_v1.logs'),
      at(K8S, 151, 60, 'error', 'moving_tag', 'kubernetes_job.migrate'),
      at(K8S, 172, 63, 'error', 'mutable_repository', 'kubernetes_job_v1.seed'),
      at(K8S, 197, 64, 'error', 'moving_tag', 'kubernetes_cron_job.backup'),
      at(K8S, 224, 64, 'error', 'moving_tag', 'kubernetes_cron_job_v1.cleanup'),
      at(K8S, 244, 59, 'error', 'mutable_repository', 'kubernetes_pod.debug'),
      at(K8S, 260, 56, 'error', 'latest', 'kubernetes_pod_v1.shell'),
      at(K8S, 281, 84, 'error', 'mutable_repository', 'kubernetes_manifest.worker'),
      at(K8S, 302, 85, 'error', 'latest', 'kubernetes_manifest.rotate'),
    ]);
    // The repository's own finding, from ecr-tag-immutability, once.
    expect(result.findings.filter((f) => f.ruleId !== RULE).map(placeOf)).toEqual([
      at(REGISTRIES, 9, 26, 'error', 'mutable', 'aws_ecr_repository.worker'),
    ]);
    // A mutable repository's finding leads to the value that makes it mutable.
    const mutable = result.findings.filter((f) => f.messageId === 'mutable_repository');
    expect(mutable.map((f) => f.trace)).toEqual(
      mutable.map(() => [{ file: REGISTRIES, line: 9, column: 26, note: 'aws_ecr_repository.worker: image_tag_mutability is "MUTABLE"' }]),
    );
    // No tag written: the trace names the repository whose address the image is.
    expect(result.findings.find((f) => f.resource === 'kubernetes_stateful_set.db')?.trace).toEqual([
      { file: K8S, line: 60, column: 19, note: 'aws_ecr_repository.api' },
    ]);
  });

  test('every image is found: both containers of each resource, init containers, nested JSON and manifests', async () => {
    const result = await scanFixtures(['images/hcl']);
    const pod = (kind: string) => [`${kind}.container[0].image`, `${kind}.container[1].image`];
    expect(imagesOf(result)).toEqual({
      'aws_ecs_task_definition.api': ['container_definitions[0].image', 'container_definitions[1].image'],
      'aws_lambda_function.thumbnails': ['image_uri'],
      'aws_lambda_function.resize': ['image_uri'],
      'aws_apprunner_service.web': ['source_configuration[0].image_repository[0].image_identifier'],
      'aws_apprunner_service.docs': ['source_configuration[0].image_repository[0].image_identifier'],
      'aws_batch_job_definition.report': ['container_properties.image'],
      'aws_batch_job_definition.etl': [
        'ecs_properties.taskProperties[0].containers[0].image',
        'ecs_properties.taskProperties[0].containers[1].image',
      ],
      'google_cloud_run_v2_service.shop': ['template[0].containers[0].image', 'template[0].containers[1].image'],
      'google_cloud_run_v2_job.invoices': ['template[0].template[0].containers[0].image', 'template[0].template[0].containers[1].image'],
      'kubernetes_deployment.api': [
        'spec[0].template[0].spec[0].container[0].image',
        'spec[0].template[0].spec[0].init_container[0].image',
      ],
      'kubernetes_deployment_v1.web': pod('spec[0].template[0].spec[0]'),
      'kubernetes_stateful_set.db': pod('spec[0].template[0].spec[0]'),
      'kubernetes_stateful_set_v1.cache': pod('spec[0].template[0].spec[0]'),
      'kubernetes_daemonset.agent': pod('spec[0].template[0].spec[0]'),
      'kubernetes_daemon_set_v1.logs': [
        'spec[0].template[0].spec[0].container[0].image',
        'spec[0].template[0].spec[0].init_container[0].image',
      ],
      'kubernetes_job.migrate': pod('spec[0].template[0].spec[0]'),
      'kubernetes_job_v1.seed': ['spec[0].template[0].spec[0].container[0].image', 'spec[0].template[0].spec[0].init_container[0].image'],
      'kubernetes_cron_job.backup': [
        'spec[0].job_template[0].spec[0].template[0].spec[0].container[0].image',
        'spec[0].job_template[0].spec[0].template[0].spec[0].init_container[0].image',
      ],
      'kubernetes_cron_job_v1.cleanup': pod('spec[0].job_template[0].spec[0].template[0].spec[0]'),
      'kubernetes_pod.debug': ['spec[0].container[0].image', 'spec[0].init_container[0].image'],
      'kubernetes_pod_v1.shell': ['spec[0].container[0].image', 'spec[0].init_container[0].image'],
      'kubernetes_manifest.worker': [
        'manifest.spec.template.spec.containers[0].image',
        'manifest.spec.template.spec.initContainers[0].image',
      ],
      'kubernetes_manifest.rotate': [
        'manifest.spec.jobTemplate.spec.template.spec.containers[0].image',
        'manifest.spec.jobTemplate.spec.template.spec.containers[1].image',
      ],
    });
  });

  test('the messages name the image, its path, the tag and the repository', async () => {
    const result = await scanFixtures(['images/hcl']);
    const message = (resource: string) => result.findings.find((f) => f.resource === resource)?.message;
    expect(message('aws_ecs_task_definition.api')).toBe(
      `the image of container_definitions[1].image uses the tag "2.1.0" of aws_ecr_repository.worker, which lets it move (image_tag_mutability is "MUTABLE"); ${FIXES}`,
    );
    expect(message('aws_batch_job_definition.report')).toBe(
      `the image of container_properties.image uses the tag "main", a moving tag (moving_tags: ["latest","stable","main","master","dev","edge","nightly"]) that a push moves to a new image, whatever the repository allows; ${FIXES}`,
    );
  });
});

describe('Terraform JSON', () => {
  const FILE = 'fixtures/images/json/main.tf.json';

  test('"${jsonencode(...)}", JSON text with interpolations, image_uri, nested blocks as objects and lists, Cloud Run', async () => {
    const result = await scanFixtures(['images/json']);
    expect(result.errors).toEqual([]);
    expect(result.summary).toMatchObject({ resources: 9, errors: 7, warnings: 0 });
    expect(own(result.findings)).toEqual([
      at(FILE, 10, 34, 'error', 'latest', 'aws_ecs_task_definition.api'),
      at(FILE, 14, 34, 'error', 'mutable_repository', 'aws_ecs_task_definition.worker'),
      at(FILE, 22, 22, 'error', 'no_tag', 'aws_lambda_function.thumbnails'),
      at(FILE, 38, 63, 'error', 'moving_tag', 'kubernetes_deployment.api'),
      at(FILE, 41, 46, 'error', 'mutable_repository', 'kubernetes_deployment.api'),
      at(FILE, 63, 24, 'error', 'latest', 'google_cloud_run_v2_service.shop'),
    ]);
    expect(imagesOf(result)).toMatchObject({
      'aws_ecs_task_definition.api': ['container_definitions[0].image', 'container_definitions[1].image'],
      'aws_ecs_task_definition.worker': ['container_definitions[0].image', 'container_definitions[1].image'],
      'kubernetes_deployment.api': [
        'spec.template.spec.container[0].image',
        'spec.template.spec.container[1].image',
        'spec.template.spec.init_container.image',
      ],
    });
    // The tag of JSON text after the interpolation: the trace is the repository's, not the text's first interpolation.
    expect(result.findings.find((f) => f.resource === 'aws_ecs_task_definition.worker')?.trace).toEqual([
      { file: FILE, line: 5, column: 61, note: 'aws_ecr_repository.worker: image_tag_mutability is "MUTABLE"' },
    ]);
  });
});

describe('CDKTF synth output', () => {
  const FILE = 'fixtures/images/cdktf/cdktf.out/stacks/services/cdk.tf.json';

  test('container_definitions as JSON text with resolved tokens, and Lambda functions: findings with their construct paths', async () => {
    const result = await scanFixtures(['images/cdktf']);
    expect(result.errors).toEqual([]);
    expect(result.summary).toMatchObject({ resources: 5, errors: 4, warnings: 0 });
    expect(result.findings.map((f) => [f.ruleId, f.messageId, f.line, f.column, f.resource, f.stack, f.constructPath])).toEqual([
      ['ecr-tag-immutability', 'mutable', 37, 33, 'aws_ecr_repository.jobs', 'services', 'services/jobs'],
      [RULE, 'mutable_repository', 49, 34, 'aws_ecs_task_definition.api_task', 'services', 'services/api-task'],
      [RULE, 'latest', 49, 34, 'aws_ecs_task_definition.api_task', 'services', 'services/api-task'],
      [RULE, 'mutable_repository', 68, 22, 'aws_lambda_function.thumbnails', 'services', 'services/thumbnails'],
    ]);
    expect(new Set(result.findings.map((f) => f.file))).toEqual(new Set([FILE]));
    // cron's tag follows the jobs repository's interpolation: its trace is jobs', not api's (the text's first).
    expect(result.findings[1].message).toBe(
      `the image of container_definitions[1].image uses the tag "9f2c1ab" of aws_ecr_repository.jobs, which lets it move (image_tag_mutability is "MUTABLE"); ${FIXES}`,
    );
    expect(result.findings[1].trace).toEqual([
      { file: FILE, line: 37, column: 33, note: 'aws_ecr_repository.jobs: image_tag_mutability is "MUTABLE"' },
    ]);
    expect(result.findings[2].trace).toEqual([]);
  });
});

describe('the CDKTF aspect', () => {
  /** The annotations the aspect adds, by construct path. */
  function annotate(containerDefinitions: (api: string, jobs: string) => string) {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'services');
    const api = new TerraformResource(stack, 'api', { terraformResourceType: 'aws_ecr_repository' });
    api.addOverride('name', 'api');
    api.addOverride('image_tag_mutability', 'IMMUTABLE');
    const jobs = new TerraformResource(stack, 'jobs', { terraformResourceType: 'aws_ecr_repository' });
    jobs.addOverride('name', 'jobs');
    jobs.addOverride('image_tag_mutability', 'MUTABLE');
    const task = new TerraformResource(stack, 'api-task', { terraformResourceType: 'aws_ecs_task_definition' });
    task.addOverride('family', 'api');
    task.addOverride(
      'container_definitions',
      containerDefinitions(api.getStringAttribute('repository_url'), jobs.getStringAttribute('repository_url')),
    );
    const fn = new TerraformResource(stack, 'thumbnails', { terraformResourceType: 'aws_lambda_function' });
    fn.addOverride('function_name', 'thumbnails');
    fn.addOverride('image_uri', `${api.getStringAttribute('repository_url')}:latest`);
    Aspects.of(stack).add(new TagguardAspect({ mode: 'error', rules: [RULE] }));
    Testing.synth(stack);
    return Object.fromEntries(
      [api, jobs, task, fn].map((r) => [
        r.node.path,
        r.node.metadata.filter((m) => m.type.startsWith('@cdktf/')).map((m) => `${m.type} ${String(m.data).replace(/:.*\[/, ' [')}`),
      ]),
    );
  }

  test('container_definitions as JSON text with tokens: each container judged, as in the synth output', () => {
    const defs = (api: string, jobs: string) =>
      JSON.stringify([
        { name: 'api', image: `${api}:9f2c1ab` },
        { name: 'cron', image: `${jobs}:9f2c1ab` },
      ]);
    expect(annotate(defs)).toEqual({
      'services/api': [],
      'services/jobs': [],
      'services/api-task': ['@cdktf/error services/api-task [image-reference-immutable/mutable_repository]'],
      'services/thumbnails': ['@cdktf/error services/thumbnails [image-reference-immutable/latest]'],
    });
  });

  test("Fn.jsonencode: an expression left to Terraform, an unknown warning (it was an invalid_reference error with the tag 'latest\"}])}')", () => {
    const defs = (api: string, jobs: string) =>
      Fn.jsonencode([
        { name: 'api', image: `${api}:9f2c1ab` },
        { name: 'cron', image: `${jobs}:9f2c1ab` },
        { name: 'proxy', image: `${api}:latest` },
      ]);
    expect(annotate(defs)['services/api-task']).toEqual(['@cdktf/warn services/api-task [image-reference-immutable/unknown]']);
  });
});

describe('modules, for_each over services, a variable default and tfvars', () => {
  const FILE = 'fixtures/images/module/main.tf';
  const MODULE = 'fixtures/images/module/modules/service/main.tf';

  test("findings at the caller's map entries, the module's default and the tfvars value; the immutable semver passes", async () => {
    const result = await scanFixtures(['images/module']);
    expect(result.errors).toEqual([]);
    expect(result.summary).toMatchObject({ resources: 7, errors: 5, warnings: 0 });
    expect(own(result.findings)).toEqual([
      at(FILE, 20, 24, 'error', 'latest', 'module.service["admin"].aws_ecs_task_definition.this'),
      at(FILE, 24, 24, 'error', 'mutable_repository', 'module.service["cron"].aws_ecs_task_definition.this'),
      at(MODULE, 11, 13, 'error', 'moving_tag', 'module.sidecar.aws_ecs_task_definition.this'),
      at('fixtures/images/module/terraform.tfvars', 1, 11, 'error', 'moving_tag', 'module.web.aws_ecs_task_definition.this'),
    ]);
    // The tools repository sets no mutability: its own finding, and the step of cron's trace.
    expect(result.findings.filter((f) => f.ruleId !== RULE).map(placeOf)).toEqual([
      at(FILE, 8, 1, 'error', 'not_set', 'aws_ecr_repository.tools'),
    ]);
    const through = [
      { file: MODULE, line: 18, column: 42, note: 'var.tag' },
      { file: FILE, line: 35, column: 3, note: 'module.service argument tag' },
      { file: FILE, line: 35, column: 20, note: 'each.value' },
      { file: FILE, line: 31, column: 14, note: 'local.services' },
    ];
    expect(result.findings.filter((f) => f.ruleId === RULE).map((f) => f.trace)).toEqual([
      through,
      [
        ...through,
        {
          file: FILE,
          line: 8,
          column: 1,
          note: 'aws_ecr_repository.tools: image_tag_mutability is not set, and the provider default is MUTABLE',
        },
      ],
      [{ file: MODULE, line: 18, column: 42, note: 'var.tag' }],
      [
        { file: MODULE, line: 18, column: 42, note: 'var.tag' },
        { file: FILE, line: 43, column: 3, note: 'module.web argument tag' },
        { file: FILE, line: 43, column: 20, note: 'var.web_tag' },
      ],
    ]);
    // api's v1.8.0 in the IMMUTABLE repository is judged, and passes.
    expect(Object.keys(imagesOf(result))).toEqual([
      'module.service["admin"].aws_ecs_task_definition.this',
      'module.service["api"].aws_ecs_task_definition.this',
      'module.service["cron"].aws_ecs_task_definition.this',
      'module.web.aws_ecs_task_definition.this',
      'module.sidecar.aws_ecs_task_definition.this',
    ]);
  });

  test('without terraform.tfvars, web takes the variable default v1.0.0 and passes', async () => {
    const dir = tempDir('images-module');
    cpSync(path.join(ROOT, 'fixtures/images/module'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'terraform.tfvars'), '');
    const r = await runCli(['scan', '.', '--format', 'json'], dir);
    expect(
      r
        .json()
        .findings.filter((f) => f.ruleId === RULE)
        .map((f) => f.resource),
    ).toEqual([
      'module.service["admin"].aws_ecs_task_definition.this',
      'module.service["cron"].aws_ecs_task_definition.this',
      'module.sidecar.aws_ecs_task_definition.this',
    ]);
  });
});

test('jsonencode([for … : merge(local.defaults, {…})]): each container judged, each finding at its tag in local.services', async () => {
  const result = await scanFixtures(['images/merge-for']);
  expect(result.errors).toEqual([]);
  expect(result.summary).toMatchObject({ resources: 3, errors: 4, warnings: 0 });
  const FILE = 'fixtures/images/merge-for/main.tf';
  expect(own(result.findings)).toEqual([
    at(FILE, 14, 23, 'error', 'latest', 'aws_ecs_task_definition.app'),
    at(FILE, 15, 23, 'error', 'moving_tag', 'aws_ecs_task_definition.app'),
    // No tag: at the end of the name, the list element the for's name came from.
    at(FILE, 35, 52, 'error', 'no_tag', 'aws_ecs_task_definition.sidecars'),
    at(FILE, 35, 61, 'error', 'no_tag', 'aws_ecs_task_definition.sidecars'),
  ]);
  expect(result.findings.map((f) => f.trace)).toEqual([
    [
      { file: FILE, line: 29, column: 57, note: 'svc' },
      { file: FILE, line: 27, column: 56, note: 'local.services' },
    ],
    [
      { file: FILE, line: 29, column: 57, note: 'svc' },
      { file: FILE, line: 27, column: 56, note: 'local.services' },
    ],
    [{ file: FILE, line: 37, column: 36, note: 'name' }],
    [{ file: FILE, line: 37, column: 36, note: 'name' }],
  ]);
  // api, billing, export (var default) and search: four containers, in the map's key order.
  expect(imagesOf(result)['aws_ecs_task_definition.app']).toEqual([0, 1, 2, 3].map((n) => `container_definitions[${n}].image`));
  expect(referenceOf(result, 'aws_ecs_task_definition.app').map((ref) => ref?.tag?.value)).toEqual(['v2.4.0', 'latest', 'v0.9.1', 'main']);
});

test('container_definitions as a heredoc of JSON: the finding at the heredoc, not at the first interpolation (the api container)', async () => {
  const result = await scanFixtures(['images/heredoc']);
  expect(result.errors).toEqual([]);
  const FILE = 'fixtures/images/heredoc/main.tf';
  expect(own(result.findings)).toEqual([at(FILE, 10, 5, 'error', 'latest', 'aws_ecs_task_definition.api')]);
  expect(result.findings[0].trace).toEqual([]);
  expect(result.findings[0].message).toContain('the image of container_definitions[1].image uses the tag "latest"');
});

test('dynamic "container" over a map: each instance judged, the finding at the map entry of the variable default', async () => {
  const result = await scanFixtures(['images/dynamic']);
  expect(result.errors).toEqual([]);
  const FILE = 'fixtures/images/dynamic/main.tf';
  expect(own(result.findings)).toEqual([at(FILE, 10, 14, 'error', 'latest', 'kubernetes_deployment_v1.app')]);
  expect(result.findings[0].trace).toEqual([
    { file: FILE, line: 28, column: 65, note: 'container' },
    { file: FILE, line: 25, column: 22, note: 'var.containers' },
  ]);
  expect(imagesOf(result)).toEqual({
    'kubernetes_deployment_v1.app': ['spec[0].template[0].spec[0].container[0].image', 'spec[0].template[0].spec[0].container[1].image'],
  });
});

describe('templatefile is left unknown', () => {
  const FILE = 'fixtures/images/templatefile/main.tf';
  const MESSAGE =
    'the image of container_definitions cannot be known before apply (function "templatefile" is not modelled), so whether it stays fixed is not proven';

  test('exactly one unknown warning, at the call', async () => {
    const result = await scanFixtures(['images/templatefile']);
    expect(result.errors).toEqual([]);
    expect(result.summary).toMatchObject({ resources: 2, errors: 0, warnings: 1 });
    expect(own(result.findings)).toEqual([at(FILE, 8, 27, 'warning', 'unknown', 'aws_ecs_task_definition.api')]);
    expect(result.findings[0].message).toBe(MESSAGE);
  });

  test('--unknown error makes it an error, --unknown ignore drops it', async () => {
    const errors = await scanFixtures(['images/templatefile'], { unknown: 'error' });
    expect(own(errors.findings)).toEqual([at(FILE, 8, 27, 'error', 'unknown', 'aws_ecs_task_definition.api')]);
    expect(errors.findings[0].message).toBe(MESSAGE);
    const ignored = await scanFixtures(['images/templatefile'], { unknown: 'ignore' });
    expect(ignored.findings).toEqual([]);
    const cli = await runCli(['scan', 'fixtures/images/templatefile', '--unknown', 'error', '--format', 'json'], ROOT);
    expect(cli.code).toBe(1);
    expect(cli.json().findings.map((f) => [f.severity, f.messageId, f.line, f.column])).toEqual([['error', 'unknown', 8, 27]]);
  });
});

test('data "aws_ecr_repository" read by name: the managed repository of that name decides; one managed elsewhere is an unseen registry', async () => {
  const result = await scanFixtures(['images/data-source']);
  expect(result.errors).toEqual([]);
  expect(result.summary).toMatchObject({ resources: 5, errors: 2, warnings: 1 });
  const FILE = 'fixtures/images/data-source/main.tf';
  expect(own(result.findings)).toEqual([
    at(FILE, 35, 66, 'error', 'mutable_repository', 'aws_lambda_function.jobs'),
    at(FILE, 42, 68, 'warning', 'unseen_registry', 'aws_lambda_function.base'),
  ]);
  expect(result.findings.filter((f) => f.ruleId !== RULE).map(placeOf)).toEqual([
    at(FILE, 9, 26, 'error', 'mutable', 'aws_ecr_repository.jobs'),
  ]);
  const jobs = result.findings.find((f) => f.messageId === 'mutable_repository');
  expect(jobs?.trace).toEqual([{ file: FILE, line: 9, column: 26, note: 'aws_ecr_repository.jobs: image_tag_mutability is "MUTABLE"' }]);
  expect(result.findings.find((f) => f.messageId === 'unseen_registry')?.message).toBe(
    "pin the digest: this registry's tags can move, and nothing in this configuration proves otherwise (the image of image_uri names the ECR repository data.aws_ecr_repository.shared reads: no repository of this configuration); use the digest the CI that built the image printed (name@sha256:…), or push a tag per build (git SHA) to a repository this configuration makes immutable and deploy that tag",
  );
});

describe('registries the configuration does not manage', () => {
  const FILE = 'fixtures/images/unseen/main.tf';
  const EDGE = 'kubernetes_deployment_v1.edge';

  test('docker.io and ghcr.io tags are unseen_registry warnings by default; the digest passes', async () => {
    const result = await scanFixtures(['images/unseen']);
    expect(result.errors).toEqual([]);
    expect(own(result.findings)).toEqual([
      at(FILE, 14, 19, 'warning', 'unseen_registry', EDGE),
      at(FILE, 18, 19, 'warning', 'unseen_registry', EDGE),
      at(FILE, 22, 19, 'warning', 'unseen_registry', EDGE),
    ]);
    // distribution/reference: docker.io/nginx is the official image docker.io/library/nginx.
    expect(result.findings[0].message).toContain(
      'image "docker.io/nginx:1.27" (spec[0].template[0].spec[0].container[0].image) names the registry "docker.io" (repository "library/nginx")',
    );
    expect(result.findings[1].message).toContain('names the registry "ghcr.io" (repository "acme/nginx-exporter")');
    const docker = referenceOf(result, EDGE)[0]?.name;
    expect(docker).toEqual({ known: true, value: 'docker.io/nginx', registry: 'docker.io', repository: 'library/nginx' });
  });

  test.each([
    ['error', 'error', 1],
    ['note', 'note', 0],
  ])('--unseen-registry %s', async (option, severity, code) => {
    const r = await runCli(['scan', 'fixtures/images/unseen', '--unseen-registry', option, '--format', 'json'], ROOT);
    expect(r.code).toBe(code);
    expect(r.json().findings.map((f) => [f.severity, f.messageId, f.line, f.column])).toEqual([
      [severity, 'unseen_registry', 14, 19],
      [severity, 'unseen_registry', 18, 19],
      [severity, 'unseen_registry', 22, 19],
    ]);
  });

  test('--unseen-registry ignore drops them', async () => {
    const r = await runCli(['scan', 'fixtures/images/unseen', '--unseen-registry', 'ignore', '--format', 'json'], ROOT);
    expect(r.code).toBe(0);
    expect(r.json().findings).toEqual([]);
  });

  test("--moving-tag release makes reloader's tag a moving tag, an error whatever the registry; the default list no longer applies", async () => {
    const r = await runCli(['scan', 'fixtures/images/unseen', '--moving-tag', 'release', '--format', 'json'], ROOT);
    expect(r.code).toBe(1);
    expect(r.json().findings.map((f) => [f.severity, f.messageId, f.line, f.column])).toEqual([
      ['warning', 'unseen_registry', 14, 19],
      ['warning', 'unseen_registry', 18, 19],
      ['error', 'moving_tag', 22, 19],
    ]);
    expect(r.json().findings[2].message).toContain('uses the tag "release", a moving tag (moving_tags: ["release"])');
    // main is no longer moving: the batch job's tag is judged by its (immutable) repository, and passes.
    const batch = await runCli(['scan', 'fixtures/images/hcl', '--moving-tag', 'release', '--format', 'json'], ROOT);
    expect(batch.json().findings.some((f) => f.resource === 'aws_batch_job_definition.report')).toBe(false);
  });
});

describe('plans', () => {
  const PLAN = 'fixtures/images/plan/plan.json';
  const CONFIG = 'fixtures/images/plan/main.tf';

  test('a plan alone: the repositories of the plan decide by registry and name; the unknown container_definitions is unknown', async () => {
    const dir = tempDir('images-plan');
    copyFileSync(path.join(ROOT, PLAN), path.join(dir, 'plan.json'));
    const r = await runCli(['scan', '--plan', 'plan.json', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    expect(r.json().errors).toEqual([]);
    expect(r.json().findings.map(placeOf)).toEqual([
      at('plan.json', 344, 35, 'error', 'mutable', 'aws_ecr_repository.worker'),
      at('plan.json', 436, 36, 'error', 'mutable_repository', 'aws_ecs_task_definition.api'),
      at('plan.json', 523, 36, 'warning', 'unknown', 'aws_ecs_task_definition.batch'),
      at('plan.json', 559, 24, 'error', 'latest', 'aws_lambda_function.thumbnails'),
    ]);
    const text = readFileSync(path.join(dir, 'plan.json'), 'utf8').split('\n');
    expect(text[435]).toMatch(/^ {10}"container_definitions": "\[\{\\"essential\\":true,\\"image\\":\\"123456789012/);
    expect(text[522]).toBe('          "container_definitions": true');
    expect(text[558]).toBe('          "image_uri": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:latest",');
    expect(r.json().findings[1].message).toBe(
      `image "123456789012.dkr.ecr.eu-west-1.amazonaws.com/worker:v1.4.2" (container_definitions[1].image) uses the tag "v1.4.2" of aws_ecr_repository.worker, which lets it move (image_tag_mutability is "MUTABLE"); ${FIXES}`,
    );
    expect(r.json().findings[2].message).toBe(
      'the image of container_definitions cannot be known before apply (known only after apply), so whether it stays fixed is not proven',
    );
  });

  test('scanPlan: the same findings, with the plan folder scanned as its configuration', async () => {
    const result = await scanPlan(PLAN);
    expect(result.errors).toEqual([]);
    expect(result.summary).toMatchObject({ resources: 6, errors: 3, warnings: 0 });
    expect(own(result.findings)).toEqual([
      at(CONFIG, 50, 63, 'error', 'mutable_repository', 'aws_ecs_task_definition.api'),
      at(CONFIG, 69, 60, 'error', 'latest', 'aws_lambda_function.thumbnails'),
    ]);
    expect(result.findings.filter((f) => f.ruleId !== RULE).map(placeOf)).toEqual([
      at(CONFIG, 28, 26, 'error', 'mutable', 'aws_ecr_repository.worker'),
    ]);
  });

  test('--config-dir: findings in main.tf, and the configuration sees inside the container_definitions the plan cannot know (batch passes)', async () => {
    const r = await runCli(['scan', '--plan', PLAN, '--config-dir', 'fixtures/images/plan', '--format', 'json'], ROOT);
    expect(r.json().errors).toEqual([]);
    expect(r.json().findings.map(placeOf)).toEqual([
      at(CONFIG, 28, 26, 'error', 'mutable', 'aws_ecr_repository.worker'),
      at(CONFIG, 50, 63, 'error', 'mutable_repository', 'aws_ecs_task_definition.api'),
      at(CONFIG, 69, 60, 'error', 'latest', 'aws_lambda_function.thumbnails'),
    ]);
    // At the template that writes the tag, as a scan of main.tf alone says; not at the repository's interpolation.
    expect(r.json().findings[1].trace).toEqual([
      { file: CONFIG, line: 28, column: 26, note: 'aws_ecr_repository.worker: image_tag_mutability is "MUTABLE"' },
    ]);
    const result = await scanPlan(PLAN);
    const batch = result.resources.find((r) => r.address === 'aws_ecs_task_definition.batch');
    expect(batch?.images?.map((i) => [i.path, parseImageReference(i.pieces)?.tag?.value])).toEqual([
      ['container_definitions[0].image', 'v0.3.0'],
    ]);
  });

  test('a plan with its configuration, the tag from terraform.tfvars: the finding at the tfvars value', async () => {
    const dir = tempDir('images-plan-tfvars');
    cpSync(path.join(ROOT, 'fixtures/images/plan'), dir, { recursive: true });
    const tf = readFileSync(path.join(dir, 'main.tf'), 'utf8');
    writeFileSync(path.join(dir, 'main.tf'), tf.replace('repository_url}:latest"', 'repository_url}:${var.lambda_tag}"'));
    writeFileSync(path.join(dir, 'variables.tf'), 'variable "lambda_tag" {\n  type = string\n}\n');
    writeFileSync(path.join(dir, 'terraform.tfvars'), 'lambda_tag = "latest"\n');
    const result = await scanDir(dir, { plan: 'plan.json' });
    expect(result.errors).toEqual([]);
    const lambda = result.findings.filter((f) => f.resource === 'aws_lambda_function.thumbnails');
    expect(lambda.map(placeOf)).toEqual([at('terraform.tfvars', 1, 14, 'error', 'latest', 'aws_lambda_function.thumbnails')]);
    expect(lambda[0].trace).toEqual([{ file: 'main.tf', line: 69, column: 63, note: 'var.lambda_tag' }]);
  });

  test("a plan in which the batch repository is MUTABLE: the configuration's image under the unknown value is judged, at its place in main.tf", async () => {
    const dir = tempDir('images-plan-mutable');
    cpSync(path.join(ROOT, 'fixtures/images/plan'), dir, { recursive: true });
    const tf = readFileSync(path.join(dir, 'main.tf'), 'utf8');
    writeFileSync(
      path.join(dir, 'main.tf'),
      tf.replace(
        'name                 = "batch"\n  image_tag_mutability = "IMMUTABLE"',
        'name                 = "batch"\n  image_tag_mutability = "MUTABLE"',
      ),
    );
    const plan = readFileSync(path.join(dir, 'plan.json'), 'utf8');
    writeFileSync(
      path.join(dir, 'plan.json'),
      plan.replaceAll(
        '"image_tag_mutability": "IMMUTABLE",\n          "name": "batch"',
        '"image_tag_mutability": "MUTABLE",\n          "name": "batch"',
      ),
    );
    const r = await runCli(['scan', '--plan', 'plan.json', '--format', 'json'], dir);
    expect(
      r
        .json()
        .findings.filter((f) => f.resource === 'aws_ecs_task_definition.batch')
        .map(placeOf),
    ).toEqual([at('main.tf', 60, 60, 'error', 'mutable_repository', 'aws_ecs_task_definition.batch')]);
  });
});

// A plan keeps the repositories that exist and do not change (no-op) for joins, not to judge them:
// worker's MUTABLE tag is an error, and api's IMMUTABLE tag passes.
test('a plan whose repositories exist unchanged (no-op): they still decide the images that name them', async () => {
  const dir = tempDir('images-plan-noop');
  const plan = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/images/plan/plan.json'), 'utf8')) as {
    resource_changes: { type: string; name: string; change: { actions: string[]; before: unknown; after: unknown } }[];
  };
  for (const rc of plan.resource_changes)
    if (rc.type === 'aws_ecr_repository' && rc.name !== 'batch') rc.change = { ...rc.change, actions: ['no-op'], before: rc.change.after };
  writeFileSync(path.join(dir, 'plan.json'), JSON.stringify(plan, null, 2));
  const r = await runCli(['scan', '--plan', 'plan.json', '--format', 'json'], dir);
  expect(
    r
      .json()
      .findings.filter((f) => f.resource === 'aws_ecs_task_definition.api')
      .map((f) => [f.severity, f.messageId]),
  ).toEqual([['error', 'mutable_repository']]);
});

// Addresses are unique within a root only: root a's image of its IMMUTABLE aws_ecr_repository.api
// is not judged by root b's MUTABLE aws_ecr_repository.api when both roots are scanned together.
test('a reference joins the repository of its own root only', async () => {
  const repository = (mutability: string) =>
    `resource "aws_ecr_repository" "api" {\n  name                 = "api"\n  image_tag_mutability = "${mutability}"\n}\n`;
  const lambda =
    'resource "aws_lambda_function" "api" {\n  function_name = "api"\n  role          = "r"\n  image_uri     = "${aws_ecr_repository.api.repository_url}:v1"\n}\n';
  const dir = tree({ 'a/main.tf': repository('IMMUTABLE') + lambda, 'b/main.tf': repository('MUTABLE') });
  const result = await scanDir(dir, { paths: ['a', 'b'] });
  expect(own(result.findings)).toEqual([]);
});

describe('--fix', () => {
  test('never edits for this rule: each finding is left to a person, with the two fixes', async () => {
    const files = filesOf('fixtures/images/merge-for');
    const dir = tempDir('images-fix');
    cpSync(path.join(ROOT, 'fixtures/images/merge-for'), dir, { recursive: true });
    const r = await runCli(['scan', '--fix', '.'], dir);
    expect(r.code).toBe(1);
    for (const [file, text] of Object.entries(files)) expect(readFileSync(path.join(dir, file), 'utf8')).toBe(text);
    expect(r.err).not.toMatch(/^tagguard: fixed/m);
    const reason =
      'a digest is known only to the registry and the CI that pushed the image: pin the digest the CI that built the image printed (name@sha256:<64 hex>), or tag each build with its git SHA, push it to an immutable repository and deploy that tag';
    expect(r.err.split('\n').filter((l) => l.startsWith('tagguard: needs a person:'))).toEqual([
      `tagguard: needs a person: main.tf:14:23 aws_ecs_task_definition.app: ${reason}`,
      `tagguard: needs a person: main.tf:15:23 aws_ecs_task_definition.app: ${reason}`,
      `tagguard: needs a person: main.tf:35:52 aws_ecs_task_definition.sidecars: ${reason}`,
      `tagguard: needs a person: main.tf:35:61 aws_ecs_task_definition.sidecars: ${reason}`,
    ]);
  });
});
