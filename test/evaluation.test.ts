import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { scan } from '../src/scan/run';
import { DEFAULT_POLICY, defined, matching, places, ROOT, scanFixtures, tempDir } from './helpers';

// Issue 3: what Terraform would decide, finding by finding, with the place to change.
describe('values resolved as Terraform resolves them', () => {
  test('terraform.tfvars beats the default; later *.auto.tfvars beat earlier ones', async () => {
    const result = await scanFixtures(['tfvars']);
    expect(places(result)).toEqual([
      { file: 'fixtures/tfvars/terraform.tfvars', line: 1, column: 18, severity: 'error', resource: 'aws_ecr_repository.api' },
    ]);
    expect(result.findings[0].trace).toEqual([{ file: 'fixtures/tfvars/main.tf', line: 3, column: 26, note: 'var.api_mutability' }]);
  });

  test('--var-file is applied after the automatic files', async () => {
    const result = await scanFixtures(['tfvars'], {}, { varFiles: ['fixtures/tfvars/release.tfvars'] });
    expect(places(result).map((p) => [p.resource, p.file, p.line, p.column])).toEqual([
      ['aws_ecr_repository.worker', 'fixtures/tfvars/release.tfvars', 1, 21],
      ['aws_ecr_repository.api', 'fixtures/tfvars/terraform.tfvars', 1, 18],
    ]);
  });

  test('TF_VAR_ sets a value below every file, and --var above every file', async () => {
    const env = { TF_VAR_cron_mutability: 'MUTABLE', TF_VAR_api_mutability: 'IMMUTABLE' };
    const withEnv = await scanFixtures(['tfvars'], {}, { env });
    expect(withEnv.findings.map((f) => f.resource).sort()).toEqual(['aws_ecr_repository.api', 'aws_ecr_repository.cron']);
    const cron = defined(
      withEnv.findings.find((f) => f.resource === 'aws_ecr_repository.cron'),
      'the finding on cron',
    );
    // A value from the environment has no line to point at: the resource stands in.
    expect(cron).toMatchObject({ file: 'fixtures/tfvars/main.tf', line: 16, column: 1 });
    expect(cron.trace.map((t) => t.note)).toEqual(['var.cron_mutability', 'TF_VAR_cron_mutability']);
    const withVar = await scanFixtures(['tfvars'], {}, { vars: ['api_mutability=IMMUTABLE'] });
    expect(withVar.findings).toEqual([]);
  });

  test('one module called twice with different inputs', async () => {
    const result = await scanFixtures(['modules-twice']);
    expect(places(result)).toEqual([
      {
        file: 'fixtures/modules-twice/app/main.tf',
        line: 9,
        column: 16,
        severity: 'error',
        resource: 'module.web.aws_ecr_repository.this',
      },
    ]);
    expect(result.findings[0].root).toBe('fixtures/modules-twice/app');
    expect(result.findings[0].trace).toEqual([
      { file: 'fixtures/modules-twice/modules/ecr/main.tf', line: 3, column: 26, note: 'var.mutability' },
      { file: 'fixtures/modules-twice/app/main.tf', line: 9, column: 3, note: 'module.web argument mutability' },
    ]);
    expect(result.summary.resources).toBe(2);
  });

  test('two roots share one module; the module is judged through each caller', async () => {
    const result = await scanFixtures(['two-roots']);
    expect(places(result)).toEqual([
      {
        file: 'fixtures/two-roots/envs/dev/main.tf',
        line: 9,
        column: 13,
        severity: 'error',
        resource: 'module.registry.aws_ecr_repository.this',
      },
    ]);
    expect(result.findings[0].root).toBe('fixtures/two-roots/envs/dev');
    expect(result.summary.resources).toBe(2);
  });

  test('a module scanned on its own is a root: an input without a value is unknown', async () => {
    const result = await scanFixtures(['two-roots/modules/repo']);
    // Reported at the variable that lacks a value.
    expect(places(result)).toEqual([
      { file: 'fixtures/two-roots/modules/repo/main.tf', line: 5, column: 1, severity: 'warning', resource: 'aws_ecr_repository.this' },
    ]);
    expect(result.findings[0].message).toMatch(/"tag_mutability" has no default/);
  });

  test('count = 0, a false creation flag and an empty for_each create nothing; count = 2 creates two', async () => {
    const result = await scanFixtures(['gates']);
    expect(places(result)).toEqual([
      { file: 'fixtures/gates/main.tf', line: 25, column: 26, severity: 'error', resource: 'aws_ecr_repository.pair[0]' },
      { file: 'fixtures/gates/main.tf', line: 25, column: 26, severity: 'error', resource: 'aws_ecr_repository.pair[1]' },
    ]);
  });

  test('for_each over a map: only the MUTABLE entry, reported at its literal', async () => {
    const result = await scanFixtures(['for-each-map']);
    expect(places(result)).toEqual([
      { file: 'fixtures/for-each-map/main.tf', line: 7, column: 20, severity: 'error', resource: 'aws_ecr_repository.this["legacy"]' },
    ]);
    expect(result.summary.resources).toBe(3);
  });

  test('optional() attribute defaults fill what the caller left out', async () => {
    const result = await scanFixtures(['optional-defaults']);
    expect(places(result)).toEqual([
      { file: 'fixtures/optional-defaults/main.tf', line: 4, column: 37, severity: 'error', resource: 'aws_ecr_repository.this["jobs"]' },
    ]);
  });

  test('a conditional on each.key is decided per instance', async () => {
    const result = await scanFixtures(['conditional-each-key']);
    expect(places(result)).toEqual([
      {
        file: 'fixtures/conditional-each-key/main.tf',
        line: 10,
        column: 70,
        severity: 'error',
        resource: 'aws_ecr_repository.service["sandbox"]',
      },
    ]);
    expect(result.summary.resources).toBe(3);
  });

  test('dynamic exclusion filter blocks expand over their for_each', async () => {
    const result = await scanFixtures(['dynamic-filter']);
    expect(places(result)).toEqual([
      { file: 'fixtures/dynamic-filter/main.tf', line: 3, column: 24, severity: 'error', resource: 'aws_ecr_repository.preview' },
    ]);
    expect(result.findings[0].message).toMatch(/"pr-\*"/);
  });

  test('a module cycle is an error with its place, never a loop', async () => {
    const result = await scanFixtures(['module-cycle']);
    expect(result.errors).toEqual([
      { file: 'fixtures/module-cycle/b/main.tf', line: 1, column: 1, message: matching(/module cycle: .*a → .*b → .*a/) },
    ]);
    expect(result.findings).toEqual([]);
    expect(result.summary.resources).toBe(1);
  });
});

describe('tagguard scan --plan', () => {
  const planScan = (plan: string, configDir?: string) =>
    scan({ paths: ['.'], cwd: ROOT, policy: DEFAULT_POLICY, variables: { varFiles: [], vars: [], env: {} }, plan, configDir });

  test('creates and updates are judged with the plan values; findings map back to the .tf source', async () => {
    const result = await planScan('fixtures/plan/plan.json');
    expect(result.errors).toEqual([]);
    expect(places(result)).toEqual([
      { file: 'fixtures/plan/main.tf', line: 20, column: 26, severity: 'error', resource: 'aws_ecr_repository.api' },
      { file: 'fixtures/plan/main.tf', line: 42, column: 3, severity: 'error', resource: 'aws_ecr_repository.cache' },
      { file: 'fixtures/plan/main.tf', line: 66, column: 16, severity: 'warning', resource: 'module.registry.aws_ecr_repository.this[0]' },
    ]);
    // web (an update to IMMUTABLE) passes; old (a delete) and base (a no-op) are not judged.
    expect(result.summary.resources).toBe(4);
    expect(result.findings.map((f) => f.resource)).not.toContain('aws_ecr_repository.old');
  });

  test('without the configuration, findings point into plan.json', async () => {
    const dir = tempDir('plan');
    copyFileSync(path.join(ROOT, 'fixtures/plan/plan.json'), path.join(dir, 'plan.json'));
    const result = await planScan(path.join(dir, 'plan.json'));
    expect(result.findings.map((f) => [f.resource, f.file.endsWith('plan.json'), f.severity])).toEqual([
      ['aws_ecr_repository.api', true, 'error'],
      ['aws_ecr_repository.cache', true, 'error'],
      ['module.registry.aws_ecr_repository.this[0]', true, 'warning'],
    ]);
    const api = result.findings[0];
    const source = readFileSync(path.join(dir, 'plan.json'), 'utf8').split('\n')[api.line - 1];
    expect(source.slice(api.column - 1)).toMatch(/^"MUTABLE"/);
  });

  test('--config-dir names the configuration of a plan kept elsewhere', async () => {
    const dir = tempDir('plan');
    copyFileSync(path.join(ROOT, 'fixtures/plan/plan.json'), path.join(dir, 'plan.json'));
    const result = await planScan(path.join(dir, 'plan.json'), 'fixtures/plan');
    expect(result.findings[0]).toMatchObject({ file: 'fixtures/plan/main.tf', line: 20, column: 26 });
  });
});

describe('module instances', () => {
  test('for_each and count on module calls, and a count that cannot be known', async () => {
    const result = await scanFixtures(['module-instances']);
    expect(places(result)).toEqual([
      {
        file: 'fixtures/module-instances/main.tf',
        line: 5,
        column: 16,
        severity: 'error',
        resource: 'module.team["search"].aws_ecr_repository.this',
      },
      {
        file: 'fixtures/module-instances/main.tf',
        line: 33,
        column: 16,
        severity: 'error',
        resource: 'module.regional.aws_ecr_repository.this',
      },
    ]);
    expect(result.summary.resources).toBe(5);
  });

  test('a remote module that is not on disk is listed once, as a note', async () => {
    const result = await scanFixtures(['module-instances']);
    expect(result.notes).toEqual([
      expect.stringMatching(/^fixtures\/module-instances\/main.tf:36: module "shared" \(git::https:.*\) is not on disk/),
    ]);
    expect(result.errors).toEqual([]);
  });
});

describe('registry modules', () => {
  test('not on disk: modelled from their inputs and defaults, creation gates included', async () => {
    const result = await scanFixtures(['registry-modules']);
    expect(places(result)).toEqual([
      {
        file: 'fixtures/registry-modules/main.tf',
        line: 15,
        column: 37,
        severity: 'error',
        resource: 'module.legacy_repository.aws_ecr_repository.this[0]',
      },
      {
        file: 'fixtures/registry-modules/main.tf',
        line: 33,
        column: 26,
        severity: 'error',
        resource: 'module.docker_hub_cache.aws_ecr_repository_creation_template.this[0]',
      },
      {
        file: 'fixtures/registry-modules/main.tf',
        line: 46,
        column: 5,
        severity: 'error',
        resource: 'module.apps.aws_ecr_repository.name["acme/app"]',
      },
      {
        file: 'fixtures/registry-modules/main.tf',
        line: 46,
        column: 5,
        severity: 'error',
        resource: 'module.apps.aws_ecr_repository.name["acme/worker"]',
      },
    ]);
    // api_repository takes the module's IMMUTABLE default; not_created has create = false.
    expect(result.summary.resources).toBe(5);
    expect(result.notes).toEqual([]);
  });

  test('downloaded by terraform init: the copy in .terraform/modules decides, reported at the call', async () => {
    const result = await scanFixtures(['registry-modules-installed']);
    expect(places(result)).toEqual([
      {
        file: 'fixtures/registry-modules-installed/main.tf',
        line: 3,
        column: 1,
        severity: 'error',
        resource: 'module.ecr.aws_ecr_repository.this[0]',
      },
    ]);
    expect(result.findings[0].trace.at(-1)).toMatchObject({ note: 'default of var.repository_image_tag_mutability' });
  });
});
