import path from 'node:path';
import { FORMAT_NAMES, type FormatName } from '../report/formatters';
import { checkPath, UsageError } from './usage';

/** A report that `--report FORMAT=FILE` asks for, beside the main one. */
export interface ReportTarget {
  /** How the option was given, for messages: `--report sarif=tagguard.sarif`. */
  option: string;
  format: FormatName;
  file: string;
}

const isFormat = (name: string): name is FormatName => (FORMAT_NAMES as string[]).includes(name);

/**
 * The reports `--report` names, checked before the scan runs: a known format, a file
 * that may be written (inside the working directory, not a symlink, its directory
 * there), and no file written twice, whether by two reports or by one and `--output`
 * or `--create-baseline`.
 */
export function reportTargets(
  values: readonly string[],
  cwd: string,
  others: { option: string; file: string | undefined }[] = [],
): ReportTarget[] {
  const targets = values.map((value): ReportTarget => {
    const option = `--report ${value}`;
    const at = value.indexOf('=');
    if (at < 0) throw new UsageError(`${option}: name a format and a file, FORMAT=FILE (for example sarif=tagguard.sarif)`);
    const format = value.slice(0, at);
    const file = value.slice(at + 1);
    if (!isFormat(format)) throw new UsageError(`${option}: unknown format "${format}" (one of ${FORMAT_NAMES.join(', ')})`);
    if (!file) throw new UsageError(`${option}: name a file after the =`);
    try {
      checkPath('--report', file, 'output-file', cwd);
    } catch (e) {
      // checkPath names `--report <file>`; the message names the option as it was given.
      throw e instanceof UsageError ? new UsageError(`${option}${e.message.slice(`--report ${file}`.length)}`) : e;
    }
    return { option, format, file };
  });
  const seen = new Map<string, string>();
  for (const { option, file } of [...others, ...targets]) {
    if (file === undefined) continue;
    const abs = path.resolve(cwd, file);
    const before = seen.get(abs);
    if (before !== undefined) throw new UsageError(`${option}: ${before} writes ${file} too; name another file`);
    seen.set(abs, option);
  }
  return targets;
}
