import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, scanDir, tree } from './helpers';

/** The workspace fixture copied into a throwaway tree, with `.terraform/environment` when given. */
function workspaceTree(environment?: string): string {
  const dir = tree({});
  cpSync(path.join(ROOT, 'fixtures/workspace'), dir, { recursive: true });
  if (environment !== undefined) {
    mkdirSync(path.join(dir, '.terraform'));
    writeFileSync(path.join(dir, '.terraform/environment'), environment);
  }
  return dir;
}

const scanAt = (cwd: string, options: { env?: NodeJS.ProcessEnv; workspace?: string } = {}) =>
  scanDir(cwd, { variables: { env: options.env ?? {} }, workspace: options.workspace });

// Issue 12, item 5: terraform.workspace is the selected workspace.
describe('terraform.workspace', () => {
  test('with none selected it is "default", and the trace says that no workspace was selected', async () => {
    const result = await scanAt(workspaceTree());
    // The branch taken is the origin; the trace adds what decided it.
    expect(result.findings.map((f) => [f.resource, f.file, f.line, f.column])).toEqual([['aws_ecr_repository.api', 'main.tf', 3, 62]]);
    expect(result.findings[0].trace).toEqual([
      { file: 'main.tf', line: 8, column: 26, note: 'local.mutability' },
      {
        file: 'main.tf',
        line: 3,
        column: 16,
        note: 'no workspace is selected, so terraform.workspace is "default" (TF_WORKSPACE, .terraform/environment or --workspace select one)',
      },
    ]);
  });

  test('the name terraform workspace select wrote to .terraform/environment is the workspace', async () => {
    expect((await scanAt(workspaceTree('prod\n'))).findings).toEqual([]);
    const staging = await scanAt(workspaceTree('staging'));
    expect(staging.errors).toEqual([]);
    expect(staging.findings.map((f) => [f.file, f.line, f.column])).toEqual([['main.tf', 3, 62]]);
  });

  test('TF_WORKSPACE wins over .terraform/environment, and --workspace over both', async () => {
    expect((await scanAt(workspaceTree('staging'), { env: { TF_WORKSPACE: 'prod' } })).findings).toEqual([]);
    expect((await scanAt(workspaceTree('prod'), { env: { TF_WORKSPACE: 'dev' } })).findings).toHaveLength(1);
    expect((await scanAt(workspaceTree('staging'), { env: { TF_WORKSPACE: 'dev' }, workspace: 'prod' })).findings).toEqual([]);
  });

  test('a value that is the workspace itself points where it was selected, or says none was', async () => {
    const files = {
      'main.tf':
        'resource "aws_ecr_repository" "api" {\n  name                 = "api"\n  image_tag_mutability = upper(terraform.workspace) == "DEFAULT" ? "MUTABLE" : terraform.workspace\n}\n',
    };
    const selected = tree(files);
    mkdirSync(path.join(selected, '.terraform'));
    writeFileSync(path.join(selected, '.terraform/environment'), 'immutable');
    const result = await scanAt(selected);
    // The workspace name is the value: an invalid one, written in .terraform/environment.
    expect(result.findings.map((f) => [f.file, f.line, f.column])).toEqual([['.terraform/environment', 1, 1]]);
    expect(result.findings[0].trace).toEqual([{ file: 'main.tf', line: 3, column: 80, note: 'terraform.workspace' }]);

    const viaOption = await scanAt(tree(files), { workspace: 'MUTABLE' });
    expect(viaOption.findings[0].trace.map((t) => t.note)).toEqual(['terraform.workspace', '--workspace MUTABLE']);

    const none = tree({
      'main.tf': 'resource "aws_ecr_repository" "api" {\n  name                 = "api"\n  image_tag_mutability = terraform.workspace\n}\n',
    });
    const unselected = await scanAt(none);
    expect(unselected.findings.map((f) => [f.file, f.line, f.column])).toEqual([['main.tf', 3, 26]]);
    expect(unselected.findings[0].trace.map((t) => t.note)).toEqual([
      'terraform.workspace',
      'no workspace is selected, so terraform.workspace is "default" (TF_WORKSPACE, .terraform/environment or --workspace select one)',
    ]);
  });
});
