import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { createTwoFilesPatch } from 'diff';
import writeFileAtomic from 'write-file-atomic';
import { leadsOutside } from '../discover/inside';
import { parseHcl } from '../parse/hcl';
import { parseTerraformJson, parseTerraformJsonValues } from '../parse/json';
import { SourceFile } from '../parse/source';
import { compareText } from '../policy/findings';
import type { Edit } from './edit';

export interface FileChange {
  file: string;
  before: string;
  after: string;
}

export interface ApplyResult {
  changed: FileChange[];
  /** Files left as they were, with the reason (overlapping edits, or the result no longer parses). */
  refused: { file: string; reason: string }[];
}

/**
 * The new text of every file the edits touch, each checked by parsing it again. The
 * byte order mark, line endings and every byte outside the edits stay as they were.
 */
export async function applyEdits(edits: Edit[], sources: ReadonlyMap<string, SourceFile>): Promise<ApplyResult> {
  const result: ApplyResult = { changed: [], refused: [] };
  const byFile = new Map<string, Edit[]>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, list] of [...byFile].sort(([a], [b]) => compareText(a, b))) {
    // One file's failure is a message for that file: the others are still fixed.
    try {
      const outcome = await applyToFile(file, list, sources);
      if (typeof outcome === 'string') result.refused.push({ file, reason: outcome });
      else if (outcome) result.changed.push(outcome);
    } catch (e) {
      result.refused.push({ file, reason: `could not apply the fix (${e instanceof Error ? e.message : String(e)})` });
    }
  }
  return result;
}

/** The change of one file, nothing when the edits change nothing, or why it is left as it was. */
async function applyToFile(file: string, list: Edit[], sources: ReadonlyMap<string, SourceFile>): Promise<FileChange | string | undefined> {
  const source = sources.get(file);
  // The edits are made from the sources: every file they name was read.
  if (!source) throw new Error(`an edit of ${file}, which was not read`);
  // Edits that touch are made one after the other; edits that overlap are a planning error (source-edits.ts: removeBlocks plans
  // neighbouring removals as one edit), never merged here, where which separator goes can no longer be known.
  const sorted = [...list].sort((a, b) => b.start - a.start || b.end - a.end);
  if (sorted.some((e, i) => i > 0 && e.end > sorted[i - 1].start)) return 'edits overlap';
  let text = source.text;
  for (const e of sorted) text = text.slice(0, e.start) + e.text + text.slice(e.end);
  if (text === source.text) return undefined;
  if (!(await stillParses(file, text))) return 'the edited file would no longer parse';
  const bom = source.hasBom ? '\ufeff' : '';
  return { file, before: bom + source.text, after: bom + text };
}

async function stillParses(file: string, text: string): Promise<boolean> {
  const source = new SourceFile(file, text);
  if (file.endsWith('.tfvars.json')) return (await parseTerraformJsonValues(source)).ok;
  if (file.endsWith('.json')) return (await parseTerraformJson(source)).ok;
  return (await parseHcl(source)).ok;
}

/**
 * The changes whose file really lies outside the working directory: reached through a
 * symlinked file or module directory that leads out of it. Their display path is inside,
 * but writing them would change a file the user did not ask to fix.
 */
export function outsideWorkingDirectory(changes: readonly FileChange[], cwd: string): { file: string; reason: string }[] {
  const top = realpathSync(cwd);
  const outside: { file: string; reason: string }[] = [];
  for (const c of changes) {
    const out = leadsOutside(path.resolve(cwd, c.file), [top]);
    if (out) outside.push({ file: c.file, reason: out.reason });
  }
  return outside;
}

/**
 * Writes each file atomically (a temporary file, then a rename), keeping its mode; a file
 * that cannot be written is left as it was and returned with the reason.
 * Files outside the working directory (outsideWorkingDirectory) are not written: they
 * are taken out of `changes`, so that it lists what was written, and returned.
 */
export async function writeChanges(changes: FileChange[], cwd: string): Promise<{ file: string; reason: string }[]> {
  const refused = outsideWorkingDirectory(changes, cwd);
  const skip = new Set(refused.map((r) => r.file));
  const written: FileChange[] = [];
  for (const c of changes.filter((c) => !skip.has(c.file))) {
    // One file that cannot be written (a read-only directory, an immutable file) is reported; the others are still written.
    try {
      const real = realpathSync(path.resolve(cwd, c.file));
      await writeFileAtomic(real, c.after, { mode: statSync(real).mode & 0o7777 });
      written.push(c);
    } catch (e) {
      refused.push({ file: c.file, reason: `cannot write it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
    }
  }
  changes.splice(0, changes.length, ...written);
  return refused;
}

export function unifiedDiff(changes: FileChange[]): string {
  return changes
    .map((c) => createTwoFilesPatch(`a/${c.file}`, `b/${c.file}`, c.before, c.after, undefined, undefined, { context: 3 }))
    .join('');
}
