import { existsSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { DEFAULT_MAX_FILE_BYTES, readTextFile } from '../../discover/read';
import path from 'node:path';
import { parseHcl, parseHclExpression } from '../../parse/hcl';
import { parseTerraformJsonValues } from '../../parse/json';
import { SourceFile, type Problem } from '../../parse/source';
import type { Expr } from '../../parse/syntax';
import type { ModuleConfig } from '../config/module-config';
import { Evaluator } from '../eval/evaluate';
import { parseType } from '../eval/type-constraints';
import { failure, firstUnknown, str, step, toPlain, type Value } from '../eval/value';
import { slashPath } from '../../discover/paths';
import { isAutoVarFile, isConfigFile, isVarFile } from '../../discover/terraform-files';

export interface VariableOptions {
  /** --var-file, in the order given. */
  varFiles: string[];
  /** --var name=value, in the order given. */
  vars: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** --max-file-size, for variables files as for every other input. */
  maxFileBytes?: number;
  /**
   * Variables files for some roots only, by the root's absolute directory, in order:
   * .tagguard.yml `roots`, then tfvars files named on the command line. Applied after
   * the automatic files and before --var-file.
   */
  rootVarFiles?: ReadonlyMap<string, readonly string[]>;
  /**
   * --each-var-file: each root is judged once per variables file Terraform does not
   * load by itself (those beside it and those `rootVarFiles` gives it), that one file
   * applied in the place of `rootVarFiles`.
   */
  eachVarFile?: boolean;
  /** --plan: the values the plan was made with, for the root at planRoot (absolute), over every other source. */
  planValues?: ReadonlyMap<string, Value>;
  planRoot?: string;
}

/** What reading the variables files of the roots found out, for stderr. */
export interface VarFileLog {
  /** Each variables file read (as reported), with the roots it was applied to. */
  applied: Map<string, string[]>;
  /** Values for variables the root does not declare, as Terraform warns of them. */
  undeclared: string[];
  /** Non-automatic tfvars files found in the roots' directories (as reported): a note unless some root reads them. */
  unapplied: Set<string>;
}

export const newVarFileLog = (): VarFileLog => ({ applied: new Map(), undeclared: [], unapplied: new Set() });

/** tfvars hold constants: a reference in them is an error, as in Terraform. Each root's values have a budget of their own. */
const constantsEvaluator = () =>
  new Evaluator({
    variable: (name) => failure(`variables are not allowed here (var.${name})`),
    local: (name) => failure(`locals are not allowed here (local.${name})`),
    path: (name) => failure(`path.${name} is not allowed here`),
    module: (name) => failure(`module outputs are not allowed here (module.${name})`),
  });

/**
 * A root module's input values in Terraform's precedence, lowest first: TF_VAR_*
 * environment variables, terraform.tfvars, terraform.tfvars.json, *.auto.tfvars and
 * *.auto.tfvars.json in lexical order, then --var-file and --var. Defaults are applied
 * later, by the module, where no value is given.
 */
export async function rootVariables(
  module: ModuleConfig,
  options: VariableOptions,
  problems: Problem[],
  sources?: Map<string, SourceFile>,
  log?: VarFileLog,
): Promise<Map<string, Value>> {
  const values = new Map<string, Value>();
  const constants = constantsEvaluator();
  for (const [name, decl] of module.variables) {
    const raw = options.env[`TF_VAR_${name}`];
    if (raw !== undefined) values.set(name, await fromText(raw, decl.type, `TF_VAR_${name}`, constants));
  }
  const listed = existsSync(module.dir) ? readdirSync(module.dir).sort() : [];
  const auto = listed.filter((f) => /\.auto\.tfvars(\.json)?$/.test(f));
  const files = ['terraform.tfvars', 'terraform.tfvars.json', ...auto].map((f) => path.join(module.dir, f)).filter((f) => existsSync(f));
  const root = slashPath(path.relative(options.cwd, module.dir)) || '.';
  if (log) for (const f of varFilesBeside(module.dir, listed)) log.unapplied.add(slashPath(path.relative(options.cwd, f)));
  const given = [...(options.rootVarFiles?.get(module.dir) ?? []), ...options.varFiles].map((f) => path.resolve(options.cwd, f));
  // A file given twice (a named terraform.tfvars, or a file both .tagguard.yml and --var-file name) is read once, at its first place.
  for (const file of [...new Set([...files, ...given])]) {
    const display = slashPath(path.relative(options.cwd, file));
    log?.applied.set(display, [...(log.applied.get(display) ?? []), root]);
    if (!existsSync(file)) {
      problems.push({ file: display, line: 0, column: 0, message: 'variable file not found' });
      continue;
    }
    const read = readTextFile(file, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    if (!read.ok) {
      problems.push({ file: display, line: read.line ?? 0, column: read.column ?? 0, message: read.message });
      continue;
    }
    const source = new SourceFile(display, read.text);
    sources?.set(display, source);
    const assigned = await readVarFile(source, problems);
    for (const [name, expr] of assigned) {
      if (!module.variables.has(name)) {
        log?.undeclared.push(
          `${display}:${expr.range.line}:${expr.range.column}: value for undeclared variable "${name}": root ${root} declares no variable of that name, so the value is not used`,
        );
        continue;
      }
      values.set(name, constants.evaluate(expr));
    }
  }
  for (const assignment of options.vars) {
    const eq = assignment.indexOf('=');
    const name = assignment.slice(0, eq);
    if (eq < 1) {
      problems.push({ file: '--var', line: 0, column: 0, message: `"${assignment}" is not of the form name=value` });
      continue;
    }
    values.set(name, await fromText(assignment.slice(eq + 1), module.variables.get(name)?.type, `--var ${name}`, constants));
  }
  // The plan's values decided what it planned: they win, for the root it was made from. Where the
  // configuration gives the same value (its default, a tfvars file), it stays: that is where to change it.
  if (options.planValues && options.planRoot === module.dir)
    for (const [name, value] of options.planValues) {
      const decl = module.variables.get(name);
      if (!decl) continue;
      const given = values.get(name) ?? (decl.default && constants.evaluate(decl.default));
      if (!given || JSON.stringify(plainOrUnknown(given)) !== JSON.stringify(plainOrUnknown(value))) values.set(name, value);
    }
  return values;
}

async function readVarFile(source: SourceFile, problems: Problem[]): Promise<Map<string, Expr>> {
  if (source.path.endsWith('.json')) {
    const result = await parseTerraformJsonValues(source);
    if (!result.ok) problems.push(...result.problems);
    return result.ok ? result.values : new Map();
  }
  const result = await parseHcl(source);
  if (!result.ok) {
    problems.push(...result.problems);
    return new Map();
  }
  return new Map([...result.file.body.attributes].map(([name, attr]) => [name, attr.expr]));
}

/**
 * A value given as text (environment, command line): a string for primitive and
 * untyped variables, an HCL expression for collection types, as Terraform reads them.
 */
async function fromText(text: string, type: Expr | undefined, note: string, constants: Evaluator): Promise<Value> {
  const t = parseType(type);
  const trace = [step({ file: note, line: 0, column: 0, endLine: 0, endColumn: 0 }, note)];
  // Terraform reads the text literally for a primitive type or none, and as HCL for any other (`any` included).
  if (!type || t.kind === 'string' || t.kind === 'number' || t.kind === 'bool') return str(text, undefined, trace);
  const expr = await parseHclExpression(new SourceFile(note, text), text);
  return expr
    ? { ...constants.evaluate(expr), origin: undefined, trace }
    : failure(`${note}: "${text}" is not a valid expression`, undefined, trace);
}

/**
 * The tfvars files Terraform does not read by itself in a root's directory, and in
 * its subdirectories that hold no configuration (`env/prod.tfvars` beside the root).
 */
export function varFilesBeside(dir: string, names: string[]): string[] {
  const own = names.filter((f) => isVarFile(f) && !isAutoVarFile(f)).map((f) => path.join(dir, f));
  const nested = names
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => {
      const sub = path.join(dir, name);
      let entries: Dirent[];
      try {
        if (!statSync(sub).isDirectory()) return [];
        entries = readdirSync(sub, { withFileTypes: true });
      } catch {
        return [];
      }
      if (entries.some((e) => isConfigFile(e.name))) return [];
      return entries.filter((e) => e.isFile() && isVarFile(e.name) && !isAutoVarFile(e.name)).map((e) => path.join(sub, e.name));
    });
  return [...own, ...nested.sort()];
}

/** A value as plain data to compare, or a marker when any part of it is unknown. */
function plainOrUnknown(v: Value): unknown {
  return firstUnknown(v) ? { unknown: true } : toPlain(v);
}
