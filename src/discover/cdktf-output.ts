import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { isWithin } from './inside';
import { slashPath } from './paths';
import { readTextFile } from './read';

/** cdktf.json is small; a larger one is not read. */
const MAX_CDKTF_JSON_BYTES = 1024 * 1024;

/** The folder `cdktf synth` writes to when cdktf.json names none ("output"). */
export const CDKTF_DEFAULT_OUTPUT = 'cdktf.out';

/**
 * The folder `cdktf synth` writes the project in `dir` to: cdktf.json's "output", or
 * cdktf.out. cdktf.json is read as the CDKTF CLI reads it (JSON; an empty file, or one
 * that is not an object or has no "output", means the default). A cdktf.json that cannot
 * be read or parsed, or an "output" that is not a relative path to a folder inside the
 * project (a number, an absolute path, `..` out of it, a symlink that leads out of it), is
 * a problem naming the file, and nothing of the project is read: undefined.
 */
export function cdktfOutput(dir: string, problems: { file: string; message: string }[]): { out: string; name: string } | undefined {
  const file = path.join(dir, 'cdktf.json');
  const read = readTextFile(file, MAX_CDKTF_JSON_BYTES);
  if (!read.ok) {
    problems.push({ file, message: read.message });
    return undefined;
  }
  let config: unknown;
  try {
    config = read.text.trim() === '' ? {} : JSON.parse(read.text);
  } catch (e) {
    problems.push({ file, message: `not valid JSON (${(e as Error).message}); cdktf synth cannot read it either` });
    return undefined;
  }
  const isObject = typeof config === 'object' && config !== null && !Array.isArray(config);
  if (!isObject || !Object.prototype.hasOwnProperty.call(config, 'output'))
    return { out: path.join(dir, CDKTF_DEFAULT_OUTPUT), name: CDKTF_DEFAULT_OUTPUT };
  const output = (config as { output: unknown }).output;
  const why = outputProblem(dir, output);
  if (why !== undefined) {
    problems.push({ file, message: `"output" ${why}; its synthesized stacks were not scanned` });
    return undefined;
  }
  const out = path.resolve(dir, output as string);
  return { out, name: slashPath(path.relative(dir, out)) || '.' };
}

/** Why cdktf.json's "output" is not a folder inside the project `dir`, or undefined when it is one. */
function outputProblem(dir: string, output: unknown): string | undefined {
  if (typeof output !== 'string') return `must be a string naming a folder inside the project, not ${kindOf(output)}`;
  const shown = JSON.stringify(output.length > 100 ? `${output.slice(0, 100)}…` : output);
  if (output === '' || output.includes('\0')) return `${shown} is not a folder name`;
  if (path.isAbsolute(output) || path.win32.isAbsolute(output))
    return `${shown} is an absolute path; it must be a folder inside the project`;
  const out = path.resolve(dir, output);
  if (!isWithin(path.resolve(dir), out)) return `${shown} leaves the project folder; it must be a folder inside it`;
  if (!existsSync(out)) return undefined;
  try {
    const real = realpathSync(out);
    return isWithin(realpathSync(dir), real) ? undefined : `${shown} leads through a symlink to ${real}, outside the project folder`;
  } catch (e) {
    return `${shown} cannot be resolved (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * The CDKTF output folders the given files (absolute) lie in, found from the folders above
 * each file up to `top`: one named cdktf.out, one holding a CDKTF manifest (manifest.json
 * with "stacks", beside a stacks/ folder), or the output folder a cdktf.json above the file
 * names. `cdktf synth` writes these again, so nothing in them is edited, whatever their
 * resources' metadata says (`cdktf synth --hcl` writes none). Each folder is looked at once.
 */
export function enclosingCdktfOutputs(files: readonly string[], top: (file: string) => string): Set<string> {
  const found = new Set<string>();
  // By folder: the output folders named by the cdktf.json files in it and above it, up to the limit.
  const named = new Map<string, string[]>();
  const namedAbove = (dir: string, limit: string): string[] => {
    let list = named.get(dir);
    if (list) return list;
    const parent = path.dirname(dir);
    list = dir !== limit && parent !== dir && isWithin(limit, parent) ? namedAbove(parent, limit) : [];
    const own = existsSync(path.join(dir, 'cdktf.json')) ? cdktfOutput(dir, [])?.out : undefined;
    if (own) list = [own, ...list];
    named.set(dir, list);
    return list;
  };
  // By folder: the output folder it is in, or null.
  const memo = new Map<string, string | null>();
  const outputOf = (dir: string, limit: string): string | null => {
    const known = memo.get(dir);
    if (known !== undefined) return known;
    const parent = path.dirname(dir);
    let out: string | null = path.basename(dir) === CDKTF_DEFAULT_OUTPUT || isManifestFolder(dir) ? dir : null;
    if (!out && dir !== limit && parent !== dir && isWithin(limit, parent)) out = outputOf(parent, limit);
    out ??= namedAbove(dir, limit).find((o) => isWithin(o, dir)) ?? null;
    memo.set(dir, out);
    return out;
  };
  for (const file of files) {
    const limit = top(file);
    if (!isWithin(limit, file)) continue;
    const out = outputOf(path.dirname(file), limit);
    if (out) found.add(out);
  }
  return found;
}

/** A folder `cdktf synth` wrote: manifest.json with a "stacks" object, beside a stacks/ folder. */
function isManifestFolder(dir: string): boolean {
  if (!existsSync(path.join(dir, 'manifest.json')) || !existsSync(path.join(dir, 'stacks'))) return false;
  const read = readTextFile(path.join(dir, 'manifest.json'), MAX_CDKTF_JSON_BYTES);
  if (!read.ok) return false;
  try {
    const data: unknown = JSON.parse(read.text);
    const stacks = typeof data === 'object' && data !== null ? (data as { stacks?: unknown }).stacks : undefined;
    return typeof stacks === 'object' && stacks !== null && !Array.isArray(stacks);
  } catch {
    return false;
  }
}

/** Whether a reported path (`/` separators) lies in one of these output folders (reported paths too), or in any folder named cdktf.out. */
export function inCdktfOutput(file: string, outputs: readonly string[]): boolean {
  const parts = file.split('/');
  if (parts.slice(0, -1).includes(CDKTF_DEFAULT_OUTPUT)) return true;
  return outputs.some((o) => o === '.' || file === o || file.startsWith(o.endsWith('/') ? o : `${o}/`));
}
