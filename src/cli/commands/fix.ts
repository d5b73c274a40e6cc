import { escapeControl, forTerminal } from '../../report/escape';
import type { ScanOptions, ScanResult } from '../../scan/types';
import { lazy } from '../../lazy';
import { say, type Io } from '../io';

const loadApply = lazy<typeof import('../../fix/apply')>(require, '../../fix/apply');
const loadPlanFixes = lazy<typeof import('../../fix/plan-fixes')>(require, '../../fix/plan-fixes');
const loadScan = lazy<typeof import('../../scan/run')>(require, '../../scan/run');

/** Plans and applies the fixes (or prints them), then scans again so that the report shows what is left. */
export async function fixAndScanAgain(result: ScanResult, options: ScanOptions, dryRun: boolean, io: Io): Promise<ScanResult> {
  const { applyEdits, outsideWorkingDirectory, unifiedDiff, writeChanges } = loadApply();
  const { planFixes, planSafeFixes } = loadPlanFixes();
  const broken = new Set(result.errors.map((e) => e.file));
  const planOptions = { cdktfOutputs: result.cdktfOutputs };
  const plan = result.configuration
    ? await planSafeFixes(result.findings, result.resources, result.sources, options.policy, result.configuration, planOptions)
    : planFixes(result.findings, result.resources, result.sources, options.policy, planOptions);
  // A file with input errors is never edited; its findings are still reported.
  for (const file of new Set(plan.edits.filter((e) => broken.has(e.file)).map((e) => e.file)))
    say(io, `not fixed: ${file}: it has input errors (see the report); fix them first`);
  const applied = await applyEdits(
    plan.edits.filter((e) => !broken.has(e.file)),
    result.sources,
  );
  // A file reached through a symlink that leads out of the working directory is never written, nor shown as a fix.
  const outside = outsideWorkingDirectory(applied.changed, io.cwd);
  applied.changed = applied.changed.filter((c) => !outside.some((o) => o.file === c.file));
  for (const r of applied.refused) say(io, `not fixed: ${r.file}: ${r.reason}`);
  for (const m of plan.manual) {
    // A reason of several lines (the resource block to add) keeps them, each escaped on its own and indented.
    const [first, ...more] = m.reason.split('\n');
    say(io, `needs a person: ${m.finding.file}:${m.finding.line}:${m.finding.column} ${m.finding.resource}: ${first}`);
    for (const line of more) io.stderr.write(`  ${forTerminal(line)}\n`);
  }
  for (const o of outside) say(io, `needs a person: ${o.file}: ${o.reason}`);
  if (dryRun) {
    // The file's own lines and line breaks, with its control characters and CI commands made inert (report/escape.ts).
    const diff = unifiedDiff(applied.changed.map((c) => ({ ...c, file: escapeControl(c.file) })));
    io.stdout.write(forTerminal(diff, { keepLineBreaks: true }));
    return result;
  }
  const unwritten = await writeChanges(applied.changed, io.cwd);
  for (const u of unwritten) say(io, `not fixed: ${u.file}: ${u.reason}`);
  for (const c of applied.changed) say(io, `fixed ${c.file}`);
  const after = applied.changed.length ? await loadScan().scan(options) : result;
  // A fix that could not be written is an input problem of that file (exit 2), as an unreadable file is.
  return unwritten.length
    ? {
        ...after,
        errors: [...after.errors, ...unwritten.map((u) => ({ file: u.file, line: 0, column: 0, message: `not fixed: ${u.reason}` }))],
      }
    : after;
}
