import { existsSync } from 'node:fs';
import { readTextFile } from '../../discover/read';
import path from 'node:path';
import { SourceFile, type Problem } from '../../parse/source';
import { step, str, type Value } from '../eval/value';

/** Larger than any workspace name; the file is read only up to this. */
const MAX_ENVIRONMENT_BYTES = 1024;

export interface WorkspaceOptions {
  /** --workspace */
  workspace?: string;
  env: NodeJS.ProcessEnv;
}

/**
 * The workspace a root is planned in, as Terraform selects it: TF_WORKSPACE, else the
 * name `terraform workspace select` wrote to the root's .terraform/environment (or
 * $TF_DATA_DIR/environment).
 * --workspace wins over both. Undefined when none is selected (`default`).
 */
export function selectedWorkspace(
  rootDir: string,
  options: WorkspaceOptions,
  display: (abs: string) => string,
  problems: Problem[],
  sources: Map<string, SourceFile>,
): Value | undefined {
  const given = (name: string, note: string) =>
    str(name, undefined, [step({ file: note, line: 0, column: 0, endLine: 0, endColumn: 0 }, note)]);
  if (options.workspace !== undefined) return given(options.workspace, `--workspace ${options.workspace}`);
  if (options.env.TF_WORKSPACE) return given(options.env.TF_WORKSPACE, 'TF_WORKSPACE');
  // TF_DATA_DIR moves .terraform, relative to the root, as Terraform reads it; set to nothing, it is unset.
  const dataDir = options.env.TF_DATA_DIR;
  const file = path.join(path.resolve(rootDir, dataDir === undefined || dataDir === '' ? '.terraform' : dataDir), 'environment');
  if (!existsSync(file)) return undefined;
  const shown = display(file);
  const read = readTextFile(file, MAX_ENVIRONMENT_BYTES, 'a workspace name');
  if (!read.ok) {
    problems.push({ file: shown, line: read.line ?? 1, column: read.column ?? 1, message: read.message });
    return undefined;
  }
  const name = read.text.trim();
  if (!name) return undefined;
  const source = new SourceFile(shown, read.text);
  sources.set(shown, source);
  const start = read.text.indexOf(name);
  return str(name, source.range(start, start + name.length));
}
