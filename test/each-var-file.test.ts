import { defined, runCli, tree } from './helpers';

// Issue 15, item 1 (optional): --each-var-file judges a root once per variables file Terraform does not load by itself.
const ROOT = `variable "mutability" {
  type    = string
  default = "IMMUTABLE"
}

resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = var.mutability
}

resource "aws_ecr_repository" "cache" {
  name                 = "cache"
  image_tag_mutability = "MUTABLE"
}
`;

/** One root with envs/prod (IMMUTABLE) and envs/dev (MUTABLE) beside it, in HCL or JSON. */
function oneRoot(json = false, extra: Record<string, string> = {}) {
  const ext = json ? 'tfvars.json' : 'tfvars';
  return tree({
    'infra/main.tf': ROOT,
    [`infra/envs/prod.${ext}`]: json ? '{\n  "mutability": "IMMUTABLE"\n}\n' : 'mutability = "IMMUTABLE"\n',
    [`infra/envs/dev.${ext}`]: json ? '{\n  "mutability": "MUTABLE"\n}\n' : 'mutability = "MUTABLE"\n',
    ...extra,
  });
}

interface Found {
  resource: string;
  root: string;
  file: string;
  line: number;
  variant?: string;
}
const findingsOf = (out: string) =>
  (JSON.parse(out) as { findings: Found[] }).findings.map((f) => [f.resource, f.root, f.file, f.line, f.variant]);

const bothOrders = (options: string[], paths: string[]): [string, string[]][] => [
  ['before the paths', ['scan', ...options, ...paths]],
  ['after the paths', ['scan', ...paths, ...options]],
];

describe('--each-var-file', () => {
  for (const json of [false, true]) {
    const ext = json ? 'tfvars.json' : 'tfvars';
    test.each(bothOrders(['--each-var-file', '--format', 'json'], ['infra']))(
      `judges the root once per ${ext} file and names the file on each finding (options %s)`,
      async (_, argv) => {
        const cwd = oneRoot(json);
        const { code, out, err } = await runCli(argv, cwd);
        expect(err).toBe('');
        expect(code).toBe(1);
        // The literal is found in each judgement; the variable only with dev's value. Findings identical across files are reported once per file.
        expect(findingsOf(out)).toEqual([
          ['aws_ecr_repository.app', 'infra', `infra/envs/dev.${ext}`, json ? 2 : 1, `envs/dev.${ext}`],
          ['aws_ecr_repository.cache', 'infra', 'infra/main.tf', 13, `envs/dev.${ext}`],
          ['aws_ecr_repository.cache', 'infra', 'infra/main.tf', 13, `envs/prod.${ext}`],
        ]);
      },
    );
  }

  test('without the option, the root is judged once with its defaults and no variant', async () => {
    const cwd = oneRoot();
    const { code, out, err } = await runCli(['scan', '--format', 'json', 'infra'], cwd);
    expect(code).toBe(1);
    expect(findingsOf(out)).toEqual([['aws_ecr_repository.cache', 'infra', 'infra/main.tf', 13, undefined]]);
    expect(out).not.toContain('"variant"');
    expect(err).toBe(
      'tagguard: note: infra/envs/dev.tfvars is not applied to any root; name it with --var-file or in .tagguard.yml\n' +
        'tagguard: note: infra/envs/prod.tfvars is not applied to any root; name it with --var-file or in .tagguard.yml\n',
    );
  });

  test('a root with no such file is judged once, without a variant; terraform.tfvars and *.auto.tfvars apply to every variant', async () => {
    const cwd = tree({
      'plain/main.tf': ROOT,
      'plain/terraform.tfvars': 'mutability = "MUTABLE"\n',
      'infra/main.tf': ROOT.replace('"MUTABLE"', '"IMMUTABLE"'),
      'infra/a.auto.tfvars': 'mutability = "MUTABLE"\n',
      'infra/prod.tfvars': '# nothing set: the automatic file decides\n',
    });
    const { code, out, err } = await runCli(['scan', '--each-var-file', '--format', 'json'], cwd);
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(findingsOf(out)).toEqual([
      ['aws_ecr_repository.app', 'infra', 'infra/a.auto.tfvars', 1, 'prod.tfvars'],
      ['aws_ecr_repository.cache', 'plain', 'plain/main.tf', 13, undefined],
      ['aws_ecr_repository.app', 'plain', 'plain/terraform.tfvars', 1, undefined],
    ]);
  });

  test('--var-file still applies to every variant, after the variant file', async () => {
    const cwd = oneRoot(false, { 'all.tfvars': 'mutability = "IMMUTABLE"\n' });
    const { code, out } = await runCli(['scan', 'infra', '--each-var-file', '--var-file', 'all.tfvars', '--format', 'json'], cwd);
    expect(code).toBe(1);
    expect(findingsOf(out)).toEqual([
      ['aws_ecr_repository.cache', 'infra', 'infra/main.tf', 13, 'envs/dev.tfvars'],
      ['aws_ecr_repository.cache', 'infra', 'infra/main.tf', 13, 'envs/prod.tfvars'],
    ]);
  });

  test('.tagguard.yml each_var_file: true, with the files its roots assign as variants too', async () => {
    const cwd = tree({
      'infra/main.tf': ROOT.replace('"MUTABLE"', '"IMMUTABLE"'),
      'infra/prod.tfvars': 'mutability = "IMMUTABLE"\n',
      'shared/staging.tfvars': 'mutability = "MUTABLE"\n',
      '.tagguard.yml': 'each_var_file: true\nroots:\n  infra:\n    var_files: [../shared/staging.tfvars]\n',
    });
    const { code, out, err } = await runCli(['scan', '--format', 'json'], cwd);
    expect(err).toBe('');
    expect(code).toBe(1);
    expect(findingsOf(out)).toEqual([['aws_ecr_repository.app', 'infra', 'shared/staging.tfvars', 1, '../shared/staging.tfvars']]);
  });

  test('.tagguard.yml each_var_file must be a boolean', async () => {
    const cwd = oneRoot(false, { '.tagguard.yml': 'each_var_file: yes please\n' });
    const { code, err } = await runCli(['scan'], cwd);
    expect(code).toBe(2);
    expect(err).toContain('each_var_file');
  });

  test('text names the variant after the resource; SARIF carries it in properties', async () => {
    const cwd = oneRoot();
    const text = await runCli(['scan', '--each-var-file', '--no-color', 'infra'], cwd);
    expect(text.code).toBe(1);
    expect(text.out).toContain('infra/envs/dev.tfvars:1:14  error  aws_ecr_repository.app [envs/dev.tfvars]  [');
    expect(text.out).toContain('infra/main.tf:13:26  error  aws_ecr_repository.cache [envs/prod.tfvars]  [');
    const sarif = await runCli(['scan', 'infra', '--format', 'sarif', '--each-var-file'], cwd);
    const { results } = defined(
      (
        JSON.parse(sarif.out) as {
          runs: { results: { properties: { variant?: string }; partialFingerprints: Record<string, string> }[] }[];
        }
      ).runs[0],
    );
    expect(results.map((r) => r.properties.variant)).toEqual(['envs/dev.tfvars', 'envs/dev.tfvars', 'envs/prod.tfvars']);
    // Each variant's finding is its own result for code scanning.
    expect(new Set(results.map((r) => r.partialFingerprints['tagguard/v1'])).size).toBe(3);
  });
});

describe('--each-var-file and the work budget', () => {
  test('each variant has a root budget of its own: the variant past it is an input error naming its file, the others are judged', async () => {
    const cwd = tree({
      'infra/main.tf':
        'variable "n" {\n  type = number\n}\n\nresource "aws_ecr_repository" "many" {\n  count                = var.n\n  name                 = "r${count.index}"\n  image_tag_mutability = "MUTABLE"\n}\n',
      'infra/big.tfvars': 'n = 20000\n',
      'infra/small.tfvars': 'n = 1\n',
    });
    const { code, out } = await runCli(['scan', '--each-var-file', '--format', 'json'], cwd);
    expect(code).toBe(2);
    const report = JSON.parse(out) as { findings: Found[]; errors: { file: string; message: string }[] };
    expect(report.findings.map((f) => [f.resource, f.variant])).toEqual([['aws_ecr_repository.many[0]', 'small.tfvars']]);
    expect(report.errors.map((e) => [e.file, e.message])).toEqual([
      [
        'infra/main.tf',
        'this root needs more than 10,000 resource and module instances, the most tagguard spends on one root; it is not judged (with big.tfvars)',
      ],
    ]);
  });
});
