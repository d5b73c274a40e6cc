/**
 * harbor-tag-immutability is never fixed by tagguard: a project's immutability is a
 * resource of its own (harbor_immutable_tag_rule), and which patterns a team wants
 * immutable is theirs to decide. The fixer prints the rule to add, or the pattern to
 * change, for a person to apply.
 */
import type { CdktfFixer } from '../../../../src/cdktf/enforce';
import type { FixContext, RuleFixer } from '../../../../src/fix/plan-fixes';

/** The rule's id (policy.rego METADATA custom.id), which its findings carry as ruleId. */
export const RULE_ID = 'harbor-tag-immutability';

/** The project's address as its own module refers to it: no module path. */
const local = (address: string) => address.replace(/^(?:module\.[\w-]+(?:\[[^\]]*\])?\.)+/, '');

/** The resource block a person adds for a project without a covering rule. */
export function ruleToAdd(project: string): string {
  const ref = local(project);
  const name = ref.replace(/^harbor_project\./, '').replace(/\[.*$/, '');
  return [
    `resource "harbor_immutable_tag_rule" "${name}" {`,
    `  project_id    = ${ref}.id`,
    '  repo_matching = "**"',
    '  tag_matching  = "**"',
    '}',
  ].join('\n');
}

const PATTERNS: Record<string, string> = {
  rule_disabled: 'set disabled = false',
  repo_excluding: 'remove repo_excluding and set repo_matching = "**"',
  repo_matching: 'set repo_matching = "**"',
  repo_not_set: 'set repo_matching = "**"',
  tag_matching: 'set tag_matching = "**" (or tag_excluding = the allowed mutable tags)',
  tag_excluding: 'make tag_excluding name only the allowed mutable tags',
  tag_not_set: 'set tag_matching = "**"',
};

function reason(type: string, address: string, ids: Set<string>, cdktf = false): string {
  if (type === 'harbor_project' && cdktf)
    return 'add a harbor_immutable_tag_rule construct with project_id = this project\'s id, repo_matching = "**" and tag_matching = "**"';
  if (type === 'harbor_project')
    return `add a tag immutability rule for the project by hand (or correct the rules that point at it):\n${ruleToAdd(address)}`;
  const changes = [...ids].flatMap((id) => (PATTERNS[id] ? [PATTERNS[id]] : []));
  return changes.length ? `change the rule by hand: ${changes.join('; ')}` : 'nothing this fixer can change';
}

/** `tagguard scan --fix`: always left to a person, with what to write. */
export const fixer: RuleFixer = ({ resource, findings }: FixContext) =>
  reason(resource.type, resource.address, new Set(findings.flatMap((f) => (f.messageId ? [f.messageId] : []))));

/** The CDKTF aspect's enforce mode: left to a person too. */
export const enforce: CdktfFixer = ({ resource, findings }) => ({
  manual: reason(
    resource.terraformResourceType,
    `${resource.terraformResourceType}.${resource.friendlyUniqueId}`,
    new Set(findings.flatMap((f) => (f.messageId ? [f.messageId] : []))),
    true,
  ),
});
