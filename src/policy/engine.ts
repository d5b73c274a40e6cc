import { readBytes } from '../discover/read';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { loadPolicySync, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { PolicyError } from './errors';
import { compareText, isSeverity, type Severity } from './findings';
import { BUILTIN_POLICY } from './builtin';
import type { TraceStep } from '../terraform/eval/value';
import { lazy } from '../lazy';

export { BUILTIN_POLICY };

/** The policy's WASM memory grows to at most this many 64 KiB pages (512 MiB); past it evaluation fails with an error. */
export const MAX_POLICY_MEMORY_PAGES = 8192;

const FINDINGS = 'tagguard/main/findings';
const RULES = 'tagguard/main/rules';

export { PolicyError };

/** The WASM throws plain strings (a bad entry point, opa_abort) and bare objects; make them errors. */
export function asError(e: unknown, doing: string): Error {
  if (e instanceof Error) return new PolicyError(`${doing}: ${e.message}`, { cause: e });
  const message = (e as { message?: unknown } | null)?.message;
  return new PolicyError(`${doing}: ${typeof e === 'string' ? e : typeof message === 'string' ? message : JSON.stringify(e)}`);
}

/** An evaluation that failed, naming the policy, the entry point and, when it ran out of memory, the cap. */
export function evaluationError(e: unknown, source: string, entrypoint: string, memoryLimit: number): Error {
  const full = e instanceof RangeError || /memory/i.test(String((e as { message?: unknown } | null | undefined)?.message ?? e));
  const limit = full ? ` (the policy's memory is capped at ${memoryLimit / 1024 / 1024} MiB)` : '';
  return asError(e, `policy ${path.basename(source)} failed at ${entrypoint}${limit}`);
}

/** `print` in a policy built with --wasm-include-print calls internal.print with one set per argument. */
export function printBuiltin(sink: string[]) {
  return {
    'internal.print': (args: unknown[]) => {
      sink.push(
        args
          .map((set) => (Array.isArray(set) ? set.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ') : '<undefined>'))
          .join(' '),
      );
      return true;
    },
  };
}

/** A compiled policy bundle loaded into this process. */
export class PolicyEngine {
  private constructor(
    private readonly policy: LoadedPolicy,
    readonly source: string,
    /** What Rego `print` wrote; it never reaches stdout. */
    readonly printed: string[],
    private readonly memoryLimit: number,
  ) {}

  /** Loads a compiled policy: a policy.wasm, or a bundle.tar.gz from `opa build -t wasm`. */
  static async load(file = BUILTIN_POLICY, options: { maxMemoryPages?: number } = {}): Promise<PolicyEngine> {
    // The built-in policy is compiled once per process (a scan after --fix, tests).
    const { module, data } = await (file === BUILTIN_POLICY ? (builtin ??= compile(BUILTIN_POLICY)) : compile(file));
    const pages = options.maxMemoryPages ?? MAX_POLICY_MEMORY_PAGES;
    try {
      const printed: string[] = [];
      const policy = loadPolicySync(module, { initial: 5, maximum: pages }, printBuiltin(printed));
      policy.setData(data as object);
      return new PolicyEngine(policy, file, printed, pages * 64 * 1024);
    } catch (e) {
      throw asError(e, `cannot load policy ${file}`);
    }
  }

  private entrypoints(kind: 'findings' | 'rules'): string[] {
    return entrypointsByRole(Object.keys((this.policy.entrypoints ?? {}) as Record<string, number>), kind);
  }

  /** Evaluates one entry point over the whole input document. */
  evaluate(input: unknown, entrypoint: string): unknown {
    const log = console.log;
    console.log = (...args: unknown[]) => {
      this.printed.push(args.map(String).join(' '));
    };
    try {
      const results = this.policy.evaluate(input, entrypoint) as { result: unknown }[];
      return results[0]?.result;
    } catch (e) {
      throw evaluationError(e, this.source, entrypoint, this.memoryLimit);
    } finally {
      console.log = log;
    }
  }

  /** Findings of every rule; a custom rule's results may leave ruleId and severity to its descriptor. */
  findings(input: unknown): RawFinding[] {
    return this.entrypoints('findings').flatMap((entrypoint) =>
      rawFindings(this.evaluate(input, entrypoint), entrypoint, this.descriptorFor(entrypoint)),
    );
  }

  rules(): RuleDescriptor[] {
    return ruleDescriptors(
      this.entrypoints('rules').map((e) => this.evaluate({}, e)),
      this.source === BUILTIN_POLICY ? 'built-in' : this.source,
    );
  }

  private descriptorFor(findingsEntrypoint: string): RuleDescriptor | undefined {
    const rule = descriptorEntrypoint(findingsEntrypoint);
    return rule && this.entrypoints('rules').includes(rule) ? asList<RuleDescriptor>(this.evaluate({}, rule))[0] : undefined;
  }
}

/** Entry points by role: tagguard's own aggregate ones, or `<package>/deny` and `<package>/rule` of a custom policy. */
export function entrypointsByRole(names: string[], kind: 'findings' | 'rules'): string[] {
  const aggregate = kind === 'findings' ? FINDINGS : RULES;
  if (names.includes(aggregate)) return [aggregate];
  return names.filter((n) => n.endsWith(kind === 'findings' ? '/deny' : '/rule'));
}

/** The `<package>/rule` entry point that describes the findings of `<package>/deny`; none for the aggregate one. */
export function descriptorEntrypoint(findingsEntrypoint: string): string | undefined {
  return findingsEntrypoint === FINDINGS ? undefined : findingsEntrypoint.replace(/\/deny$/, '/rule');
}

/** One entry point's results as findings; a custom rule's results may leave ruleId and severity to its descriptor. */
export function rawFindings(results: unknown, entrypoint: string, descriptor: RuleDescriptor | undefined): RawFinding[] {
  return asList<Partial<RawFinding>>(results).map((f) => ({
    ruleId: f.ruleId ?? descriptor?.id ?? entrypoint,
    // A descriptor's severity is only checked to be a string: any other word counts as an error.
    severity: f.severity ?? (isSeverity(descriptor?.severity) ? descriptor.severity : 'error'),
    message: f.message ?? '',
    // Optional: a custom policy may leave it out; anything but a string is dropped.
    ...(typeof f.messageId === 'string' ? { messageId: f.messageId } : {}),
    resource: f.resource ?? '',
    root: f.root ?? '',
    location: f.location ?? null,
    trace: f.trace ?? [],
  }));
}

/** The descriptors the rule entry points returned, each marked with where it comes from. */
export function ruleDescriptors(results: unknown[], source: string): RuleDescriptor[] {
  return (
    results
      // A custom policy's descriptor needs an id only (custom-results.ts): links may be missing.
      .flatMap((r) => asList<Omit<RuleDescriptor, 'links'> & { links?: string[] }>(r))
      .map((r) => ({ ...r, source, links: r.links ?? [] }))
      .sort((a, b) => compareText(a.id, b.id))
  );
}

let builtin: Promise<{ module: WebAssembly.Module; data: unknown }> | undefined;

/**
 * Reads and compiles a policy: off the main thread, to be instantiated synchronously
 * later, since the SDK's async loader tests for a fetch Response, which loads Node's
 * HTTP client (~20 ms).
 */
/** A policy bundle or WASM file, packed or unpacked, is at most this large. */
const MAX_POLICY_BYTES = 64 * 1024 * 1024;

/** A policy file through the bounded reader: a regular file of at most MAX_POLICY_BYTES. */
function readPolicyFile(file: string): Buffer {
  const read = readBytes(file, MAX_POLICY_BYTES, 'policies are read up to 64 MiB');
  if (!read.ok) throw new Error(read.message);
  return read.bytes;
}

export async function compile(source: PolicySource): Promise<{ module: WebAssembly.Module; data: unknown }> {
  const name = policyName(source);
  let wasm: Buffer;
  let data: unknown = {};
  try {
    const bytes = typeof source === 'string' ? readPolicyFile(source) : source.bytes;
    if (name.endsWith('.tar.gz') || name.endsWith('.tgz')) ({ wasm, data } = await readBundle(bytes));
    else wasm = bytes;
  } catch (e) {
    throw asError(e, `cannot read policy ${name}`);
  }
  try {
    return { module: await WebAssembly.compile(wasm), data };
  } catch (e) {
    throw asError(e, `cannot load policy ${name}`);
  }
}

/**
 * A compiled policy: a file, or bytes read elsewhere (a git commit, with
 * --config-from) with the name they are shown under (`origin/main:policies/x.tar.gz`).
 */
export type PolicySource = string | { name: string; bytes: Buffer };

export function policyName(source: PolicySource): string {
  return typeof source === 'string' ? source : source.name;
}

/** A rule returns a set (an array) or one object. */
export function asList<T>(value: unknown): T[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

const loadTarStream = lazy<typeof import('tar-stream')>(require, 'tar-stream');

/** policy.wasm and data.json of an `opa build -t wasm` bundle. */
async function readBundle(bytes: Buffer): Promise<{ wasm: Buffer; data: unknown }> {
  const tar = loadTarStream();
  const files = new Map<string, Buffer>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        files.set(header.name.replace(/^\/+/, ''), Buffer.concat(chunks));
        next();
      });
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  // A small gzip can unpack to gigabytes: its output is capped as the file itself is.
  extract.end(gunzipSync(bytes, { maxOutputLength: MAX_POLICY_BYTES }));
  await done;
  const wasm = files.get('policy.wasm');
  if (!wasm) throw new Error('the bundle has no policy.wasm: build it with `opa build -t wasm`');
  const data = files.get('data.json');
  return { wasm, data: data ? JSON.parse(data.toString('utf8')) : {} };
}

/** A result as a policy returns it (policies/lib/lib.rego: finding). */
export interface RawFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  /** The key of the message in the rule's messages (policies/tagguard/lib/lib.rego: finding). */
  messageId?: string;
  resource: string;
  root: string;
  location: { file: string; line: number; column: number; end_line?: number; end_column?: number } | null;
  trace: TraceStep[];
}

/** A rule's METADATA, as policies/lib/lib.rego: describe returns it. */
export interface RuleDescriptor {
  id: string;
  title?: string;
  description?: string;
  severity?: string;
  links: string[];
  aliases?: string[];
  resource_types?: string[];
  /** The rule judges its resource types together (a Harbor project with its rules): the CDKTF aspect gives it every construct of them in the stack. */
  joins?: boolean;
  /** Nested block types by resource type: the evaluator reads these arguments as blocks (policy/nested-blocks.ts). */
  nested_blocks?: Record<string, string[]>;
  /** Where images are named, by resource type (terraform/instances/image-paths.ts). */
  images?: Record<string, string[]>;
  /** Data source types whose instances the rule reads (input.data_sources). */
  data_sources?: string[];
  recommended_action?: string;
  /** The argument the verdicts table judges, named in explain's heading. */
  verdicts_of?: string;
  verdicts?: { value: string; verdict: string }[];
  /** SARIF reportingDescriptor properties.tags; a rule without them gets DEFAULT_TAGS (report/sarif.ts). */
  tags?: string[];
  fix_hcl?: string;
  fix_cdktf?: string;
  /** Where the rule comes from: built-in, or the path of a custom policy. */
  source?: string;
}
