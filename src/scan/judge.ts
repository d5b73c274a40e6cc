import path from 'node:path';
import type { Problem } from '../parse/source';
import { CustomPolicy } from '../policy/custom';
import { PolicyEngine, type PolicySource, type RawFinding, type RuleDescriptor } from '../policy/engine';
import { policyInput, type InputContext, type PolicyConfig } from '../policy/input';
import type { ResourceInstance } from '../terraform/instances/module-tree';

export interface LoadedEngines {
  builtin: PolicyEngine;
  custom: CustomPolicy[];
  rules: RuleDescriptor[];
  problems: Problem[];
}

/**
 * The built-in policy (or the one given), in-process, and the custom ones, each in a
 * worker with a time limit; a custom policy that cannot be loaded or described in
 * time is an input error naming it, and the scan goes on without it.
 */
export async function loadEngines(
  options: { cwd: string; policies?: PolicySource[]; policyTimeoutMs?: number },
  engine: PolicyEngine | undefined,
): Promise<LoadedEngines> {
  const loaded = await Promise.all(
    (options.policies ?? []).map(async (source) => {
      const name = typeof source === 'string' ? source : source.name;
      let policy: CustomPolicy | undefined;
      try {
        policy = await CustomPolicy.load(typeof source === 'string' ? path.resolve(options.cwd, source) : source, {
          name,
          timeoutMs: options.policyTimeoutMs,
        });
        return { policy, rules: await policy.rules() };
      } catch (e) {
        policy?.close();
        return { problem: policyProblem(name, e) };
      }
    }),
  );
  const builtin = engine ?? (await PolicyEngine.load());
  const custom = loaded.flatMap((l) => (l.policy ? [l.policy] : []));
  const rules = [...builtin.rules(), ...loaded.flatMap((l) => l.rules ?? [])];
  return { builtin, custom, rules, problems: loaded.flatMap((l) => (l.problem ? [l.problem] : [])) };
}

/**
 * The built-in policy's findings over all roots at once. A policy that fails on that
 * input (its memory cap, say) is evaluated again root by root, so that only the roots
 * it fails on are lost, each as an input error.
 */
export function judge(
  engine: PolicyEngine,
  resources: ResourceInstance[],
  config: PolicyConfig,
  context: InputContext = {},
): { raw: RawFinding[]; problems: Problem[] } {
  try {
    return { raw: engine.findings(policyInput(resources, config, context)), problems: [] };
  } catch {
    // isolated below
  }
  const raw: RawFinding[] = [];
  const problems: Problem[] = [];
  const byRoot = new Map<string, ResourceInstance[]>();
  for (const r of resources) byRoot.set(r.root, [...(byRoot.get(r.root) ?? []), r]);
  for (const [root, group] of byRoot) {
    try {
      const ofRoot = (list: ResourceInstance[] | undefined) => list?.filter((d) => d.root === root);
      raw.push(
        ...engine.findings(policyInput(group, config, { dataSources: ofRoot(context.dataSources), unchanged: ofRoot(context.unchanged) })),
      );
    } catch (e) {
      const name =
        engine
          .rules()
          .map((r) => r.id)
          .join(', ') || 'a policy';
      problems.push({
        file: root,
        line: 0,
        column: 0,
        message: `${name} could not judge this root (${(e as Error).message}); its resources are not judged`,
      });
    }
  }
  return { raw, problems };
}

/**
 * The findings of each custom policy for each input (one per group of resources judged
 * together), then the policy is closed (its worker ends); one that fails or runs out of
 * time is an input error naming it, and the others still count.
 */
export async function customFindings(custom: CustomPolicy[], inputs: unknown[], errors: Problem[]): Promise<RawFinding[][]> {
  const results = await Promise.all(
    custom.map(async (c) => {
      const found: RawFinding[][] = inputs.map(() => []);
      try {
        for (const [n, input] of inputs.entries()) found[n] = await c.findings(input);
      } catch (e) {
        errors.push(policyProblem(c.name, e));
      } finally {
        c.close();
      }
      return found;
    }),
  );
  return inputs.map((_, n) => results.flatMap((r) => r[n] ?? []));
}

function policyProblem(name: string, e: unknown): Problem {
  return { file: name, line: 0, column: 0, message: e instanceof Error ? e.message : String(e) };
}
