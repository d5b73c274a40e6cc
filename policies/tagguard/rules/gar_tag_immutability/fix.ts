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
import { replaceBoolLiteral, setBlockAttribute } from '../../../../src/fix/source-edits';
import type { RuleUnit } from '../unit';

/** The rule's id (policy.rego METADATA custom.id), which its findings carry as ruleId. */
export const RULE_ID = 'gar-tag-immutability';

const BLOCK = 'docker_config';
const VALUE = 'immutable_tags';

/** immutable_tags missing or not true in an existing docker_config block: set it to true there. */
const BLOCK_IDS = new Set(['immutable_tags_not_set', 'immutable_tags_disabled']);

const NO_BLOCK_REASON = 'the repository has no docker_config block: add docker_config { immutable_tags = true } by hand';

/**
 * A resource of a registry module (a model, or a download in .terraform/) is reported at the module
 * call: what a person changes there is the call's arguments, not a block.
 */
function fromModuleCall(r: FixContext['resource'], sources: FixContext['sources']): boolean {
  const source = sources.get(r.location.file);
  return source !== undefined && /^module\s/.test(source.text.slice(source.offset(r.location.line, r.location.column)));
}

/** `tagguard scan --fix`: immutable_tags = true in the docker_config block. */
export const fixer: RuleFixer = ({ resource: r, findings, sources }: FixContext): EditsOrReason => {
  const ids = new Set(findings.flatMap((f) => (f.messageId ? [f.messageId] : [])));
  const call = fromModuleCall(r, sources);
  if (ids.has('no_docker_config'))
    return call
      ? 'the module call writes no docker_config block: pass the module the input that sets immutable_tags = true (docker_config = { immutable_tags = true } for GoogleCloudPlatform/artifact-registry/google)'
      : NO_BLOCK_REASON;
  if (![...ids].some((id) => BLOCK_IDS.has(id))) return 'nothing this fixer can change';
  const block = Object.hasOwn(r.blocks, BLOCK) ? r.blocks[BLOCK] : undefined;
  const [only] = block?.instances ?? [];
  if (!block?.known || block.instances.length !== 1) return 'the docker_config block is not written once in the resource';
  // A false written somewhere (the block, a variable default, tfvars, a module argument) becomes true
  // there; src/fix/narrow.ts keeps the edit only where nothing else reads that value.
  const origin = only.origins?.[VALUE];
  if (ids.has('immutable_tags_disabled') && origin) return replaceBoolLiteral(origin.location, true, sources);
  if (only.dynamic)
    return call
      ? `the module writes docker_config from the value at ${only.location.file}:${only.location.line}:${only.location.column}: set immutable_tags = true in it`
      : 'the docker_config block comes from a dynamic block: set immutable_tags = true in its content';
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

/** Every finding of the rule but an unknown value: what makes docker_config.immutable_tags true. */
const CDKTF_IDS = new Set(['no_docker_config', ...BLOCK_IDS]);

/**
 * What a person sets in a CDKTF app for findings in its synth output (which --fix never edits):
 * dockerConfig.immutableTags on @cdktf/provider-google's (or google-beta's)
 * ArtifactRegistryRepository, or the escape hatch that wrote docker_config.
 */
export const cdktfChange: NonNullable<RuleUnit['cdktfChange']> = ({ messageIds }) =>
  messageIds.some((id) => CDKTF_IDS.has(id))
    ? `set dockerConfig: { immutableTags: true } on the ArtifactRegistryRepository, or remove its addOverride('${BLOCK}', …)`
    : undefined;
