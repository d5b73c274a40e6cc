import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { leadsOutside } from '../../discover/inside';
import type { PreSearch } from '../../discover/pre-search';
import { createBaseline } from '../../policy/baseline';
import { formatter, type FormatName } from '../../report/formatters';
import type { ScanOptions, ScanResult } from '../../scan/types';
import { startSearches } from '../early-search';
import { EXIT, packageVersion, say, writeInside, type Io } from '../io';
import { reportTargets, type ReportTarget } from '../reports';
import { scanOptions, type ScanArgs } from '../scan-options';
import { UsageError } from '../usage';
import { fixAndScanAgain } from './fix';
import { lazy } from '../../lazy';

const loadScan = lazy<typeof import('../../scan/run')>(require, '../../scan/run');

/** `scan` and `fix`: scans (and fixes), writes the baseline and the report, and returns the exit code. */
export async function scanCommand(args: ScanArgs, io: Io, preSearch: PreSearch): Promise<number> {
  const options = scanOptions(args, io);
  const reports = reportTargets(args.report ?? [], io.cwd, [
    { option: `--output ${args.output ?? ''}`, file: args.output },
    { option: `--create-baseline ${args['create-baseline'] ?? ''}`, file: args['create-baseline'] },
  ]);
  // grep runs on another core while the scanner's modules load (discover/pre-search.ts).
  startSearches(options, preSearch);
  const { scan, exitCode } = loadScan();
  let result = await scan(options, undefined, preSearch);
  if (args.fix || args['fix-dry-run']) result = await fixAndScanAgain(result, options, args['fix-dry-run'], io);
  const render = (format: FormatName, color: boolean, quiet = false) => {
    const shown = format === 'text' ? { ...result, sources: framedSources(result, args.paths ?? ['.'], io.cwd) } : result;
    return formatter(format)(shown, { color, version: packageVersion(), quiet });
  };
  // Written whatever the scan found, input errors included, so that a CI step that uploads them always finds them.
  await writeReports(reports, render, io.cwd);
  if (args['fix-dry-run']) return exitCode(result, options.failure);
  if (args.verbose && !args.quiet) for (const note of result.notes) say(io, note);
  if (!args.quiet) for (const notice of result.notices) say(io, `note: ${notice}`);
  if (args['create-baseline']) {
    await writeInside(
      '--create-baseline',
      args['create-baseline'],
      JSON.stringify(createBaseline(result.findings), null, 2) + '\n',
      io.cwd,
    );
    say(io, `baseline of ${result.findings.filter((f) => !f.suppression).length} findings written to ${args['create-baseline']}`);
  }
  const toTerminal = !args.output;
  // --color and --no-color decide; else a terminal without NO_COLOR (no-color.org: set and not empty) gets colour.
  const color = toTerminal && (args.color ?? (Boolean(io.stdout.isTTY) && !io.env.NO_COLOR));
  const report = render(args.format, color, args.quiet);
  if (args.output) await writeInside('--output', args.output, report, io.cwd);
  else io.stdout.write(report);
  // Writing a baseline accepts today's findings: only an input error fails it.
  if (args['create-baseline']) return exitCode(result, { threshold: 'error', softFail: true });
  const code = exitCode(result, options.failure);
  // Inside a pre-commit hook (which sets PRE_COMMIT=1), a blocked commit says how to fix it.
  if (code === EXIT.findings && !args.fix && io.env.PRE_COMMIT === '1') fixHint(result, options, io);
  return code;
}

const loadPlanFixes = lazy<typeof import('../../fix/plan-fixes')>(require, '../../fix/plan-fixes');

/** A path as a shell word. */
const shellWord = (p: string) => (/^[\w./@%+=:,-]+$/.test(p) ? p : `'${p.replace(/'/g, "'\\''")}'`);

/** When findings block a commit and tagguard can fix some of them: the command and the hook that do it. */
function fixHint(result: ScanResult, options: ScanOptions, io: Io): void {
  const plan = loadPlanFixes().planFixes(result.findings, result.resources, result.sources, options.policy, {
    cdktfOutputs: result.cdktfOutputs,
  });
  const files = [...new Set(plan.edits.map((e) => e.file))].sort();
  if (files.length === 0) return;
  const command = `tagguard fix ${files.map(shellWord).join(' ')}`;
  say(
    io,
    `to fix: run ${command} and stage the changes, or use the tagguard-fix hook (or args: [--fix] on this hook) in .pre-commit-config.yaml`,
  );
}

/** The `--report` files, each written atomically; one that cannot be written is a usage error naming it. */
async function writeReports(reports: readonly ReportTarget[], render: (format: FormatName, color: boolean) => string, cwd: string) {
  for (const r of reports) {
    try {
      await writeInside('--report', r.file, render(r.format, false), cwd);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (e instanceof UsageError || code === undefined) throw e;
      throw new UsageError(`${r.option}: cannot be written: ${code}`);
    }
  }
}

/**
 * The scanned files whose lines a code frame may show: those whose real path is inside
 * the working directory or a directory named on the command line. A symlinked `.tf`
 * file, or a module reached through `../`, that leads elsewhere (a file with secrets,
 * another checkout on the runner) is reported without its lines.
 */
function framedSources(result: ScanResult, paths: readonly string[], cwd: string): ScanResult['sources'] {
  const tops: string[] = [];
  for (const p of [cwd, ...paths.map((p) => path.resolve(cwd, p))]) {
    try {
      if (statSync(p).isDirectory()) tops.push(realpathSync(p));
    } catch {
      // A path that does not exist frames nothing.
    }
  }
  const shown = new Set([...result.findings.map((f) => f.file), ...result.errors.map((e) => e.file)]);
  return new Map([...result.sources].filter(([file]) => shown.has(file) && !leadsOutside(path.resolve(cwd, file), tops)));
}
