import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';

/** The compiled built-in policies, committed so that users need no Go toolchain. */
export const BUILTIN_POLICY = path.join(__dirname, '..', '..', 'policies', 'dist', 'policy.wasm');

const FINDINGS = 'tagguard/main/findings';
const RULES = 'tagguard/main/rules';

export class PolicyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyError';
  }
}

/** The WASM throws plain strings (a bad entry point, opa_abort) and bare objects; make them errors. */
function asError(e: unknown, doing: string): Error {
  if (e instanceof Error) return new PolicyError(`${doing}: ${e.message}`, { cause: e });
  const message = (e as { message?: unknown } | null)?.message;
  return new PolicyError(`${doing}: ${typeof e === 'string' ? e : typeof message === 'string' ? message : JSON.stringify(e)}`);
}

/** `print` in a policy built with --wasm-include-print calls internal.print with one set per argument. */
function printBuiltin(sink: string[]) {
  return {
    'internal.print': (args: unknown[]) => {
      sink.push(args.map((set) => (Array.isArray(set) ? set.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' ') : '<undefined>')).join(' '));
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
  ) {}

  static async load(file = BUILTIN_POLICY): Promise<PolicyEngine> {
    let wasm: Buffer;
    try {
      wasm = await readFile(file);
    } catch (e) {
      throw asError(e, `cannot read policy ${file}`);
    }
    try {
      const printed: string[] = [];
      const policy = await loadPolicy(wasm, undefined, printBuiltin(printed));
      policy.setData({});
      return new PolicyEngine(policy, file, printed);
    } catch (e) {
      throw asError(e, `cannot load policy ${file}`);
    }
  }

  /** Evaluates one entry point over the whole input document. */
  evaluate(input: unknown, entrypoint: string): unknown {
    const log = console.log;
    console.log = (...args: unknown[]) => {
      this.printed.push(args.map(String).join(' '));
    };
    try {
      const results = this.policy.evaluate(input, entrypoint) as Array<{ result: unknown }>;
      return results[0]?.result;
    } catch (e) {
      throw asError(e, `policy ${path.basename(this.source)} failed at ${entrypoint}`);
    } finally {
      console.log = log;
    }
  }

  findings(input: unknown): RawFinding[] {
    return (this.evaluate(input, FINDINGS) as RawFinding[] | undefined) ?? [];
  }

  rules(): RuleDescriptor[] {
    return ((this.evaluate({}, RULES) as RuleDescriptor[] | undefined) ?? []).sort((a, b) => a.id.localeCompare(b.id));
  }
}

/** A result as a policy returns it (policies/lib/lib.rego: finding). */
export interface RawFinding {
  ruleId: string;
  severity: 'error' | 'warning' | 'note';
  message: string;
  resource: string;
  root: string;
  location: { file: string; line: number; column: number; end_line?: number; end_column?: number } | null;
  trace: Array<{ file: string; line: number; column: number; note: string }>;
}

/** A rule's METADATA, as policies/lib/lib.rego: describe returns it. */
export interface RuleDescriptor {
  id: string;
  title: string;
  description: string;
  severity: string;
  links: string[];
  aliases?: string[];
  resource_types?: string[];
  recommended_action?: string;
  verdicts?: Array<{ value: string; verdict: string }>;
  fix_hcl?: string;
  fix_cdktf?: string;
}
