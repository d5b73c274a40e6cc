import path from 'node:path';
import { tree as makeTree } from './helpers';
import { discover } from '../src/discover/discover';
import { applyTofuPrecedence } from '../src/discover/terraform-files';

const tree = (files: Record<string, string>) => makeTree(files, { prefix: 'discover' });

function found(root: string, paths = ['.']): string[] {
  return discover(paths, root).files.map((f) => path.relative(root, f).split(path.sep).join('/'));
}

describe('discover', () => {
  test('finds every Terraform and OpenTofu file kind recursively, and nothing else', () => {
    const root = tree({
      'main.tf': '',
      'envs/prod/main.tofu': '',
      'envs/prod/stack.tf.json': '{}',
      'envs/prod/cdk.tofu.json': '{}',
      'envs/prod/terraform.tfvars': '',
      'README.md': '',
      'scripts/x.tf.bak': '',
    });
    expect(found(root)).toEqual(['envs/prod/cdk.tofu.json', 'envs/prod/main.tofu', 'envs/prod/stack.tf.json', 'main.tf']);
  });

  test('skips .terraform/, node_modules/ and .git/', () => {
    const root = tree({
      'main.tf': '',
      '.terraform/modules/ecr/main.tf': '',
      'node_modules/some-pkg/main.tf': '',
      '.git/x.tf': '',
    });
    expect(found(root)).toEqual(['main.tf']);
  });

  test('honours .gitignore files at every level, from the repository root down', () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': 'generated/\n*.local.tf\n',
      'infra/.gitignore': 'scratch.tf\n!keep.local.tf\n',
      'infra/main.tf': '',
      'infra/scratch.tf': '',
      'infra/dev.local.tf': '',
      'infra/generated/out.tf': '',
      'other/scratch.tf': '',
    });
    expect(found(root)).toEqual(['infra/main.tf', 'other/scratch.tf']);
    // Scanning a subdirectory still applies the root's .gitignore.
    expect(found(path.join(root, 'infra'))).toEqual(['main.tf']);
  });

  test('a file named on the command line is taken even when ignored', () => {
    const root = tree({ '.git/HEAD': '', '.gitignore': 'skip.tf\n', 'skip.tf': '' });
    expect(found(root, ['skip.tf'])).toEqual(['skip.tf']);
  });

  test('x.tofu hides x.tf and x.tofu.json hides x.tf.json, in the same directory only', () => {
    const root = tree({
      'a/main.tf': '',
      'a/main.tofu': '',
      'a/vars.tf': '',
      'a/stack.tf.json': '{}',
      'a/stack.tofu.json': '{}',
      'b/main.tf': '',
    });
    expect(found(root)).toEqual(['a/main.tofu', 'a/stack.tofu.json', 'a/vars.tf', 'b/main.tf']);
  });

  test('precedence does not cross file kinds', () => {
    expect(applyTofuPrecedence(['/x/main.tf', '/x/main.tofu.json'])).toEqual(['/x/main.tf', '/x/main.tofu.json']);
  });

  test('missing paths are reported as written', () => {
    const root = tree({ 'main.tf': '' });
    expect(discover(['nope', '.'], root)).toMatchObject({ missing: ['nope'] });
  });
});
