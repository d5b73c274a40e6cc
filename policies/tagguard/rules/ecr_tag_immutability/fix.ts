/**
 * The fixes of ecr-tag-immutability, decided by the findings' message ids
 * (policy.rego: messages): one decision about values (decide), made real as text
 * edits for `tagguard scan --fix` (fixer) and as overrides for the CDKTF aspect's
 * enforce mode (enforce). The policy alone judges values: where the fix needs a
 * judgement (is this filter allowed once its filter_type is WILDCARD?), it asks the
 * compiled policy.
 */
import type { CdktfFixer } from '../../../../src/cdktf/enforce';
import { combine, type EditsOrReason } from '../../../../src/fix/edit';
import type { FixContext, RuleFixer } from '../../../../src/fix/plan-fixes';
import {
  insertResourceAttribute,
  removeAllBlocks,
  removeBlocks,
  replaceBlocksWithAttribute,
  replaceLiteral,
  setBlockAttribute,
} from '../../../../src/fix/source-edits';
import { builtinPolicySync } from '../../../../src/policy/sync';
import { isOverrideFile } from '../../../../src/terraform/config/override';
import type { RuleUnit } from '../unit';

/** The rule's id (policy.rego METADATA custom.id), which its findings carry as ruleId. */
export const RULE_ID = 'ecr-tag-immutability';

const VALUE = 'image_tag_mutability';
const FILTERS = 'image_tag_mutability_exclusion_filter';

/** The AWS Cloud Control provider's types: their exclusion filters are one list attribute, not blocks. */
const AWSCC_TYPES = new Set(['awscc_ecr_repository', 'awscc_ecr_repository_creation_template']);
const AWSCC_FILTERS = 'image_tag_mutability_exclusion_filters';

/** The value becomes IMMUTABLE and every filter goes: IMMUTABLE takes no filter (the provider's CustomizeDiff). */
const VALUE_IDS = new Set(['not_set', 'mutable', 'mutable_with_exclusion', 'invalid_value', 'invalid_value_case', 'invalid_value_space']);

/** A filter value the provider rejects: which tag was meant is for a person to say. In the order they are named. */
const FILTER_VALUE_REASONS: Record<string, string> = {
  filter_missing: 'it has no filter',
  filter_not_a_string: 'its filter is not a string',
  filter_empty: 'its filter is empty',
  filter_too_long: 'its filter is longer than 128 characters',
  filter_characters: 'its filter has characters ECR does not accept',
  filter_wildcards: 'its filter has more than 2 wildcards',
};

/** filter_type missing or wrong: WILDCARD when the allow-list keeps the filter, else the filter goes. */
const FILTER_TYPE_IDS = new Set(['filter_type_missing', 'filter_type_case', 'filter_type_invalid']);

/** What the fix does to the values, or why it is left to a person. */
export type Decision = { manual: string } | { immutable: boolean; removeFilters: 'all' | number[]; wildcard: number[] };

export interface FilterState {
  known: boolean;
  fields: Record<string, unknown>;
}

/**
 * The fix, from the message ids of a resource's findings (`ids`) and of each filter
 * (`filterIds`, by the filter's index). `allowed` says whether the policy would allow a
 * filter value with a valid filter_type.
 */
export function decide(
  ids: readonly string[],
  filterIds: ReadonlyMap<number, readonly string[]>,
  filters: readonly FilterState[],
  allowed: (filter: unknown) => boolean,
): Decision {
  const all = new Set(ids);
  if (all.has('unknown')) return { manual: 'the value is not known before apply' };
  if (all.has('not_a_string')) return { manual: 'the value is not a string' };
  if ([...all].some((id) => VALUE_IDS.has(id))) return { immutable: true, removeFilters: 'all', wildcard: [] };
  if (all.has('filter_without_exclusion')) return { immutable: false, removeFilters: 'all', wildcard: [] };
  if (all.has('too_many_filters'))
    return { manual: `${filters.length} exclusion filters, and the provider accepts at most 5: choose the ones to keep` };
  const remove: number[] = [];
  const wildcard: number[] = [];
  for (const [i, f] of filters.entries()) {
    const here = filterIds.get(i) ?? [];
    const invalid = Object.keys(FILTER_VALUE_REASONS).find((id) => here.includes(id));
    if (invalid) {
      const text = filterText(f.fields.filter);
      return {
        manual: `${text === undefined ? 'an exclusion filter' : `exclusion filter ${JSON.stringify(text)}`} is not valid (${FILTER_VALUE_REASONS[invalid]}): correct it or remove it`,
      };
    }
    if (here.includes('filter_not_allowed')) remove.push(i);
    else if (here.some((id) => FILTER_TYPE_IDS.has(id))) (allowed(f.fields.filter) ? wildcard : remove).push(i);
  }
  // With no filter left (or none to begin with), IMMUTABLE_WITH_EXCLUSION becomes IMMUTABLE.
  const immutable = all.has('no_filter') || (filters.length > 0 && remove.length === filters.length);
  return { immutable, removeFilters: remove, wildcard };
}

/** The filter as Terraform hands it to the provider: a string, or a number or bool in its string form. */
function filterText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  return undefined;
}

/**
 * Whether the policy has nothing to say about a filter with filter_type WILDCARD under
 * IMMUTABLE_WITH_EXCLUSION: its allow-list and glob semantics, and ECR's limits (a filter
 * ECR rejects is not allowed).
 */
export function allowedBy(
  config: { readonly allowedMutableTags: readonly string[] },
  type = 'aws_ecr_repository',
): (filter: unknown) => boolean {
  return (filter) => {
    const known = (value: unknown) => ({ set: true, known: true, value });
    const input = {
      resources: [
        {
          address: `${type}.probe`,
          root: '',
          type,
          attributes: { [VALUE]: known('IMMUTABLE_WITH_EXCLUSION'), [FILTERS]: known([{ filter, filter_type: 'WILDCARD', known: true }]) },
        },
      ],
      config: { allowed_mutable_tags: config.allowedMutableTags, unknown: 'ignore' },
    };
    // Only this rule's findings: another rule may judge the same resource type for other things.
    return builtinPolicySync()
      .findings(input)
      .every((f) => f.ruleId !== RULE_ID);
  };
}

/**
 * The fix of an awscc resource: image_tag_mutability becomes IMMUTABLE when the value is
 * wrong and no exclusion filter is listed (or IMMUTABLE_WITH_EXCLUSION lists none); an
 * edit of the image_tag_mutability_exclusion_filters list is left to a person.
 */
export function decideAwscc(ids: readonly string[], filterCount: number): { immutable: true } | { manual: string } {
  const all = new Set(ids);
  if (all.has('unknown')) return { manual: 'the value is not known before apply' };
  if (all.has('not_a_string')) return { manual: 'the value is not a string' };
  const listEdit = `change the ${AWSCC_FILTERS} list by hand (tagguard edits only the value of an awscc resource)`;
  if ([...all].some((id) => VALUE_IDS.has(id))) {
    return filterCount > 0 ? { manual: `set ${VALUE} to "IMMUTABLE" and remove ${AWSCC_FILTERS}: ${listEdit}` } : { immutable: true };
  }
  if (all.has('no_filter') && [...all].every((id) => id === 'no_filter')) return { immutable: true };
  return { manual: listEdit };
}

/** The number of filters of an awscc resource's list attribute (0 when not set, or not a list). */
function awsccFilterCount(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

/** `tagguard scan --fix` on an awscc resource: only image_tag_mutability is edited. */
function awsccFixer({ resource: r, findings, sources }: FixContext): EditsOrReason {
  const list = Object.hasOwn(r.attributes, AWSCC_FILTERS) ? r.attributes[AWSCC_FILTERS] : undefined;
  const ids = findings.flatMap((f) => (f.messageId ? [f.messageId] : []));
  const decision = decideAwscc(ids, list?.set ? awsccFilterCount(list.value) : 0);
  if ('manual' in decision) return decision.manual;
  const m = Object.hasOwn(r.attributes, VALUE) ? r.attributes[VALUE] : undefined;
  // A value written as null: the literal null is the origin to change.
  if (m && !m.set && m.location) return replaceLiteral(m.location, '"IMMUTABLE"', sources);
  if (!m?.set) return insertResourceAttribute(r, VALUE, 'IMMUTABLE', sources);
  if (!m.location) return 'the value comes from the environment or the command line';
  return replaceLiteral(m.location, '"IMMUTABLE"', sources);
}

/** `tagguard scan --fix`: the decision as edits at the origins of the values. */
export const fixer: RuleFixer = (context: FixContext): EditsOrReason => {
  if (AWSCC_TYPES.has(context.resource.type)) return awsccFixer(context);
  const { resource: r, findings, sources, config } = context;
  // A resource without the blocks has no entry (the record's type does not say so).
  const made = Object.hasOwn(r.blocks, FILTERS) ? r.blocks[FILTERS] : undefined;
  // An override's filter blocks replace the original's: removing them would bring the original's back.
  if (made?.instances.some((b) => isOverrideFile(b.location.file)))
    return 'the exclusion filters are set in an override file, which replaces the original blocks: change both by hand';
  // Filters a dynamic block makes (or may make) can only change with it, and image_tag_mutability with them.
  if (made && (!made.known || made.instances.some((b) => b.dynamic)))
    return 'the exclusion filters come from a dynamic block or an expression: change them together with image_tag_mutability';
  const blocks = made?.instances ?? [];
  const filterIds = new Map<number, string[]>();
  for (const f of findings) {
    const i = blocks.findIndex((b) => f.file === b.location.file && f.line === b.location.line && f.column === b.location.column);
    if (i >= 0 && f.messageId) filterIds.set(i, [...(filterIds.get(i) ?? []), f.messageId]);
  }
  const ids = findings.flatMap((f) => (f.messageId ? [f.messageId] : []));
  const decision = decide(
    ids,
    filterIds,
    blocks.map((b) => ({ known: b.known, fields: b.fields })),
    allowedBy(config, r.type),
  );
  if ('manual' in decision) return decision.manual;
  const m = Object.hasOwn(r.attributes, VALUE) ? r.attributes[VALUE] : undefined;
  if (decision.removeFilters === 'all') {
    if (!decision.immutable) return removeAllBlocks(r, FILTERS, sources);
    // A value written as null: the literal null is the origin to change.
    if (m && !m.set && m.location)
      return combine([replaceLiteral(m.location, '"IMMUTABLE"', sources), removeAllBlocks(r, FILTERS, sources)]);
    if (!m?.set)
      return blocks.length
        ? replaceBlocksWithAttribute(r, FILTERS, VALUE, 'IMMUTABLE', sources)
        : insertResourceAttribute(r, VALUE, 'IMMUTABLE', sources);
    if (!m.location) return 'the value comes from the environment or the command line';
    return combine([replaceLiteral(m.location, '"IMMUTABLE"', sources), removeAllBlocks(r, FILTERS, sources)]);
  }
  if (!m?.location) return 'the value comes from the environment or the command line';
  return combine([
    // Planned together: in JSON, neighbouring elements that go share their commas.
    removeBlocks(
      decision.removeFilters.map((i) => blocks[i].location),
      FILTERS,
      sources,
    ),
    ...decision.wildcard.map((i) => setBlockAttribute(blocks[i], FILTERS, 'filter_type', 'WILDCARD', sources)),
    ...(decision.immutable ? [replaceLiteral(m.location, '"IMMUTABLE"', sources)] : []),
  ]);
};

/** The CDKTF aspect's enforce mode: the same decision, as overrides of the synthesized values. */
export const enforce: CdktfFixer = ({ resource, attributes, findings, blockIndex, config }) => {
  if (AWSCC_TYPES.has(resource.terraformResourceType)) {
    const list = Object.hasOwn(attributes, AWSCC_FILTERS) ? attributes[AWSCC_FILTERS] : undefined;
    const decision = decideAwscc(
      findings.flatMap((f) => (f.messageId ? [f.messageId] : [])),
      list?.known ? awsccFilterCount(list.value) : 0,
    );
    if ('manual' in decision) return decision;
    resource.addOverride(VALUE, 'IMMUTABLE');
    return { done: `${VALUE} set to IMMUTABLE` };
  }
  const list = Object.hasOwn(attributes, FILTERS) ? attributes[FILTERS] : undefined;
  const filters = list?.known && Array.isArray(list.value) ? (list.value as Record<string, unknown>[]) : [];
  const filterIds = new Map<number, string[]>();
  for (const f of findings) {
    const i = blockIndex(f, FILTERS);
    if (i !== undefined && f.messageId) filterIds.set(i, [...(filterIds.get(i) ?? []), f.messageId]);
  }
  const ids = findings.flatMap((f) => (f.messageId ? [f.messageId] : []));
  const decision = decide(
    ids,
    filterIds,
    filters.map(({ known, ...fields }) => ({ known: known !== false, fields })),
    allowedBy(config, resource.terraformResourceType),
  );
  if ('manual' in decision) return decision;
  const done: string[] = [];
  if (decision.immutable) {
    resource.addOverride(VALUE, 'IMMUTABLE');
    done.push(`${VALUE} set to IMMUTABLE`);
  }
  if (decision.removeFilters === 'all' || (decision.immutable && decision.removeFilters.length === filters.length)) {
    if (filters.length) {
      // An override of undefined deletes the key from what is synthesized.
      resource.addOverride(FILTERS, undefined);
      done.push('exclusion filters removed');
    }
  } else if (decision.removeFilters.length || decision.wildcard.length) {
    const removed = new Set(decision.removeFilters);
    const kept = filters
      .map(({ known: _, location: __, trace: ___, ...fields }, i) =>
        decision.wildcard.includes(i) ? { ...fields, filter_type: 'WILDCARD' } : fields,
      )
      .filter((_, i) => !removed.has(i));
    // cdktf appends a list override to the configured list: a typed construct's list is emptied first.
    (resource as unknown as { putImageTagMutabilityExclusionFilter?: (value: unknown[]) => void }).putImageTagMutabilityExclusionFilter?.(
      [],
    );
    resource.addOverride(FILTERS, kept);
    done.push(...decision.removeFilters.map((i) => `exclusion filter ${JSON.stringify(filters[i].filter)} removed`));
    done.push(...decision.wildcard.map((i) => `filter_type of exclusion filter ${JSON.stringify(filters[i].filter)} set to WILDCARD`));
  }
  return { done: done.join('; ') };
};

/** The findings about the value itself; the others are about its exclusion filters. */
const ABOUT_VALUE = new Set([...VALUE_IDS, 'not_a_string', 'no_filter']);

/**
 * What a person sets in a CDKTF app for findings in its synth output (which --fix never edits):
 * on a tagguard construct, the prop that wrote the value or the escape hatch that overrode it;
 * on @cdktf/provider-aws's EcrRepository or EcrRepositoryCreationTemplate (or a raw
 * TerraformResource), imageTagMutability and imageTagMutabilityExclusionFilter.
 */
export const cdktfChange: NonNullable<RuleUnit['cdktfChange']> = ({ type, messageIds, madeBy }) => {
  const value = messageIds.some((id) => ABOUT_VALUE.has(id));
  const filters = messageIds.some((id) => !ABOUT_VALUE.has(id) && id !== 'unknown');
  if (!value && !filters) return undefined;
  const awscc = AWSCC_TYPES.has(type);
  const template = type === 'aws_ecr_repository_creation_template' || type === 'awscc_ecr_repository_creation_template';
  const override = `addOverride('${value ? VALUE : awscc ? AWSCC_FILTERS : FILTERS}', …)`;
  if (madeBy) {
    const hatch = `the ${override} on its ${template ? 'template' : 'repository'}`;
    if (value) return `${madeBy.construct} cannot write this value: remove ${hatch}`;
    const tags = madeBy.stack
      ? `mutableTags of its entry in ${madeBy.stack}'s ${template ? 'creationTemplates' : 'repositories'}`
      : `mutableTags of ${madeBy.construct}`;
    const allowList = madeBy.stack ? `${madeBy.stack}'s allowedMutableTags` : 'its allowedMutableTags';
    return `set ${tags} to tags the scan's allow-list covers (${allowList} let them through), or remove ${hatch}`;
  }
  const props = `${awscc ? 'awscc ' : ''}${template ? 'EcrRepositoryCreationTemplate' : 'EcrRepository'}`;
  const list = awscc ? 'imageTagMutabilityExclusionFilters' : 'imageTagMutabilityExclusionFilter';
  const filterType = awscc ? 'imageTagMutabilityExclusionFilterType' : 'filterType';
  return value
    ? `set imageTagMutability to "IMMUTABLE" on the ${props}, or remove its ${override}`
    : `keep only allowed filters, with ${filterType} "WILDCARD", in ${list} of the ${props}, or remove its ${override}`;
};
