/**
 * The fixes of gar-tag-immutability, decided by the findings' message ids
 * (policy.rego: messages): immutable_tags = true in the repository's docker_config
 * block, as text edits for `tagguard scan --fix` (fixer) and as an override for the
 * CDKTF aspect's enforce mode (enforce). A missing docker_config block is left to a
 * person: the generic source edits insert attributes, not nested blocks.
 */
import type { CdktfFixer } from '../../../../src/cdktf/enforce';
import type { EditsOrReason } from '../../../../src/fix/edit';
import type { FixContext, RuleFixer } from '../../../../src/fix/plan-fixes';
import { setBlockAttribute } from '../../../../src/fix/source-edits';

/** The rule's id (policy.rego METADATA custom.id), which its findings carry as ruleId. */
export const RULE_ID = 'gar-tag-immutability';

const BLOCK = 'docker_config';
const VALUE = 'immutable_tags';

/** immutable_tags missing or not true in an existing docker_config block: set it to true there. */
const BLOCK_IDS = new Set(['immutable_tags_not_set', 'immutable_tags_disabled']);

const NO_BLOCK_REASON = 'the repository has no docker_config block: add docker_config { immutable_tags = true } by hand';

/** `tagguard scan --fix`: immutable_tags = true in the docker_config block. */
export const fixer: RuleFixer = ({ resource: r, findings, sources }: FixContext): EditsOrReason => {
  const ids = new Set(findings.flatMap((f) => (f.messageId ? [f.messageId] : [])));
  if (ids.has('no_docker_config')) return NO_BLOCK_REASON;
  if (![...ids].some((id) => BLOCK_IDS.has(id))) return 'nothing this fixer can change';
  const block = Object.hasOwn(r.blocks, BLOCK) ? r.blocks[BLOCK] : undefined;
  const [only] = block?.instances ?? [];
  if (!block?.known || block.instances.length !== 1) return 'the docker_config block is not written once in the resource';
  if (only.dynamic) return 'the docker_config block comes from a dynamic block: set immutable_tags = true in its content';
  return setBlockAttribute(only, BLOCK, VALUE, true, sources);
};

/** The CDKTF aspect's enforce mode: docker_config.immutable_tags = true. */
export const enforce: CdktfFixer = ({ attributes, findings, resource }) => {
  const ids = new Set(findings.flatMap((f) => (f.messageId ? [f.messageId] : [])));
  if (ids.has('no_docker_config')) return { manual: NO_BLOCK_REASON };
  if (![...ids].some((id) => BLOCK_IDS.has(id))) return { manual: 'nothing this fix can change' };
  const list = Object.hasOwn(attributes, BLOCK) ? attributes[BLOCK] : undefined;
  const blocks = list?.known && Array.isArray(list.value) ? (list.value as Record<string, unknown>[]) : [];
  if (blocks.length !== 1) return { manual: 'the docker_config block is not set once' };
  const { known: _, location: __, trace: ___, ...fields } = blocks[0];
  resource.addOverride(BLOCK, [{ ...fields, [VALUE]: true }]);
  return { done: `${BLOCK}.${VALUE} set to true` };
};
