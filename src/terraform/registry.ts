import path from 'node:path';

/** Models of well-known registry modules (see registry-models/README.md). */
export const REGISTRY_MODELS_DIR = path.join(__dirname, '..', '..', 'src', 'terraform', 'registry-models');

const MODELS: Record<string, string> = {
  'terraform-aws-modules/ecr/aws': 'terraform-aws-modules-ecr',
  'terraform-aws-modules/ecr/aws//modules/repository-template': 'terraform-aws-modules-ecr-repository-template',
  'cloudposse/ecr/aws': 'cloudposse-ecr',
};

/** The model directory for a registry source, with or without the registry host. */
export function registryModel(source: string): string | undefined {
  const normalized = source.replace(/^registry\.(terraform|opentofu)\.io\//, '').replace(/\?.*$/, '');
  const name = MODELS[normalized];
  return name ? path.join(REGISTRY_MODELS_DIR, name) : undefined;
}
