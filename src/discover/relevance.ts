import path from 'node:path';
import { registryModel } from '../terraform/config/registry-models';

/**
 * What a file's text says about whether parsing it can change a finding. Read from
 * the raw text, before any parse, so that most files of a large tree are never parsed.
 * Every test errs towards "may matter".
 */
export interface FileFacts {
  /** Names a resource type that a rule judges. */
  judged: boolean;
  /** Declares or refers to a module, a variable, a local or an output (so it may feed a judged resource). */
  declares: boolean;
  /** Mentions a module call. */
  calls: boolean;
  /** Local module sources written in the file (`./x`, `../x`). */
  localSources: string[];
  /** A module call whose source is not local, or could not be read from the text (what --strict counts, as before). */
  otherCall: boolean;
  /** A module call to a registry module tagguard has a model of (registry-models.ts): it may declare a judged resource. */
  modelledCall: boolean;
  /** A module call to a source that is neither local nor modelled: it matters only when `terraform init` installed it. */
  remoteCall: boolean;
  /** A module block whose source could not be read from the text (an expression, a template): it may lead anywhere. */
  unreadableCall: boolean;
  /** Declares an output, which a caller may read. */
  outputs: boolean;
  /** Reads a module call's outputs (`module.x…`), so the called modules' outputs may matter. */
  readsOutputs: boolean;
}

/**
 * Files that may decide whether their directory matters: they name a judged type or
 * write a module source, or hold a byte outside printable ASCII (a binary or
 * non-UTF-8 file, read so that it is reported where it matters). The other files of a
 * directory are read only once the directory matters (module-loader.ts).
 */
/** A unicode escape, which may spell a judged type that no plain search finds. */
const UNICODE_ESCAPE = { ere: '\\\\[uU]', regex: /\\[uU]/ };

export function decidesSearch(words: readonly string[]): { ere: string; regex: RegExp } {
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // The word `source` (a module's, however written: a comment or a line break before its `=` or `:`); not the letters,
  // which every `resource` holds.
  const source = { ere: '(^|[^[:alnum:]_])source([^[:alnum:]_]|$)', regex: '(^|[^A-Za-z0-9_])source([^A-Za-z0-9_]|$)' };
  return {
    ere: `${[...escaped, source.ere, UNICODE_ESCAPE.ere].join('|')}|[^[:print:][:space:]]`,
    regex: new RegExp(`${[...escaped, source.regex, UNICODE_ESCAPE.regex.source].join('|')}|[^\\x20-\\x7e\\s]`),
  };
}

/** A local module source, for a search over many files (discover/pre-search.ts). */
export const LOCAL_SOURCE = { ere: 'source"?[[:space:]]*[=:][[:space:]]*"\\.\\.?/', regex: /"?source"?\s*[=:]\s*"\.\.?\// };

/**
 * Files that may matter: they name a judged type, a module, a variable, a local or an output
 * (as substrings: a wider net than factsOf casts), or hold a byte outside printable
 * ASCII, so that a binary or non-UTF-8 file is read and reported.
 */
export function mattersSearch(words: readonly string[]): { ere: string; regex: RegExp } {
  const escaped = words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const alternatives = [...escaped, 'module', 'variable', 'locals', 'output'];
  return {
    ere: `${[...alternatives, UNICODE_ESCAPE.ere].join('|')}|[^[:print:][:space:]]`,
    regex: new RegExp(`${[...alternatives, UNICODE_ESCAPE.regex.source].join('|')}|[^\\x20-\\x7e\\s]`),
  };
}

const DECLARES = /\b(module|variable|locals|output)\b/;
const CALLS = /\bmodule\b/;
const OUTPUTS = /\boutput\b/;
// `module.x`, `module .x`, `module /* c */ .x`: HCL allows space and comments around the dot.
export const READS_OUTPUTS = /\bmodule\b\s*(?:\/\*[\s\S]*?\*\/\s*)*\./;
const SOURCE = /"?source"?\s*[=:]\s*"([^"\n]*)"/g;
// Every `source =` or `"source":`, with comments or line breaks before the `=`: each must be a literal SOURCE read.
const SOURCE_ASSIGNMENT = /(?<![A-Za-z0-9_])"?source"?\s*(?:(?:\/\*[\s\S]*?\*\/|#[^\n]*|\/\/[^\n]*)\s*)*[=:]/g;
// Sources that are certainly fetched by `terraform init` (a registry address, a URL, a `git::` or `s3::` form).
const REMOTE_SOURCE =
  /^(?:[a-z][a-z0-9+.-]*::|git@|https?:\/\/|(?:github\.com|bitbucket\.org)\/)[^\\\s%$]*$|^(?:[A-Za-z0-9][A-Za-z0-9.-]*\/)?[A-Za-z0-9][A-Za-z0-9_-]*\/[A-Za-z0-9][A-Za-z0-9_-]*\/[A-Za-z0-9][A-Za-z0-9_-]*(?:\/\/[^\\\s%$]*)?$/;
// A module block in native syntax (`module "x" {`, `module x {`), and the `module` key of JSON syntax.
const MODULE_BLOCK = /^[ \t]*module[ \t]+(?:"[^"\n]*"|[A-Za-z_][\w-]*)[ \t]*\{/gm;
const JSON_MODULE = /"module"\s*:/;

export function factsOf(text: string, words: readonly string[]): FileFacts {
  // A \u escape (JSON, or an HCL label) may spell a judged type: `"aws_ecr\u005frepository"` is aws_ecr_repository.
  const judged = words.length === 0 || words.some((w) => text.includes(w)) || UNICODE_ESCAPE.regex.test(text);
  const calls = CALLS.test(text);
  const localSources: string[] = [];
  let otherCall = false;
  let modelledCall = false;
  let remoteCall = false;
  let unreadableCall = false;
  if (calls) {
    let sources = 0;
    for (const m of text.matchAll(SOURCE)) {
      sources++;
      const source = m[1];
      // An escape (JSON's `.\/child`), a template or an interpolation: what it names is not read here.
      const plain = !/[\\$%]/.test(source);
      if (plain && (source.startsWith('./') || source.startsWith('../'))) localSources.push(source);
      else {
        otherCall = true;
        if (plain && registryModel(source)) modelledCall = true;
        else if (plain && REMOTE_SOURCE.test(source)) remoteCall = true;
        // A plain text that is no module source Terraform accepts (`source = "ecs"` in a map) is not a module call.
        else if (!plain) unreadableCall = true;
      }
    }
    // `module` is written but no source could be read: assume the worst.
    if (localSources.length === 0) otherCall = true;
    // More module blocks or `source =` than literal sources read (`source = var.x`, a comment before the `=`), or JSON
    // module calls with none: one may lead anywhere.
    const blocks = text.replace(/^\uFEFF/, '').match(MODULE_BLOCK)?.length ?? 0;
    const assignments = text.match(SOURCE_ASSIGNMENT)?.length ?? 0;
    if (blocks > sources || assignments > sources || (sources === 0 && JSON_MODULE.test(text))) unreadableCall = true;
  }
  return {
    judged,
    declares: calls || DECLARES.test(text),
    calls,
    localSources,
    otherCall,
    modelledCall,
    remoteCall,
    unreadableCall,
    outputs: OUTPUTS.test(text),
    readsOutputs: calls && READS_OUTPUTS.test(text),
  };
}

/** What a directory's files say together. */
interface DirFacts {
  judged: boolean;
  otherCall: boolean;
  modelledCall: boolean;
  unreadableCall: boolean;
  outputs: boolean;
  readsOutputs: boolean;
  /** Absolute directories its local module sources lead to. */
  targets: string[];
}

function dirFacts(dir: string, facts: FileFacts[]): DirFacts {
  return {
    judged: facts.some((f) => f.judged),
    otherCall: facts.some((f) => f.otherCall),
    modelledCall: facts.some((f) => f.modelledCall),
    unreadableCall: facts.some((f) => f.unreadableCall),
    outputs: facts.some((f) => f.outputs),
    readsOutputs: facts.some((f) => f.readsOutputs),
    targets: [...new Set(facts.flatMap((f) => f.localSources.map((s) => path.resolve(dir, s))))],
  };
}

export interface Reachability {
  /**
   * --strict: the rule of earlier releases, which parses more so that input errors
   * anywhere in the tree are found: any call of a module that is not local, any local
   * call outside the directories given, and every cycle of local calls count.
   */
  strict?: boolean;
  /** Directories that call a module `terraform init` installed which holds a judged type (module-loader.ts). */
  installed?: ReadonlySet<string>;
}

/**
 * The directories worth loading, as Terraform's reachability of judged resource
 * types: those that hold a judged type, call a registry module tagguard has a model
 * of, call an installed module that holds one (`installed`) or a module whose source
 * cannot be read, and those whose local calls lead to one of these. A remote module
 * that is neither modelled nor installed cannot contribute a judged resource, and a
 * local call to a directory that does not exist leads nowhere (it is reported where
 * it is called from a directory that matters, module-tree.ts). `facts` may hold
 * directories outside the scanned ones that local calls lead to: they count as any
 * other. Also those whose outputs a directory that matters reads.
 *
 * focus: when set, only these directories and the scanned directories whose local
 * calls lead to them are chosen (the files a pre-commit hook names).
 */
export function relevantDirs(facts: ReadonlyMap<string, FileFacts[]>, focus?: ReadonlySet<string>, reach: Reachability = {}): Set<string> {
  const byDir = new Map([...facts].map(([dir, f]) => [dir, dirFacts(dir, f)]));
  const relevant = new Set<string>();
  const seed = reach.strict
    ? (f: DirFacts) => f.judged || f.otherCall || f.targets.some((t) => !byDir.has(t))
    : (f: DirFacts, dir: string) => f.judged || f.modelledCall || f.unreadableCall || (reach.installed?.has(dir) ?? false);
  for (const [dir, f] of byDir) if (seed(f, dir)) relevant.add(dir);
  spread(byDir, relevant);
  // The modules whose outputs a relevant module reads, and the modules their outputs read in turn.
  for (let grew = true; grew; ) {
    grew = false;
    for (const dir of [...relevant]) {
      const f = byDir.get(dir);
      if (!f?.readsOutputs) continue;
      for (const t of f.targets) {
        if (!relevant.has(t) && byDir.get(t)?.outputs) {
          relevant.add(t);
          grew = true;
        }
      }
    }
  }
  // A cycle that reaches no judged type is an input error that cannot change a verdict: only --strict looks for it.
  if (reach.strict) for (const dir of onCycles(byDir)) relevant.add(dir);
  if (!focus) return relevant;
  const wanted = new Set([...focus].filter((d) => byDir.has(d)));
  spread(byDir, wanted);
  return new Set([...wanted].filter((d) => relevant.has(d)));
}

/** Adds every directory whose local calls lead into the set. */
function spread(byDir: ReadonlyMap<string, Pick<DirFacts, 'targets'>>, set: Set<string>): void {
  for (let grew = true; grew; ) {
    grew = false;
    for (const [dir, f] of byDir) {
      if (!set.has(dir) && f.targets.some((t) => set.has(t))) {
        set.add(dir);
        grew = true;
      }
    }
  }
}

/** Directories on a cycle of local calls or leading into one: what is left after trimming directories that lead nowhere. */
function onCycles(byDir: ReadonlyMap<string, DirFacts>): Set<string> {
  const left = new Set([...byDir].filter(([, f]) => f.targets.length > 0).map(([d]) => d));
  for (let trimmed = true; trimmed; ) {
    trimmed = false;
    for (const dir of left) {
      const targets = byDir.get(dir)?.targets ?? [];
      if (!targets.some((t) => left.has(t))) {
        left.delete(dir);
        trimmed = true;
      }
    }
  }
  return left;
}

/** The focus directories and every directory whose local calls lead to one, directly or through others. */
export function withCallers(focus: ReadonlySet<string>, calls: ReadonlyMap<string, string[]>): Set<string> {
  const wanted = new Set(focus);
  spread(new Map([...calls].map(([dir, targets]) => [dir, { targets }])), wanted);
  return wanted;
}
