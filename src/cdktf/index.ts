/** tagguard/cdktf: constructs and stacks that are compliant with ecr-tag-immutability by default. */
export { DEFAULT_ALLOWED_MUTABLE_TAGS } from '../../policies/tagguard/rules/ecr_tag_immutability';
export { patternCovers } from './pattern-covers';
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
