/** tagguard/cdktf: constructs and stacks that are compliant with ecr-tag-immutability by default. */
export { DEFAULT_ALLOWED_MUTABLE_TAGS, DEFAULT_MOVING_TAGS, DEFAULT_UNSEEN_REGISTRY, type UnseenRegistrySeverity } from '../policy/input';
export { patternCovers } from './pattern-covers';
export {
  EcrTagImmutabilityAspect,
  TagguardAspect,
  type AspectMode,
  type EcrTagImmutabilityAspectProps,
  type TagguardAspectProps,
} from './aspect';
export {
  ImmutableEcrRepository,
  ImmutableEcrRepositoryCreationTemplate,
  lifecyclePolicy,
  type ImmutableEcrRepositoryCreationTemplateProps,
  type ImmutableEcrRepositoryProps,
  type LifecycleRules,
} from './immutable-ecr-repository';
export { CompliantEcrStack, constructId, type CompliantEcrStackConfig } from './stack';
