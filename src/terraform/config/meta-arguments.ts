/** Meta-arguments are Terraform's, not the resource's: they are never passed to a policy. */
export const META_ARGUMENTS = new Set(['count', 'for_each', 'provider', 'depends_on', 'lifecycle', 'provisioner', 'connection']);
