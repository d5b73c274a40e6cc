import { allowedBy } from '../../policies/tagguard/rules/ecr_tag_immutability/fix';

/**
 * Whether an allowed pattern covers an exclusion filter, as the compiled policy decides it
 * (`--allow-mutable-tag pattern` lets the filter pass). A filter ECR rejects is never covered.
 */
export function patternCovers(pattern: string, filter: string): boolean {
  return allowedBy({ allowedMutableTags: [pattern] })(filter);
}
