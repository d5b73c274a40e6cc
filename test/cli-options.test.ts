import childProcess, { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { earlyScanPaths } from '../src/cli/early-search';
import { SCAN_OPTIONS, TAG_PATTERN } from '../src/cli/options';
import { lazy } from '../src/lazy';
import { readReport, ROOT, runCli, tree, withInputConfigs } from './helpers';

// Every option that takes a value takes exactly one per occurrence (as terraform -var-file),
// so the paths to scan may come before or after it.

const INFRA_MAIN = [
  'variable "mutability" {',
  '  type    = string',
  '  default = "IMMUTABLE"',
  '}',
  '',
  'resource "aws_ecr_repository" "app" {',
  '  name                 = "app"',
  '  image_tag_mutability = var.mutability',
  '}',
  '',
].join('\n');

const TAGS_MAIN = [
  'resource "aws_ecr_repository" "tags" {',
  '  name                 = "tags"',
  '  image_tag_mutability = "IMMUTABLE_WITH_EXCLUSION"',
  '',
  '  image_tag_mutability_exclusion_filter {',
  '    filter      = "dev-*"',
  '    filter_type = "WILDCARD"',
  '  }',
  '}',
  '',
].join('\n');

/**
 * infra/      a repository whose mutability comes from a variable (IMMUTABLE by default);
 *             prod.tfvars makes it MUTABLE at 1:14, immutable.tfvars keeps it IMMUTABLE
 * tags/       IMMUTABLE_WITH_EXCLUSION with the filter dev-* (an error unless dev-* is allowed)
 * unknown/    a value from a data source (a warning)
 * other/      a repository with no mutability: found only when the whole tree is scanned
 * planconf/   fixtures/plan without its plan, which sits in saved/plan.json
 * extra.wasm, extra2.wasm   the built-in policy again, as custom policies (each doubles the findings)
 */
function project(): string {
  const dir = tree(
    {
      'infra/main.tf': INFRA_MAIN,
      'infra/prod.tfvars': 'mutability = "MUTABLE"\n',
      'infra/immutable.tfvars': 'mutability = "IMMUTABLE"\n',
      'tags/main.tf': TAGS_MAIN,
      'unknown/main.tf': readFileSync(path.join(ROOT, 'fixtures/unknown/main.tf'), 'utf8'),
      'other/main.tf': 'resource "aws_ecr_repository" "decoy" {\n  name = "decoy"\n}\n',
      'ci/tagguard.yml': 'allowed_mutable_tags: ["dev-*"]\n',
      'ci/prod.yml': 'var_files: [../infra/prod.tfvars]\n',
      'ci/broken.yml': 'var_files: [missing.tfvars]\n',
    },
    { prefix: 'options', repository: true },
  );
  cpSync(path.join(ROOT, 'fixtures/plan'), path.join(dir, 'planconf'), { recursive: true });
  mkdirSync(path.join(dir, 'saved'));
  renameSync(path.join(dir, 'planconf/plan.json'), path.join(dir, 'saved/plan.json'));
  copyFileSync(path.join(ROOT, 'policies/dist/policy.wasm'), path.join(dir, 'extra.wasm'));
  copyFileSync(path.join(ROOT, 'policies/dist/policy.wasm'), path.join(dir, 'extra2.wasm'));
  return dir;
}

interface JsonFinding {
  root: string;
  resource: string;
  file: string;
  line: number;
  column: number;
  severity: string;
  message: string;
}

/** root, address, place and severity of each finding of a JSON report. */
function findings(r: { json: () => { findings: JsonFinding[] } }) {
  return r.json().findings.map((f) => [f.root, f.resource, `${f.file}:${f.line}:${f.column}`, f.severity]);
}

const APP_FROM_PROD_TFVARS = [['infra', 'aws_ecr_repository.app', 'infra/prod.tfvars:1:14', 'error']];

const dir = project();

describe.each([
  ['paths after the options', (options: string[], paths: string[]) => [...options, ...paths]],
  ['paths before the options', (options: string[], paths: string[]) => [...paths, ...options]],
])('%s', (_order, arrange) => {
  // --format first: after a repeatable option, it would end yargs' `array: true` list before the paths.
  const scan = (options: string[], paths: string[], cwd = dir) => runCli(['scan', '--format', 'json', ...arrange(options, paths)], cwd);

  test('--var-file: the file applies to the root scanned, and only that root is scanned', async () => {
    const r = await scan(['--var-file', 'infra/prod.tfvars'], ['infra']);
    expect([r.code, findings(r), r.json().errors, r.json().summary.files]).toEqual([1, APP_FROM_PROD_TFVARS, [], 1]);
  });

  test('--var-file before two paths: both are scanned', async () => {
    const r = await scan(['--var-file', 'infra/prod.tfvars'], ['infra', 'tags']);
    expect([r.code, findings(r)]).toEqual([1, [...APP_FROM_PROD_TFVARS, ['tags', 'aws_ecr_repository.tags', 'tags/main.tf:5:3', 'error']]]);
  });

  test('--var-file=<file> is the same', async () => {
    const r = await scan(['--var-file=infra/prod.tfvars'], ['infra']);
    expect([r.code, findings(r)]).toEqual([1, APP_FROM_PROD_TFVARS]);
  });

  test('--var-file given twice: both apply, in order (the later one wins)', async () => {
    const immutableLast = await scan(['--var-file', 'infra/prod.tfvars', '--var-file', 'infra/immutable.tfvars'], ['infra']);
    expect([immutableLast.code, findings(immutableLast)]).toEqual([0, []]);
    const mutableLast = await scan(['--var-file', 'infra/immutable.tfvars', '--var-file', 'infra/prod.tfvars'], ['infra']);
    expect([mutableLast.code, findings(mutableLast)]).toEqual([1, APP_FROM_PROD_TFVARS]);
  });

  test('--var: a value from the command line has no line, so the finding is at the resource', async () => {
    const r = await scan(['--var', 'mutability=MUTABLE'], ['infra']);
    expect([r.code, findings(r)]).toEqual([1, [['infra', 'aws_ecr_repository.app', 'infra/main.tf:6:1', 'error']]]);
  });

  test("--var 'name=two words' is one value; given twice, the later one wins", async () => {
    const spaced = await scan(['--var', 'mutability=not valid'], ['infra']);
    expect([spaced.code, findings(spaced)]).toEqual([1, [['infra', 'aws_ecr_repository.app', 'infra/main.tf:6:1', 'error']]]);
    expect(spaced.json().findings[0].message).toContain('"not valid"');
    const twice = await scan(['--var', 'mutability=MUTABLE', '--var', 'mutability=IMMUTABLE'], ['infra']);
    expect([twice.code, findings(twice)]).toEqual([0, []]);
  });

  test('--allow-mutable-tag, once or twice, replaces the default latest', async () => {
    const byDefault = await scan([], ['tags']);
    expect([byDefault.code, findings(byDefault)]).toEqual([1, [['tags', 'aws_ecr_repository.tags', 'tags/main.tf:5:3', 'error']]]);
    for (const options of [
      ['--allow-mutable-tag', 'dev-*'],
      ['--allow-mutable-tag', 'latest', '--allow-mutable-tag', 'dev-*'],
    ]) {
      const r = await scan(options, ['tags']);
      expect([r.code, findings(r), r.json().summary.resources]).toEqual([0, [], 1]);
    }
  });

  test.each(['dev-?', 'dev-[a]', '{dev,test}-*', 'dev-\\*', 'dev-.', 'dev-+'])(
    '--allow-mutable-tag %j: * is the only wildcard, so the filter dev-* is not allowed by it; a pattern ECR filters cannot hold is named on stderr',
    async (pattern) => {
      const r = await scan(['--allow-mutable-tag', pattern], ['tags']);
      expect([r.code, findings(r), r.json().findings.map((f) => f.messageId)]).toEqual([
        1,
        [['tags', 'aws_ecr_repository.tags', 'tags/main.tf:5:3', 'error']],
        ['filter_not_allowed'],
      ]);
      expect(r.err).toBe(
        TAG_PATTERN.test(pattern)
          ? ''
          : `tagguard: --allow-mutable-tag ${JSON.stringify(pattern)}: only * is a wildcard; every other character matches only itself, and ECR filters hold only letters, digits and . _ - *, so this pattern allows no filter\n`,
      );
    },
  );

  test('--allow-mutable-tag "" is a usage error', async () => {
    const r = await scan(['--allow-mutable-tag', ''], ['tags']);
    expect([r.code, r.out, r.err]).toEqual([2, '', 'tagguard: --allow-mutable-tag "": a tag pattern is not empty\n']);
  });

  /** The image settings each policy input of a scan of tags/ carries (input.config), distinct; the scan must have judged something. */
  const imageConfig = async (options: string[]) => {
    const r = await withInputConfigs(() => scan(options, ['tags']));
    expect([r.code, r.err, findings(r)]).toEqual([1, '', [['tags', 'aws_ecr_repository.tags', 'tags/main.tf:5:3', 'error']]]);
    expect(r.configs).not.toHaveLength(0);
    return [...new Set(r.configs.map((c) => JSON.stringify([c.moving_tags, c.unseen_registry, c.allowed_mutable_tags])))].map(
      (c) => JSON.parse(c) as unknown,
    );
  };
  const MOVING = ['latest', 'stable', 'main', 'master', 'dev', 'edge', 'nightly'];

  test('by default, the policy input has the moving tags and unseen_registry warning', async () => {
    expect(await imageConfig([])).toEqual([[MOVING, 'warning', ['latest']]]);
  });

  test('--moving-tag, once or twice, replaces the default moving tags in the policy input', async () => {
    expect(await imageConfig(['--moving-tag', 'prod'])).toEqual([[['prod'], 'warning', ['latest']]]);
    expect(await imageConfig(['--moving-tag', 'prod', '--moving-tag', 'v1'])).toEqual([[['prod', 'v1'], 'warning', ['latest']]]);
    expect(await imageConfig(['--moving-tag', 'dev.1', '--moving-tag=latest'])).toEqual([[['dev.1', 'latest'], 'warning', ['latest']]]);
  });

  // Matched exactly, so a tag no image can have (a wildcard, a space) could never match: a usage error, not a silent no-op.
  test.each(['dev-*', ' latest', '.dev'])('--moving-tag %j is a usage error', async (tag) => {
    const r = await scan(['--moving-tag', tag], ['tags']);
    expect([r.code, r.out, r.err]).toEqual([
      2,
      '',
      `tagguard: --moving-tag ${JSON.stringify(tag)}: not an image tag (a letter, digit or _, then up to 127 of those, . and -)\n`,
    ]);
  });

  test.each(['error', 'warning', 'note', 'ignore'])('--unseen-registry %s reaches the policy input', async (severity) => {
    expect(await imageConfig(['--unseen-registry', severity])).toEqual([[MOVING, severity, ['latest']]]);
  });

  test('--moving-tag and --unseen-registry with the other policy options: each reaches its own key', async () => {
    const options = ['--unseen-registry', 'note', '--moving-tag', 'edge', '--allow-mutable-tag', 'latest', '--unseen-registry=error'];
    expect(await imageConfig(options)).toEqual([[['edge'], 'error', ['latest']]]);
  });

  test('--moving-tag "" is a usage error', async () => {
    const r = await scan(['--moving-tag', 'prod', '--moving-tag', ''], ['tags']);
    expect([r.code, r.out, r.err]).toEqual([2, '', 'tagguard: --moving-tag "": a tag is not empty\n']);
  });

  test('--unseen-registry takes a severity: another value, or none, is a usage error', async () => {
    const bad = await scan(['--unseen-registry', 'fatal'], ['tags']);
    expect([bad.code, bad.out, bad.err]).toEqual([
      2,
      '',
      'tagguard: --unseen-registry "fatal": must be one of error, warning, note, ignore\n',
    ]);
    const off = await scan(['--unseen-registry', 'off'], ['tags']);
    expect([off.code, off.err]).toEqual([2, 'tagguard: --unseen-registry "off": must be one of error, warning, note, ignore\n']);
  });

  test('--unknown', async () => {
    const error = await scan(['--unknown', 'error'], ['unknown']);
    expect([error.code, findings(error)]).toEqual([1, [['unknown', 'aws_ecr_repository.ingest', 'unknown/main.tf:7:26', 'error']]]);
    const ignore = await scan(['--unknown', 'ignore'], ['unknown']);
    expect([ignore.code, findings(ignore)]).toEqual([0, []]);
  });

  test('--policy, once or twice: each custom policy judges the scanned root', async () => {
    const once = await scan(['--policy', 'extra.wasm', '--var-file', 'infra/prod.tfvars'], ['infra']);
    expect([once.code, findings(once), once.json().errors]).toEqual([1, [...APP_FROM_PROD_TFVARS, ...APP_FROM_PROD_TFVARS], []]);
    const twice = await scan(['--policy', 'extra.wasm', '--policy', 'extra2.wasm', '--var-file', 'infra/prod.tfvars'], ['infra']);
    expect(findings(twice)).toEqual([...APP_FROM_PROD_TFVARS, ...APP_FROM_PROD_TFVARS, ...APP_FROM_PROD_TFVARS]);
  });

  test('--config names the config file; its paths are relative to it', async () => {
    const tags = await scan(['--config', 'ci/tagguard.yml'], ['tags']);
    expect([tags.code, findings(tags)]).toEqual([0, []]);
    const prod = await scan(['--config', 'ci/prod.yml'], ['infra']);
    expect([prod.code, findings(prod)]).toEqual([1, APP_FROM_PROD_TFVARS]);
  });

  test('--plan and --config-dir, in either order', async () => {
    const expected = [
      ['planconf', 'aws_ecr_repository.api', 'planconf/main.tf:20:26', 'error'],
      ['planconf', 'aws_ecr_repository.cache', 'planconf/main.tf:42:3', 'error'],
      ['planconf', 'module.registry.aws_ecr_repository.this[0]', 'planconf/main.tf:66:16', 'warning'],
    ];
    const r = await scan(['--plan', 'saved/plan.json'], ['--config-dir', 'planconf']);
    expect([r.code, findings(r)]).toEqual([1, expected]);
    const equals = await scan(['--plan=saved/plan.json'], ['--config-dir=planconf']);
    expect(findings(equals)).toEqual(expected);
  });

  test('--max-file-size', async () => {
    const r = await scan(['--max-file-size', '20'], ['infra']);
    expect([r.code, r.json().errors]).toEqual([
      2,
      [
        {
          file: 'infra/main.tf',
          line: 0,
          column: 0,
          message: `file is ${Buffer.byteLength(INFRA_MAIN)} bytes, over the 20 bytes limit (--max-file-size)`,
        },
      ],
    ]);
  });

  test('--max-depth', async () => {
    const r = await scan(['--max-depth', '1'], ['tags']);
    expect([r.code, r.json().errors]).toEqual([
      2,
      [{ file: 'tags/main.tf', line: 2, column: 26, message: 'more than 1 levels deep (--max-depth)' }],
    ]);
  });

  test('--workspace', async () => {
    const cwd = tree({
      'ws/main.tf':
        'resource "aws_ecr_repository" "ws" {\n  name                 = "ws"\n  image_tag_mutability = terraform.workspace == "prod" ? "IMMUTABLE" : "MUTABLE"\n}\n',
    });
    const prod = await scan(['--workspace', 'prod'], ['ws'], cwd);
    expect([prod.code, prod.json().findings]).toEqual([0, []]);
    const dev = await scan(['--workspace=dev'], ['ws'], cwd);
    expect([dev.code, findings(dev)]).toEqual([1, [['ws', 'aws_ecr_repository.ws', 'ws/main.tf:3:72', 'error']]]);
  });

  test('--engine', async () => {
    const cwd = tree({
      'live/main.tf': 'variable "env" {\n  default = "dev"\n}\n\nmodule "repo" {\n  source = "../modules/${var.env}"\n}\n',
      'modules/dev/main.tf':
        'resource "aws_ecr_repository" "this" {\n  name                 = "dev"\n  image_tag_mutability = "MUTABLE"\n}\n',
    });
    const tofu = await scan(['--engine', 'tofu'], ['live', 'modules'], cwd);
    expect([tofu.code, findings(tofu), tofu.json().errors]).toEqual([
      1,
      [['live', 'module.repo.aws_ecr_repository.this', 'modules/dev/main.tf:3:26', 'error']],
      [],
    ]);
    const terraform = await scan(['--engine=terraform'], ['live'], cwd);
    expect([
      terraform.code,
      terraform.json().errors.map((e: { file: string; line: number; column: number }) => `${e.file}:${e.line}:${e.column}`),
    ]).toEqual([2, ['live/main.tf:6:12']]);
  });

  test('-f and -o, the short forms', async () => {
    const cwd = project();
    const r = await runCli(['scan', ...arrange(['-f', 'json', '-o', 'report.json', '--var-file', 'infra/prod.tfvars'], ['infra'])], cwd);
    expect([r.code, r.out]).toEqual([1, '']);
    expect(findings({ json: () => readReport(readFileSync(path.join(cwd, 'report.json'), 'utf8')) })).toEqual(APP_FROM_PROD_TFVARS);
  });

  test('--create-baseline, then --baseline', async () => {
    const cwd = project();
    const created = await scan(['--create-baseline', 'base.json', '--var-file', 'infra/prod.tfvars'], ['infra'], cwd);
    // immutable.tfvars, named by no option here, is a note.
    expect([created.code, created.err]).toEqual([
      0,
      'tagguard: note: infra/immutable.tfvars is not applied to any root; name it with --var-file or in .tagguard.yml\ntagguard: baseline of 1 findings written to base.json\n',
    ]);
    expect((JSON.parse(readFileSync(path.join(cwd, 'base.json'), 'utf8')) as { findings: unknown }).findings).toEqual([
      { ruleId: 'ecr-tag-immutability', root: 'infra', resource: 'aws_ecr_repository.app' },
    ]);
    const r = await scan(['--baseline', 'base.json', '--var-file', 'infra/prod.tfvars'], ['infra'], cwd);
    expect([r.code, findings(r)]).toEqual([0, []]);
  });

  test('--changed-since', async () => {
    const cwd = project();
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, stdio: 'ignore' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-qm', 'base');
    writeFileSync(
      path.join(cwd, 'infra/extra.tf'),
      'resource "aws_ecr_repository" "extra" {\n  name                 = "extra"\n  image_tag_mutability = "MUTABLE"\n}\n',
    );
    // app is mutable too (prod.tfvars), but nothing it touches changed.
    const r = await scan(['--changed-since', 'HEAD', '--var-file', 'infra/prod.tfvars'], ['infra'], cwd);
    expect([r.code, findings(r)]).toEqual([1, [['infra', 'aws_ecr_repository.extra', 'infra/extra.tf:3:26', 'error']]]);
  });

  test('--fix-dry-run prints the fix of the scanned root and changes nothing', async () => {
    const r = await runCli(['scan', ...arrange(['--fix-dry-run', '--var-file', 'infra/prod.tfvars'], ['infra'])], dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('-mutability = "MUTABLE"\n+mutability = "IMMUTABLE"\n');
    expect(r.out).not.toContain('other/main.tf');
    expect(readFileSync(path.join(dir, 'infra/prod.tfvars'), 'utf8')).toBe('mutability = "MUTABLE"\n');
  });

  test.each<[string, string[]]>([
    ['fix', []],
    ['scan', ['--fix']],
  ])('%s %j: rewrites the value where the var file writes it, and nothing outside the scanned root', async (command, flag) => {
    const cwd = project();
    const r = await runCli([command, ...arrange([...flag, '--var-file', 'infra/prod.tfvars'], ['infra'])], cwd);
    expect([r.code, r.err]).toEqual([
      0,
      'tagguard: fixed infra/prod.tfvars\ntagguard: note: infra/immutable.tfvars is not applied to any root; name it with --var-file or in .tagguard.yml\n',
    ]);
    expect(readFileSync(path.join(cwd, 'infra/prod.tfvars'), 'utf8')).toBe('mutability = "IMMUTABLE"\n');
    expect(readFileSync(path.join(cwd, 'other/main.tf'), 'utf8')).toBe('resource "aws_ecr_repository" "decoy" {\n  name = "decoy"\n}\n');
  });

  test('generate: --repo and --allow-mutable-tag, once per value', async () => {
    const r = await runCli(
      ['generate', ...arrange(['--repo', 'api', '--repo', 'web'], ['--allow-mutable-tag', 'latest', '--format', 'hcl'])],
      dir,
    );
    expect(r.code).toBe(0);
    expect([...r.out.matchAll(/^ {2}name {17}= "(.*)"$/gm)].map((m) => m[1])).toEqual(['api', 'web']);
    expect([...r.out.matchAll(/^ {4}filter {6}= "(.*)"$/gm)].map((m) => m[1])).toEqual(['latest', 'latest']);
  });

  test('policies --policy, once per value, in the order given', async () => {
    const r = await runCli(['policies', ...arrange(['--policy', 'extra.wasm'], ['--policy', 'extra2.wasm'])], dir);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').map((l) => l.split(/ {2,}/).slice(0, 3))).toEqual([
      ['acr-tag-immutability', 'error', 'built-in'],
      ['ecr-tag-immutability', 'error', 'built-in'],
      ['gar-tag-immutability', 'error', 'built-in'],
      ['harbor-tag-immutability', 'error', 'built-in'],
      ['image-reference-immutable', 'error', 'built-in'],
      ['msr-tag-immutability', 'note', 'built-in'],
      ...arrange(['extra.wasm'], ['extra2.wasm']).flatMap((source) => [
        ['acr-tag-immutability', 'error', source],
        ['ecr-tag-immutability', 'error', source],
        ['gar-tag-immutability', 'error', source],
        ['harbor-tag-immutability', 'error', source],
        ['image-reference-immutable', 'error', source],
        ['msr-tag-immutability', 'note', source],
      ]),
      [''],
    ]);
  });
});

test('an option that takes one value, given twice, takes the last, as terraform, checkov and trivy do', async () => {
  const cwd = project();
  const r = await runCli(
    ['scan', 'infra', '--format', 'sarif', '--var-file', 'infra/prod.tfvars', '-f', 'json', '--unknown', 'ignore', '--unknown=error'],
    cwd,
  );
  expect([r.code, findings(r)]).toEqual([1, APP_FROM_PROD_TFVARS]);
  const written = await runCli(['scan', 'infra', '-f', 'json', '--output', 'a.json', '-o', 'b.json'], cwd);
  expect([written.code, written.out, readFileSync(path.join(cwd, 'b.json'), 'utf8').startsWith('{')]).toEqual([0, '', true]);
});

describe('usage errors: exit 2, a message naming the option and the path, nothing on stdout', () => {
  test.each([
    [
      ['scan', '--var-file', 'infra', 'infra'],
      '--var-file infra: is a directory, not a file (an option takes one value; paths to scan go on their own)',
    ],
    [['scan', 'infra', '--var-file', 'missing.tfvars'], '--var-file missing.tfvars: no such file'],
    [['scan', 'infra', '--var-file='], '--var-file needs a path'],
    [['scan', 'infra', '--var-file'], '--var-file needs a value'],
    [['scan', 'infra', '--policy', 'missing.wasm'], '--policy missing.wasm: no such file'],
    [
      ['scan', '--policy', 'tags', 'infra'],
      '--policy tags: is a directory, not a file (an option takes one value; paths to scan go on their own)',
    ],
    [['scan', 'infra', '--baseline', 'missing.json'], '--baseline missing.json: no such file'],
    [
      ['scan', 'infra', '--baseline', 'infra'],
      '--baseline infra: is a directory, not a file (an option takes one value; paths to scan go on their own)',
    ],
    [['scan', '--config', 'missing.yml', 'infra'], '--config missing.yml: no such file'],
    [['scan', 'infra', '--config', 'ci/broken.yml'], 'ci/broken.yml: var_files: ci/missing.tfvars: no such file'],
    [['scan', '--plan', 'missing.json'], '--plan missing.json: no such file'],
    [['scan', '--plan', 'saved'], '--plan saved: is a directory, not a file (an option takes one value; paths to scan go on their own)'],
    [['scan', '--plan', 'saved/plan.json', '--config-dir', 'missing'], '--config-dir missing: no such directory'],
    [['scan', '--plan', 'saved/plan.json', '--config-dir', 'saved/plan.json'], '--config-dir saved/plan.json: is not a directory'],
    [['scan', 'infra', '--output', 'infra'], '--output infra: is a directory; name a file to write'],
    [
      ['scan', 'infra', '--create-baseline', 'missing/base.json'],
      '--create-baseline missing/base.json: no directory missing to write into',
    ],
    [
      ['fix', '--var-file', 'infra', 'infra'],
      '--var-file infra: is a directory, not a file (an option takes one value; paths to scan go on their own)',
    ],
    [['policies', '--policy', 'missing.wasm'], '--policy missing.wasm: no such file'],
    [['scan', 'infra', '--var.mutability=MUTABLE'], 'unknown option --var.mutability'],
    [['scan', '--output.a=x', 'infra'], 'unknown option --output.a (did you mean --output?)'],
    [['scan', 'infra', '--allow-mutable-tag.a=x'], 'unknown option --allow-mutable-tag.a (did you mean --allow-mutable-tag?)'],
    [['generate', '--repo', 'api', '--repo.a=x'], 'unknown option --repo.a (did you mean --repo?)'],
    [['policies', '--policy', 'extra.wasm', 'infra'], 'unexpected argument "infra"'],
    [['generate', '--repo', 'api', 'web'], 'unexpected argument "web"'],
    [['generate', '--repo', 'api', '--out', 'infra/main.tf'], '--out infra/main.tf: is not a directory'],
  ])('%j', async (argv, message) => {
    const r = await runCli(argv, dir);
    expect([r.code, r.err, r.out]).toEqual([2, `tagguard: ${message}\n`, '']);
  });
});

describe('--version, --help and the fix command', () => {
  test('--version prints the version in package.json', async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await runCli(['--version'], dir)).toMatchObject({ code: 0, out: `${version}\n`, err: '' });
  });

  test('--help lists every command, fix included, on stdout', async () => {
    const r = await runCli(['--help'], dir);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out.match(/^ {2}tagguard \S+/gm)).toEqual([
      '  tagguard scan',
      '  tagguard fix',
      '  tagguard generate',
      '  tagguard policies',
      '  tagguard explain',
      '  tagguard help',
    ]);
    expect(r.out).toMatch(/^ {2}tagguard fix \[paths\.\.\] +Rewrite the code that makes a repository mutable$/m);
    expect(r.out).toMatch(/^ {2}--version +Show version number/m);
  });

  test('fix --help describes fix, with the options of scan but --fix', async () => {
    const fix = await runCli(['fix', '--help'], dir);
    expect(fix.code).toBe(0);
    expect(fix.out).toMatch(/^tagguard fix \[paths\.\.\]\n\nRewrite the code/);
    expect(fix.out).toMatch(/^ +--var-file +A variables file/m);
    expect(fix.out).not.toMatch(/^ +--fix +/m);
    expect((await runCli(['scan', '--help'], dir)).out).toMatch(/^ +--fix +Rewrite/m);
  });

  test('scan --help and fix --help list --moving-tag and --unseen-registry with their defaults', async () => {
    for (const command of ['scan', 'fix']) {
      const r = await runCli([command, '--help'], dir);
      expect(r.code).toBe(0);
      const help = r.out.replace(/\s+/g, ' ');
      expect(help).toMatch(
        / --moving-tag An image tag that moves by convention, matched exactly: image-reference-immutable .*default: latest, stable, main, master, dev, edge, nightly\)/,
      );
      expect(help).toMatch(
        / --unseen-registry The severity of an image tag in a registry tagguard cannot see \(image-reference-immutable; default: warning\) \[choices: "error", "warning", "note", "ignore"\]/,
      );
    }
  });
});

/** The factory without the singleton (yargs/yargs is CommonJS `export =`), loaded as main.ts loads it. */
const loadYargs = lazy<typeof import('yargs')>(require, 'yargs/yargs');

describe('the early reading of the command line (grep starts before yargs loads)', () => {
  /** The paths yargs reads from a scan command line with the same option table. */
  function yargsPaths(argv: string[]): string[] {
    const yargs = loadYargs();
    const parser = yargs(argv.slice(1))
      .options(SCAN_OPTIONS)
      .exitProcess(false)
      .fail((message) => {
        throw new Error(message);
      });
    return parser.parseSync()._.map(String);
  }

  const spellings = Object.entries(SCAN_OPTIONS).flatMap(([name, spec]) => {
    const flag = 'type' in spec && spec.type === 'boolean';
    const value = flag ? [] : ['choices' in spec ? spec.choices[0] : 'word'];
    const alias = 'alias' in spec ? [[`-${spec.alias}`, ...value]] : [];
    return [[`--${name}`, ...value], ...alias, ...(value.length ? [[`--${name}=${value[0]}`]] : [])].map((words) => ({
      name,
      delays: 'delaysSearch' in spec,
      words,
    }));
  });

  test.each(spellings)('$words: the same paths as yargs reads, or none where the search must wait', ({ delays, words }) => {
    for (const argv of [
      ['scan', ...words, 'infra', 'tags'],
      ['scan', 'infra', ...words, 'tags'],
      ['fix', 'infra', 'tags', ...words],
    ]) {
      expect(earlyScanPaths(argv)).toEqual(delays ? undefined : yargsPaths(argv));
    }
  });

  test('a cluster of short options: the last one decides whether the next word is a value', () => {
    expect(earlyScanPaths(['scan', '-vf', 'json', 'infra'])).toEqual(['infra']);
    expect(yargsPaths(['scan', '-vf', 'json', 'infra'])).toEqual(['infra']);
  });

  test('grep starts only in the directory named after a var file, whichever comes first', async () => {
    const spawn = jest.spyOn(childProcess, 'spawn');
    try {
      for (const argv of [
        ['scan', '--var-file', 'infra/prod.tfvars', 'infra'],
        ['scan', 'infra', '--var-file', 'infra/prod.tfvars'],
      ]) {
        spawn.mockClear();
        expect((await runCli(argv, dir)).code).toBe(1);
        const roots = spawn.mock.calls.filter((c) => c[0] === 'grep').map((c) => (c[2] as { cwd: string }).cwd);
        expect(roots).toEqual([path.join(dir, 'infra')]);
      }
    } finally {
      spawn.mockRestore();
    }
  });
});
