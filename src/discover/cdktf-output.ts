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
