/**
 * Robustness properties over generated Terraform (test/terraform-arbitraries.ts):
 * the scanner never throws, always finishes, and damage to one file never changes
 * what is reported for another directory.
 *
 * fast-check prints the seed and the shrunk counterexample of a failure; replay it
 * with `{ seed, path }` in the fc.assert parameters.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { scan } from '../src/scan/run';
import type { ScanResult } from '../src/scan/types';
import { parseHcl } from '../src/parse/hcl';
import { parseTerraformJson } from '../src/parse/json';
import { SourceFile } from '../src/parse/source';
import { DEFAULT_POLICY, runCli, tempDir } from './helpers';
import { anyDamage, applyDamage, breakingDamage, moduleTree, type Damage } from './terraform-arbitraries';
import { FORMAT_NAMES } from '../src/report/formatters';

/**
 * A hang detector, not a speed assertion: a case that takes this long is stuck. It
 * catches work that never settles (a pending promise, an endless asynchronous loop);
 * an endless synchronous loop blocks this timer as it blocks jest's own timeout.
 */
const BUDGET_MS = 10_000;

type Tree = Record<string, Record<string, string>>;

function withBudget<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} did not finish within ${BUDGET_MS} ms`));
    }, BUDGET_MS);
  });
  return Promise.race([work, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** Writes the tree to a new temporary directory (a repository root of its own). */
function writeTree(tree: Tree): string {
  const dir = tempDir('prop');
  mkdirSync(path.join(dir, '.git'));
  for (const [top, files] of Object.entries(tree)) {
    for (const [rel, text] of Object.entries(files)) {
      const file = path.join(dir, top, rel);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text);
    }
  }
  return dir;
}

async function inTree<T>(tree: Tree, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = writeTree(tree);
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const scanDir = (cwd: string) =>
  withBudget(scan({ paths: ['.'], cwd, policy: DEFAULT_POLICY, variables: { varFiles: [], vars: [], env: {} } }), `scan of ${cwd}`);

/** The parts of a finding that must not move: rule, resource, place, severity. */
const key = (f: ScanResult['findings'][number]) => JSON.stringify([f.ruleId, f.resource, f.file, f.line, f.column, f.severity]);
const under = (dir: string) => (file: string) => file.startsWith(`${dir}/`);
const findingsIn = (r: ScanResult, inDir: (file: string) => boolean) =>
  r.findings
    .filter((f) => inDir(f.file))
    .map(key)
    .sort();
const errorsIn = (r: ScanResult, inDir: (file: string) => boolean) =>
  r.errors
    .filter((e) => inDir(e.file))
    .map((e) => JSON.stringify(e))
    .sort();

/** Errors after the damage that were not there before it. */
function newErrors(before: ScanResult, after: ScanResult): ScanResult['errors'] {
  const old = new Set(before.errors.map((e) => JSON.stringify(e)));
  return after.errors.filter((e) => !old.has(JSON.stringify(e)));
}

/** One file of the tree to damage, picked by `pick`. */
function target(tree: Tree, pick: number): { top: string; rel: string } {
  const tops = Object.keys(tree);
  const top = tops[pick % tops.length];
  const rels = Object.keys(tree[top]);
  return { top, rel: rels[Math.floor(pick / tops.length) % rels.length] };
}

function damaged(tree: Tree, top: string, rel: string, damage: Damage): { bytes: Buffer; text: string } {
  const bytes = applyDamage(tree[top][rel], damage);
  return { bytes, text: bytes.toString('utf8') };
}

interface Damaged {
  top: string;
  rel: string;
  file: string;
  text: string;
  before: ScanResult;
  after: ScanResult;
  elsewhere: (file: string) => boolean;
}

/** Scans the tree, damages one file, scans again; findings outside the damaged directory must not move. */
async function damageOne(tree: Tree, pick: number, damage: Damage, check: (d: Damaged) => void | Promise<void>): Promise<void> {
  const { top, rel } = target(tree, pick);
  const file = `${top}/${rel}`;
  const { bytes, text } = damaged(tree, top, rel, damage);
  await inTree(tree, async (dir) => {
    const before = await scanDir(dir);
    writeFileSync(path.join(dir, file), bytes);
    const after = await scanDir(dir);
    const elsewhere = (f: string) => !under(top)(f);
    expect(findingsIn(after, elsewhere)).toEqual(findingsIn(before, elsewhere));
    await check({ top, rel, file, text, before, after, elsewhere });
  });
}

/** Whether tagguard's own parsers accept the text (then the damage left a valid file). */
async function parses(file: string, text: string): Promise<boolean> {
  const source = new SourceFile(file, text);
  return (file.endsWith('.json') ? await parseTerraformJson(source) : await parseHcl(source)).ok;
}

/**
 * README, Bad input: "a file that names none of the judged resource types and declares
 * no module, variable or local is not parsed", and a directory that cannot lead to a
 * judged resource is not loaded (README, Performance), so neither is checked for
 * syntax errors. Erring towards "may be skipped".
 */
function mayBeSkipped(file: string, text: string, dirTexts: string[]): boolean {
  // A root's tfvars are read whenever the root is loaded.
  const fileMatters = file.endsWith('.tfvars') || text.includes('aws_ecr_repository') || /\b(module|variable|locals|output)\b/.test(text);
  const dirMatters = dirTexts.some((t) => t.includes('aws_ecr_repository') || /\bmodule\b/.test(t));
  return !fileMatters || !dirMatters;
}

/** The texts of the files in the damaged file's directory, the damaged one as damaged. */
function dirTexts(tree: Tree, top: string, rel: string, text: string): string[] {
  const dir = path.posix.dirname(rel);
  return Object.entries(tree[top])
    .filter(([r]) => path.posix.dirname(r) === dir && !r.endsWith('.tfvars'))
    .map(([r, t]) => (r === rel ? text : t));
}

const FORMATS = FORMAT_NAMES;

describe('generated Terraform, whole or damaged', () => {
  test('scan() resolves within the budget and the CLI exits 0, 1 or 2 without an internal error', async () => {
    await fc.assert(
      fc.asyncProperty(
        moduleTree,
        fc.option(fc.tuple(fc.nat(), anyDamage), { nil: undefined }),
        fc.constantFrom(...FORMATS),
        fc.boolean(),
        fc.subarray([
          '--unknown=error',
          '--unknown=ignore',
          '--var=mutability=MUTABLE',
          '--var=enabled=true',
          '--allow-mutable-tag=dev-*',
          '--verbose',
        ]),
        async (tree, damage, format, dryRun, options) => {
          const bytesOf: Record<string, Buffer> = {};
          if (damage) {
            const { top, rel } = target(tree, damage[0]);
            bytesOf[`${top}/${rel}`] = damaged(tree, top, rel, damage[1]).bytes;
          }
          await inTree(tree, async (dir) => {
            for (const [rel, bytes] of Object.entries(bytesOf)) writeFileSync(path.join(dir, rel), bytes);
            const result = await scanDir(dir);
            expect(Array.isArray(result.findings) && Array.isArray(result.errors)).toBe(true);
            const argv = ['scan', '--format', format, ...options, ...(dryRun ? ['--fix-dry-run'] : [])];
            const cli = await withBudget(runCli(argv, dir), `tagguard ${argv.join(' ')}`);
            expect(cli.err).not.toMatch(/internal error/);
            expect([0, 1, 2]).toContain(cli.code);
            if (format === 'json' && !dryRun) {
              const report = cli.json();
              expect(report.version).toBe(1);
              // The exit code is the one the report calls for (design.md, Exit codes).
              expect(cli.code).toBe(report.errors.length > 0 ? 2 : report.summary.errors > 0 ? 1 : 0);
              if (options.length === 0)
                expect(report.findings.map((f: ScanResult['findings'][number]) => key(f)).sort()).toEqual(result.findings.map(key).sort());
            }
          });
        },
      ),
      { numRuns: 50 },
    );
  });

  test('damage to one file changes nothing reported for the other directories; the damaged file is reported or changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(moduleTree, fc.nat(), anyDamage, (tree, pick, damage) =>
        damageOne(tree, pick, damage, async ({ top, rel, file, text, before, after, elsewhere }) => {
          expect(errorsIn(after, elsewhere)).toEqual(errorsIn(before, elsewhere));
          const reported = newErrors(before, after).some((e) => e.file === file);
          if (!reported) {
            // Not reported: then nothing in its directory changed, or the damage left a
            // valid file, or the file is one tagguard does not parse at all.
            const unchanged = JSON.stringify(findingsIn(after, under(top))) === JSON.stringify(findingsIn(before, under(top)));
            const explained = unchanged || (await parses(file, text)) || mayBeSkipped(file, text, dirTexts(tree, top, rel, text));
            expect({ file, damage, explained }).toEqual({ file, damage, explained: true });
          }
        }),
      ),
      { numRuns: 50 },
    );
  });

  test('a file made certainly invalid (stray brace, quote or NUL at a line start; cut inside a block) is reported with its path', async () => {
    await fc.assert(
      fc.asyncProperty(moduleTree, fc.nat(), breakingDamage, (tree, pick, damage) =>
        damageOne(tree, pick, damage, ({ top, rel, file, text, before, after }) => {
          const reported = newErrors(before, after).some((e) => e.file === file && e.line >= 1);
          if (!mayBeSkipped(file, text, dirTexts(tree, top, rel, text)))
            expect({ file, damage, reported }).toEqual({ file, damage, reported: true });
        }),
      ),
      { numRuns: 50 },
    );
  });
});
