import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SourceFile, type SyntaxProblem } from '../parse/source';
import { step, str, type Value } from './value';

/** Larger than any workspace name; the file is read only up to this. */
const MAX_ENVIRONMENT_BYTES = 1024;

export interface WorkspaceOptions {
  /** --workspace */
  workspace?: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The workspace a root is planned in, as Terraform selects it: TF_WORKSPACE, else the
 * name `terraform workspace select` wrote to the root's .terraform/environment.
 * --workspace wins over both. Undefined when none is selected (`default`).
 */
export function selectedWorkspace(
  rootDir: string,
  options: WorkspaceOptions,
  display: (abs: string) => string,
  problems: SyntaxProblem[],
  sources: Map<string, SourceFile>,
): Value | undefined {
  const given = (name: string, note: string) => str(name, undefined, [step({ file: note, line: 0, column: 0, endLine: 0, endColumn: 0 }, note)]);
  if (options.workspace !== undefined) return given(options.workspace, `--workspace ${options.workspace}`);
  if (options.env.TF_WORKSPACE) return given(options.env.TF_WORKSPACE, 'TF_WORKSPACE');
  const file = path.join(rootDir, '.terraform', 'environment');
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  const shown = display(file);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size > MAX_ENVIRONMENT_BYTES) {
      problems.push({ file: shown, line: 1, column: 1, message: `not a workspace name: ${stat.isFile() ? `${stat.size} bytes` : 'not a regular file'}` });
      return undefined;
    }
    const text = readFileSync(fd, 'utf8');
    const name = text.trim();
    if (!name) return undefined;
    const source = new SourceFile(shown, text);
    sources.set(shown, source);
    const start = text.indexOf(name);
    return str(name, source.range(start, start + name.length));
  } catch (e) {
    problems.push({ file: shown, line: 1, column: 1, message: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    return undefined;
  } finally {
    closeSync(fd);
  }
}
