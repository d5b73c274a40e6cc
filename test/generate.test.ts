import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateStack } from '../src/cdktf/synth';
import { scan } from '../src/scan/run';
import { consumerProject, runNode } from './consumer';
import { DEFAULT_POLICY, ROOT, defined, runCli, tempDir } from './helpers';

const run = (argv: string[], cwd: string) => runCli(argv, cwd);

async function scanDir(cwd: string) {
  return scan({
    paths: ['.'],
    cwd,
    policy: { ...DEFAULT_POLICY, allowedMutableTags: ['latest'] },
    variables: { varFiles: [], vars: [], env: {} },
  });
}

const ARGS = [
  '--repo',
  'shop/api',
  '--repo',
  'shop/web',
  '--allow-mutable-tag',
  'latest',
  '--kms-key',
  'arn:aws:kms:eu-west-1:123456789012:key/0f1e2d3c',
];

describe('tagguard generate', () => {
  test.each(['hcl', 'json'])('--format %s writes a stack that scans clean', async (format) => {
    const dir = tempDir('gen');
    expect((await run(['generate', ...ARGS, '--format', format, '--out', 'stack'], dir)).code).toBe(0);
    const result = await scanDir(path.join(dir, 'stack'));
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(result.summary.resources).toBe(2);
  });

  test('HCL and JSON describe the same repositories', async () => {
    const dirs = await Promise.all(
      ['hcl', 'json'].map(async (format) => {
        const dir = tempDir('gen');
        await run(['generate', ...ARGS, '--format', format, '--out', '.'], dir);
        return dir;
      }),
    );
    const [hcl, json] = await Promise.all(dirs.map(scanDir));
    expect(hcl.summary.resources).toBe(json.summary.resources);
    const tf = readFileSync(path.join(dirs[0], 'main.tf'), 'utf8');
    const doc = JSON.parse(readFileSync(path.join(dirs[1], 'main.tf.json'), 'utf8')) as {
      resource: { aws_ecr_repository: Record<string, { name: string; image_tag_mutability: string }> };
    };
    for (const [name, repo] of Object.entries(doc.resource.aws_ecr_repository)) {
      expect(tf).toContain(`resource "aws_ecr_repository" "${name}" {`);
      expect(tf).toContain(`name                 = "${repo.name}"`);
      expect(repo.image_tag_mutability).toBe('IMMUTABLE_WITH_EXCLUSION');
    }
  });

  test('--format cdktf writes an app that builds the same stack', async () => {
    const dir = tempDir('gen');
    await run(['generate', ...ARGS, '--format', 'cdktf', '--out', '.'], dir);
    const app = readFileSync(path.join(dir, 'main.ts'), 'utf8');
    expect(app).toContain("import { CompliantEcrStack } from 'tagguard/cdktf';");
    const config = JSON.parse(
      defined(/new CompliantEcrStack\(app, 'ecr', ([\s\S]*)\);\napp\.synth/.exec(app), 'the stack in main.ts')[1],
    ) as Parameters<typeof generateStack>[0];
    await run(['generate', ...ARGS, '--format', 'json', '--out', 'json'], dir);
    expect(generateStack(config, 'json')[0].text).toBe(readFileSync(path.join(dir, 'json', 'main.tf.json'), 'utf8'));
  });

  test('--format cdktf writes a project that compiles, synthesizes as written and scans clean', async () => {
    const dir = consumerProject('gen-cdktf');
    const { code, err } = await run(['generate', ...ARGS, '--format', 'cdktf', '--out', '.'], dir);
    expect({ code, err }).toEqual({
      code: 0,
      err:
        'tagguard: wrote main.ts, package.json, tsconfig.json, cdktf.json, .gitignore\n' +
        'tagguard: next, in .: npm install --save-dev <tagguard package file> (tagguard is on no registry), then npx cdktf synth\n',
    });
    expect(readFileSync(path.join(dir, 'main.ts'), 'utf8').split('\n').slice(0, 3)).toEqual([
      "import { App } from 'cdktf';",
      "import { CompliantEcrStack } from 'tagguard/cdktf';",
      '',
    ]);
    // Pinned to what tagguard is built and tested with: the versions in its package-lock.
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version: string }>;
    };
    const locked = (name: string) => lock.packages[`node_modules/${name}`].version;
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    // No tagguard: a version of it would be fetched from a registry it is not on.
    expect(pkg.dependencies).toEqual({
      cdktf: locked('cdktf'),
      constructs: locked('constructs'),
      '@cdktf/provider-aws': locked('@cdktf/provider-aws'),
    });
    expect(pkg.devDependencies).toEqual(
      Object.fromEntries(['cdktf-cli', 'typescript', 'ts-node', '@types/node'].map((n) => [n, locked(n)])),
    );
    expect(JSON.parse(readFileSync(path.join(dir, 'cdktf.json'), 'utf8'))).toMatchObject({
      language: 'typescript',
      app: 'npx ts-node main.ts',
    });
    // The app cdktf.json names, run as `cdktf synth` runs it: ts-node type-checks it with the
    // project's tsconfig (noUnusedLocals: an unused import fails), then it synthesizes.
    // TMPDIR: ts-node's compile cache is removed with the test's directories.
    runNode([path.join(dir, 'node_modules', 'ts-node', 'dist', 'bin.js'), 'main.ts'], dir, { TMPDIR: tempDir('ts-node-tmp') });
    const stack = JSON.parse(readFileSync(path.join(dir, 'cdktf.out', 'stacks', 'ecr', 'cdk.tf.json'), 'utf8')) as {
      resource: { aws_ecr_repository: Record<string, { name: string }> };
    };
    expect(Object.values(stack.resource.aws_ecr_repository).map((r) => r.name)).toEqual(['shop/api', 'shop/web']);
    const result = await scanDir(dir);
    expect(result.errors).toEqual([]);
    expect(result.findings).toEqual([]);
    expect(result.summary.resources).toBe(2);
  }, 120_000);

  test('without cdktf installed, --format hcl and json name the command that installs it; --format cdktf needs none', () => {
    const dir = consumerProject('gen-no-cdktf', { without: ['cdktf', 'constructs', '@cdktf'] });
    const cli = path.join(dir, 'node_modules', 'tagguard', 'bin', 'tagguard.js');
    const tagguard = (argv: string[]) => {
      const { status, stdout, stderr } = spawnSync(process.execPath, [cli, ...argv], { cwd: dir, encoding: 'utf8' });
      return { status, stdout, stderr };
    };
    const install =
      'tagguard: generate needs cdktf, constructs and @cdktf/provider-aws to write HCL or JSON (cdktf is not installed): ' +
      'npm install --save-dev cdktf@0.21.0 constructs@10.4.2 @cdktf/provider-aws@21.22.1\n';
    for (const argv of [
      ['generate', '--repo', 'api'],
      ['generate', '--format', 'json', '--repo', 'api'],
      ['generate', '--repo', 'api', '--format', 'json'],
    ])
      expect(tagguard(argv)).toEqual({ status: 2, stdout: '', stderr: install });
    expect(tagguard(['generate', '--format', 'cdktf', '--repo', 'api', '--out', 'app'])).toEqual({
      status: 0,
      stdout: '',
      stderr:
        'tagguard: wrote app/main.ts, app/package.json, app/tsconfig.json, app/cdktf.json, app/.gitignore\n' +
        'tagguard: next, in app: npm install --save-dev <tagguard package file> (tagguard is on no registry), then npx cdktf synth\n',
    });
  });

  test('never overwrites a file without --force', async () => {
    const dir = tempDir('gen');
    writeFileSync(path.join(dir, 'main.tf'), '# mine\n');
    const { code, err } = await run(['generate', '--repo', 'app', '--out', '.'], dir);
    expect(code).toBe(2);
    expect(err).toMatch(/not overwriting main.tf/);
    expect(readFileSync(path.join(dir, 'main.tf'), 'utf8')).toBe('# mine\n');
    expect((await run(['generate', '--repo', 'app', '--out', '.', '--force'], dir)).code).toBe(0);
    expect(readFileSync(path.join(dir, 'main.tf'), 'utf8')).toContain('resource "aws_ecr_repository" "app"');
  });

  test('a mutable tag is refused by the constructs, not written', async () => {
    const dir = tempDir('gen');
    expect(() => generateStack({ repositories: [{ name: 'x', mutableTags: ['dev-*'] }] }, 'hcl')).toThrow(/not allowed/);
    expect((await run(['generate', '--repo', 'app', '--out', '.'], dir)).code).toBe(0);
  });
});

describe('tagguard generate refuses what ECR or Terraform would', () => {
  const refused: [string, string[], string][] = [
    [
      'an upper-case repository name',
      ['--repo', 'Shop/API'],
      '--repo "Shop/API": an ECR repository name is 2 to 256 characters: lower-case letters and digits, separated by . _ - within a part and / between parts',
    ],
    [
      'a name with ${',
      ['--repo', 'shop/${var.x}'],
      '--repo "shop/${var.x}": an ECR repository name is 2 to 256 characters: lower-case letters and digits, separated by . _ - within a part and / between parts',
    ],
    [
      'a one-character name',
      ['--repo', 'a'],
      '--repo "a": an ECR repository name is 2 to 256 characters: lower-case letters and digits, separated by . _ - within a part and / between parts',
    ],
    [
      'an empty part',
      ['--repo', 'shop//api'],
      '--repo "shop//api": an ECR repository name is 2 to 256 characters: lower-case letters and digits, separated by . _ - within a part and / between parts',
    ],
    [
      'a name longer than 256 characters',
      ['--repo', 'a'.repeat(257)],
      `--repo "${'a'.repeat(257)}": an ECR repository name is 2 to 256 characters: lower-case letters and digits, separated by . _ - within a part and / between parts`,
    ],
    ['a name given twice', ['--repo', 'shop/api', '--repo', 'shop/api'], '--repo shop/api is given twice'],
    [
      'names that are one resource name',
      ['--repo', 'shop/api', '--repo', 'shop_api'],
      '--repo shop/api and --repo shop_api would both be the Terraform resource aws_ecr_repository.shop_api',
    ],
    [
      'six mutable tags',
      ['--repo', 'api', ...['a', 'b', 'c', 'd', 'e', 'f'].flatMap((t) => ['--allow-mutable-tag', t])],
      '--allow-mutable-tag is given 6 times: ECR accepts at most 5 exclusion filters',
    ],
    ['a region that is not one', ['--repo', 'api', '--region', 'Europe'], '--region "Europe": not an AWS region (such as eu-west-1)'],
    [
      'a KMS key that is not an ARN',
      ['--repo', 'api', '--kms-key', 'arn:aws:kms:eu-west-1:123456789012:key/${var.key}'],
      '--kms-key "arn:aws:kms:eu-west-1:123456789012:key/${var.key}": not a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>, or alias/<name>)',
    ],
  ];

  test.each(refused)('%s: a usage error, options before and after --format', async (_what, args, message) => {
    for (const argv of [
      ['generate', '--format', 'json', ...args],
      ['generate', ...args, '--format', 'json'],
    ]) {
      const dir = tempDir('gen');
      expect(await run([...argv, '--out', 'out'], dir)).toMatchObject({ code: 2, out: '', err: `tagguard: ${message}\n` });
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  test('--region and five mutable tags are written; the provider version is a constraint', async () => {
    const dir = tempDir('gen');
    const tags = ['latest', 'dev-*', 'main', 'pr-*', 'nightly'];
    const { code, out } = await run(
      [
        'generate',
        '--repo',
        'shop/api',
        '--region',
        'eu-central-2',
        ...tags.flatMap((t) => ['--allow-mutable-tag', t]),
        '--format',
        'json',
      ],
      dir,
    );
    expect(code).toBe(0);
    const doc = JSON.parse(out) as {
      terraform: { required_providers: { aws: unknown } };
      provider: { aws: unknown[] };
      resource: { aws_ecr_repository: { shop_api: { image_tag_mutability_exclusion_filter: { filter: string }[] } } };
    };
    expect(doc.terraform.required_providers.aws).toEqual({ source: 'hashicorp/aws', version: '~> 6.25' });
    expect(doc.provider.aws).toEqual([{ region: 'eu-central-2' }]);
    expect(doc.resource.aws_ecr_repository.shop_api.image_tag_mutability_exclusion_filter.map((f) => f.filter)).toEqual(tags);
    const hcl = await run(['generate', '--region', 'eu-central-2', '--repo', 'shop/api'], dir);
    expect(hcl.out).toContain(
      'terraform {\n  required_providers {\n    aws = {\n      version = "~> 6.25"\n      source  = "hashicorp/aws"\n    }\n  }\n',
    );
    expect(hcl.out).toContain('provider "aws" {\n  region = "eu-central-2"\n}\n');
  });
});
