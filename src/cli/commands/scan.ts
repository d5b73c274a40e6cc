import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { leadsOutside } from '../../discover/inside';
import type { PreSearch } from '../../discover/pre-search';
import { createBaseline } from '../../policy/baseline';
import { formatter } from '../../report/formatters';
import type { ScanResult } from '../../scan/types';
import { startSearches } from '../early-search';
import { packageVersion, say, writeInside, type Io } from '../io';
import { scanOptions, type ScanArgs } from '../scan-options';
import { fixAndScanAgain } from './fix';
import { lazy } from '../../lazy';

const loadScan = lazy<typeof import('../../scan/run')>(require, '../../scan/run');

/** `scan` and `fix`: scans (and fixes), writes the baseline and the report, and returns the exit code. */
export async function scanCommand(args: ScanArgs, io: Io, preSearch: PreSearch): Promise<number> {
  const options = scanOptions(args, io);
  // grep runs on another core while the scanner's modules load (discover/pre-search.ts).
  startSearches(options, preSearch);
  const { scan, exitCode } = loadScan();
  let result = await scan(options, undefined, preSearch);
  if (args.fix || args['fix-dry-run']) result = await fixAndScanAgain(result, options, args['fix-dry-run'], io);
  if (args['fix-dry-run']) return exitCode(result, options.failure);
  if (args.verbose && !args.quiet) for (const note of result.notes) say(io, note);
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
  const shown = args.format === 'text' ? { ...result, sources: framedSources(result, args.paths ?? ['.'], io.cwd) } : result;
  const report = formatter(args.format)(shown, { color, version: packageVersion(), quiet: args.quiet });
  if (args.output) await writeInside('--output', args.output, report, io.cwd);
  else io.stdout.write(report);
  // Writing a baseline accepts today's findings: only an input error fails it.
  if (args['create-baseline']) return exitCode(result, { threshold: 'error', softFail: true });
  return exitCode(result, options.failure);
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
