/** tagguard/cdktf: constructs and stacks that are compliant with ecr-tag-immutability by default. */
export { DEFAULT_ALLOWED_MUTABLE_TAGS, patternCovers } from './allow-list';
export { EcrTagImmutabilityAspect, type AspectMode, type EcrTagImmutabilityAspectProps } from './aspect';
export {
  ImmutableEcrRepository,
  ImmutableEcrRepositoryCreationTemplate,
  lifecyclePolicy,
  type ImmutableEcrRepositoryCreationTemplateProps,
  type ImmutableEcrRepositoryProps,
  type LifecycleRules,
} from './immutable-ecr-repository';
export { CompliantEcrStack, constructId, type CompliantEcrStackConfig } from './stack';
