import path from 'node:path';
import { packageRoot } from '../../package-root';

/** Models of well-known registry modules (see models/README.md). */
export const REGISTRY_MODELS_DIR = path.join(packageRoot(), 'models');

/** Keyed by the normalized address (registryPackage). */
const MODELS: Record<string, string> = {
  'terraform-aws-modules/ecr/aws': 'terraform-aws-modules-ecr',
  'terraform-aws-modules/ecr/aws//modules/repository-template': 'terraform-aws-modules-ecr-repository-template',
  'cloudposse/ecr/aws': 'cloudposse-ecr',
  // Published as GoogleCloudPlatform/artifact-registry/google; its README named it
  // terraform-google-modules/artifact-registry/google until 2023-11 (models/README.md).
  'googlecloudplatform/artifact-registry/google': 'googlecloudplatform-artifact-registry',
  'terraform-google-modules/artifact-registry/google': 'googlecloudplatform-artifact-registry',
};

/**
 * The public registries: a bare address means registry.terraform.io to Terraform and
 * registry.opentofu.org to OpenTofu, and both serve the same modules. Any other host
 * (a private registry) may publish something else under the same name.
 */
const PUBLIC_REGISTRIES = new Set(['registry.terraform.io', 'registry.opentofu.org']);

/** A namespace, name or provider of a registry address (Terraform's module address syntax). */
const PART = /^[0-9a-z](?:[0-9a-z_-]{0,62}[0-9a-z])?$/i;

/**
 * `namespace/name/provider[//subdir]` for a source on a public registry, in lower case
 * but for the subdirectory (a path inside the package): how Terraform compares module
 * packages. The `version` argument and a `?ref=` do not change which module it is.
 */
export function registryPackage(source: string): string | undefined {
  const [address = '', subdir] = source.replace(/\?.*$/, '').split(/\/\/(.*)/, 2);
  const parts = address.split('/');
  if (parts.length === 4 && PUBLIC_REGISTRIES.has(parts[0].toLowerCase())) parts.shift();
  if (parts.length !== 3 || !parts.every((p) => PART.test(p))) return undefined;
  const dir = subdir && path.posix.normalize(subdir).replace(/\/+$/, '');
  return parts.join('/').toLowerCase() + (dir && dir !== '.' ? `//${dir}` : '');
}

/** The model directory for a registry source, in any of its address forms. */
export function registryModel(source: string): string | undefined {
  const address = registryPackage(source);
  const name = address === undefined ? undefined : MODELS[address];
  return name ? path.join(REGISTRY_MODELS_DIR, name) : undefined;
}
