/**
 * image-reference-immutable is never fixed by tagguard: the digest of an image is known only
 * to the registry and to the CI that pushed it, and nothing may be fetched at scan time. The
 * fixer names the two fixes for a person.
 */
import type { CdktfFixer } from '../../../../src/cdktf/enforce';
import type { FixContext, RuleFixer } from '../../../../src/fix/plan-fixes';

/** The rule's id (policy.rego METADATA custom.id), which its findings carry as ruleId. */
export const RULE_ID = 'image-reference-immutable';

const TWO_FIXES =
  'pin the digest the CI that built the image printed (name@sha256:<64 hex>), or tag each build with its git SHA, push it to an immutable repository and deploy that tag';

function reason(ids: Set<string>): string {
  if (ids.has('mutable_repository'))
    return `the repository lets the tag move: make it immutable (its own finding says how), or ${TWO_FIXES}`;
  if (ids.has('invalid_reference') || ids.has('invalid_digest')) return `write a valid image reference, and ${TWO_FIXES}`;
  return `a digest is known only to the registry and the CI that pushed the image: ${TWO_FIXES}`;
}

const ids = (findings: { messageId?: string }[]) => new Set(findings.flatMap((f) => (f.messageId ? [f.messageId] : [])));

export const fixer: RuleFixer = ({ findings }: FixContext) => reason(ids(findings));

export const enforce: CdktfFixer = ({ findings }) => ({ manual: reason(ids(findings)) });
