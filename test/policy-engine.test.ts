import { readFileSync } from 'node:fs';
import path from 'node:path';
import { builtinNestedBlocks, builtinResourceTypes } from '../src/policy/builtin';
import { PolicyEngine, PolicyError, rawFindings, type RuleDescriptor } from '../src/policy/engine';
import { needing, ROOT, testNeeding, testPolicy } from './helpers';

// scripts/build-policies.js is plain JavaScript shared with the build.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain JavaScript outside the TypeScript project: no import types it
const build = require('../scripts/build-policies.js') as {
  sourceHashes(): Record<string, string>;
  sha256(file: string): string;
  nestedBlocks(rules: unknown[]): Record<string, string[]>;
  DIST: string;
};

describe('compiled policy bundle', () => {
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'policies/dist/manifest.json'), 'utf8')) as {
    sources: Record<string, string>;
    wasm: string;
  };

  test('is built from the current Rego sources (run `npm run build:policies` when this fails)', () => {
    expect(manifest.sources).toEqual(build.sourceHashes());
  });

  test('records the resource types its rules judge (the scan searches files for them before the policy loads)', async () => {
    const engine = await PolicyEngine.load();
    expect(builtinResourceTypes()).toEqual([...new Set(engine.rules().flatMap((r) => r.resource_types ?? []))].sort());
    expect(builtinResourceTypes()).toContain('aws_ecr_repository');
  });

  test('records the nested blocks its rules declare (the evaluator reads them as blocks)', async () => {
    const engine = await PolicyEngine.load();
    expect(builtinNestedBlocks()).toEqual(build.nestedBlocks(engine.rules()));
    expect(builtinNestedBlocks()).toEqual({
      // Neither alicloud repository type nor msr_repo has a nested block.
      alicloud_cr_ee_repo: [],
      alicloud_cr_repo: [],
      aws_ecr_repository: ['encryption_configuration', 'image_scanning_configuration', 'image_tag_mutability_exclusion_filter', 'timeouts'],
      aws_ecr_repository_creation_template: ['encryption_configuration', 'image_tag_mutability_exclusion_filter'],
      // awscc has no nested blocks: its exclusion filters are a list attribute.
      awscc_ecr_repository: [],
      awscc_ecr_repository_creation_template: [],
      google_artifact_registry_repository: [
        'cleanup_policies',
        'docker_config',
        'maven_config',
        'remote_repository_config',
        'timeouts',
        'virtual_repository_config',
        'vulnerability_scanning_config',
      ],
      msr_repo: [],
    });
  });

  test('two rules on one resource type must declare the same nested blocks; the build names both when they differ', () => {
    const rule = (id: string, names: string[]) => ({ id, nested_blocks: { aws_ecr_repository: names } });
    expect(
      build.nestedBlocks([rule('a', ['timeouts', 'encryption_configuration']), rule('b', ['encryption_configuration', 'timeouts'])]),
    ).toEqual({
      aws_ecr_repository: ['encryption_configuration', 'timeouts'],
    });
    expect(() => build.nestedBlocks([rule('a', ['timeouts']), rule('b', ['timeouts', 'encryption_configuration'])])).toThrow(
      'b and a declare different nested_blocks for aws_ecr_repository',
    );
  });

  test('is the WASM the manifest describes', () => {
    expect(build.sha256(path.join(build.DIST, 'policy.wasm'))).toBe(manifest.wasm);
  });
});

describe('PolicyEngine', () => {
  let engine: PolicyEngine;
  beforeAll(async () => {
    engine = await PolicyEngine.load();
  });

  test('lists the rules from their METADATA', () => {
    expect(engine.rules().map((r) => [r.id, r.severity, r.resource_types])).toEqual([
      ['acr-tag-immutability', 'error', ['alicloud_cr_ee_repo', 'alicloud_cr_repo']],
      [
        'ecr-tag-immutability',
        'error',
        ['aws_ecr_repository', 'aws_ecr_repository_creation_template', 'awscc_ecr_repository', 'awscc_ecr_repository_creation_template'],
      ],
      ['gar-tag-immutability', 'error', ['google_artifact_registry_repository']],
      ['harbor-tag-immutability', 'error', ['harbor_project', 'harbor_immutable_tag_rule']],
      [
        'image-reference-immutable',
        'error',
        expect.arrayContaining(['aws_ecs_task_definition', 'aws_lambda_function', 'kubernetes_manifest']),
      ],
      ['msr-tag-immutability', 'note', ['msr_repo']],
    ]);
  });

  test('evaluates the whole document at once', () => {
    const repo = (address: string, value: string) => ({
      address,
      type: 'aws_ecr_repository',
      root: '.',
      location: { file: 'main.tf', line: 1, column: 1 },
      attributes: { image_tag_mutability: { set: true, known: true, value, location: { file: 'main.tf', line: 2, column: 3 } } },
    });
    const findings = engine.findings({
      resources: [
        repo('aws_ecr_repository.a', 'MUTABLE'),
        repo('aws_ecr_repository.b', 'IMMUTABLE'),
        repo('aws_ecr_repository.c', 'Immutable'),
      ],
    });
    expect(findings.map((f) => f.resource).sort()).toEqual(['aws_ecr_repository.a', 'aws_ecr_repository.c']);
  });

  test('an error thrown as a string by the WASM becomes a PolicyError', () => {
    let caught: unknown;
    try {
      engine.evaluate({}, 'tagguard/no/such/entrypoint');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(PolicyError);
    expect((caught as Error).message).toMatch(/entrypoint tagguard\/no\/such\/entrypoint is not valid/);
  });

  test('a file that is not a policy is a PolicyError naming the file', async () => {
    await expect(PolicyEngine.load(path.join(ROOT, 'package.json'))).rejects.toThrow(/cannot load policy .*package\.json/);
    await expect(PolicyEngine.load(path.join(ROOT, 'no-such.wasm'))).rejects.toBeInstanceOf(PolicyError);
  });

  test('the WASM memory is capped: an input past the cap is a PolicyError that names the cap', async () => {
    const small = await PolicyEngine.load(undefined, { maxMemoryPages: 40 });
    const big = {
      resources: Array.from({ length: 4000 }, (_, i) => ({
        address: `aws_ecr_repository.r${i}`,
        type: 'aws_ecr_repository',
        root: '.',
        note: 'x'.repeat(1000),
      })),
    };
    expect(() => small.findings(big)).toThrow(PolicyError);
    expect(() => small.findings(big)).toThrow(/capped at 2.5 MiB/);
    expect(small.findings({ resources: [] })).toEqual([]);
  });

  test('console.log is restored after evaluation, even when it fails', () => {
    const log = console.log;
    expect(() => engine.evaluate({}, 'nope')).toThrow();
    engine.evaluate({ resources: [] }, 'tagguard/main/findings');
    expect(console.log).toBe(log);
  });
});

describe('Rego print', () => {
  testNeeding('opa')(needing('opa', 'is captured, never written to stdout'), async () => {
    const engine = await PolicyEngine.load(testPolicy('prints').wasm);
    const write = jest.spyOn(process.stdout, 'write');
    const log = jest.spyOn(console, 'log');
    try {
      expect(engine.findings({})).toEqual([expect.objectContaining({ message: 'printed' })]);
      expect(write).not.toHaveBeenCalled();
      expect(log).not.toHaveBeenCalled();
      expect(engine.printed.join('\n')).toContain('debug output from rego');
    } finally {
      write.mockRestore();
      log.mockRestore();
    }
  });
});

test('a messageId is kept when it is a string, and dropped otherwise (custom policies may omit it)', () => {
  const found = rawFindings(
    [{ message: 'a', messageId: 'mutable' }, { message: 'b', messageId: 7 }, { message: 'c' }],
    'x/deny',
    undefined,
  );
  expect(found.map((f) => f.messageId)).toEqual(['mutable', undefined, undefined]);
  expect(found.map((f) => 'messageId' in f)).toEqual([true, false, false]);
});

test('a finding without a severity takes its descriptor’s only when that is error, warning or note', () => {
  const descriptor = (severity: string): RuleDescriptor => ({
    id: 'odd',
    title: '',
    description: '',
    severity,
    links: [],
    source: 'odd.wasm',
  });
  const severityWith = (severity: string) => rawFindings([{ message: 'a' }], 'x/deny', descriptor(severity))[0]?.severity;
  expect(severityWith('note')).toBe('note');
  expect(severityWith('warning')).toBe('warning');
  expect(severityWith('constructor')).toBe('error');
  expect(severityWith('critical')).toBe('error');
});
