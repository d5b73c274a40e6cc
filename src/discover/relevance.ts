import path from 'node:path';

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
  /** A module call whose source is not local, or could not be read from the text. */
  otherCall: boolean;
  /** Declares an output, which a caller may read. */
  outputs: boolean;
  /** Reads a module call's outputs (`module.x…`), so the called modules' outputs may matter. */
  readsOutputs: boolean;
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
  return { ere: `${alternatives.join('|')}|[^[:print:][:space:]]`, regex: new RegExp(`${alternatives.join('|')}|[^\\x20-\\x7e\\s]`) };
}

const DECLARES = /\b(module|variable|locals|output)\b/;
const CALLS = /\bmodule\b/;
const OUTPUTS = /\boutput\b/;
// `module.x`, `module .x`, `module /* c */ .x`: HCL allows space and comments around the dot.
export const READS_OUTPUTS = /\bmodule\b\s*(?:\/\*[\s\S]*?\*\/\s*)*\./;
const SOURCE = /"?source"?\s*[=:]\s*"([^"\n]*)"/g;

export function factsOf(text: string, words: readonly string[]): FileFacts {
  const judged = words.length === 0 || words.some((w) => text.includes(w));
  const calls = CALLS.test(text);
  const localSources: string[] = [];
  let otherCall = false;
  if (calls) {
    for (const m of text.matchAll(SOURCE)) {
      if (m[1].startsWith('./') || m[1].startsWith('../')) localSources.push(m[1]);
      else otherCall = true;
    }
    // `module` is written but no source could be read: assume the worst.
    if (localSources.length === 0) otherCall = true;
  }
  return {
    judged,
    declares: calls || DECLARES.test(text),
    calls,
    localSources,
    otherCall,
    outputs: OUTPUTS.test(text),
    readsOutputs: calls && READS_OUTPUTS.test(text),
  };
}

/** What a directory's files say together. */
interface DirFacts {
  judged: boolean;
  otherCall: boolean;
  outputs: boolean;
  readsOutputs: boolean;
  /** Absolute directories its local module sources lead to. */
  targets: string[];
}

function dirFacts(dir: string, facts: FileFacts[]): DirFacts {
  return {
    judged: facts.some((f) => f.judged),
    otherCall: facts.some((f) => f.otherCall),
    outputs: facts.some((f) => f.outputs),
    readsOutputs: facts.some((f) => f.readsOutputs),
    targets: [...new Set(facts.flatMap((f) => f.localSources.map((s) => path.resolve(dir, s))))],
  };
}

/**
 * The scanned directories worth loading: those that hold a judged resource type,
 * call a module that is not local (a registry model or a download may hold one),
 * call a local module outside the scanned directories, or lead to one of these
 * through local calls; and those on (or leading into) a cycle of local calls, so
 * that the cycle is still reported.
 *
 * focus: when set, only these directories and the scanned directories whose local
 * calls lead to them are chosen (the files a pre-commit hook names).
 */
export function relevantDirs(facts: ReadonlyMap<string, FileFacts[]>, focus?: ReadonlySet<string>): Set<string> {
  const byDir = new Map([...facts].map(([dir, f]) => [dir, dirFacts(dir, f)]));
  const relevant = new Set<string>();
  for (const [dir, f] of byDir) if (f.judged || f.otherCall || f.targets.some((t) => !byDir.has(t))) relevant.add(dir);
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
  for (const dir of onCycles(byDir)) relevant.add(dir);
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
