import type { CdktfFixer } from '../../../src/cdktf/enforce';
import type { RuleFixer } from '../../../src/fix/plan-fixes';

/**
 * The TypeScript half of a rule: the Rego (policy.rego) judges; these fix. The id is
 * the METADATA custom.id of the rule's package, which its findings carry as ruleId.
 */
export interface RuleUnit {
  readonly id: string;
  /** `tagguard scan --fix`: text edits at the origins of the values. */
  readonly fixer?: RuleFixer;
  /** The CDKTF aspect's enforce mode: changes to the construct. */
  readonly cdktf?: CdktfFixer;
}
