/**
 * What ecr-tag-immutability decides about one image_tag_mutability_exclusion_filter,
 * re-derived for the fixer from the same limits the policy reads
 * (policies/tagguard/rules/ecr_tag_immutability/policy.rego, after
 * terraform-provider-aws internal/service/ecr/repository.go and ECR's
 * ImageTagMutabilityExclusionFilter): filter_type is WILDCARD; filter is 1 to 128
 * letters, digits and . _ * -, with at most 2 wildcards; at most 5 filters.
 */
export const MAX_FILTERS = 5;

const FILTER_PATTERN = /^[a-zA-Z0-9._*-]+$/;

/** The filter as Terraform hands it to the provider: a string, or a number or bool in its string form. */
export function filterText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return JSON.stringify(value);
  return undefined;
}

/** Why the provider rejects a filter value, or undefined when it accepts it. */
export function filterValueProblem(value: unknown): string | undefined {
  if (value === undefined || value === null) return 'it has no filter';
  const text = filterText(value);
  if (text === undefined) return 'its filter is not a string';
  if (text === '') return 'its filter is empty';
  if ([...text].length > 128) return 'its filter is longer than 128 characters';
  if (!FILTER_PATTERN.test(text)) return 'its filter has characters ECR does not accept';
  if (text.split('*').length - 1 > 2) return 'its filter has more than 2 wildcards';
  return undefined;
}

export function validFilterType(value: unknown): boolean {
  return value === 'WILDCARD';
}

/**
 * The allow-list check of lib.pattern_covers: a `*` of an allowed pattern matches any
 * characters (a `*` of the filter and dots included), everything else matches itself.
 */
export function allowedFilter(filter: string, allowed: readonly string[]): boolean {
  return allowed.some((p) => new RegExp(`^${p.split('*').map(escapeRegExp).join('.*')}$`, 's').test(filter));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
