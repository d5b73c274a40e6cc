/**
 * Nested block types of the resources tagguard evaluates. HCL marks blocks in its
 * syntax; Terraform JSON writes them as objects or lists of objects, so only this
 * table tells a block from an attribute there.
 */
export const NESTED_BLOCKS: Record<string, ReadonlySet<string>> = {
  aws_ecr_repository: new Set(['encryption_configuration', 'image_scanning_configuration', 'image_tag_mutability_exclusion_filter', 'timeouts']),
  aws_ecr_repository_creation_template: new Set(['encryption_configuration', 'image_tag_mutability_exclusion_filter']),
};

/** Meta-arguments are Terraform's, not the resource's: they are never passed to a policy. */
export const META_ARGUMENTS = new Set(['count', 'for_each', 'provider', 'depends_on', 'lifecycle', 'provisioner', 'connection']);
