import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { applyTofuPrecedence, isConfigFile, type Engine } from '../../discover/terraform-files';
import { DEFAULT_MAX_DEPTH, parseHcl, type ParseResult } from '../../parse/hcl';
import { parseTerraformJson } from '../../parse/json';
import { SourceFile, type Problem } from '../../parse/source';
import { DEFAULT_MAX_FILE_BYTES, readBytes, readTextFile } from '../../discover/read';
import type { Comment, ParsedFile } from '../../parse/syntax';
import { moduleConfig, type ModuleConfig } from './module-config';
import { registryModel, REGISTRY_MODELS_DIR } from './registry-models';
import { factsOf, READS_OUTPUTS, relevantDirs, type FileFacts } from '../../discover/relevance';
import { displayPath, slashPath } from '../../discover/paths';

const NOTHING: FileFacts = {
  judged: false,
  declares: false,
  calls: false,
  localSources: [],
  otherCall: false,
  modelledCall: false,
  remoteCall: false,
  unreadableCall: false,
  outputs: false,
  readsOutputs: false,
};

/** A module installed by `terraform init`, as .terraform/modules/modules.json lists it. */
export interface InstalledModule {
  key: string;
  source: string;
  dir: string;
}

/** Bounds on what one file may cost (--max-file-size, --max-depth). */
export interface Limits {
  maxFileBytes: number;
  maxDepth: number;
}

export const DEFAULT_LIMITS: Limits = { maxFileBytes: DEFAULT_MAX_FILE_BYTES, maxDepth: DEFAULT_MAX_DEPTH };

export function isLocalSource(source: string): boolean {
  return source.startsWith('./') || source.startsWith('../');
}

/**
 * Reads and parses module directories once each: the scanned files, then every
 * directory they reach through local module sources, modules installed by
 * `terraform init`, and the models of well-known registry modules.
 */
export class ModuleLoader {
  readonly modules = new Map<string, ModuleConfig>();
  readonly problems: Problem[] = [];
  readonly sources = new Map<string, SourceFile>();
  /** Comments of every parsed file, by reported path. */
  readonly comments = new Map<string, Comment[]>();
  /** Roots' installed modules by root directory. */
  readonly installed = new Map<string, InstalledModule[]>();
  parseErrors = 0;

  /**
   * words: the resource types the rules judge. A file that names none of them and
   * declares no module call, variable or local cannot change a finding, so it is not
   * parsed; a directory that names no judged type and calls no module is not loaded.
   */
  constructor(
    private readonly cwd: string,
    private readonly words: readonly string[] = [],
    private readonly limits: Limits = DEFAULT_LIMITS,
    /** `terraform`: `.tofu` files in called modules are not configuration either. */
    private readonly engine?: Engine,
    /** --strict: the relevance of earlier releases, and every input error in the tree reported (relevance.ts). */
    readonly strict = false,
  ) {}

  /**
   * The configuration files of the scanned tree whose text was read (the models of
   * registry modules left out): files that the pre-search shows cannot matter are not.
   */
  readonly filesRead = new Set<string>();

  /** Files read but not parsed, because they cannot matter to the rules. */
  skipped = 0;

  displayPath(abs: string): string {
    if (abs.startsWith(REGISTRY_MODELS_DIR + path.sep)) return `(model) ${slashPath(path.relative(REGISTRY_MODELS_DIR, abs))}`;
    return displayPath(this.cwd, abs);
  }

  async parseFile(abs: string, text?: string): Promise<ParsedFile | undefined> {
    const source = new SourceFile(this.displayPath(abs), text ?? this.read(abs));
    this.sources.set(source.path, source);
    const options = { maxDepth: this.limits.maxDepth };
    const result: ParseResult = abs.endsWith('.json') ? await parseTerraformJson(source, options) : await parseHcl(source, options);
    if (result.ok) {
      this.comments.set(source.path, result.file.comments);
      return result.file;
    }
    this.parseErrors++;
    this.problems.push(...result.problems);
    return undefined;
  }

  /**
   * Loads the scanned directories that can matter (relevance.ts), then every
   * directory they reach through module calls. Each scanned file is read at most once;
   * only files that name a judged resource type or declare a module, variable or local
   * are parsed. A problem reading a file (not UTF-8, over the size limit) is reported
   * only when its directory matters, unless --strict.
   *
   * focus: when set (the files a pre-commit hook passes), only these directories and
   * the scanned directories that call them, directly or through others, are loaded.
   * readable: when given, only these files are read at first; the others cannot decide
   * whether their directory matters (relevance.ts, decidesSearch; mattersSearch with
   * --strict). Without --strict, the other files of a directory that matters are read
   * once it is known to matter.
   */
  async load(files: string[], focus?: ReadonlySet<string>, readable?: ReadonlySet<string>): Promise<void> {
    const byDir = new Map<string, string[]>();
    for (const f of files) {
      const dir = path.dirname(f);
      const list = byDir.get(dir);
      if (list) list.push(f);
      else byDir.set(dir, [f]);
    }
    const texts = new Map<string, string>();
    const fileFacts = new Map<string, FileFacts>();
    // Problems reading a file, reported once its directory is known to matter.
    const pending = new Map<string, Problem>();
    const inspect = (f: string) => {
      const { text, facts, problem } = this.inspect(f);
      fileFacts.set(f, facts);
      if (problem) pending.set(f, problem);
      // Only the text of a file that may be parsed is kept; one that could not be read is not parsed.
      if ((facts.judged || facts.declares) && !problem) texts.set(f, text);
    };
    for (const f of files) if (!readable || readable.has(f)) inspect(f);
    const outside = new Map<string, FileFacts[] | null>();
    const installed = this.strict ? undefined : installedSeeds([...byDir.keys()], this.words, this.engine);
    let chosen: Set<string>;
    let decided = new Set<string>();
    for (;;) {
      const facts = new Map<string, FileFacts[]>();
      for (const [dir, dirFiles] of byDir)
        facts.set(
          dir,
          dirFiles.map((f) => fileFacts.get(f) ?? NOTHING),
        );
      if (!this.strict) this.explore(facts, outside);
      chosen = relevantDirs(facts, focus, { strict: this.strict, installed });
      // Directories outside the scanned ones are reached through calls, whatever the focus.
      decided = focus ? relevantDirs(facts, undefined, { installed }) : chosen;
      if (this.strict) break;
      // The other files of the directories that matter, and of those they call (whose outputs they may read).
      const more = new Set([...chosen].filter((d) => byDir.has(d)));
      for (const dir of [...more])
        for (const f of byDir.get(dir) ?? [])
          for (const s of fileFacts.get(f)?.localSources ?? []) if (byDir.has(path.resolve(dir, s))) more.add(path.resolve(dir, s));
      const unread = [...more].flatMap((d) => (byDir.get(d) ?? []).filter((f) => !fileFacts.has(f)));
      if (unread.length === 0) break;
      unread.forEach(inspect);
    }
    this.decided = new Map([...outside].filter(([, f]) => f !== null).map(([d]) => [d, decided.has(d)]));
    for (const f of files) {
      const problem = pending.get(f);
      if (problem && (this.strict || chosen.has(path.dirname(f)))) this.problems.push(problem);
    }
    const loading: [string, string[]][] = [];
    for (const [dir, dirFiles] of byDir) {
      if (chosen.has(dir)) loading.push([dir, dirFiles]);
      else {
        this.skipped += dirFiles.length;
        this.skippedDirs.add(dir);
      }
    }
    // In directory order (code units, as sort() without a comparator orders them).
    loading.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    for (const [dir, dirFiles] of loading) await this.loadDir(dir, dirFiles, texts);
    await this.follow([...this.modules.values()]);
  }

  /**
   * Directories outside the scanned ones that local calls lead to (`../modules/x` from
   * a scanned subtree), with their files' facts, and those they lead to in turn, so
   * that relevance sees through them. One that cannot be listed may hold anything:
   * it counts as holding a judged type (loadReached reports it). One that does not
   * exist is left out: it leads nowhere.
   */
  private explore(facts: Map<string, FileFacts[]>, outside: Map<string, FileFacts[] | null>): void {
    const queue = [...facts].flatMap(([dir, f]) => f.flatMap((x) => x.localSources.map((s) => path.resolve(dir, s))));
    for (let dir = queue.shift(); dir !== undefined; dir = queue.shift()) {
      if (facts.has(dir)) continue;
      let known = outside.get(dir);
      if (known === undefined) {
        known = this.outsideFacts(dir);
        outside.set(dir, known);
      }
      if (known === null) continue;
      facts.set(dir, known);
      for (const f of known) for (const s of f.localSources) queue.push(path.resolve(dir, s));
    }
  }

  private outsideFacts(dir: string): FileFacts[] | null {
    if (!existsSync(dir) || !statSync(dir).isDirectory()) return null;
    try {
      return moduleFiles(dir, this.engine).map((f) => {
        const read = readTextFile(f, this.limits.maxFileBytes);
        return read.ok ? factsOf(read.text, this.words) : { ...NOTHING, judged: true };
      });
    } catch {
      return [{ ...NOTHING, judged: true }];
    }
  }

  /** Outside the scanned directories: whether relevance found each directory it explored to matter. */
  private decided = new Map<string, boolean>();

  /**
   * A file's text, what it says about relevance, and why it could not be read. A file
   * that is not UTF-8 is judged by its bytes as Latin-1; one that cannot be read at all
   * (over the size limit, not a regular file) may hold anything, so its directory
   * matters (with --strict, as before: it counts as empty).
   */
  private inspect(file: string): { text: string; facts: FileFacts; problem?: Problem } {
    this.filesRead.add(file);
    const result = readTextFile(file, this.limits.maxFileBytes);
    if (result.ok) return { text: result.text, facts: factsOf(result.text, this.words) };
    const problem = { file: this.displayPath(file), line: result.line ?? 0, column: result.column ?? 0, message: result.message };
    if (this.strict) return { text: '', facts: factsOf('', this.words), problem };
    const bytes = result.line !== undefined ? readBytes(file, this.limits.maxFileBytes) : undefined;
    return { text: '', facts: bytes?.ok ? factsOf(bytes.bytes.toString('latin1'), this.words) : { ...NOTHING, judged: true }, problem };
  }

  /** Loads every directory the queued modules reach through their calls. */
  private async follow(queue: ModuleConfig[]): Promise<void> {
    for (let module = queue.shift(); module !== undefined; module = queue.shift()) {
      const readsOutputs = module.files.some((f) => READS_OUTPUTS.test(this.sources.get(f.path)?.text ?? ''));
      for (const dir of this.reachable(module)) {
        if (this.modules.has(dir) || this.skippedDirs.has(dir) || !existsSync(dir) || !statSync(dir).isDirectory()) continue;
        const loaded = await this.loadReached(dir, readsOutputs);
        if (loaded) queue.push(loaded);
      }
    }
  }

  /**
   * Directories that module sources evaluated at init lead to (OpenTofu), and every
   * directory they reach in turn; each is loaded once, as a called module is.
   */
  async loadCalled(dirs: string[]): Promise<void> {
    const queue: ModuleConfig[] = [];
    for (const dir of dirs) {
      if (this.modules.has(dir) || !existsSync(dir) || !statSync(dir).isDirectory()) continue;
      this.skippedDirs.delete(dir);
      const loaded = await this.loadReached(dir, true);
      if (loaded) queue.push(loaded);
    }
    await this.follow(queue);
  }

  /** Scanned directories left unparsed because nothing in them can reach a judged resource. */
  readonly skippedDirs = new Set<string>();

  /**
   * A directory reached by a module call: loaded unless relevance found it cannot
   * matter (load), or, for one it did not see (a model, an installed module), unless
   * its text names no judged type, calls no module and declares no output that the caller reads.
   */
  private async loadReached(dir: string, outputsRead: boolean): Promise<ModuleConfig | undefined> {
    // Outside the scanned directories, relevance has decided already (load): one that cannot matter is not read again.
    const decided = this.decided.get(dir);
    if (decided === false) {
      this.skippedDirs.add(dir);
      return undefined;
    }
    let chosen: string[];
    try {
      chosen = moduleFiles(dir, this.engine);
    } catch (e) {
      this.problems.push({
        file: this.displayPath(dir),
        line: 0,
        column: 0,
        message: `cannot read the directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      });
      this.skippedDirs.add(dir);
      return undefined;
    }
    const texts = new Map<string, string>();
    let matters = false;
    for (const f of chosen) {
      const text = this.read(f);
      const facts = factsOf(text, this.words);
      if (facts.judged || facts.declares) texts.set(f, text);
      matters ||= facts.judged || facts.calls || (outputsRead && facts.outputs);
    }
    if (decided === undefined && this.words.length && !matters) {
      this.skipped += chosen.length;
      this.skippedDirs.add(dir);
      return undefined;
    }
    return this.loadDir(dir, chosen, texts);
  }

  /** parseable: the texts of the files that name a judged type or declare something; the others are skipped. */
  private async loadDir(dir: string, files: string[], parseable: ReadonlyMap<string, string>): Promise<ModuleConfig> {
    const parsed: ParsedFile[] = [];
    for (const f of files) {
      const text = parseable.get(f);
      if (text === undefined) {
        this.skipped++;
        continue;
      }
      const file = await this.parseFile(f, text);
      if (file) parsed.push(file);
    }
    const config = moduleConfig(dir, parsed);
    this.modules.set(dir, config);
    this.installed.set(dir, readInstalled(dir));
    return config;
  }

  /**
   * A file that cannot be read, is not a regular file, is over the size limit or is
   * not UTF-8 is an input problem, not a crash; it counts as empty. Opened without
   * blocking, so that a FIFO named like a Terraform file cannot stall the scan.
   */
  private read(file: string): string {
    if (!file.startsWith(REGISTRY_MODELS_DIR + path.sep)) this.filesRead.add(file);
    const result = readTextFile(file, this.limits.maxFileBytes);
    if (result.ok) return result.text;
    this.problems.push({ file: this.displayPath(file), line: result.line ?? 0, column: result.column ?? 0, message: result.message });
    return '';
  }

  /** Directories a module's calls may lead to. */
  private reachable(module: ModuleConfig): string[] {
    const dirs: string[] = [];
    for (const call of module.calls) {
      if (!call.source) continue;
      if (isLocalSource(call.source)) dirs.push(path.resolve(module.dir, call.source));
      const model = registryModel(call.source);
      if (model) dirs.push(model);
    }
    for (const m of this.installed.get(module.dir) ?? []) dirs.push(m.dir);
    return dirs;
  }
}

function readInstalled(root: string): InstalledModule[] {
  const file = path.join(root, '.terraform', 'modules', 'modules.json');
  if (!existsSync(file)) return [];
  // Written by terraform init, but in the scanned tree: read as any other input.
  const read = readTextFile(file, DEFAULT_LIMITS.maxFileBytes);
  if (!read.ok) return [];
  try {
    const data = JSON.parse(read.text) as { Modules?: unknown };
    // In the scanned tree, so possibly hostile: an entry that is not three strings is left out.
    const entries = Array.isArray(data.Modules) ? (data.Modules as unknown[]) : [];
    return entries
      .filter((m): m is { Key: string; Source: string; Dir: string } => {
        const e = m as Partial<Record<'Key' | 'Source' | 'Dir', unknown>> | null;
        return typeof e?.Key === 'string' && e.Key !== '' && typeof e.Source === 'string' && typeof e.Dir === 'string';
      })
      .map((m) => ({ key: m.Key, source: m.Source, dir: path.resolve(root, m.Dir) }));
  } catch {
    return [];
  }
}

/**
 * The directories that call a module `terraform init` installed (a root's
 * .terraform/modules/modules.json) which holds a judged type, calls a modelled registry
 * module or a module whose source cannot be read: the root, and the local modules on
 * the way to the call (a key `a.b.c` is called from the module of key `a.b`).
 */
function installedSeeds(dirs: string[], words: readonly string[], engine: Engine | undefined): Set<string> {
  const seeds = new Set<string>();
  for (const root of dirs) {
    if (!existsSync(path.join(root, '.terraform', 'modules', 'modules.json'))) continue;
    const modules = readInstalled(root);
    const byKey = new Map(modules.map((m) => [m.key, m]));
    for (const m of modules) {
      // A local module of an installed one (`platform.repo` from `./modules/repo`) is followed too.
      if (!installedMatters(m.dir, words, engine)) continue;
      const parts = m.key.split('.');
      seeds.add(root);
      for (let n = 1; n < parts.length; n++) {
        const caller = byKey.get(parts.slice(0, n).join('.'));
        if (caller) seeds.add(caller.dir);
      }
    }
  }
  return seeds;
}

function installedMatters(dir: string, words: readonly string[], engine: Engine | undefined): boolean {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => isConfigFile(n, engine));
  } catch {
    return false;
  }
  return names.some((n) => {
    const read = readTextFile(path.join(dir, n), DEFAULT_LIMITS.maxFileBytes);
    if (!read.ok) return true;
    const facts = factsOf(read.text, words);
    return facts.judged || facts.modelledCall || facts.unreadableCall;
  });
}

/**
 * A module directory's configuration files as discovery and Terraform choose them: regular files and
 * symlinks (a directory or a FIFO named x.tf is not a file to read), .tofu over .tf, in path order.
 * Throws when the directory cannot be listed.
 */
export function moduleFiles(dir: string, engine: Engine | undefined): string[] {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((e) => (e.isFile() || e.isSymbolicLink()) && (isConfigFile(e.name, engine) || e.name === 'main.hcl'))
    .map((e) => e.name);
  return applyTofuPrecedence(names.map((f) => path.join(dir, f))).sort();
}
