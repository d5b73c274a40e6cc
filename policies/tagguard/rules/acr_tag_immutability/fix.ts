/**
 * The fixes of acr-tag-immutability, decided by the findings' message ids
 * (policy.rego: messages): tag_immutability = true on an alicloud_cr_ee_repo, as text
 * edits for `tagguard scan --fix` (fixer: the false or null literal replaced where it is
 * written, or the argument added when it is not written) and as an override for the
 * CDKTF aspect's enforce mode (enforce). What ACR itself cannot change (latest stays
 * mutable; a Personal Edition repository has no setting) is left to a person.
 */
import type { CdktfFixer } from '../../../../src/cdktf/enforce';
import type { EditsOrReason } from '../../../../src/fix/edit';
import type { FixContext, RuleFixer } from '../../../../src/fix/plan-fixes';
import { insertResourceAttribute, replaceBoolLiteral } from '../../../../src/fix/source-edits';

/** The rule's id (policy.rego METADATA custom.id), which its findings carry as ruleId. */
export const RULE_ID = 'acr-tag-immutability';

const VALUE = 'tag_immutability';

/** The findings tag_immutability = true fixes. */
const FIXED_IDS = new Set(['not_set', 'disabled']);

/** Why a finding of another id is left to a person, in the order they are named. */
const REASONS: Record<string, string> = {
  unknown: 'the value is not known before apply',
  personal_edition: 'an ACR Personal Edition repository cannot make tags immutable: move it to an Enterprise Edition instance',
  latest_always_mutable: 'ACR cannot make latest immutable: deploy by a tag per build',
};

/** The fix's decision from the findings' message ids: fix, or the reason a person must act. */
function decide(ids: ReadonlySet<string>): true | string {
  const reason = Object.keys(REASONS).find((id) => ids.has(id));
  if (reason) return REASONS[reason];
  return [...ids].some((id) => FIXED_IDS.has(id)) ? true : 'nothing this fixer can change';
}

const messageIds = (findings: readonly { messageId?: string }[]) => new Set(findings.flatMap((f) => (f.messageId ? [f.messageId] : [])));

/** `tagguard scan --fix`: tag_immutability = true at the origin of the value. */
export const fixer: RuleFixer = ({ resource: r, findings, sources }: FixContext): EditsOrReason => {
  const decision = decide(messageIds(findings));
  if (decision !== true) return decision;
  const a = Object.hasOwn(r.attributes, VALUE) ? r.attributes[VALUE] : undefined;
  // A value written as null: the literal null is the origin to change.
  if (a && !a.set && a.location) return replaceBoolLiteral(a.location, true, sources);
  if (!a?.set) return insertResourceAttribute(r, VALUE, true, sources);
  if (!a.location) return 'the value comes from the environment or the command line';
  return replaceBoolLiteral(a.location, true, sources);
};

/** The CDKTF aspect's enforce mode: tag_immutability = true. */
export const enforce: CdktfFixer = ({ resource, findings }) => {
  const decision = decide(messageIds(findings));
  if (decision !== true) return { manual: decision };
  resource.addOverride(VALUE, true);
  return { done: `${VALUE} set to true` };
};
