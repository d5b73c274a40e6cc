import type { NestedBlocks } from '../terraform/config/nested-blocks';
import { builtinNestedBlocks } from './builtin';
import type { RuleDescriptor } from './engine';

/**
 * The one table the evaluator reads nested blocks from: the built-in rules'
 * declarations from the manifest, and those of custom rules (their descriptor's
 * `nested_blocks`) for resource types the built-in rules do not declare. A built-in
 * type's list is its whole provider schema, so a custom policy cannot turn an
 * attribute a built-in rule judges into a block. Entries that are not lists of
 * names are ignored.
 */
export function declaredNestedBlocks(rules: readonly RuleDescriptor[]): NestedBlocks {
  const builtin = builtinNestedBlocks();
  const table = new Map<string, Set<string>>(Object.entries(builtin).map(([type, names]) => [type, new Set(names)]));
  for (const rule of rules) {
    if (rule.source === 'built-in') continue;
    const declared: unknown = rule.nested_blocks;
    if (typeof declared !== 'object' || declared === null || Array.isArray(declared)) continue;
    for (const [type, names] of Object.entries(declared as Record<string, unknown>)) {
      if (Object.hasOwn(builtin, type) || !Array.isArray(names)) continue;
      const set = table.get(type) ?? new Set<string>();
      for (const name of names) if (typeof name === 'string' && name) set.add(name);
      table.set(type, set);
    }
  }
  return table;
}
