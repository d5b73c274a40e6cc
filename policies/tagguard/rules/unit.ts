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
  /**
   * `tagguard scan --fix` on CDKTF synth output, which it never edits: the construct property a
   * person sets, from the findings' message ids and the tagguard construct that made the
   * resource (its `//` metadata), when known.
   */
  readonly cdktfChange?: (context: CdktfChangeContext) => string | undefined;
}

export interface CdktfChangeContext {
  /** The Terraform resource type. */
  type: string;
  messageIds: string[];
  /** The tagguard construct (src/cdktf) that made the resource, and the stack when it is a CompliantEcrStack. */
  madeBy?: { construct: string; stack?: string };
}
