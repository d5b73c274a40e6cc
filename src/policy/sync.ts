import { readFileSync } from 'node:fs';
import { loadPolicySync, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { BUILTIN_POLICY } from './builtin';
import {
  asError,
  entrypointsByRole,
  evaluationError,
  MAX_POLICY_MEMORY_PAGES,
  printBuiltin,
  rawFindings,
  ruleDescriptors,
  type RawFinding,
  type RuleDescriptor,
} from './engine';

/**
 * The built-in policy, loaded and evaluated synchronously: for callers that cannot
 * wait (a CDKTF aspect runs inside synth; a fixer asks the rule what a changed value
 * would give). Compiled once per process.
 */
export class SyncPolicy {
  private static builtin: SyncPolicy | undefined;
  private descriptors: RuleDescriptor[] | undefined;

  private constructor(private readonly policy: LoadedPolicy) {}

  static load(): SyncPolicy {
    if (!SyncPolicy.builtin) {
      try {
        const module = new WebAssembly.Module(readFileSync(BUILTIN_POLICY));
        SyncPolicy.builtin = new SyncPolicy(loadPolicySync(module, { initial: 5, maximum: MAX_POLICY_MEMORY_PAGES }, printBuiltin([])));
      } catch (e) {
        throw asError(e, `cannot load policy ${BUILTIN_POLICY}`);
      }
    }
    return SyncPolicy.builtin;
  }

  private evaluate(input: unknown, entrypoint: string): unknown {
    try {
      return (this.policy.evaluate(input, entrypoint) as { result: unknown }[])[0]?.result;
    } catch (e) {
      throw evaluationError(e, BUILTIN_POLICY, entrypoint, MAX_POLICY_MEMORY_PAGES * 64 * 1024);
    }
  }

  private entrypoints(kind: 'findings' | 'rules'): string[] {
    return entrypointsByRole(Object.keys((this.policy.entrypoints ?? {}) as Record<string, number>), kind);
  }

  findings(input: unknown): RawFinding[] {
    return this.entrypoints('findings').flatMap((e) => rawFindings(this.evaluate(input, e), e, undefined));
  }

  rules(): RuleDescriptor[] {
    return (this.descriptors ??= ruleDescriptors(
      this.entrypoints('rules').map((e) => this.evaluate({}, e)),
      'built-in',
    ));
  }
}

/** The built-in policy, loaded on first use. */
export function builtinPolicySync(): SyncPolicy {
  return SyncPolicy.load();
}
