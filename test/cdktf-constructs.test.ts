import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { App, Aspects, Manifest, TerraformResource, TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { planFixes } from '../src/fix/plan-fixes';
import { scan } from '../src/scan/run';
import {
  CompliantEcrStack,
  EcrTagImmutabilityAspect,
  ImmutableEcrRepository,
  ImmutableEcrRepositoryCreationTemplate,
  patternCovers,
  TagguardAspect,
  type AspectMode,
} from '../src/cdktf';
import { DEFAULT_POLICY, matching, tempDir } from './helpers';

/** Scans synthesized JSON with tagguard's own scanner, as `tagguard scan` would. */
async function scanSynth(json: string) {
  const dir = tempDir('cdktf');
  mkdirSync(path.join(dir, 'stacks', 'test'), { recursive: true });
  writeFileSync(path.join(dir, 'stacks', 'test', 'cdk.tf.json'), json);
  return scan({ paths: ['.'], cwd: dir, policy: DEFAULT_POLICY, variables: { varFiles: [], vars: [], env: {} } });
}

/** Testing.fullSynth, with its output in a directory the test run removes. */
function fullSynth(stack: TerraformStack): string {
  const outdir = tempDir('cdktf-out');
  const manifest = new Manifest('stubbed', outdir, false);
  stack.synthesizer.synthesize({ outdir, manifest });
  manifest.writeToFile();
  return outdir;
}

/** What `cdktf synth` writes to cdk.tf.json, `//` metadata included (Testing.synth strips it). */
function synth(stack: TerraformStack): string {
  Testing.synth(stack);
  return JSON.stringify(stack.toTerraform(), null, 2);
}

/** Warnings and errors attached by Annotations (not cdktf's own stack traces). */
function annotations(stack: TerraformStack): [string, string][] {
  return stack.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type.startsWith('@cdktf/'))
    .map((m) => [m.type, String(m.data)]);
}

function resources(json: string, type: string): Record<string, Record<string, unknown>> {
  return (JSON.parse(json) as { resource?: Record<string, Record<string, Record<string, unknown>>> }).resource?.[type] ?? {};
}

describe('ImmutableEcrRepository', () => {
  test('is IMMUTABLE with scan on push and AES256 by default, and scans clean', async () => {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'test');
    new ImmutableEcrRepository(stack, 'api', { name: 'shop/api' });
    const json = synth(stack);
    const [repo] = Object.values(resources(json, 'aws_ecr_repository'));
    expect(repo).toMatchObject({
      name: 'shop/api',
      image_tag_mutability: 'IMMUTABLE',
      image_scanning_configuration: { scan_on_push: true },
      encryption_configuration: [{ encryption_type: 'AES256' }],
    });
    const result = await scanSynth(json);
    expect(result.summary.resources).toBe(1);
    expect(result.findings).toEqual([]);
  });

  test('KMS when a key is given; mutable tags become IMMUTABLE_WITH_EXCLUSION filters; a lifecycle policy', async () => {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'test');
    new ImmutableEcrRepository(stack, 'web', {
      name: 'shop/web',
      kmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      mutableTags: ['latest'],
      lifecycle: { keepLastTagged: 30, expireUntaggedAfterDays: 7 },
    });
    const json = synth(stack);
    const [repo] = Object.values(resources(json, 'aws_ecr_repository'));
    expect(repo).toMatchObject({
      image_tag_mutability: 'IMMUTABLE_WITH_EXCLUSION',
      image_tag_mutability_exclusion_filter: [{ filter: 'latest', filter_type: 'WILDCARD' }],
      encryption_configuration: [{ encryption_type: 'KMS', kms_key: matching(/^arn:aws:kms:/) }],
    });
    const [policy] = Object.values(resources(json, 'aws_ecr_lifecycle_policy'));
    expect(
      (JSON.parse(policy.policy as string) as { rules: { selection: { tagStatus: string } }[] }).rules.map((r) => r.selection.tagStatus),
    ).toEqual(['untagged', 'tagged']);
    expect((await scanSynth(json)).findings).toEqual([]);
  });

  test('mutable tags outside the allow-list are refused', () => {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'test');
    expect(() => new ImmutableEcrRepository(stack, 'x', { name: 'x', mutableTags: ['dev-*'] })).toThrow(
      /test\/x: mutable tags "dev-\*" are not allowed \(allowed: latest\)/,
    );
    expect(
      () => new ImmutableEcrRepository(stack, 'y', { name: 'y', mutableTags: ['dev-pr-*'], allowedMutableTags: ['dev-*'] }),
    ).not.toThrow();
  });

  test('an untyped caller cannot make it mutable', () => {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'test');
    const props = { name: 'x', imageTagMutability: 'MUTABLE' } as unknown as { name: string };
    expect(() => new ImmutableEcrRepository(stack, 'x', props)).toThrow(/imageTagMutability cannot be set on an immutable repository/);
  });
});

describe('ImmutableEcrRepositoryCreationTemplate', () => {
  test('makes immutable repositories for pull-through cache prefixes, and scans clean', async () => {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'test');
    new ImmutableEcrRepositoryCreationTemplate(stack, 'hub', { prefix: 'docker-hub', appliedFor: ['PULL_THROUGH_CACHE'] });
    const json = synth(stack);
    const [template] = Object.values(resources(json, 'aws_ecr_repository_creation_template'));
    expect(template).toMatchObject({ prefix: 'docker-hub', applied_for: ['PULL_THROUGH_CACHE'], image_tag_mutability: 'IMMUTABLE' });
    const result = await scanSynth(json);
    expect(result.summary.resources).toBe(1);
    expect(result.findings).toEqual([]);
  });
});

describe('TagguardAspect', () => {
  function stackWith(aspect: TagguardAspect) {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'test');
    new AwsProvider(stack, 'aws', {});
    new EcrRepository(stack, 'raw', { name: 'raw', imageTagMutability: 'MUTABLE' });
    Aspects.of(stack).add(aspect);
    return stack;
  }

  test('checks every built-in rule that judges a construct’s resource type, naming rule and message id', () => {
    expect(() => fullSynth(stackWith(new TagguardAspect()))).toThrow(
      /test\/raw: image_tag_mutability is MUTABLE.*\[ecr-tag-immutability\/mutable\]/,
    );
  });

  test('rules limits it to the rules named: a rule that judges nothing here leaves the stack alone', () => {
    expect(() => fullSynth(stackWith(new TagguardAspect({ rules: ['no-such-rule'] })))).not.toThrow();
    expect(() => fullSynth(stackWith(new TagguardAspect({ rules: ['ecr-tag-immutability'] })))).toThrow(
      /\[ecr-tag-immutability\/mutable\]/,
    );
  });
});

describe('EcrTagImmutabilityAspect', () => {
  function mutableStack(mode: 'enforce' | 'error' | 'warn') {
    const app = Testing.app({ outdir: tempDir('cdktf') });
    const stack = new TerraformStack(app, 'test');
    new AwsProvider(stack, 'aws', {});
    new EcrRepository(stack, 'raw', { name: 'raw', imageTagMutability: 'MUTABLE' });
    Aspects.of(stack).add(new EcrTagImmutabilityAspect({ mode }));
    return stack;
  }

  test('error mode fails synth naming the construct path', () => {
    const stack = mutableStack('error');
    expect(() => fullSynth(stack)).toThrow(/test\/raw: image_tag_mutability is MUTABLE/);
  });

  test('enforce mode rewrites to IMMUTABLE, with a warning', async () => {
    const stack = mutableStack('enforce');
    const json = synth(stack);
    expect(Object.values(resources(json, 'aws_ecr_repository'))[0]).toMatchObject({ image_tag_mutability: 'IMMUTABLE' });
    expect(annotations(stack)).toEqual([
      ['@cdktf/warn', expect.stringMatching(/test\/raw: image_tag_mutability set to IMMUTABLE by EcrTagImmutabilityAspect/)],
    ]);
    expect((await scanSynth(json)).findings).toEqual([]);
  });

  test('warn mode leaves the value and warns; the scanner still catches it with the construct path', async () => {
    const stack = mutableStack('warn');
    const json = synth(stack);
    expect(annotations(stack)).toEqual([['@cdktf/warn', expect.stringMatching(/test\/raw: image_tag_mutability is MUTABLE/)]]);
    const result = await scanSynth(json);
    expect(result.findings).toHaveLength(1);
    expect(result.findings[0]).toMatchObject({
      resource: 'aws_ecr_repository.raw',
      constructPath: 'test/raw',
      stack: 'test',
      file: 'stacks/test/cdk.tf.json',
    });
    // The place of the value in the synthesized JSON.
    const lines = json.split('\n');
    const line = lines.findIndex((l) => l.includes('"image_tag_mutability": "MUTABLE"')) + 1;
    expect(result.findings[0]).toMatchObject({ line, column: lines[line - 1].indexOf('"MUTABLE"') + 1 });
  });

  test('an unresolved token is reported as unknown, not passed', () => {
    const app = Testing.app({ outdir: tempDir('cdktf') });
    const stack = new TerraformStack(app, 'test');
    const source = new EcrRepository(stack, 'source', { name: 'source', imageTagMutability: 'IMMUTABLE' });
    new EcrRepository(stack, 'copy', { name: 'copy', imageTagMutability: source.imageTagMutability });
    Aspects.of(stack).add(new EcrTagImmutabilityAspect({ mode: 'error' }));
    Testing.synth(stack);
    expect(annotations(stack)).toEqual([
      [
        '@cdktf/warn',
        expect.stringMatching(/test\/copy: image_tag_mutability cannot be known before apply \(an unresolved token at synth time\)/),
      ],
    ]);
  });
});

describe('CompliantEcrStack', () => {
  test('repositories and templates from a short config synthesize and scan clean', async () => {
    const stack = new CompliantEcrStack(Testing.app({ outdir: tempDir('cdktf') }), 'registry', {
      region: 'eu-west-1',
      repositories: [{ name: 'shop/api' }, { name: 'shop/web', mutableTags: ['latest'] }],
      creationTemplates: [{ prefix: 'replica', appliedFor: ['REPLICATION'] }],
      lifecycle: { expireUntaggedAfterDays: 14 },
    });
    const json = synth(stack);
    expect(Object.keys(resources(json, 'aws_ecr_repository'))).toHaveLength(2);
    const result = await scanSynth(json);
    expect(result.summary.resources).toBe(3);
    expect(result.findings).toEqual([]);
    expect(() => fullSynth(stack)).not.toThrow();
  });

  test('a raw mutable repository added to it fails synth', () => {
    const stack = new CompliantEcrStack(new App({ outdir: tempDir('out') }), 'registry', { repositories: [] });
    new EcrRepository(stack, 'sneaky', { name: 'sneaky' });
    expect(() => fullSynth(stack)).toThrow(/registry\/sneaky: image_tag_mutability is not set/);
  });
});

test('the allow-list reads like the policy: a * covers a * of the filter', () => {
  expect([
    patternCovers('dev-*', 'dev-pr-*'),
    patternCovers('dev-*', '*'),
    patternCovers('latest', 'latest'),
    patternCovers('*', 'x'),
  ]).toEqual([true, false, true, true]);
});

/** Every property the aspect reads is what will be synthesized: escape hatches, raw resources and tokens. */
describe('the aspect judges what will be synthesized', () => {
  type Maker = (stack: TerraformStack) => TerraformResource;
  const MAKERS: [string, Maker][] = [
    ['a plain EcrRepository', (stack) => new EcrRepository(stack, 'repo', { name: 'repo', imageTagMutability: 'IMMUTABLE' })],
    ['ImmutableEcrRepository', (stack) => new ImmutableEcrRepository(stack, 'repo', { name: 'repo' }).repository],
    [
      'ImmutableEcrRepositoryCreationTemplate',
      (stack) => new ImmutableEcrRepositoryCreationTemplate(stack, 'repo', { prefix: 'hub', appliedFor: ['PULL_THROUGH_CACHE'] }).template,
    ],
    ['a raw TerraformResource', (stack) => new TerraformResource(stack, 'repo', { terraformResourceType: 'aws_ecr_repository' })],
    [
      'a raw aws_ecr_repository_creation_template',
      (stack) => new TerraformResource(stack, 'repo', { terraformResourceType: 'aws_ecr_repository_creation_template' }),
    ],
  ];

  function overridden(make: Maker, mode: AspectMode) {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'test');
    new AwsProvider(stack, 'aws', {});
    const resource = make(stack);
    resource.addOverride('image_tag_mutability', 'MUTABLE');
    Aspects.of(stack).add(new EcrTagImmutabilityAspect({ mode }));
    return { stack, resource };
  }

  test.each(MAKERS)('addOverride(image_tag_mutability, MUTABLE) on %s: error mode fails synth', (_name, make) => {
    expect(() => fullSynth(overridden(make, 'error').stack)).toThrow(/test\/repo.*: image_tag_mutability is MUTABLE/);
  });

  test.each(MAKERS)(
    'addOverride(image_tag_mutability, MUTABLE) on %s: enforce mode writes IMMUTABLE through addOverride',
    async (_name, make) => {
      const { stack, resource } = overridden(make, 'enforce');
      const json = synth(stack);
      expect(Object.values(resources(json, resource.terraformResourceType))[0]).toMatchObject({ image_tag_mutability: 'IMMUTABLE' });
      // Through the same mechanism: the override the user wrote is overridden, not the construct's config.
      expect((resource as unknown as { rawOverrides: Record<string, unknown> }).rawOverrides).toMatchObject({
        image_tag_mutability: 'IMMUTABLE',
      });
      expect(annotations(stack)).toEqual([['@cdktf/warn', expect.stringMatching(/set to IMMUTABLE by EcrTagImmutabilityAspect/)]]);
      expect((await scanSynth(json)).findings).toEqual([]);
    },
  );

  test.each([['repositories'], ['creationTemplates']])('inside CompliantEcrStack (%s), an override to MUTABLE fails synth', (kind) => {
    const stack = new CompliantEcrStack(new App({ outdir: tempDir('out') }), 'registry', {
      repositories: kind === 'repositories' ? [{ name: 'shop/api' }] : [],
      creationTemplates: kind === 'creationTemplates' ? [{ prefix: 'hub', appliedFor: ['PULL_THROUGH_CACHE'] }] : [],
    });
    const resource = kind === 'repositories' ? stack.repositories[0].repository : stack.creationTemplates[0].template;
    resource.addOverride('image_tag_mutability', 'MUTABLE');
    expect(() => fullSynth(stack)).toThrow(/registry\/\w+\/(repository|template): image_tag_mutability is MUTABLE/);
  });

  function withFilters(mode: AspectMode, filters: (stack: TerraformStack) => { filter: string; filterType: string }[]) {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'test');
    new AwsProvider(stack, 'aws', {});
    const repo = new EcrRepository(stack, 'repo', {
      name: 'repo',
      imageTagMutability: 'IMMUTABLE_WITH_EXCLUSION',
      imageTagMutabilityExclusionFilter: filters(stack),
    });
    Aspects.of(stack).add(new EcrTagImmutabilityAspect({ mode }));
    return { stack, repo };
  }
  const fromVariable = (stack: TerraformStack) => [
    { filter: new TerraformVariable(stack, 'tag', { type: 'string', default: 'latest' }).stringValue, filterType: 'WILDCARD' },
  ];

  test('an exclusion filter from a token (a variable defaulting to "latest") is unknown: a warning in error mode, not a failure', () => {
    const { stack } = withFilters('error', fromVariable);
    expect(() => fullSynth(stack)).not.toThrow();
    expect(annotations(stack)).toEqual([
      ['@cdktf/warn', expect.stringMatching(/test\/repo: .*cannot be known before apply.*\[ecr-tag-immutability\/unknown\]$/)],
    ]);
  });

  test('enforce mode does not drop a filter it cannot know', () => {
    const { stack } = withFilters('enforce', fromVariable);
    const [repo] = Object.values(resources(synth(stack), 'aws_ecr_repository'));
    expect(repo).toMatchObject({
      image_tag_mutability: 'IMMUTABLE_WITH_EXCLUSION',
      image_tag_mutability_exclusion_filter: [{ filter: '${var.tag}', filter_type: 'WILDCARD' }],
    });
    expect(annotations(stack).map(([level]) => level)).toEqual(['@cdktf/warn']);
  });

  const ALLOWED_AND_NOT = [
    { filter: 'latest', filter_type: 'WILDCARD' },
    { filter: 'dev-*', filter_type: 'WILDCARD' },
  ];

  test.each(MAKERS.slice(0, 3))(
    'addOverride of the exclusion filters with a disallowed one on %s: an error; enforce removes only that filter',
    (_name, make) => {
      const build = (mode: AspectMode) => {
        const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'test');
        new AwsProvider(stack, 'aws', {});
        const resource = make(stack);
        resource.addOverride('image_tag_mutability', 'IMMUTABLE_WITH_EXCLUSION');
        resource.addOverride('image_tag_mutability_exclusion_filter', ALLOWED_AND_NOT);
        Aspects.of(stack).add(new EcrTagImmutabilityAspect({ mode }));
        return { stack, resource };
      };
      expect(() => fullSynth(build('error').stack)).toThrow(/exclusion filter "dev-\*".*\[ecr-tag-immutability\/filter_not_allowed\]/);
      const { stack, resource } = build('enforce');
      const [synthesized] = Object.values(resources(synth(stack), resource.terraformResourceType));
      expect(synthesized).toMatchObject({
        image_tag_mutability: 'IMMUTABLE_WITH_EXCLUSION',
        image_tag_mutability_exclusion_filter: [{ filter: 'latest', filter_type: 'WILDCARD' }],
      });
      expect(annotations(stack)).toEqual([
        ['@cdktf/warn', expect.stringMatching(/exclusion filter "dev-\*" removed by EcrTagImmutabilityAspect/)],
      ]);
    },
  );
});

/** `tagguard scan --fix` on synth output of the constructs tagguard ships: the construct and the property to set. */
describe('--fix names the construct property', () => {
  async function reasons(stack: TerraformStack, policy = DEFAULT_POLICY) {
    const result = await scanSynth(synth(stack));
    return planFixes(result.findings, result.resources, result.sources, policy, { cdktfOutputs: result.cdktfOutputs }).manual.map(
      (m) => m.reason,
    );
  }

  test('an escape hatch on ImmutableEcrRepository: the override to remove, as its props cannot write the value', async () => {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'test');
    new ImmutableEcrRepository(stack, 'api', { name: 'api' }).repository.addOverride('image_tag_mutability', 'MUTABLE');
    expect(await reasons(stack)).toEqual([
      "synthesized by CDKTF: change the construct test/api/repository in stack test (ImmutableEcrRepository cannot write this value: remove the addOverride('image_tag_mutability', …) on its repository), then run cdktf synth",
    ]);
  });

  test('a mutable tag its own allow-list lets through: mutableTags (and allowedMutableTags)', async () => {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'test');
    new ImmutableEcrRepository(stack, 'api', { name: 'api', mutableTags: ['dev-pr-*'], allowedMutableTags: ['dev-*'] });
    expect(await reasons(stack)).toEqual([
      "synthesized by CDKTF: change the construct test/api/repository in stack test (set mutableTags of ImmutableEcrRepository to tags the scan's allow-list covers (its allowedMutableTags let them through), or remove the addOverride('image_tag_mutability_exclusion_filter', …) on its repository), then run cdktf synth",
    ]);
  });

  test('in a CompliantEcrStack: the entry of its config', async () => {
    const stack = new CompliantEcrStack(Testing.app({ outdir: tempDir('cdktf') }), 'registry', {
      repositories: [{ name: 'shop/api', mutableTags: ['dev-pr-*'] }],
      creationTemplates: [{ prefix: 'hub', appliedFor: ['PULL_THROUGH_CACHE'], mutableTags: ['dev-pr-*'] }],
      allowedMutableTags: ['dev-*'],
    });
    expect(await reasons(stack)).toEqual([
      expect.stringContaining(
        "(set mutableTags of its entry in CompliantEcrStack's repositories to tags the scan's allow-list covers (CompliantEcrStack's allowedMutableTags let them through)",
      ),
      expect.stringContaining("(set mutableTags of its entry in CompliantEcrStack's creationTemplates to tags"),
    ]);
  });

  test('a plain EcrRepository: imageTagMutability', async () => {
    const stack = new TerraformStack(Testing.app({ outdir: tempDir('cdktf') }), 'test');
    new EcrRepository(stack, 'raw', { name: 'raw', imageTagMutability: 'MUTABLE' });
    expect(await reasons(stack)).toEqual([
      'synthesized by CDKTF: change the construct test/raw in stack test (set imageTagMutability to "IMMUTABLE" on the EcrRepository, or remove its addOverride(\'image_tag_mutability\', …)), then run cdktf synth',
    ]);
  });
});
