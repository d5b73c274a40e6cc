import { readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import type yargsType from 'yargs';
import { expandGlob, isGlob } from '../discover/glob';
import { leadsOutside } from '../discover/inside';
import { repositoryRoot } from '../discover/repository';
import { displayPath, namedFiles, slashPath } from '../discover/paths';
import { isConfigFile, isVarFile } from '../discover/terraform-files';
import { DEFAULT_MAX_FILE_BYTES, readTextFile } from '../discover/read';
import { parseBaseline, type Baseline } from '../policy/baseline';
import { DEFAULT_ALLOWED_MUTABLE_TAGS, DEFAULT_MOVING_TAGS, DEFAULT_UNSEEN_REGISTRY } from '../policy/input';
import type { ScanOptions } from '../scan/types';
import { CommitFiles, configAtCommit, pathAtCommit } from './config-at-commit';
import { ConfigError, findConfig, loadedConfig, type Config, type LoadedConfig } from './config-file';
import { changedFiles } from './git';
import { say, type Io } from './io';
import { FIX_OPTIONS, SCAN_OPTIONS, TAG_PATTERN } from './options';
import { checkOptionPaths, checkPath, UsageError } from './usage';

/** A scan's or a fix's command line, as yargs reads it. */
export type ScanArgs = yargsType.InferredOptionTypes<typeof FIX_OPTIONS> & { paths?: string[]; fix: boolean };

/** What --config-from reads from the commit rather than the working tree: the files that configure the check. */
const FROM_COMMIT = ['config', 'baseline', 'policy'];

/**
 * The scan a command line asks for: its options merged over the configuration file
 * (.tagguard.yml, or the one at --config-from's commit); command-line options win.
 */
export function scanOptions(args: ScanArgs, io: Io): ScanOptions {
  const commit = args['config-from'] !== undefined ? CommitFiles.open(args['config-from'], io.cwd) : undefined;
  // With --config-from, the files that configure the check need not be in the working tree: a pull request may have removed them.
  checkOptionPaths(
    commit ? Object.fromEntries(Object.entries(SCAN_OPTIONS).filter(([name]) => !FROM_COMMIT.includes(name))) : SCAN_OPTIONS,
    args,
    io.cwd,
  );
  const paths = args.paths ?? ['.'];
  const found = commit ? configAtCommit(commit, io.cwd, args.config) : configFor(args.config, io.cwd);
  const config = found?.config ?? {};
  const maxFileSize = args['max-file-size'] ?? config.max_file_size;
  const maxFileBytes = maxFileSize ? parseSize(String(maxFileSize)) : undefined;
  // Paths in the config file are relative to it; command-line options win. Variables files are code under review: always the working tree's.
  const fromConfig = (key: 'var_files' | 'policies') =>
    found?.config[key]?.map((p) => {
      const relative = path.relative(io.cwd, path.resolve(found.dir, p));
      checkPath(`${found.display}: ${key}:`, relative, 'file', io.cwd);
      if (key === 'var_files') insideRepository(found, `${found.display}: ${key}: ${p}`, path.resolve(found.dir, p), io);
      return relative;
    });
  const policies: ScanOptions['policies'] = commit
    ? args.policy
      ? args.policy.map((p) => policyAtCommit(commit, commitPath(commit, '--policy', p, io.cwd), `--policy ${p}`, maxFileBytes))
      : found?.config.policies?.map((p) =>
          policyAtCommit(commit, pathAtCommit(commit, found, 'policies', p), `${found.display}: policies: ${p}`, maxFileBytes),
        )
    : (args.policy ?? fromConfig('policies'));
  const only = onlyFiles(paths, args['changed-since'], io.cwd);
  const maxDepth = args['max-depth'] ?? config.max_depth;
  const allowedMutableTags = args['allow-mutable-tag'] ?? config.allowed_mutable_tags ?? [...DEFAULT_ALLOWED_MUTABLE_TAGS];
  const from = args['allow-mutable-tag'] ? '--allow-mutable-tag' : `${found?.display ?? '.tagguard.yml'}: allowed_mutable_tags:`;
  for (const pattern of allowedMutableTags.filter((p) => !TAG_PATTERN.test(p)))
    say(
      io,
      `${from} ${JSON.stringify(pattern)}: only * is a wildcard; every other character matches only itself, and ECR filters hold only letters, digits and . _ - *, so this pattern allows no filter`,
    );
  return {
    paths: only.scanPaths,
    onlyFiles: only.files,
    baseline: baselineFor(args.baseline, found, commit, io.cwd),
    cwd: io.cwd,
    policy: {
      allowedMutableTags,
      unknown: args.unknown ?? config.unknown ?? 'warn',
      movingTags: args['moving-tag'] ?? config.moving_tags ?? [...DEFAULT_MOVING_TAGS],
      unseenRegistry: args['unseen-registry'] ?? config.unseen_registry ?? DEFAULT_UNSEEN_REGISTRY,
    },
    variables: {
      varFiles: args['var-file'] ?? fromConfig('var_files') ?? [],
      vars: args.var,
      env: io.env,
      rootVarFiles: rootVarFiles(found, only.files, io),
      eachVarFile: args['each-var-file'] ?? config.each_var_file ?? false,
    },
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
      ...(maxDepth ? { maxDepth: positive('--max-depth', maxDepth) } : {}),
    },
    rules: ruleSelection(args, config, found?.display ?? '.tagguard.yml'),
    ...(args['skip-path']?.length ? { skipPaths: { base: io.cwd, patterns: skipPaths(args['skip-path']) } } : {}),
    ...((args.strict ?? config.strict) ? { strict: true } : {}),
    failure: {
      threshold: args['severity-threshold'] ?? config.severity_threshold ?? 'error',
      softFail: args['soft-fail'] ?? config.soft_fail ?? false,
    },
  };
}

/** --skip-rule and --only-rule, else the configuration's lists; the rules they name are checked once the rules are loaded (scan/run.ts). */
function ruleSelection(args: ScanArgs, config: Config, display: string): ScanOptions['rules'] {
  const skip = args['skip-rule'] ?? config.skip_rules;
  const only = args['only-rule'] ?? config.only_rules;
  if (!skip && !only) return undefined;
  for (const [option, ids] of [
    ['--skip-rule', args['skip-rule']],
    ['--only-rule', args['only-rule']],
  ] as const)
    if (ids?.includes('')) throw new UsageError(`${option} needs a rule id`);
  return {
    skip: skip ?? [],
    ...(only ? { only } : {}),
    from: {
      skip: args['skip-rule'] ? '--skip-rule' : `${display}: skip_rules:`,
      only: args['only-rule'] ? '--only-rule' : `${display}: only_rules:`,
    },
  };
}

/** --skip-path patterns, in .gitignore syntax; an empty one would match nothing and is a mistake. */
function skipPaths(patterns: string[]): string[] {
  if (patterns.some((p) => !p.trim())) throw new UsageError('--skip-path needs a pattern');
  return patterns;
}

/** A size in bytes, or with a binary unit: 512k, 10M, 1G. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg])?(?:i?b)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--max-file-size: "${text}" is not a size (bytes, or a number with k, M or G)`);
  // The unit group is optional: undefined when the size is in bytes.
  const bytes = Math.floor(Number(m[1]) * 1024 ** ' kmg'.indexOf((m.at(2) ?? ' ').toLowerCase()));
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
 * Files named on the command line (a pre-commit hook passes the staged ones) or
 * changed since a git ref limit the report, not the evaluation: the whole tree is
 * still read, so that variables, modules and callers defined elsewhere resolve.
 */
function onlyFiles(paths: string[], changedSince: string | undefined, cwd: string): { scanPaths: string[]; files?: Set<string> } {
  const named = namedFiles(paths, cwd);
  let files = named.files;
  if (changedSince !== undefined) {
    const changed = new Set(changedFiles(changedSince, cwd));
    files = files ? new Set([...files].filter((f) => changed.has(f))) : changed;
  }
  return { scanPaths: named.scanPaths, files };
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
function baselineFor(
  option: string | undefined,
  found: LoadedConfig | undefined,
  commit: CommitFiles | undefined,
  cwd: string,
): Baseline | undefined {
  if (option !== undefined)
    return commit
      ? baselineAtCommit(commit, commitPath(commit, '--baseline', option, cwd), `--baseline ${option}`)
      : readBaseline(path.resolve(cwd, option), `--baseline ${option}`);
  const named = found?.config.baseline;
  if (!found || named === undefined) return undefined;
  if (commit) return baselineAtCommit(commit, pathAtCommit(commit, found, 'baseline', named), `${found.display}: baseline: ${named}`);
  const relative = path.relative(cwd, path.resolve(found.dir, named));
  checkPath(`${found.display}: baseline:`, relative, 'file', cwd);
  return readBaseline(path.resolve(cwd, relative), `${found.display}: baseline: ${named}`);
}

function readBaseline(file: string, what: string): Baseline {
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

/** A custom policy read from the commit (--config-from), named `<ref>:<path>` in messages and reports. */
function policyAtCommit(
  commit: CommitFiles,
  rel: string,
  what: string,
  maxBytes = DEFAULT_MAX_FILE_BYTES,
): { name: string; bytes: Buffer } {
  const read = commit.read(rel, maxBytes, '--max-file-size');
  if (!read) throw new UsageError(`${what}: no such file at ${commit.ref} (--config-from)`);
  if (!read.ok) throw new UsageError(`${what}: ${commit.display(rel)}: ${read.message}`);
  return { name: commit.display(rel), bytes: read.bytes };
}

/** A path given on the command line, as a path in the repository, for --config-from. */
function commitPath(commit: CommitFiles, option: string, value: string, cwd: string): string {
  const rel = commit.relative(path.resolve(cwd, value));
  if (rel === undefined)
    throw new UsageError(`${option} ${value}: outside the repository, so it cannot be read from ${commit.ref} (--config-from)`);
  return rel;
}

/**
 * The variables files of some roots only, by the root's absolute directory: those
 * .tagguard.yml's `roots` assigns (globs expanded, relative to the file and then to
 * each root), then each tfvars file named on the command line that it assigns to no
 * root, applied to the nearest module directory at or above it (the pre-commit case).
 */
function rootVarFiles(found: LoadedConfig | undefined, named: ReadonlySet<string> | undefined, io: Io): Map<string, string[]> {
  const byRoot = new Map<string, string[]>();
  const add = (dir: string, file: string) => byRoot.set(dir, [...(byRoot.get(dir) ?? []), file]);
  for (const [pattern, settings] of Object.entries(found?.config.roots ?? {})) {
    const where = `${found?.display ?? '.tagguard.yml'}: roots: ${pattern}`;
    const dirs = expandGlob(found?.dir ?? io.cwd, pattern, 'directory');
    if (dirs.length === 0) throw new UsageError(`${where}: no such directory`);
    for (const dir of dirs) {
      insideRepository(found, where, dir, io);
      // A key naming a folder of roots (`envs` for `envs/*`) would apply its files nowhere.
      if (!pattern.includes('*') && !readdirSync(dir).some((name) => isConfigFile(name)))
        throw new UsageError(
          `${where}: no Terraform files in ${displayPath(io.cwd, dir)}, so it is not a root module (did you mean ${pattern}/*?)`,
        );
    }
    for (const dir of dirs)
      for (const file of settings.var_files ?? []) {
        const files = expandGlob(dir, file, 'file');
        if (files.length === 0 && !isGlob(file))
          throw new UsageError(`${where}: var_files: ${file}: no such file in ${displayPath(io.cwd, dir)}`);
        // A glob may rightly match nothing in one of several roots, but never silently.
        if (files.length === 0) say(io, `note: ${where}: var_files: ${file} matches no file in ${displayPath(io.cwd, dir)}`);
        for (const f of files) {
          const relative = path.relative(io.cwd, f);
          checkPath(`${where}: var_files:`, relative, 'file', io.cwd);
          insideRepository(found, `${where}: var_files: ${file}`, f, io);
          add(dir, relative);
        }
      }
  }
  const assigned = new Set([...byRoot.values()].flat().map((f) => slashPath(f)));
  for (const file of named ?? []) {
    if (!isVarFile(file) || assigned.has(file)) continue;
    const dir = moduleDirAbove(path.resolve(io.cwd, file), io.cwd);
    if (dir) add(dir, file);
    else
      say(
        io,
        `${file} is not applied to any root: no Terraform module is in its directory or above it; name its root in .tagguard.yml roots`,
      );
  }
  return byRoot;
}

/** The nearest directory from the file's up to the working directory that holds Terraform or OpenTofu configuration. */
function moduleDirAbove(file: string, cwd: string): string | undefined {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (hasConfiguration(dir)) return dir;
    if (dir === path.resolve(cwd) || path.dirname(dir) === dir || path.relative(cwd, dir).startsWith('..')) return undefined;
  }
}

function hasConfiguration(dir: string): boolean {
  try {
    return readdirSync(dir).some((name) => isConfigFile(name));
  } catch {
    return false;
  }
}

/**
 * A configuration file reads only inside its repository (outside one, the working
 * directory): a pull request that edits .tagguard.yml must not make the scan read, and
 * quote in its messages, /etc/passwd or the runner's environment.
 */
function insideRepository(found: LoadedConfig | undefined, where: string, abs: string, io: Io): void {
  const top = repositoryRoot(found?.dir ?? io.cwd) ?? path.resolve(io.cwd);
  let real: string;
  try {
    real = realpathSync(top);
  } catch {
    real = top;
  }
  if (leadsOutside(abs, [real])) throw new UsageError(`${where}: outside the repository; .tagguard.yml reads only files inside it`);
}
