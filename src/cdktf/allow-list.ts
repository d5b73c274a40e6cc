/**
 * The allow-list check of IMMUTABLE_WITH_EXCLUSION, as policies/tagguard/lib/lib.rego
 * (pattern_covers) decides it: a `*` in the pattern may stand for a `*` of the filter,
 * so "dev-*" covers "dev-*" and "dev-pr-*", and "*" covers anything.
 */
export function patternCovers(pattern: string, filter: string): boolean {
  const re = new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`, 's');
  return re.test(filter);
}

export const DEFAULT_ALLOWED_MUTABLE_TAGS: readonly string[] = ['latest'];

export function allowedFilter(filter: string, allowed: readonly string[]): boolean {
  return allowed.some((p) => patternCovers(p, filter));
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
