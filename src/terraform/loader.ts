import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { applyTofuPrecedence } from '../discover/discover';
import { parseHcl, type ParseResult } from '../parse/hcl';
import { parseTerraformJson } from '../parse/json';
import { SourceFile, type SyntaxProblem } from '../parse/source';
import type { Comment, ParsedFile } from '../parse/syntax';
import { moduleConfig, type ModuleConfig } from './config';
import { registryModel, REGISTRY_MODELS_DIR } from './registry';

const TERRAFORM_FILE = /\.(tf|tofu|tf\.json|tofu\.json)$/;
/** What a file must mention to matter even without a judged resource type. */
const DECLARES = /\b(module|variable|locals)\b/;
const DECLARES_CALL = /\bmodule\b/;

/** A module installed by `terraform init`, as .terraform/modules/modules.json lists it. */
export interface InstalledModule {
  key: string;
  source: string;
  dir: string;
}

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
  readonly problems: SyntaxProblem[] = [];
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
  ) {}

  /** Files read but not parsed, because they cannot matter to the rules. */
  skipped = 0;

  displayPath(abs: string): string {
    if (abs.startsWith(REGISTRY_MODELS_DIR + path.sep)) return `(model) ${path.relative(REGISTRY_MODELS_DIR, abs).split(path.sep).join('/')}`;
    return path.relative(this.cwd, abs).split(path.sep).join('/') || '.';
  }

  async parseFile(abs: string, text?: string): Promise<ParsedFile | undefined> {
    const source = new SourceFile(this.displayPath(abs), text ?? (await readFile(abs, 'utf8')));
    this.sources.set(source.path, source);
    const result: ParseResult = abs.endsWith('.json') ? await parseTerraformJson(source) : await parseHcl(source);
    if (result.ok) {
      this.comments.set(source.path, result.file.comments);
      return result.file;
    }
    this.parseErrors++;
    this.problems.push(...result.problems);
    return undefined;
  }

  /** Loads the scanned files grouped by directory, then everything they call. */
  /**
   * focus: when set (the files a pre-commit hook passes), only these directories and
   * the scanned directories that call them, directly or through others, are loaded.
   */
  async load(files: string[], focus?: ReadonlySet<string>): Promise<void> {
    let byDir = new Map<string, string[]>();
    for (const f of files) byDir.set(path.dirname(f), [...(byDir.get(path.dirname(f)) ?? []), f]);
    if (focus) {
      const wanted = withCallers(byDir, focus);
      byDir = new Map([...byDir].filter(([dir]) => wanted.has(dir)));
    }
    for (const [dir, dirFiles] of [...byDir].sort(([a], [b]) => a.localeCompare(b))) await this.loadDir(dir, dirFiles);
    const queue = [...this.modules.values()];
    while (queue.length > 0) {
      const module = queue.shift()!;
      for (const dir of this.reachable(module)) {
        if (this.modules.has(dir) || !existsSync(dir) || !statSync(dir).isDirectory()) continue;
        const loaded = await this.loadDir(dir);
        if (loaded) queue.push(loaded);
      }
    }
  }

  private async loadDir(dir: string, files?: string[]): Promise<ModuleConfig | undefined> {
    const chosen = files ?? applyTofuPrecedence(readdirSync(dir).filter((f) => TERRAFORM_FILE.test(f) || f === 'main.hcl').map((f) => path.join(dir, f))).sort();
    // Synchronous reads: for many small files they cost a third of fs/promises here.
    const texts = chosen.map((f) => this.read(f));
    // Scanned directories are filtered; a directory reached by a module call is always loaded.
    if (files && this.words.length && !texts.some((t) => this.judged(t) || DECLARES_CALL.test(t))) {
      this.skipped += chosen.length;
      return undefined;
    }
    const parsed: ParsedFile[] = [];
    for (const [i, f] of chosen.entries()) {
      if (this.words.length && !this.judged(texts[i]!) && !DECLARES.test(texts[i]!)) {
        this.skipped++;
        continue;
      }
      const file = await this.parseFile(f, texts[i]);
      if (file) parsed.push(file);
    }
    const config = moduleConfig(dir, parsed);
    this.modules.set(dir, config);
    this.installed.set(dir, readInstalled(dir));
    return config;
  }

  /** A file that cannot be read is an input problem, not a crash; it counts as empty. */
  private read(file: string): string {
    try {
      return readFileSync(file, 'utf8');
    } catch (e) {
      this.problems.push({ file: this.displayPath(file), line: 0, column: 0, message: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      return '';
    }
  }

  private judged(text: string): boolean {
    return this.words.some((w) => text.includes(w));
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

/**
 * The focus directories and every scanned directory whose local module sources lead
 * to one. Sources are found in the text; the directories chosen are then parsed in full.
 */
function withCallers(byDir: ReadonlyMap<string, string[]>, focus: ReadonlySet<string>): Set<string> {
  const wanted = new Set(focus);
  const callees = new Map<string, string[]>();
  for (const [dir, files] of byDir) {
    if (wanted.has(dir)) continue;
    const found: string[] = [];
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch {
        continue; // reported when the directory is loaded
      }
      if (!DECLARES_CALL.test(text)) continue;
      for (const m of text.matchAll(/"?source"?\s*[=:]\s*"(\.\.?\/[^"]*)"/g)) found.push(path.resolve(dir, m[1]!));
    }
    if (found.length) callees.set(dir, found);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const [dir, targets] of callees) {
      if (!wanted.has(dir) && targets.some((t) => wanted.has(t))) {
        wanted.add(dir);
        grew = true;
      }
    }
  }
  return wanted;
}

function readInstalled(root: string): InstalledModule[] {
  const file = path.join(root, '.terraform', 'modules', 'modules.json');
  if (!existsSync(file)) return [];
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { Modules?: Array<{ Key: string; Source: string; Dir: string }> };
    return (data.Modules ?? []).filter((m) => m.Key).map((m) => ({ key: m.Key, source: m.Source, dir: path.resolve(root, m.Dir) }));
  } catch {
    return [];
  }
}
