import { execFileSync } from 'node:child_process';
import { packageJson } from '../package-root';
import { existsSync, lstatSync, realpathSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type yargsType from 'yargs';
import { createBaseline, parseBaseline, type Baseline } from '../policy/baseline';
import { PolicyError } from '../policy/errors';
import { ConfigError, findConfig, loadedConfig, type LoadedConfig } from './config-file';
import { CommitFiles, configAtCommit, pathAtCommit } from './config-at-commit';
import { explain } from './explain';
import { FIX_OPTIONS, GENERATE_OPTIONS, lastValue, POLICIES_OPTIONS, SCAN_OPTIONS, searchDelayingOptions, valueOptions } from './options';
import type { ScanOptions, ScanResult } from '../scan/run';
import { readTextFile } from '../discover/read';
import { leadsOutside } from '../discover/inside';
import { escapeControl, forTerminal } from '../report/escape';
import { checkOptionPaths, checkPath, UsageError } from './usage';

export { UsageError };

export const EXIT = { clean: 0, findings: 1, usage: 2 } as const;

interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

const defaultIo = (): Io => ({ stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env });

/** Runs the command line and resolves to the exit code; nothing here calls process.exit. */
export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  let code: number = EXIT.clean;
  startEarlySearches(argv, io.cwd);
  // The factory without the singleton that 'yargs' builds from process.argv on load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yargs = require('yargs/yargs') as typeof yargsType;
  const parser = yargs(argv)
    .scriptName('tagguard')
    .strict()
    // `--var.name=x` would become an object where a string is expected: such a word is an unknown option.
    .parserConfiguration({ 'dot-notation': false })
    .help()
    .version(packageVersion())
    .exitProcess(false)
    .fail((msg, err) => {
      throw new UsageError(msg || err?.message || 'invalid command line');
    })
    .command(
      'scan [paths..]',
      'Scan Terraform / OpenTofu code for ECR repositories whose image tags can be overwritten',
      (y) => withPaths(y).options(SCAN_OPTIONS).middleware(lastValue(SCAN_OPTIONS), true),
      async (args) => {
        code = await scanCommand(args, io);
      },
    )
    .command(
      'fix [paths..]',
      'Rewrite the code that makes a repository mutable (scan --fix), then report what is left',
      (y) => withPaths(y).options(FIX_OPTIONS).middleware(lastValue(FIX_OPTIONS), true),
      async (args) => {
        code = await scanCommand({ ...args, fix: true }, io);
      },
    )
    .command(
      'generate',
      'Write a compliant ECR stack (HCL, Terraform JSON or a CDKTF app) by synthesizing tagguard/cdktf',
      (y) => y.options(GENERATE_OPTIONS).middleware(lastValue(GENERATE_OPTIONS), true),
      async (args) => {
        checkOptionPaths(GENERATE_OPTIONS, args, io.cwd);
        code = await generateCommand(args, io);
      },
    )
    .command(
      'policies',
      'List the loaded rules: id, severity and where each comes from',
      (y) => y.options(POLICIES_OPTIONS),
      async (args) => {
        checkOptionPaths(POLICIES_OPTIONS, args, io.cwd);
        const builtin = await lazy().engine.PolicyEngine.load();
        const { CustomPolicy } = lazy().custom;
        const custom = await Promise.all(args.policy.map((p) => CustomPolicy.load(path.resolve(io.cwd, p), { name: p })));
        const loaded = [...builtin.rules(), ...(await Promise.all(custom.map((c) => c.rules().finally(() => c.close())))).flat()];
        // A custom policy's id and title are any text: shown escaped, as everything the scanned repository controls.
        const rules = loaded.map((r) => ({ ...r, id: escapeControl(r.id), severity: escapeControl(r.severity ?? '') }));
        const width = Math.max(...rules.map((r) => r.id.length));
        for (const r of rules) {
          const line = `${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.source === 'built-in' ? 'built-in' : path.relative(io.cwd, r.source ?? '')}  ${r.title ?? ''}`;
          io.stdout.write(`${forTerminal(line)}\n`);
        }
      },
    )
    .command(
      'explain <rule>',
      'Explain a rule: why it matters, its verdicts and how to fix a finding',
      (y) => y.positional('rule', { type: 'string', demandOption: true }),
      async (args) => {
        const rules = (await lazy().engine.PolicyEngine.load()).rules();
        const rule = rules.find((r) => r.id === args.rule || r.aliases?.includes(args.rule));
        if (!rule) throw new UsageError(`unknown rule "${args.rule}"; known rules: ${rules.map((r) => r.id).join(', ')}`);
        io.stdout.write(explain(rule));
      },
    )
    .demandCommand(1, 'name a command: scan, fix, generate, policies or explain');
  try {
    // With a callback, yargs hands over the text of --help and --version instead of printing it to the console.
    let shown = '';
    await parser.parseAsync(argv, {}, (_err, _args, output) => {
      shown += output;
    });
    if (shown) io.stdout.write(`${shown}\n`);
  } catch (e) {
    // What the message quotes (paths, keys, values) is shown escaped; only a list of config errors keeps its line breaks.
    io.stderr.write(`tagguard: ${forTerminal(e instanceof Error ? e.message : String(e), { keepLineBreaks: e instanceof UsageError && e.severalLines })}\n`);
    if (!(e instanceof UsageError || e instanceof PolicyError)) io.stderr.write('(an internal error; please report it with the command line that caused it)\n');
    return EXIT.usage;
  }
  return code;
}

function withPaths(y: yargsType.Argv) {
  return y.positional('paths', { type: 'string', array: true, default: ['.'], describe: 'Files or directories to scan' });
}

type ScanArgs = yargsType.InferredOptionTypes<typeof FIX_OPTIONS> & { paths?: string[]; fix: boolean };

/** What --config-from reads from the commit rather than the working tree: the files that configure the check. */
const FROM_COMMIT = ['config', 'baseline', 'policy'];

async function scanCommand(args: ScanArgs, io: Io): Promise<number> {
  const commit = args['config-from'] !== undefined ? CommitFiles.open(args['config-from'], io.cwd) : undefined;
  // With --config-from, the files that configure the check need not be in the working tree: a pull request may have removed them.
  checkOptionPaths(commit ? Object.fromEntries(Object.entries(SCAN_OPTIONS).filter(([name]) => !FROM_COMMIT.includes(name))) : SCAN_OPTIONS, args, io.cwd);
  const paths = args.paths ?? ['.'];
  const found = commit ? configAtCommit(commit, io.cwd, args.config) : configFor(args.config, io.cwd);
  const config = found?.config ?? {};
  const maxFileSize = args['max-file-size'] ?? config.max_file_size;
  const maxFileBytes = maxFileSize ? parseSize(String(maxFileSize)) : undefined;
  // Paths in the config file are relative to it; command-line options win. Variables files are code under review: always the working tree's.
  const fromConfig = (key: 'var_files' | 'policies') =>
    config[key]?.map((p) => {
      const relative = path.relative(io.cwd, path.resolve(found!.dir, p));
      checkPath(`${found!.display}: ${key}:`, relative, 'file', io.cwd);
      return relative;
    });
  const policies: ScanOptions['policies'] = commit
    ? args.policy
      ? args.policy.map((p) => policyAtCommit(commit, commitPath(commit, '--policy', p, io.cwd), `--policy ${p}`, maxFileBytes))
      : config.policies?.map((p) => policyAtCommit(commit, pathAtCommit(commit, found!, 'policies', p), `${found!.display}: policies: ${p}`, maxFileBytes))
    : (args.policy ?? fromConfig('policies'));
  const only = await onlyFiles(paths, args['changed-since'], io.cwd);
  const options: ScanOptions = {
    paths: only.scanPaths,
    onlyFiles: only.files,
    baseline: await baselineFor(args.baseline, found, commit, io.cwd),
    cwd: io.cwd,
    policy: {
      allowedMutableTags: args['allow-mutable-tag'] ?? config.allowed_mutable_tags ?? ['latest'],
      unknown: args.unknown ?? config.unknown ?? 'warn',
    },
    variables: { varFiles: args['var-file'] ?? fromConfig('var_files') ?? [], vars: args.var, env: io.env },
    exclude: found && config.exclude ? { base: found.dir, patterns: config.exclude } : undefined,
    // Under review, .gitignore is the author's: only the trusted configuration's exclude leaves files out.
    ...(commit ? { gitignore: false } : {}),
    severity: config.severity,
    engine: args.engine ?? config.engine,
    workspace: args.workspace,
    plan: args.plan,
    policies,
    ...(args['policy-timeout'] !== undefined ? { policyTimeoutMs: seconds('--policy-timeout', args['policy-timeout']) * 1000 } : {}),
    configDir: args['config-dir'],
    limits: {
      ...(maxFileBytes ? { maxFileBytes } : {}),
      ...(args['max-depth'] ?? config.max_depth ? { maxDepth: positive('--max-depth', args['max-depth'] ?? config.max_depth!) } : {}),
    },
  };
  // grep runs on another core while the scanner's modules load (searches.ts).
  startSearches(options);
  const { scan, exitCode } = lazy().scan;
  let result = await scan(options);
  if (args.fix || args['fix-dry-run']) result = await fixCommand(result, options, args['fix-dry-run'], io);
  if (args['fix-dry-run']) return exitCode(result);
  if (args.verbose) for (const note of result.notes) say(io, note);
  if (args['create-baseline']) {
    await writeInside('--create-baseline', args['create-baseline'], JSON.stringify(createBaseline(result.findings), null, 2) + '\n', io.cwd);
    say(io, `baseline of ${result.findings.filter((f) => !f.suppression).length} findings written to ${args['create-baseline']}`);
  }
  const toTerminal = !args.output;
  const color = toTerminal && Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  const report = await render(args.format, args.format === 'text' ? { ...result, sources: framedSources(result, paths, io.cwd) } : result, color);
  if (args.output) await writeInside('--output', args.output, report, io.cwd);
  else io.stdout.write(report);
  return exitCode(result);
}

/** A line on stderr: `tagguard: ` and the text, with what the scanned code controls made safe (report/escape.ts). */
function say(io: Io, text: string): void {
  io.stderr.write(`tagguard: ${forTerminal(text)}\n`);
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

/**
 * Writes a file an option names, checked again as before the scan (usage.ts): never
 * through a symlink, never outside the working directory. The path given to the
 * atomic write is already real, so that its own resolving of links changes nothing.
 */
async function writeInside(option: string, value: string, text: string, cwd: string): Promise<void> {
  checkPath(option, value, 'output-file', cwd);
  const abs = path.resolve(cwd, value);
  await writeFileAtomic(path.join(realpathSync(path.dirname(abs)), path.basename(abs)), text);
}

function packageVersion(): string {
  return packageJson().version;
}

/** A size in bytes, or with a binary unit: 512k, 10M, 1G. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg])?(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--max-file-size: "${text}" is not a size (bytes, or a number with k, M or G)`);
  const bytes = Math.floor(Number(m[1]) * 1024 ** ' kmg'.indexOf((m[2] ?? ' ').toLowerCase()));
  return positive('--max-file-size', bytes);
}

function positive(option: string, n: number): number {
  if (!Number.isFinite(n) || n < 1) throw new UsageError(`${option} must be a positive number`);
  return n;
}

/** A number of seconds above 0 (fractions allowed), at most a day: a timer takes no more. */
function seconds(option: string, n: number): number {
  if (!Number.isFinite(n) || n <= 0 || n > 86_400) throw new UsageError(`${option} must be a number of seconds above 0 (at most 86400)`);
  return n;
}

/**
 * The scanner and the policy runtime are loaded when a command needs them: `--help`
 * stays fast, and a caller search can start first.
 */
function lazy() {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    get scan() {
      return require('../scan/run') as typeof import('../scan/run');
    },
    get engine() {
      return require('../policy/engine') as typeof import('../policy/engine');
    },
    get custom() {
      return require('../policy/custom') as typeof import('../policy/custom');
    },
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Starts the grep searches the scan will use (searches.ts), and drops any started early that it will not. */
function startSearches(options: ScanOptions): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { plannedSearches } = require('./searches') as typeof import('./searches');
  const { keepSearches, startSearch } = require('../discover/pre-search') as typeof import('../discover/pre-search');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const planned = plannedSearches(options);
  keepSearches(planned);
  for (const s of planned) startSearch(s.root, s.search);
}

/** Every spelling of scan's (and fix's) options that take a value, from the table yargs is given. */
const VALUE_OPTIONS = valueOptions(SCAN_OPTIONS);
/** Options after which the searches depend on more than the command line (a plan, policies, git, a named config). */
const NO_EARLY_SEARCH = searchDelayingOptions(SCAN_OPTIONS);

/**
 * Starts grep from a first reading of a scan's command line, before yargs and the
 * scanner load (about 40 ms on the pre-commit path). The full parse then keeps the
 * searches it would start itself and drops the others (startSearches).
 */
function startEarlySearches(argv: string[], cwd: string): void {
  const paths = earlyScanPaths(argv);
  if (!paths) return;
  const only = namedFiles(paths.length ? paths : ['.'], cwd);
  startSearches({ paths: only.scanPaths, onlyFiles: only.files, cwd } as ScanOptions);
}

/** The paths of a scan or fix as yargs will read them, or undefined when the searches must wait for the full parse. */
export function earlyScanPaths(argv: string[]): string[] | undefined {
  if (argv[0] !== 'scan' && argv[0] !== 'fix') return undefined;
  const paths: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      paths.push(...argv.slice(i + 1));
      break;
    }
    if (NO_EARLY_SEARCH.some((o) => arg === o || arg.startsWith(`${o}=`))) return undefined;
    if (arg.startsWith('-')) {
      if (takesNextWord(arg)) i++;
      continue;
    }
    paths.push(arg);
  }
  return paths;
}

/** Whether the next word is this option's value, as yargs reads it: after `--var-file` and `-f`, and after `-vf` (the last letter decides); never after `--var-file=f` or a flag. */
function takesNextWord(arg: string): boolean {
  if (arg.startsWith('--')) return VALUE_OPTIONS.includes(arg);
  return /^-[a-zA-Z]+$/.test(arg) && VALUE_OPTIONS.includes(`-${arg.at(-1)}`);
}

/** Formats other than text and JSON are loaded when asked for; SARIF needs the rule descriptors. */
async function render(format: 'text' | 'json' | 'sarif' | 'junit' | 'github' | 'gitlab', result: ScanResult, color: boolean): Promise<string> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  switch (format) {
    case 'text':
      return (require('../report/text') as typeof import('../report/text')).formatText(result, { color });
    case 'json':
      return (require('../report/json') as typeof import('../report/json')).formatJson(result);
    case 'sarif': {
      const { formatSarif } = require('../report/sarif') as typeof import('../report/sarif');
      return formatSarif(result, result.rules, packageVersion());
    }
    case 'junit':
      return (require('../report/junit') as typeof import('../report/junit')).formatJunit(result);
    case 'github':
      return (require('../report/github') as typeof import('../report/github')).formatGithub(result);
    case 'gitlab':
      return (require('../report/gitlab') as typeof import('../report/gitlab')).formatGitlab(result);
  }
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** Atomic writes (a temporary file, then a rename), loaded when something is written. */
function writeFileAtomic(file: string, text: string): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require('write-file-atomic') as typeof import('write-file-atomic'))(file, text);
}

/** Plans and applies the fixes (or prints them), then scans again so that the report shows what is left. */
async function fixCommand(result: ScanResult, options: ScanOptions, dryRun: boolean, io: Io): Promise<ScanResult> {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { applyEdits, outsideWorkingDirectory, unifiedDiff, writeChanges } = require('../fix/apply') as typeof import('../fix/apply');
  const { planFixes } = require('../fix/plan') as typeof import('../fix/plan');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const broken = new Set(result.errors.map((e) => e.file));
  const plan = planFixes(result.findings, result.resources, result.sources, options.policy.allowedMutableTags);
  const applied = await applyEdits(
    plan.edits.filter((e) => !broken.has(e.file)),
    result.sources,
  );
  // A file reached through a symlink that leads out of the working directory is never written, nor shown as a fix.
  const outside = outsideWorkingDirectory(applied.changed, io.cwd);
  applied.changed = applied.changed.filter((c) => !outside.some((o) => o.file === c.file));
  for (const r of applied.refused) say(io, `not fixed: ${r.file}: ${r.reason}`);
  for (const m of plan.manual) say(io, `needs a person: ${m.finding.file}:${m.finding.line}:${m.finding.column} ${m.finding.resource}: ${m.reason}`);
  for (const o of outside) say(io, `needs a person: ${o.file}: ${o.reason}`);
  if (dryRun) {
    // The file's own lines and line breaks, with its control characters and CI commands made inert (report/escape.ts).
    const diff = unifiedDiff(applied.changed.map((c) => ({ ...c, file: escapeControl(c.file) })));
    io.stdout.write(forTerminal(diff, { keepLineBreaks: true }));
    return result;
  }
  await writeChanges(applied.changed, io.cwd);
  for (const c of applied.changed) say(io, `fixed ${c.file}`);
  return applied.changed.length ? lazy().scan.scan(options) : result;
}

function configFor(file: string | undefined, cwd: string): LoadedConfig | undefined {
  try {
    return file ? loadedConfig(path.resolve(cwd, file), cwd) : findConfig(cwd);
  } catch (e) {
    throw e instanceof ConfigError ? new UsageError(`invalid config:\n${e.message}`, true) : new UsageError((e as Error).message);
  }
}

/** A baseline lists findings: far below this. */
const MAX_BASELINE_BYTES = 64 * 1024 * 1024;

/**
 * The baseline `--baseline` names, else the one the configuration names (relative to
 * it); with --config-from, read from the commit.
 */
async function baselineFor(option: string | undefined, found: LoadedConfig | undefined, commit: CommitFiles | undefined, cwd: string): Promise<Baseline | undefined> {
  const named = found?.config.baseline;
  if (commit) {
    if (option !== undefined) return baselineAtCommit(commit, commitPath(commit, '--baseline', option, cwd), `--baseline ${option}`);
    return named === undefined ? undefined : baselineAtCommit(commit, pathAtCommit(commit, found!, 'baseline', named), `${found!.display}: baseline: ${named}`);
  }
  if (option !== undefined) return readBaseline(path.resolve(cwd, option), `--baseline ${option}`);
  if (named === undefined) return undefined;
  const relative = path.relative(cwd, path.resolve(found!.dir, named));
  checkPath(`${found!.display}: baseline:`, relative, 'file', cwd);
  return readBaseline(path.resolve(cwd, relative), `${found!.display}: baseline: ${named}`);
}

async function readBaseline(file: string, what: string): Promise<Baseline> {
  const read = readTextFile(file, MAX_BASELINE_BYTES);
  if (!read.ok) throw new UsageError(`${what}: ${read.message}`);
  return baselineOf(read.text, what);
}

function baselineAtCommit(commit: CommitFiles, rel: string, what: string): Baseline {
  const read = commit.readText(rel, MAX_BASELINE_BYTES, 'baselines are read up to 64 MiB');
  if (!read) throw new UsageError(`${what}: no such file at ${commit.ref} (--config-from)`);
  if (!read.ok) throw new UsageError(`${what}: ${commit.display(rel)}: ${read.message}`);
  return baselineOf(read.text, what);
}

function baselineOf(text: string, what: string): Baseline {
  try {
    return parseBaseline(text);
  } catch (e) {
    throw new UsageError(`${what}: ${(e as Error).message}`);
  }
}

/** --max-file-size's default (terraform/loader.ts DEFAULT_LIMITS, not loaded here: it brings the evaluator). */
const DEFAULT_MAX_FILE_BYTES = 10 * 1024 * 1024;

/** A custom policy read from the commit (--config-from), named `<ref>:<path>` in messages and reports. */
function policyAtCommit(commit: CommitFiles, rel: string, what: string, maxBytes = DEFAULT_MAX_FILE_BYTES): { name: string; bytes: Buffer } {
  const read = commit.read(rel, maxBytes, '--max-file-size');
  if (!read) throw new UsageError(`${what}: no such file at ${commit.ref} (--config-from)`);
  if (!read.ok) throw new UsageError(`${what}: ${commit.display(rel)}: ${read.message}`);
  return { name: commit.display(rel), bytes: read.bytes };
}

/** A path given on the command line, as a path in the repository, for --config-from. */
function commitPath(commit: CommitFiles, option: string, value: string, cwd: string): string {
  const rel = commit.relative(path.resolve(cwd, value));
  if (rel === undefined) throw new UsageError(`${option} ${value}: outside the repository, so it cannot be read from ${commit.ref} (--config-from)`);
  return rel;
}

/**
 * Files named on the command line (a pre-commit hook passes the staged ones) or
 * changed since a git ref limit the report, not the evaluation: the whole tree is
 * still read, so that variables, modules and callers defined elsewhere resolve.
 */
async function onlyFiles(paths: string[], changedSince: string | undefined, cwd: string): Promise<{ scanPaths: string[]; files?: Set<string> }> {
  const named = namedFiles(paths, cwd);
  let files = named.files;
  if (changedSince !== undefined) {
    const changed = new Set(gitChangedFiles(changedSince, cwd));
    files = files ? new Set([...files].filter((f) => changed.has(f))) : changed;
  }
  return { scanPaths: named.scanPaths, files };
}

/** Paths that are all files (a pre-commit hook's) limit the report to them, and the scan covers the working directory. */
function namedFiles(paths: string[], cwd: string): { scanPaths: string[]; files?: Set<string> } {
  const named = paths.length > 0 && paths.every((p) => existsSync(path.resolve(cwd, p)) && statSync(path.resolve(cwd, p)).isFile());
  return named ? { scanPaths: ['.'], files: new Set(paths.map((p) => path.relative(cwd, path.resolve(cwd, p)).split(path.sep).join('/'))) } : { scanPaths: paths };
}

/**
 * The files changed since a commit. The ref is verified as a commit first, after
 * `--end-of-options`, and git diff is given the commit's id: a ref such as
 * `--output=/tmp/x` or `-p` is never read as an option, and a ref that is not a
 * commit (a missing branch, a tree) is a usage error, never an empty, passing scan.
 */
function gitChangedFiles(ref: string, cwd: string): string[] {
  const git = (...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const stderrOf = (e: unknown) => (e as { stderr?: string }).stderr?.trim() || (e as Error).message;
  let commit = '';
  try {
    commit = git('rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`).trim();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`--changed-since ${ref}: git is not installed (${(e as Error).message})`);
    const why = (e as { status?: number }).status === 1 ? '' : stderrOf(e);
    throw new UsageError(`--changed-since ${ref}: not a commit in this repository${why ? ` (${why})` : ''}`);
  }
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(commit)) throw new UsageError(`--changed-since ${ref}: not a commit in this repository`);
  try {
    // -z: names as they are, not quoted (core.quotePath would turn é.tf into "\303\251.tf", which matches no file).
    const diff = git('diff', '-z', '--name-only', '--relative', '--no-ext-diff', commit, '--');
    const untracked = git('ls-files', '-z', '--others', '--exclude-standard');
    return [...diff.split('\0'), ...untracked.split('\0')].filter(Boolean);
  } catch (e) {
    throw new UsageError(`--changed-since ${ref}: ${stderrOf(e)}`);
  }
}

/** cdktf is an optional peer dependency: loaded only for generate, never by scan. */
function loadGenerator(): typeof import('../cdktf/synth') {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../cdktf/synth') as typeof import('../cdktf/synth');
  } catch (e) {
    throw new UsageError(`generate needs cdktf, constructs and @cdktf/provider-aws installed (${(e as Error).message.split('\n')[0]})`);
  }
}

async function generateCommand(
  args: { repo: string[]; 'kms-key'?: string; 'allow-mutable-tag': string[]; format: 'hcl' | 'json' | 'cdktf'; out?: string; force: boolean },
  io: Io,
): Promise<number> {
  const tags = args['allow-mutable-tag'];
  const config = {
    repositories: args.repo.map((name) => ({ name, ...(tags.length ? { mutableTags: tags } : {}) })),
    ...(args['kms-key'] ? { kmsKeyArn: args['kms-key'] } : {}),
    ...(tags.length ? { allowedMutableTags: tags } : {}),
  };
  const files = loadGenerator().generateStack(config, args.format);
  if (!args.out) {
    io.stdout.write(files[0]!.text);
    if (files.length > 1) say(io, `also needs ${files.slice(1).map((f) => f.path).join(', ')}: use --out <dir> to write them all`);
    return EXIT.clean;
  }
  const targets = files.map((f) => ({ ...f, abs: path.resolve(io.cwd, args.out!, f.path) }));
  // --out itself was checked with the other options (usage.ts); a link in it is never written through, even with --force.
  for (const t of targets) {
    if (lstatSync(t.abs, { throwIfNoEntry: false })?.isSymbolicLink()) {
      throw new UsageError(`--out ${args.out}: ${path.relative(io.cwd, t.abs)} is a symlink; tagguard does not write through one`);
    }
  }
  const existing = targets.filter((t) => existsSync(t.abs));
  if (existing.length && !args.force) throw new UsageError(`not overwriting ${existing.map((t) => path.relative(io.cwd, t.abs)).join(', ')} (use --force)`);
  await mkdir(path.resolve(io.cwd, args.out), { recursive: true });
  for (const t of targets) await writeFileAtomic(t.abs, t.text);
  say(io, `wrote ${targets.map((t) => path.relative(io.cwd, t.abs)).join(', ')}`);
  return EXIT.clean;
}

