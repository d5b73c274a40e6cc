import path from 'node:path';
import type { Engine } from '../discover/terraform-files';
import { expressionsIn, type Block, type Body, type Expr, type ParsedFile } from '../parse/syntax';
import type { ModuleConfig } from '../terraform/config/module-config';
import { moduleFiles } from '../terraform/config/module-loader';
import type { TraceStep } from '../terraform/eval/value';

/** What the fixer needs to know who reads a value: every module read, and the roots each variables file is applied to. */
export interface Configuration {
  cwd: string;
  /** By absolute directory. */
  modules: ReadonlyMap<string, ModuleConfig>;
  /**
   * A variables file (as reported) and the directories (as reported) that read it: the roots it was applied to, those
   * `.tagguard.yml` gives it, and for a file given to every root (--var-file) every directory scanned.
   */
  varFileRoots: ReadonlyMap<string, readonly string[]>;
  /** Parses a file of a module that the scan did not need to parse (it names nothing judged). */
  parseFile(abs: string): Promise<ParsedFile | undefined>;
  /** A file (as reported) inside what was scanned: code outside it may be shared with code that was not read. */
  inScope(file: string): boolean;
  engine?: Engine;
}

/** A reference to a name, where it is written, and the block it is written in (`aws_ssm_parameter.p`, `output.url`). */
export interface Reader {
  file: string;
  line: number;
  column: number;
  holder: string;
  /** Read by a for_each or count: a change there can add, remove or rename instances. */
  meta?: 'for_each' | 'count';
}

/** A name a trace step reads, in the module directory where the reference is written. */
interface Symbol {
  dir: string;
  /** `var`, `local`, or `module` (an output of a call: `name` is the call, `output` the output). */
  root: 'var' | 'local' | 'module';
  name: string;
  output?: string;
}

/**
 * Every reference to the names a value passed through on its way from its origin to
 * a use (its trace), in every module that declares them; the modules' files the scan
 * skipped are parsed here, since a file that names nothing judged may still read a
 * variable. Undefined when a step is one this cannot follow (the reader is then unknown).
 */
export class ReaderIndex {
  private readonly files = new Map<string, Promise<ParsedFile[] | undefined>>();

  constructor(private readonly config: Configuration) {}

  /** The readers of every name on the trace; a tfvars origin adds the variable's readers in every root the file is applied to. */
  async readersOf(trace: readonly TraceStep[], origin: string): Promise<Reader[] | undefined> {
    const symbols = symbolsOf(trace, this.config.cwd);
    if (!symbols) return undefined;
    // The last step is the variable a variables file sets: every root the file is applied to reads it.
    const last = symbols.at(-1);
    if (last?.root === 'var' && /\.tfvars(\.json)?$/.test(origin)) {
      for (const root of this.config.varFileRoots.get(origin) ?? [])
        symbols.push({ dir: path.resolve(this.config.cwd, root), root: 'var', name: last.name });
    }
    const readers: Reader[] = [];
    for (const s of symbols) {
      const found = await this.references(s);
      if (!found) return undefined;
      readers.push(...found);
    }
    return readers;
  }

  private readonly found = new Map<string, Promise<Reader[] | undefined>>();

  /** The references to one name in one directory, listed once; undefined when a file there could not be read in full. */
  private references(symbol: Symbol): Promise<Reader[] | undefined> {
    return remembered(this.found, [symbol.dir, symbol.root, symbol.name, symbol.output ?? ''].join('\u0000'), () => this.list(symbol));
  }

  private async list(symbol: Symbol): Promise<Reader[] | undefined> {
    const files = await this.allFiles(symbol.dir);
    if (!files) return undefined;
    const readers: Reader[] = [];
    for (const file of files)
      for (const block of file.body.blocks)
        for (const [holder, exprs] of holdersOf(block))
          for (const { expr, meta } of exprs)
            for (const e of expressionsIn(expr)) {
              // Syntax tagguard does not read may hold a reference.
              if (e.kind === 'unsupported') return undefined;
              if (e.kind === 'traversal' && reads(e, symbol))
                readers.push({ file: e.range.file, line: e.range.line, column: e.range.column, holder, ...(meta ? { meta } : {}) });
            }
    return readers;
  }

  /** A directory's files as Terraform reads them: those the scan parsed, and those it skipped or never loaded. */
  private allFiles(dir: string): Promise<ParsedFile[] | undefined> {
    return remembered(this.files, dir, () => this.readAll(dir));
  }

  /** Undefined when a file cannot be read or parsed: its references are not known. */
  private async readAll(dir: string): Promise<ParsedFile[] | undefined> {
    const known = this.config.modules.get(dir)?.files ?? [];
    const parsed = new Set(known.map((f) => path.resolve(this.config.cwd, f.path)));
    let all: string[];
    try {
      all = moduleFiles(dir, this.config.engine);
    } catch {
      return undefined;
    }
    const more: ParsedFile[] = [];
    // A file the scan could not parse is parsed again here, and fails again: its references are not known.
    for (const f of all.filter((f) => !parsed.has(f))) {
      const file = await this.config.parseFile(f);
      if (!file) return undefined;
      more.push(file);
    }
    return [...known, ...more];
  }
}

/** The names a trace reads, or undefined when a step is one whose other readers cannot be listed. */
function symbolsOf(trace: readonly TraceStep[], cwd: string): Symbol[] | undefined {
  const symbols: Symbol[] = [];
  for (const [i, step] of trace.entries()) {
    const dir = path.dirname(path.resolve(cwd, step.file));
    const named = /^(var|local)\.([\w-]+)$/.exec(step.note);
    if (named) {
      symbols.push({ dir, root: named[1] as 'var' | 'local', name: named[2] });
      continue;
    }
    const call = /^module\.([\w-]+)$/.exec(step.note);
    if (call) {
      // The next step names the output read: `module.x output url` (with the instance's key, if any).
      const output = / output ([\w-]+)$/.exec(trace.at(i + 1)?.note ?? '')?.[1];
      symbols.push({ dir, root: 'module', name: call[1], ...(output ? { output } : {}) });
      continue;
    }
    // An argument is read only by the called module's variable (the step before it); an output's value only where it is
    // read (the step after it); each and count only in their own block, whose for_each or count is a step of its own.
    if (/^module\.[\w-]+ argument [\w-]+$/.test(step.note) || / output [\w-]+$/.test(step.note)) continue;
    if (/^(each\.(key|value)|count\.index)$/.test(step.note)) continue;
    // A for expression's own name: its collection is a step of its own.
    if (/^[A-Za-z_][\w-]*$/.test(step.note)) continue;
    return undefined;
  }
  return symbols;
}

function reads(e: Extract<Expr, { kind: 'traversal' }>, symbol: Symbol): boolean {
  if (e.root !== symbol.root) return false;
  const first = e.steps.at(0);
  const second = e.steps.at(1);
  if (first?.kind !== 'attr' || first.name !== symbol.name) return false;
  // `module.x` as a whole reads every output; `module.x.other` reads another one.
  if (symbol.root === 'module' && symbol.output !== undefined) return second?.kind !== 'attr' || second.name === symbol.output;
  return true;
}

interface HeldExpr {
  expr: Expr;
  meta?: 'for_each' | 'count';
}

/** The expressions of a top-level block, by the name a user knows it by; locals one by one. */
function holdersOf(block: Block): [string, HeldExpr[]][] {
  const [a, b] = block.labels;
  switch (block.type) {
    case 'locals':
      return [...block.body.attributes.values()].map((attr) => [`local.${attr.name}`, [{ expr: attr.expr }]]);
    case 'resource':
      return [[`${a}.${b}`, bodyExpressions(block.body)]];
    case 'data':
      return [[`data.${a}.${b}`, bodyExpressions(block.body)]];
    case 'variable':
      return [[`var.${a}`, bodyExpressions(block.body)]];
    default:
      return [[[block.type, ...block.labels].join('.'), bodyExpressions(block.body)]];
  }
}

function bodyExpressions(body: Body): HeldExpr[] {
  const out: HeldExpr[] = [];
  const stack: Body[] = [body];
  for (let b = stack.pop(); b !== undefined; b = stack.pop()) {
    for (const attr of b.attributes.values())
      out.push(attr.name === 'for_each' || attr.name === 'count' ? { expr: attr.expr, meta: attr.name } : { expr: attr.expr });
    for (const nested of b.blocks) stack.push(nested.body);
  }
  return out;
}

/** The value kept under `key`, made once. */
export function remembered<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  if (!map.has(key)) map.set(key, make());
  return map.get(key) as V;
}
